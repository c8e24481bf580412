"""Readers the 等保 collectors share: systemd/SysV enablement, dconf keyfiles, PAM lines, desktops,
and the Windows hive helpers (service start types, secedit export, SAM F/V values).

Each is read through the Target, so the same code serves a live host and an image.
"""

from __future__ import annotations

import fnmatch
import functools
import re
import struct
from typing import Dict, List, Optional, Tuple

from ..target.interface import Target, Unsupported
from ..target.windows import Registry, RegKey, WindowsTarget
from .interface import CollectContext

SYSTEMD_DIRS = ("/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")


def enabled_units(target: Target) -> Dict[str, str]:
    """unit name -> where it is enabled (``*.wants`` links of systemd, ``rc?.d/S*`` of SysV).

    A unit masked in /etc/systemd/system (linked to /dev/null) is not enabled whatever wants it.
    """
    out: Dict[str, str] = {}
    masked = {n for n in target.listdir("/etc/systemd/system") if target.is_masked(f"/etc/systemd/system/{n}")}
    for base in SYSTEMD_DIRS:
        for wants in target.listdir(base):
            if not wants.endswith((".wants", ".requires")) or base != "/etc/systemd/system" and not wants.startswith(
                    ("multi-user.target", "graphical.target", "sockets.target", "default.target")):
                continue
            for unit in target.listdir(f"{base}/{wants}"):
                if unit not in masked:
                    out.setdefault(unit, f"{base}/{wants}/{unit}")
    for level in ("2", "3", "5"):
        for name in target.listdir(f"/etc/rc{level}.d"):
            if name.startswith("S"):
                service = re.sub(r"^S\d*", "", name) + ".service"
                if service not in masked:
                    out.setdefault(service, f"/etc/rc{level}.d/{name}")
    return out


def units(ctx: CollectContext) -> Dict[str, str]:
    """``enabled_units`` once per scan (several collectors ask): the fact ``system.enabled_units``."""
    return dict(ctx.facts.get("system.enabled_units"))


def collect_enabled_units(ctx: CollectContext) -> Dict[str, str]:
    return enabled_units(ctx.target)


@functools.lru_cache(maxsize=256)
def globs(patterns: Tuple[str, ...], ignore_case: bool = False) -> re.Pattern[str]:
    """One compiled regex for a set of globs (fnmatch compiles each pattern on every call)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns) or "(?!)",
                      re.IGNORECASE if ignore_case else 0)


def unit_enabled(units: Dict[str, str], *patterns: str) -> List[Tuple[str, str]]:
    """(unit, where) of enabled units matching any glob (``ssh.service``, ``vncserver@*``)."""
    match = globs(patterns).match
    return sorted((u, w) for u, w in units.items() if match(u))


def running_names(ctx: CollectContext) -> Optional[Tuple[str, ...]]:
    """Names of running processes on a live host; None when not knowable (an image)."""
    try:
        procs = ctx.facts.get("software.processes")
    except Unsupported:
        return None
    return tuple(p.name for p in procs)


# --- keyfiles (dconf databases, journald/ufw/xrdp confs) -----------------------------------------

def parse_ini(text: str) -> Dict[str, Dict[str, str]]:
    """``[section]`` / ``key=value`` text; ``#`` and ``;`` comment lines; later keys win."""
    out: Dict[str, Dict[str, str]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            out.setdefault(section, {})
            continue
        key, sep, value = line.partition("=")
        if sep:
            out.setdefault(section, {})[key.strip()] = value.strip()
    return out


DCONF_PROFILE = "/etc/dconf/profile/user"


def dconf_system_dbs(target: Target) -> List[str]:
    """The system databases user sessions read: ``system-db:NAME`` lines of the ``user`` profile.
    Without that profile dconf reads the user's own database only, so keyfiles apply to nobody."""
    text = target.read_text_optional(DCONF_PROFILE) or ""
    return [ln.strip().split(":", 1)[1] for ln in text.splitlines() if ln.strip().startswith("system-db:")]


def dconf_settings(target: Target) -> List[Tuple[str, str, str, str]]:
    """(file, section, key, value) of the keyfiles of every system dconf database the user profile
    names (/etc/dconf/db/NAME.d/*) and that ``dconf update`` compiled (/etc/dconf/db/NAME exists);
    files sorted in each database as dconf compiles them (a later file wins)."""
    out: List[Tuple[str, str, str, str]] = []
    for db in dconf_system_dbs(target):
        if not target.exists(f"/etc/dconf/db/{db}"):
            continue  # never compiled: the session sees none of its keyfiles
        base = f"/etc/dconf/db/{db}.d"
        for name in target.listdir(base):
            path = f"{base}/{name}"
            if name == "locks" or name.startswith(".") or target.is_dir(path):
                continue
            text = target.read_text_optional(path)
            for section, values in parse_ini(text or "").items():
                for key, value in values.items():
                    out.append((path, section, key, value))
    return out


def dconf_value(value: str) -> str:
    """``uint32 300`` -> ``300``; ``'x'`` -> ``x``; ``true`` stays."""
    value = value.strip()
    for prefix in ("uint32 ", "int32 ", "uint64 ", "int64 ", "uint16 ", "int16 "):
        if value.startswith(prefix):
            value = value[len(prefix):].strip()
    return value.strip("'\"")


DESKTOPS = {
    "GNOME": ("/usr/bin/gnome-session", "/usr/bin/gnome-shell"),
    "UKUI": ("/usr/bin/ukui-session", "/usr/bin/ukui-screensaver"),
    "DDE": ("/usr/bin/startdde", "/usr/bin/dde-session", "/usr/bin/dde-lock"),
    "KDE Plasma": ("/usr/bin/startplasma-x11", "/usr/bin/plasmashell"),
    "Xfce": ("/usr/bin/xfce4-session",),
    "MATE": ("/usr/bin/mate-session",),
}


def desktops(target: Target) -> List[str]:
    """Graphical desktops installed (their session programs exist)."""
    return [name for name, paths in DESKTOPS.items() if any(target.exists(p) for p in paths)]


# --- PAM ---------------------------------------------------------------------------------------

_PAM = re.compile(r"^(-?\w+)\s+(\[[^\]]*\]|\S+)\s+(\S+)\s*(.*)$")


def pam_lines(text: str, kind: str) -> List[Tuple[int, str, str, Dict[str, str], str]]:
    """(line, control, module basename, args, raw) of the ``kind`` lines (auth, password …)."""
    out = []
    for n, raw in enumerate(text.splitlines(), 1):
        m = _PAM.match(raw.split("#", 1)[0].strip())
        if m is None or m.group(1).lstrip("-") != kind:
            continue
        args: Dict[str, str] = {}
        for arg in m.group(4).split():
            k, sep, v = arg.partition("=")
            args[k] = v if sep else ""
        out.append((n, m.group(2), m.group(3).rsplit("/", 1)[-1], args, raw.strip()))
    return out


def int_or(value: Optional[str], default: Optional[int]) -> Optional[int]:
    try:
        return int(str(value).strip()) if value not in (None, "") else default
    except ValueError:
        return default


# --- Windows -----------------------------------------------------------------------------------

def registry(ctx: CollectContext) -> Registry:
    if not isinstance(ctx.target, WindowsTarget):
        raise Unsupported("reason.not_windows")
    return ctx.target.registry


def service_start(reg: Registry, name: str) -> Tuple[Optional[int], str]:
    """(Start of the service, its key path); (None, path) when the service does not exist."""
    key = reg.system_key(f"Services\\{name}")
    path = f"{reg.system.label}\\{reg.control_set}\\Services\\{name}"
    if key is None:
        return None, path
    return key.int_value("Start"), key.path


def software_key(reg: Registry, path: str) -> Optional[RegKey]:
    return reg.require_software().key(path)




def secedit_export(target: Target) -> str:
    """The one secedit export of the Windows collectors (collect/windows/accounts.py)."""
    from .windows.accounts import secedit_export as export

    return export(target)  # type: ignore[arg-type]


def overridden(policy: Optional[RegKey], key: Optional[RegKey], name: str) -> Tuple[Optional[int], Optional[int]]:
    """(the value in force, the local value): a group-policy key's DWORD wins over the local one."""
    local = key.int_value(name) if key is not None else None
    forced = policy.int_value(name) if policy is not None else None
    return (forced if forced is not None else local), local


NEVER = -(2 ** 63)


def sam_domain(reg: Registry) -> Tuple[bytes, str]:
    """The SAM ``Domains\\Account`` F value and its path (offline images only)."""
    sam = reg.sam
    if sam is None:
        raise Unsupported("windows.sam_missing")
    key = sam.key("SAM\\Domains\\Account")
    data = key.value("F") if key is not None else None
    if not isinstance(data, bytes) or len(data) < 0x58:
        from .interface import FactError

        raise FactError("windows.key_missing", path=f"{sam.label}\\SAM\\Domains\\Account F")
    assert key is not None
    return data, f"{key.path} F"


def ticks_to_minutes(value: int) -> Optional[int]:
    """A negative SAM interval (100 ns ticks) in minutes; None for "forever" (the most negative)."""
    if value == NEVER:
        return None
    return (-value) // (10 ** 7 * 60)


def parse_domain_f(data: bytes) -> Dict[str, Optional[int]]:
    """DOMAIN_ACCOUNT_F: PasswordProperties (0x4C), LockoutDuration (0x30), LockoutObservationWindow
    (0x38), LockoutThreshold (0x54). Offsets as in Samba's samr and the public SAM write-ups."""
    (duration, window) = struct.unpack_from("<qq", data, 0x30)
    (props,) = struct.unpack_from("<I", data, 0x4C)
    (threshold,) = struct.unpack_from("<H", data, 0x54)
    return {"password_properties": props, "lockout_threshold": threshold,
            "lockout_minutes": ticks_to_minutes(duration), "reset_minutes": ticks_to_minutes(window)}


ACB_DISABLED = 0x0001
ACB_PWNOTREQ = 0x0004


def parse_user_f(data: bytes) -> int:
    """The account-control bits (ACB_*) of a SAM user's F value (WORD at 0x38)."""
    if not isinstance(data, bytes) or len(data) < 0x3A:
        raise ValueError("SAM user F value is too short")
    return int(struct.unpack_from("<H", data, 0x38)[0])


def parse_user_v_name(data: bytes) -> str:
    """The user name in a SAM user's V value: entry 1 of the 0xCC-byte offset table."""
    if not isinstance(data, bytes) or len(data) < 0xCC:
        raise ValueError("SAM user V value is too short")
    offset, length = struct.unpack_from("<II", data, 0x0C)
    start = 0xCC + offset
    if start + length > len(data):
        raise ValueError("SAM user V name lies outside the value")
    return data[start:start + length].decode("utf-16-le", "replace")


