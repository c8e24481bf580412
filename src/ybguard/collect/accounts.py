"""Collectors of the accounts area: password policy and local accounts.

The time, backup and integrity collectors live in their own modules; this module's
``LINUX`` registers all of them, so the registry in ``collect/__init__.py`` stays as it is.

What the *effective* minimum password length is, and why (see docs/accounts-time-backups-baseline.md):

* ``pam_pwquality`` (libpwquality ``simple()``): a password of length L passes when
  ``L >= minlen - credit``, where each character earns at most one credit and each class at
  most its positive ``?credit``. The shortest accepted length is therefore
  ``max(minlen - sum(positive credits), ceil(minlen / 2))``; ``minlen`` below 6 is raised
  to 6 (``PWQ_BASE_MIN_LENGTH``). Defaults: minlen 8, every credit 0. ``enforcing=0`` only
  warns, so it enforces nothing.
* ``pam_cracklib``: the same credit rule; defaults minlen 9 and every credit +1; ``minlen``
  below 5 is raised to 5.
* ``pam_unix``: ``minlen=N`` (default 6) is checked for every non-root password change.
* ``login.defs PASS_MIN_LEN`` is not read by PAM; it is shown as evidence only.

Within one PAM stack the minimum is what libpam's control flow makes of the modules' minimums
(collect/pam.py walks both passes of ``pam_chauthtok``; a ``sufficient`` or ``[success=N]`` module
ahead of pam_pwquality can skip it, and a stack that cannot be decided is an error); across stacks (Debian ``common-password``, RHEL
``system-auth`` and ``password-auth``) a user can take the weakest, so the host's minimum
is the smallest stack minimum.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Dict, List, Mapping, Optional, Tuple

from ..facts.accounts import Account, AccountMaxAge, PasswordAging, PasswordPolicy
from . import backups, integrity, pam, timesync
from .interface import CollectContext, Collector, FactError

PAM_PASSWORD_FILES = ("/etc/pam.d/common-password", "/etc/pam.d/system-auth", "/etc/pam.d/password-auth")
PWQUALITY_CONF = "/etc/security/pwquality.conf"
PWQUALITY_DIR = "/etc/security/pwquality.conf.d"
NOLOGIN_SHELLS = frozenset({
    "/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false", "/bin/sync", "/usr/bin/nologin",
    "/sbin/shutdown", "/sbin/halt",
})
DEFAULT_SHELL = "/bin/sh"  # passwd(5): an empty shell field means /bin/sh
NEVER_DAYS = 99999  # shadow's conventional "never expires"
CREDITS = ("dcredit", "ucredit", "lcredit", "ocredit")


# --- pure parsers ----------------------------------------------------------------------------

def parse_login_defs(text: str) -> Dict[str, str]:
    """/etc/login.defs -> {NAME: value}; the last assignment wins, as in shadow-utils."""
    out: Dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 1)
        out[parts[0]] = parts[1].strip().strip('"') if len(parts) > 1 else ""
    return out


def parse_kv_conf(text: str) -> Dict[str, str]:
    """pwquality.conf(5): ``name = value`` lines; a bare name (``enforce_for_root``) means set."""
    out: Dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, value = line.partition("=")
        out[name.strip()] = value.strip() if sep else ""
    return out


@dataclass(frozen=True)
class PamLine:
    file: str
    lineno: int
    control: str
    module: str  # basename: pam_pwquality.so
    args: Tuple[str, ...]
    optional_load: bool = False  # "-password": skipped when the module is not installed


_PAM_LINE = re.compile(r"^(-?\w+)\s+(\[[^\]]*\]|\S+)\s+(\S+)\s*(.*)$")


def parse_pam_password(text: str, file: str) -> Tuple[PamLine, ...]:
    """``password`` lines of a PAM stack file (``-password`` too); control may be ``[...]``."""
    out: List[PamLine] = []
    joined: List[Tuple[int, str]] = []
    buf, start = "", 0
    for n, raw in enumerate(text.splitlines(), 1):
        if not buf:
            start = n
        if raw.endswith("\\"):
            buf += raw[:-1] + " "
            continue
        joined.append((start, buf + raw))
        buf = ""
    for lineno, raw in joined:
        line = raw.split("#", 1)[0].strip()
        if line.startswith("@include"):  # Debian: another file's lines, all types
            out.append(PamLine(file, lineno, "@include", line[len("@include"):].strip(), ()))
            continue
        m = _PAM_LINE.match(line)
        if m is None or m.group(1).lstrip("-") != "password":
            continue
        module = m.group(3).rsplit("/", 1)[-1]
        out.append(PamLine(file, lineno, m.group(2), module, tuple(m.group(4).split()), m.group(1).startswith("-")))
    return tuple(out)


def _args_map(args: Tuple[str, ...]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for arg in args:
        name, sep, value = arg.partition("=")
        out[name] = value if sep else ""
    return out


def _int(value: Optional[str]) -> Optional[int]:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def credit_minimum(minlen: int, credits: Mapping[str, int]) -> int:
    """Shortest length accepted by the pam_cracklib/pwquality credit rule."""
    bonus = sum(v for v in credits.values() if v > 0)
    return max(minlen - bonus, math.ceil(minlen / 2))


def module_minimum(line: PamLine, pwquality_conf: Mapping[str, str]) -> Tuple[Optional[int], str]:
    """(shortest accepted length or None when this module does not limit length, explanation)."""
    args = _args_map(line.args)
    if line.module == "pam_pwquality.so":
        settings = dict(pwquality_conf)
        settings.update(args)
        if _int(settings.get("enforcing")) == 0:
            return None, "enforcing=0: only warns"
        minlen = _int(settings.get("minlen"))
        minlen = 8 if minlen is None else max(minlen, 6)
        credits = {c: (_int(settings.get(c)) or 0) for c in CREDITS}
        eff = credit_minimum(minlen, credits)
        return eff, f"minlen={minlen} " + " ".join(f"{c}={v}" for c, v in credits.items()) + f" -> {eff}"
    if line.module == "pam_cracklib.so":
        minlen = _int(args.get("minlen"))
        minlen = 9 if minlen is None else max(minlen, 5)
        given = {c: _int(args.get(c)) for c in CREDITS}
        credits = {c: 1 if v is None else v for c, v in given.items()}
        eff = credit_minimum(minlen, credits)
        return eff, f"minlen={minlen} " + " ".join(f"{c}={v}" for c, v in credits.items()) + f" -> {eff}"
    if line.module == "pam_unix.so":
        minlen = _int(args.get("minlen"))
        eff = 6 if minlen is None else minlen
        return eff, f"minlen={eff}" + ("" if minlen is not None else " (default)")
    return None, ""


def stack_minimum(lines: Tuple[PamLine, ...], pwquality_conf: Mapping[str, str]
                  ) -> Tuple[Optional[int], List[Tuple[str, str]]]:
    """The shortest password a local account can be given through this stack, walked as libpam
    runs it (collect/pam.py): a ``sufficient`` or ``[success=N …]`` module ahead of
    pam_pwquality can make it shorter than any one module's minimum. Raises pam.Undecidable."""
    evidence: List[Tuple[str, str]] = []
    modules = []
    for line in lines:
        value, why = module_minimum(line, pwquality_conf)
        where = f"{line.file}:{line.lineno}"
        if why:
            evidence.append((where, f"{line.control} {line.module} {' '.join(line.args)}: {why}".strip()))
        modules.append(pam.Module(where, line.control, line.module, value, line.optional_load))
    return pam.shortest_password(modules), evidence


def parse_passwd(text: str) -> List[Tuple[str, str, int, str]]:
    """/etc/passwd -> [(name, password field, uid, shell)] as glibc's ``getpwnam`` sees them.

    The *first* line for a name is the account (nss_files stops at the first match), so later
    lines of the same name are dropped; an empty shell field is ``/bin/sh`` (passwd(5)), not a
    nologin shell. Malformed lines raise ValueError.
    """
    out = []
    seen = set()
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.startswith(("#", "+", "-")):
            continue
        f = raw.split(":")
        if len(f) < 7:
            raise ValueError(f"/etc/passwd line {n}: expected 7 fields")
        if f[0] in seen:
            continue
        seen.add(f[0])
        out.append((f[0], f[1], int(f[2]), f[6].strip() or DEFAULT_SHELL))
    return out


def parse_shadow(text: str) -> Dict[str, Tuple[str, Optional[int], Optional[int]]]:
    """/etc/shadow -> {name: (password field, lastchg days, max days)}; empty numbers -> None.

    As ``getspnam``: the first line for a name wins; a later one cannot replace it.
    """
    out: Dict[str, Tuple[str, Optional[int], Optional[int]]] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.startswith(("#", "+", "-")):
            continue
        f = raw.split(":")
        if len(f) < 5:
            raise ValueError(f"/etc/shadow line {n}: expected 9 fields")
        if f[0] in out:
            continue
        maxd = _int(f[4])
        out[f[0]] = (f[1], _int(f[2]), maxd if maxd is None or maxd >= 0 else None)
    return out


def password_state(field: str) -> str:
    """set | empty | locked (``!``/``*`` prefix, ``!!``, ``*LK*``)."""
    if field == "":
        return "empty"
    if field.startswith(("!", "*")):
        return "locked"
    return "set"


def build_accounts(passwd: str, shadow: str, today: int) -> Tuple[Account, ...]:
    """Join passwd and shadow. Login account: shell not a nologin shell and password not locked."""
    sh = parse_shadow(shadow)
    out = []
    for name, pwfield, uid, shell in parse_passwd(passwd):
        entry = sh.get(name)
        # pam_unix (is_pwd_shadowed) consults shadow only for "x" or "##name"; any other passwd field
        # is the password itself, so "root::0:0:..." logs in with none whatever shadow holds.
        shadowed = pwfield == "x" or pwfield == f"##{name}"
        if not shadowed:
            field, source = pwfield, "/etc/passwd"
            lastchg, maxd = (entry[1], entry[2]) if entry is not None else (None, None)
        elif entry is not None:
            field, lastchg, maxd, source = entry[0], entry[1], entry[2], "/etc/shadow"
        else:
            field, lastchg, maxd, source = "*", None, None, "/etc/passwd (no /etc/shadow entry)"
        state = password_state(field)
        login = shell not in NOLOGIN_SHELLS and state != "locked"
        age = today - lastchg if lastchg is not None and lastchg > 0 else None
        out.append(Account(name=name, uid=uid, login=login, password_state=state, last_change_days=lastchg,
                           max_days=maxd, source=f"{source}; shell {shell or '-'}", password_age_days=age))
    return tuple(out)


def days_since_epoch(now: Optional[datetime]) -> int:
    return int((now.timestamp() if now is not None else time.time()) // 86400)


# --- collectors -------------------------------------------------------------------------------

def collect_password_policy(ctx: CollectContext) -> PasswordPolicy:
    target = ctx.target
    sources: List[Tuple[str, str]] = []
    defs = parse_login_defs(target.read_text_optional("/etc/login.defs") or "")
    max_days = _int(defs.get("PASS_MAX_DAYS"))
    if max_days is not None and (max_days < 0 or max_days >= NEVER_DAYS):
        max_days = None
    sources.append(("/etc/login.defs", f"PASS_MAX_DAYS={defs.get('PASS_MAX_DAYS', '(unset)')}"))
    sources.append(("/etc/login.defs", f"PASS_MIN_LEN={defs.get('PASS_MIN_LEN', '(unset)')} (not read by PAM)"))
    conf: Dict[str, str] = {}
    for path in [PWQUALITY_CONF] + [f"{PWQUALITY_DIR}/{n}" for n in target.listdir(PWQUALITY_DIR) if n.endswith(".conf")]:
        text = target.read_text_optional(path)
        if text is not None:
            parsed = parse_kv_conf(text)
            conf.update(parsed)
            if parsed:
                sources.append((path, " ".join(f"{k}={v}" if v else k for k, v in parsed.items())))
    minimum: Optional[int] = None
    stacks = 0
    for path in PAM_PASSWORD_FILES:
        text = target.read_text_optional(path)
        if text is None:
            continue
        stacks += 1
        try:
            value, evidence = stack_minimum(parse_pam_password(text, path), conf)
        except pam.Undecidable as exc:
            raise FactError("accounts.reason.pam_undecidable", where=exc.where or path, why=exc.why) from None
        sources.extend(evidence)
        sources.append((path, f"stack minimum: {value if value is not None else 'none'}"))
        if value is None:
            minimum = None
            break
        minimum = value if minimum is None else min(minimum, value)
    if stacks == 0:
        sources.append(("/etc/pam.d", "no password stack (common-password, system-auth, password-auth)"))
    return PasswordPolicy(min_length=minimum, max_age_days=max_days, sources=tuple(sources))


def password_aging(users: Tuple[Account, ...], login_defs: Mapping[str, str]) -> PasswordAging:
    """Each login account's own maximum age (shadow field 5, what ``chage -M`` sets): that is
    what applies to it. ``PASS_MAX_DAYS`` only seeds accounts created later, so it is shown
    beside the accounts, not judged in their place."""
    raw = login_defs.get("PASS_MAX_DAYS")
    default = _int(raw)
    if default is not None and (default < 0 or default >= NEVER_DAYS):
        default = None
    accounts = tuple(AccountMaxAge(u.name, u.max_days if u.max_days is None or u.max_days < NEVER_DAYS else None,
                                   u.source)
                     for u in users if u.login and u.password_state != "locked")
    sources = (("/etc/login.defs", f"PASS_MAX_DAYS={raw if raw is not None else '(unset)'} (new accounts only)"),)
    return PasswordAging(per_account=True, default_days=default, accounts=accounts, sources=sources)


def collect_max_age(ctx: CollectContext) -> PasswordAging:
    defs = parse_login_defs(ctx.target.read_text_optional("/etc/login.defs") or "")
    return password_aging(ctx.facts.get("accounts.users"), defs)


def max_age_from_policy(ctx: CollectContext) -> PasswordAging:
    """Windows: the maximum password age is one account policy for every account."""
    pp: PasswordPolicy = ctx.facts.get("accounts.password_policy")
    return PasswordAging(per_account=False, default_days=pp.max_age_days, accounts=(), sources=pp.sources)


def collect_users(ctx: CollectContext) -> Tuple[Account, ...]:
    passwd = ctx.target.read_text("/etc/passwd")
    shadow = ctx.target.read_text("/etc/shadow")  # unreadable (not root) raises: error, never pass
    return build_accounts(passwd, shadow, days_since_epoch(ctx.options.now))


LINUX: Dict[str, Collector] = {
    "accounts.password_policy": collect_password_policy,
    "accounts.users": collect_users,
    "accounts.max_age": collect_max_age,
    **timesync.LINUX,
    **backups.LINUX,
    **integrity.LINUX,
}

WINDOWS: Dict[str, Collector] = {
    "accounts.max_age": max_age_from_policy,
}
