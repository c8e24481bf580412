"""Logon controls (GB/T 22239-2019 8.1.4.1/8.1.4.2): password complexity, login-failure lockout,
idle lock, default accounts, remote administration — Linux files and Windows registry/tools.

Windows values are read by name in secedit exports (``PasswordComplexity``, ``LockoutBadCount`` …),
by offset in SAM values and by RID, never from a translated label (docs/djbh.md).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..facts.djbh import BuiltinAccount, Complexity, IdleScope, IdleSetting, Lockout, RemoteService
from ..target.interface import Target
from . import djbhbase as b
from .accounts import PAM_PASSWORD_FILES, PWQUALITY_CONF, PWQUALITY_DIR, parse_kv_conf, parse_login_defs
from .interface import CollectContext, Collector, FactError
from .windows import parse_secedit_inf

PAM_AUTH_FILES = ("/etc/pam.d/common-auth", "/etc/pam.d/system-auth", "/etc/pam.d/password-auth")
CREDITS = ("dcredit", "ucredit", "lcredit", "ocredit")


# --- Linux: complexity -------------------------------------------------------------------------

def _pwquality_conf(target: Target) -> Tuple[Dict[str, str], List[Tuple[str, str]]]:
    conf: Dict[str, str] = {}
    sources: List[Tuple[str, str]] = []
    paths = [PWQUALITY_CONF] + [f"{PWQUALITY_DIR}/{n}" for n in target.listdir(PWQUALITY_DIR) if n.endswith(".conf")]
    for path in paths:
        parsed = parse_kv_conf(target.read_text_optional(path) or "")
        conf.update(parsed)
        if parsed:
            sources.append((path, " ".join(f"{k}={v}" if v else k for k, v in parsed.items())))
    return conf, sources


def stack_complexity(text: str, conf: Dict[str, str]) -> Tuple[bool, int, bool, str]:
    """(enforced, classes, enforce_for_root, how) of one PAM password stack.

    pwquality/cracklib: ``minclass=N`` or a negative credit per class (``dcredit=-1`` requires a
    digit); the classes required are the larger of the two. ``enforcing=0`` only warns.
    """
    best: Tuple[bool, int, bool, str] = (False, 0, False, "no pam_pwquality / pam_cracklib line")
    for _n, control, module, args, raw in b.pam_lines(text, "password"):
        if control == "optional" or module not in ("pam_pwquality.so", "pam_cracklib.so"):
            continue
        settings = dict(conf) if module == "pam_pwquality.so" else {}
        settings.update(args)
        if b.int_or(settings.get("enforcing"), 1) == 0:
            best = max(best, (False, 0, False, f"{raw}: enforcing=0"))
            continue
        minclass = b.int_or(settings.get("minclass"), 0) or 0
        negative = sum(1 for c in CREDITS if (b.int_or(settings.get(c), 0) or 0) < 0)
        classes = max(minclass, negative)
        root = "enforce_for_root" in settings
        best = max(best, (True, classes, root, f"{raw}: minclass={minclass}, {negative} required class(es)"))
    return best


def linux_complexity(ctx: CollectContext) -> Complexity:
    target = ctx.target
    conf, sources = _pwquality_conf(target)
    stacks = [(p, target.read_text_optional(p)) for p in PAM_PASSWORD_FILES]
    stacks = [(p, t) for p, t in stacks if t is not None]
    if not stacks:
        raise FactError("djbh.no_pam_stack", files=", ".join(PAM_PASSWORD_FILES))
    results = []
    for path, text in stacks:
        enforced, classes, root, how = stack_complexity(text or "", conf)
        results.append((enforced, classes, root))
        sources.append((path, how))
    # a user may change the password through the weakest stack
    return Complexity(enforced=all(r[0] for r in results), classes=min(r[1] for r in results),
                      root_enforced=all(r[2] for r in results), sources=tuple(sources))


# --- Linux: lockout ----------------------------------------------------------------------------

FAILLOCK_CONF = "/etc/security/faillock.conf"


def stack_lockout(text: str, faillock_conf: Dict[str, str]) -> Tuple[int, Optional[int], Optional[int], str]:
    """(deny, unlock minutes, interval minutes, how) of one auth stack; deny 0 = never locks.

    pam_faillock counts a failure only on its ``authfail`` line (a ``preauth`` line alone checks a
    tally nothing fills); defaults deny=3, unlock_time=600 s, fail_interval=900 s (faillock.conf(5)),
    unlock_time=0 = until an administrator resets it; across its lines the weakest deny counts.
    pam_tally2/pam_tally lock only with ``deny=``.
    """
    faillock = []
    for _n, control, module, args, raw in b.pam_lines(text, "auth"):
        if control == "optional":
            continue
        if module == "pam_faillock.so":
            settings = dict(faillock_conf)
            settings.update(args)
            faillock.append((settings, raw))
        elif module in ("pam_tally2.so", "pam_tally.so"):
            deny = b.int_or(args.get("deny"), 0) or 0
            unlock = b.int_or(args.get("unlock_time"), 0)
            return deny, None if unlock is None else (unlock + 59) // 60, None, raw
    if faillock:
        how = " | ".join(raw for _s, raw in faillock)
        if not any("authfail" in settings for settings, _raw in faillock):
            return 0, None, None, f"{how}: no authfail line, so no failure is counted"
        denies = [b.int_or(s.get("deny"), 3) or 0 for s, _r in faillock]
        deny = 0 if 0 in denies else max(denies)
        unlocks = [b.int_or(s.get("unlock_time"), 600) for s, _r in faillock]
        unlock = None if any(u is None for u in unlocks) else max(u for u in unlocks if u is not None)
        interval = b.int_or(faillock[0][0].get("fail_interval"), 900)
        return (deny, None if unlock is None else (unlock + 59) // 60 if unlock else 0,
                None if interval is None else interval // 60, how)
    return 0, None, None, "no pam_faillock / pam_tally2 auth line"


def linux_lockout(ctx: CollectContext) -> Lockout:
    target = ctx.target
    conf = parse_kv_conf(target.read_text_optional(FAILLOCK_CONF) or "")
    sources: List[Tuple[str, str]] = []
    if conf:
        sources.append((FAILLOCK_CONF, " ".join(f"{k}={v}" if v else k for k, v in conf.items())))
    results = []
    for path in PAM_AUTH_FILES:
        text = target.read_text_optional(path)
        if text is None:
            continue
        deny, unlock, interval, how = stack_lockout(text, conf)
        results.append((deny, unlock, interval))
        sources.append((path, how))
    if not results:
        raise FactError("djbh.no_pam_stack", files=", ".join(PAM_AUTH_FILES))
    # the weakest stack decides: one that never locks, else the most attempts and the shortest lock
    if any(r[0] == 0 for r in results):
        return Lockout(0, None, None, tuple(sources))
    unlocks = [r[1] for r in results]
    positive = [u for u in unlocks if u]
    shortest = None if any(u is None for u in unlocks) else (min(positive) if positive else 0)
    return Lockout(max(r[0] for r in results), shortest, results[0][2], tuple(sources))


# --- Linux: idle lock --------------------------------------------------------------------------

_TMOUT = re.compile(r"^\s*(?:export\s+|readonly\s+|declare\s+-\w+\s+|typeset\s+-\w+\s+)*TMOUT=[\"']?(\d+)")
PROFILE_FILES = ("/etc/profile", "/etc/bash.bashrc", "/etc/bashrc", "/etc/environment")


def shell_timeouts(target: Target) -> List[IdleSetting]:
    """TMOUT assignments in the system shell start-up files (login and interactive shells)."""
    paths = list(PROFILE_FILES[:1]) + [f"/etc/profile.d/{n}" for n in target.listdir("/etc/profile.d")
                                       if n.endswith(".sh")] + list(PROFILE_FILES[1:])
    out: List[IdleSetting] = []
    for path in paths:
        text = target.read_text_optional(path)
        for n, line in enumerate((text or "").splitlines(), 1):
            m = _TMOUT.match(line)
            if m:
                out.append(IdleSetting(int(m.group(1)), True, f"{path}:{n}", line.strip()))
    return out


# (desktop, dconf section, idle key, unit of the idle key in seconds, lock key)
DCONF_LOCKS = (
    ("GNOME", "org/gnome/desktop/session", "idle-delay", 1, ("org/gnome/desktop/screensaver", "lock-enabled")),
    ("UKUI", "org/ukui/screensaver", "idle-delay", 60, ("org/ukui/screensaver", "lock-enabled")),
    ("MATE", "org/mate/screensaver", "idle-delay", 60, ("org/mate/screensaver", "lock-enabled")),
)


def desktop_idle(target: Target, desktop: str, settings: Sequence[Tuple[str, str, str, str]]) -> IdleScope:
    """The system-wide (dconf) idle lock of one desktop; a user-level setting is not a policy."""
    spec = next((s for s in DCONF_LOCKS if s[0] == desktop), None)
    if spec is None:
        return IdleScope(f"desktop {desktop}", ())
    _name, section, key, unit, (lock_section, lock_key) = spec
    idle = [(f, v) for f, s, k, v in settings if s == section and k == key]
    lock = [(f, v) for f, s, k, v in settings if s == lock_section and k == lock_key]
    if not idle:
        return IdleScope(f"desktop {desktop}", ())
    path, value = idle[-1]
    seconds = b.int_or(b.dconf_value(value), None)
    locks = not lock or b.dconf_value(lock[-1][1]).lower() == "true"  # lock-enabled defaults to true
    detail = f"[{section}] {key}={value}" + (f"; [{lock_section}] {lock_key}={lock[-1][1]}" if lock else "")
    return IdleScope(f"desktop {desktop}", (IdleSetting(None if seconds is None else seconds * unit, locks,
                                                        path, detail),))


def linux_idle(ctx: CollectContext) -> Tuple[IdleScope, ...]:
    target = ctx.target
    scopes = [IdleScope("shell (TMOUT)", tuple(shell_timeouts(target)[-1:]))]
    installed = b.desktops(target)
    if installed:
        settings = b.dconf_settings(target)
        scopes.extend(desktop_idle(target, d, settings) for d in installed)
    return tuple(scopes)


# --- Linux: default and system accounts --------------------------------------------------------

def linux_default_accounts(ctx: CollectContext) -> Tuple[BuiltinAccount, ...]:
    users = ctx.facts.get("accounts.users")
    defs = parse_login_defs(ctx.target.read_text_optional("/etc/login.defs") or "")
    uid_min = b.int_or(defs.get("UID_MIN"), 1000) or 1000
    out = []
    for u in users:
        if u.uid == 0:
            out.append(BuiltinAccount(u.name, str(u.uid), "administrator", u.login, None, None, u.source))
        elif u.uid < uid_min or u.uid == 65534:
            out.append(BuiltinAccount(u.name, str(u.uid), "system", u.login, None, None,
                                      f"{u.source}; UID_MIN={uid_min}"))
    return tuple(out)


# --- Linux: remote administration --------------------------------------------------------------

SSHD_CONFIG = "/etc/ssh/sshd_config"
SAFE_ROOT_LOGIN = ("no", "prohibit-password", "without-password", "forced-commands-only")


def sshd_settings(target: Target, path: str = SSHD_CONFIG, depth: int = 0
                  ) -> List[Tuple[str, str, str, str]]:
    """(keyword lower case, value, file:line, Match condition or "") in the order sshd reads them;
    ``Include`` is expanded in place (globs, relative to /etc/ssh), as sshd_config(5) says."""
    text = target.read_text_optional(path)
    if text is None:
        if depth == 0:
            raise FileNotFoundError(2, "No such file or directory", path)
        return []
    out: List[Tuple[str, str, str, str]] = []
    match = ""
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = re.split(r"\s*=\s*|\s+", line, maxsplit=1)
        key, value = parts[0].lower(), (parts[1].strip() if len(parts) > 1 else "")
        if key == "match":
            match = "" if value.lower() == "all" else value
            continue
        if key == "include" and depth < 16:
            for pattern in value.split():
                full = pattern if pattern.startswith("/") else f"/etc/ssh/{pattern}"
                for inc in target.glob(full):
                    out.extend((k, v, w, m or match) for k, v, w, m in sshd_settings(target, inc, depth + 1))
            continue
        out.append((key, value, f"{path}:{n}", match))
    return out


def sshd_effective(settings: Sequence[Tuple[str, str, str, str]], key: str, default: str
                   ) -> Tuple[str, str, List[Tuple[str, str, str]]]:
    """(global value, where, [(match, value, where)]): for each keyword sshd uses the first value
    it reads; a Match block may change it for the connections it matches."""
    glob = [(v, w) for k, v, w, m in settings if k == key and not m]
    matches = [(m, v, w) for k, v, w, m in settings if k == key and m]
    value, where = glob[0] if glob else (default, "default")
    return value.lower(), where, matches


def _sshd(target: Target, units: Dict[str, str], listening: Sequence[int]) -> Optional[RemoteService]:
    enabled = b.unit_enabled(units, "ssh.service", "sshd.service", "ssh.socket", "sshd.socket")
    if not enabled and 22 not in listening:
        if not target.exists(SSHD_CONFIG):
            return None
        return RemoteService("sshd", False, (), SSHD_CONFIG, "installed, not enabled")
    settings = sshd_settings(target)
    root, where, root_matches = sshd_effective(settings, "permitrootlogin", "prohibit-password")
    password, pwhere, _ = sshd_effective(settings, "passwordauthentication", "yes")
    weak = []
    if root not in SAFE_ROOT_LOGIN:
        weak.append(f"PermitRootLogin {root} ({where})")
    weak += [f"PermitRootLogin {v} in Match {m} ({w})" for m, v, w in root_matches if v.lower() not in SAFE_ROOT_LOGIN]
    source = enabled[0][1] if enabled else "listening on port 22"
    return RemoteService("sshd", True, tuple(weak), source,
                         f"PermitRootLogin {root} ({where}); PasswordAuthentication {password} ({pwhere})")


def _inetd_telnet(target: Target) -> List[str]:
    out = []
    text = target.read_text_optional("/etc/inetd.conf") or ""
    for n, line in enumerate(text.splitlines(), 1):
        if line.split() and line.split()[0] == "telnet":
            out.append(f"/etc/inetd.conf:{n}")
    for name in target.listdir("/etc/xinetd.d"):
        body = target.read_text_optional(f"/etc/xinetd.d/{name}") or ""
        if re.search(r"^\s*service\s+telnet\b", body, re.M) and not re.search(r"^\s*disable\s*=\s*yes", body, re.M):
            out.append(f"/etc/xinetd.d/{name}")
    return out


VNC_UNITS = ("x11vnc*", "vncserver*", "tigervnc*", "xvnc*", "vino-server*", "tightvnc*", "realvnc*",
             "vncserver-x11-serviced*", "krfb*")


def linux_remote(ctx: CollectContext) -> Tuple[RemoteService, ...]:
    target = ctx.target
    units = b.units(ctx)
    listening: List[int] = []
    if target.is_live:
        listening = [lst.port for lst in ctx.facts.get("hardening.exposure").listeners or ()]
    out: List[RemoteService] = []
    ssh = _sshd(target, units, listening)
    if ssh is not None:
        out.append(ssh)
    telnet = [w for _u, w in b.unit_enabled(units, "telnet*.socket", "telnetd*", "inetutils-telnetd*")]
    telnet += _inetd_telnet(target)
    if telnet or 23 in listening:
        out.append(RemoteService("telnet", True, ("cleartext",), ", ".join(telnet) or "listening on port 23",
                                 "telnet sends the password in clear text"))
    vnc = b.unit_enabled(units, *VNC_UNITS)
    vnc_ports = [p for p in listening if 5900 <= p <= 5999]
    if vnc or vnc_ports:
        out.append(RemoteService("VNC", True, ("vnc",), ", ".join(w for _u, w in vnc) or f"listening on {vnc_ports}",
                                 "VNC authentication and session are not protected by TLS by default"))
    xrdp = b.unit_enabled(units, "xrdp.service")
    if xrdp or (3389 in listening and target.exists("/etc/xrdp/xrdp.ini")):
        ini = b.parse_ini(target.read_text_optional("/etc/xrdp/xrdp.ini") or "").get("Globals", {})
        layer = ini.get("security_layer", "negotiate").lower()
        crypt = ini.get("crypt_level", "high").lower()
        weak = tuple(x for x, bad in ((f"security_layer={layer}", layer == "rdp"),
                                      (f"crypt_level={crypt}", crypt in ("none", "low"))) if bad)
        out.append(RemoteService("xrdp", True, weak, xrdp[0][1] if xrdp else "listening on port 3389",
                                 f"/etc/xrdp/xrdp.ini security_layer={layer} crypt_level={crypt}"))
    return tuple(out)


# --- Windows: secedit / SAM --------------------------------------------------------------------

def _live_inf(target: Target) -> Tuple[Dict[str, str], str]:
    access = parse_secedit_inf(b.secedit_export(target))
    if not access:
        raise FactError("djbh.secedit_empty")
    return access, "secedit /export /cfg secedit.inf [System Access]"


def windows_complexity(ctx: CollectContext) -> Complexity:
    reg = b.registry(ctx)
    if ctx.target.is_live:
        access, source = _live_inf(ctx.target)
        value = b.int_or(access.get("PasswordComplexity"), None)
        if value is None:
            raise FactError("djbh.value_missing", name="PasswordComplexity", source=source)
        return Complexity(value == 1, 3 if value == 1 else 0, None, ((source, f"PasswordComplexity = {value}"),))
    data, source = b.sam_domain(reg)
    props = b.parse_domain_f(data)["password_properties"] or 0
    on = bool(props & 1)
    return Complexity(on, 3 if on else 0, None,
                      ((source, f"PasswordProperties=0x{props:x} (DOMAIN_PASSWORD_COMPLEX {'set' if on else 'clear'})"),))


def windows_lockout(ctx: CollectContext) -> Lockout:
    reg = b.registry(ctx)
    if ctx.target.is_live:
        try:
            access, source = _live_inf(ctx.target)
        except (RuntimeError, OSError, ValueError, FactError):
            return parse_net_accounts_lockout(ctx.target.run(["net", "accounts"]))
        count = b.int_or(access.get("LockoutBadCount"), None)
        if count is None:
            raise FactError("djbh.value_missing", name="LockoutBadCount", source=source)
        duration = b.int_or(access.get("LockoutDuration"), None)
        reset = b.int_or(access.get("ResetLockoutCount"), None)
        return Lockout(count, 0 if duration == -1 else duration, reset, ((source, (
            f"LockoutBadCount = {count}, LockoutDuration = {access.get('LockoutDuration', '(absent)')}, "
            f"ResetLockoutCount = {access.get('ResetLockoutCount', '(absent)')}")),))
    data, source = b.sam_domain(reg)
    f = b.parse_domain_f(data)
    minutes = f["lockout_minutes"]
    return Lockout(f["lockout_threshold"] or 0, 0 if minutes is None else minutes, f["reset_minutes"], ((source, (
        f"LockoutThreshold={f['lockout_threshold']}, LockoutDuration={'forever' if minutes is None else minutes} min, "
        f"LockoutObservationWindow={f['reset_minutes']} min")),))


def parse_net_accounts_lockout(text: str) -> Lockout:
    """``net accounts`` -> lockout, by position (labels are translated): the 6th, 7th and 8th
    "label: value" lines are threshold, duration and window; a threshold that is not a number
    ("Never", "从不") means accounts never lock. Lines without a colon are not fields (a domain
    answer begins with one)."""
    fields = [ln for ln in text.splitlines() if (":" in ln or "\uff1a" in ln) and ln.split()]
    values = [ln.split()[-1] for ln in fields]
    if len(values) < 8 or not values[1].isdigit() or not values[3].isdigit():
        raise FactError("djbh.net_accounts_shape")
    threshold = int(values[5]) if values[5].isdigit() else 0
    duration = int(values[6]) if values[6].isdigit() else None
    window = int(values[7]) if values[7].isdigit() else None
    return Lockout(threshold, duration if threshold else None, window,
                   (("net accounts", f"lockout threshold {values[5]}, duration {values[6]}, window {values[7]}"),))


# --- Windows: idle lock ------------------------------------------------------------------------

SYSTEM_POLICIES = "Microsoft\\Windows\\CurrentVersion\\Policies\\System"
DESKTOP_POLICY = "Policies\\Microsoft\\Windows\\Control Panel\\Desktop"


def _screensaver(values: Dict[str, Any]) -> Tuple[Optional[int], bool, str]:
    """Control Panel\\Desktop strings: ScreenSaveActive "1", ScreenSaverIsSecure "1", ScreenSaveTimeOut "600"."""
    active = str(values.get("ScreenSaveActive", "")).strip()
    secure = str(values.get("ScreenSaverIsSecure", "")).strip() == "1"
    timeout = b.int_or(str(values.get("ScreenSaveTimeOut", "")).strip(), None)
    shown = ", ".join(f"{k}={values[k]}" for k in ("ScreenSaveActive", "ScreenSaverIsSecure", "ScreenSaveTimeOut",
                                                    "SCRNSAVE.EXE") if k in values)
    return (timeout if active == "1" else None), secure, shown or "no screen saver values"


def _desktop_values(key: Any) -> Dict[str, Any]:
    if key is None:
        return {}
    return {name: key.value(name) for name in ("ScreenSaveActive", "ScreenSaverIsSecure", "ScreenSaveTimeOut",
                                               "SCRNSAVE.EXE") if key.value(name) is not None}


def windows_idle(ctx: CollectContext) -> Tuple[IdleScope, ...]:
    reg = b.registry(ctx)
    machine = b.software_key(reg, SYSTEM_POLICIES)
    secs = machine.int_value("InactivityTimeoutSecs") if machine is not None else None
    lock: Tuple[IdleSetting, ...] = ()
    if secs and machine is not None:
        lock = (IdleSetting(secs, True, machine.path, f"InactivityTimeoutSecs={secs}"),)
        if secs <= ctx.policy.djbh.idle_lock_max_minutes * 60:  # locks every session: users need not
            return (IdleScope("machine (InactivityTimeoutSecs)", lock),)
    machine_policy = _desktop_values(b.software_key(reg, DESKTOP_POLICY))
    users = reg.ntusers
    if not users and not machine_policy and not lock:
        raise FactError("djbh.no_user_hives")
    scopes = []
    for user in users or ():
        own = _desktop_values(user.hive.key("Control Panel\\Desktop"))
        policy = _desktop_values(user.software_key(DESKTOP_POLICY))
        merged = {**own, **machine_policy, **policy}
        seconds, secure, shown = _screensaver(merged)
        where = user.hive.label + ("\\Software\\" + DESKTOP_POLICY if policy else "\\Control Panel\\Desktop")
        scopes.append(IdleScope(f"user {user.user}", (IdleSetting(seconds, secure, where, shown), *lock)))
    if not users:
        seconds, secure, shown = _screensaver(machine_policy)
        scopes.append(IdleScope("machine (screen saver policy)", (IdleSetting(
            seconds, secure, f"HKLM\\SOFTWARE\\{DESKTOP_POLICY}", shown), *lock)))
    return tuple(scopes)


# --- Windows: built-in accounts ----------------------------------------------------------------

RID_ADMINISTRATOR, RID_GUEST = 500, 501
# the names Windows gives the two built-in accounts in its display languages (zh-CN keeps the
# English ones); any other name means the account was renamed
DEFAULT_NAMES = {
    RID_ADMINISTRATOR: {"administrator", "administrateur", "administrador", "administratör", "amministratore",
                        "администратор", "järjestelmänvalvoja", "rendszergazda", "administratorius"},
    RID_GUEST: {"guest", "gast", "invité", "invitado", "convidado", "гость", "vieras", "vendég", "ospite"},
}
UF_ACCOUNTDISABLE = 0x0002
UF_PASSWD_NOTREQD = 0x0020


def builtin_from(name: str, rid: int, disabled: bool, pw_not_required: bool, source: str) -> BuiltinAccount:
    role = {RID_ADMINISTRATOR: "administrator", RID_GUEST: "guest"}.get(rid, "user")
    renamed = None if role == "user" else name.casefold() not in DEFAULT_NAMES[rid]
    return BuiltinAccount(name, str(rid), role, not disabled, not pw_not_required, renamed, source)


def windows_default_accounts(ctx: CollectContext) -> Tuple[BuiltinAccount, ...]:
    reg = b.registry(ctx)
    if ctx.target.is_live:
        return tuple(builtin_from(n, rid, bool(flags & UF_ACCOUNTDISABLE), bool(flags & UF_PASSWD_NOTREQD),
                                  "NetUserEnum level 20") for n, rid, flags in net_user_enum())
    sam = reg.sam
    if sam is None:
        from ..target.interface import Unsupported

        raise Unsupported("windows.sam_missing")
    users = sam.key("SAM\\Domains\\Account\\Users")
    if users is None:
        raise FactError("windows.key_missing", path=f"{sam.label}\\SAM\\Domains\\Account\\Users")
    out = []
    for key in users.subkeys():
        try:
            rid = int(key.name, 16)
        except ValueError:
            continue  # the "Names" subkey
        try:
            acb = b.parse_user_f(key.value("F"))
            name = b.parse_user_v_name(key.value("V"))
        except ValueError as exc:
            raise FactError("windows.bad_value", path=key.path, value="F/V") from exc
        out.append(builtin_from(name, rid, bool(acb & b.ACB_DISABLED), bool(acb & b.ACB_PWNOTREQ),
                                f"{key.path} (RID {rid}, ACB 0x{acb:04x})"))
    return tuple(out)


def net_user_enum() -> List[Tuple[str, int, int]]:
    """(name, RID, flags) of every local account: NetUserEnum level 20 (USER_INFO_20), the W API,
    so names arrive as Unicode and the RID — not a translated name — says which is built-in.
    Runs only on Windows (the Wine harness exercises it)."""
    import ctypes

    class UserInfo20(ctypes.Structure):
        _fields_ = [("name", ctypes.c_wchar_p), ("full_name", ctypes.c_wchar_p), ("comment", ctypes.c_wchar_p),
                    ("flags", ctypes.c_uint32), ("user_id", ctypes.c_uint32)]

    windows_only: Any = ctypes  # WinDLL exists only in Windows' ctypes
    netapi: Any = windows_only.WinDLL("netapi32")
    buf = ctypes.c_void_p()
    read, total, resume = ctypes.c_uint32(), ctypes.c_uint32(), ctypes.c_uint32()
    status = netapi.NetUserEnum(None, 20, 2, ctypes.byref(buf), 0xFFFFFFFF, ctypes.byref(read),
                                ctypes.byref(total), ctypes.byref(resume))
    if status != 0:
        raise FactError("djbh.netuserenum_failed", code=status)
    try:
        array = ctypes.cast(buf, ctypes.POINTER(UserInfo20))
        return [(array[i].name or "", int(array[i].user_id), int(array[i].flags)) for i in range(read.value)]
    finally:
        netapi.NetApiBufferFree(buf)


# --- Windows: remote administration ------------------------------------------------------------

TS_POLICY = "Policies\\Microsoft\\Windows NT\\Terminal Services"
VNC_SERVICES = ("tvnserver", "uvnc_service", "vncserver", "WinVNC4", "TightVNC")


def windows_remote(ctx: CollectContext) -> Tuple[RemoteService, ...]:
    reg = b.registry(ctx)
    software = reg.software
    policy = software.key(TS_POLICY) if software is not None else None
    ts = reg.system_key("Control\\Terminal Server")
    if ts is None:
        raise FactError("windows.key_missing", path=f"{reg.system.label}\\{reg.control_set}\\Control\\Terminal Server")
    rdp_deny, deny = b.overridden(policy, ts, "fDenyTSConnections")
    pol_deny = policy.int_value("fDenyTSConnections") if policy is not None else None
    start, _path = b.service_start(reg, "TermService")
    rdp_on = rdp_deny == 0 and start != 4
    tcp = reg.system_key("Control\\Terminal Server\\WinStations\\RDP-Tcp")
    nla, _ = b.overridden(policy, tcp, "UserAuthentication")
    layer, _ = b.overridden(policy, tcp, "SecurityLayer")
    weak = []
    if nla == 0:
        weak.append("UserAuthentication=0 (no Network Level Authentication)")
    if layer == 0:
        weak.append("SecurityLayer=0 (RDP security layer, no TLS)")
    out = [RemoteService("RDP", rdp_on, tuple(weak) if rdp_on else (), ts.path, (
        f"fDenyTSConnections={deny}" + (f", policy fDenyTSConnections={pol_deny}" if pol_deny is not None else "")
        + f"; TermService Start={start}; UserAuthentication={nla}; SecurityLayer={layer}"))]
    ra = reg.system_key("Control\\Remote Assistance")
    help_on, _ = b.overridden(policy, ra, "fAllowToGetHelp")
    if help_on == 1:
        out.append(RemoteService("Remote Assistance", True, ("fAllowToGetHelp=1",),
                                 ra.path if ra is not None else TS_POLICY, "fAllowToGetHelp=1"))
    for name, label, weakness in (("TlntSvr", "telnet", ("cleartext",)), ("sshd", "OpenSSH server", ()),
                                  *((v, "VNC", ("vnc",)) for v in VNC_SERVICES)):
        svc_start, path = b.service_start(reg, name)
        if svc_start is not None and svc_start != 4:
            out.append(RemoteService(label, svc_start == 2, weakness if svc_start == 2 else (), path,
                                     f"Start={svc_start}"))
    return tuple(out)


LINUX: Dict[str, Collector] = {
    "logon.complexity": linux_complexity,
    "logon.lockout": linux_lockout,
    "logon.idle": linux_idle,
    "logon.default_accounts": linux_default_accounts,
    "logon.remote": linux_remote,
}
WINDOWS: Dict[str, Collector] = {
    "logon.complexity": windows_complexity,
    "logon.lockout": windows_lockout,
    "logon.idle": windows_idle,
    "logon.default_accounts": windows_default_accounts,
    "logon.remote": windows_remote,
}
