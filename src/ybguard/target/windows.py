"""Windows targets: an offline image (mounted volume or a directory of hives) and the live host.

Both expose the same ``registry`` (a :class:`Registry`) so one set of collectors serves an
engineer's laptop reading a golden image's hives and a scan on the terminal itself.

Offline hives are read with regipy (pure Python, imported lazily). An offline SYSTEM hive has
no ``CurrentControlSet``: the control set Windows would boot is ``\\Select\\Current``, and the
wrong one can hold a different machine name, so it is resolved here once. Hives are opened
lazily: a missing or corrupt SOFTWARE hive errors the facts that need it, not the whole scan.
"""

from __future__ import annotations

import abc
import io
import os
import stat
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from ..models import TargetKind
from .interface import Target, TargetError, ToolMissing, Unsupported
from .linux import resolve_inside

MAX_TOOL_FILE = 16 * 1024 * 1024
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)


def filetime_to_datetime(value: int) -> Optional[datetime]:
    """A Windows FILETIME (100 ns ticks since 1601, UTC); None for 0 (never written)."""
    if not value:
        return None
    return _FILETIME_EPOCH + timedelta(microseconds=value // 10)


def multi_sz(value: Any) -> List[str]:
    """The non-empty strings of a REG_MULTI_SZ (or REG_SZ) value.

    A REG_MULTI_SZ like ``IPAddress`` is stored as ``"10.3.58.5\\0\\0"``; some parsers return the
    trailing empty strings, and an empty string must never be compared as an address.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if isinstance(v, str) and v.strip()]
    return []


# ----------------------------------------------------------------------------------------------
# keys and hives


class RegKey(abc.ABC):
    """One registry key. ``path`` is how a Windows engineer would name it (``HKLM\\SYSTEM\\…``)."""

    path: str
    name: str

    @abc.abstractmethod
    def subkeys(self) -> List[RegKey]: ...

    @abc.abstractmethod
    def _load_values(self) -> Dict[str, Any]: ...

    @abc.abstractmethod
    def last_write(self) -> Optional[datetime]: ...

    _values: Optional[Dict[str, Any]] = None
    _lower: Optional[Dict[str, str]] = None

    def values(self) -> Mapping[str, Any]:
        """Value name (as stored) -> data: int for DWORD/QWORD, str, list for MULTI_SZ, bytes."""
        if self._values is None:
            self._values = self._load_values()
            self._lower = {k.lower(): k for k in self._values}
        return self._values

    def value(self, name: str, default: Any = None) -> Any:
        """Value names are case-insensitive on Windows (``Hostname`` vs ``HostName`` both occur)."""
        values = self.values()
        assert self._lower is not None
        real = self._lower.get(name.lower())
        return values[real] if real is not None else default

    def int_value(self, name: str) -> Optional[int]:
        data = self.value(name)
        if isinstance(data, bool):
            return int(data)
        if isinstance(data, int):
            return data
        if isinstance(data, bytes) and len(data) in (4, 8):
            return int.from_bytes(data, "little")
        if isinstance(data, str) and data.strip().lstrip("-").isdigit():
            return int(data.strip())
        return None

    def str_value(self, name: str) -> str:
        data = self.value(name)
        if isinstance(data, str):
            return data
        if isinstance(data, (list, tuple)):
            return " ".join(multi_sz(data))
        if isinstance(data, int) and not isinstance(data, bool):
            return str(data)
        return ""

    def subkey(self, name: str) -> Optional[RegKey]:
        """A direct or nested subkey by relative path (case-insensitive); None when absent."""
        key: Optional[RegKey] = self
        for part in [p for p in name.split("\\") if p]:
            assert key is not None
            key = next((k for k in key.subkeys() if k.name.lower() == part.lower()), None)
            if key is None:
                return None
        return key


class Hive(abc.ABC):
    """A loaded hive. ``label`` prefixes every key path shown to users (``HKLM\\SYSTEM``)."""

    label: str
    source: str  # the file it was read from, or "live registry"

    @abc.abstractmethod
    def key(self, path: str) -> Optional[RegKey]:
        """The key at ``path`` below the hive root (backslash separated); None when absent."""


class RegipyKey(RegKey):
    def __init__(self, nk: Any, path: str) -> None:
        self._nk = nk
        self.path = path
        self.name = nk.name

    def subkeys(self) -> List[RegKey]:
        return [RegipyKey(sk, f"{self.path}\\{sk.name}") for sk in self._nk.iter_subkeys()]

    def _load_values(self) -> Dict[str, Any]:
        return {v.name: v.value for v in self._nk.iter_values(trim_values=False)}

    def last_write(self) -> Optional[datetime]:
        return filetime_to_datetime(self._nk.header.last_modified)


_INLINE_FLAG = 0x80000000


class _ClampedBytesIO(io.BytesIO):
    """regipy reads ``vk.data_size`` bytes even for inline data (DWORDs), where the size field
    carries the 0x80000000 "inline" flag: every DWORD then copies the rest of a 15 MB hive.
    Such a read's result is never used, so it returns nothing — 0.6 s becomes a few ms."""

    def read(self, size: Optional[int] = -1) -> bytes:
        if size is not None and size >= _INLINE_FLAG:
            return b""
        return super().read(size)


def _clamp_inline_reads(hive: Any) -> None:
    stream = _ClampedBytesIO(hive._stream.getvalue())
    hive._stream = stream
    root_hbin = hive.get_hbin_at_offset()
    hive.root = type(hive.root)(next(root_hbin.iter_cells(stream)), stream)


# regipy reads a hive whole into memory. The largest real SYSTEM hives are well under 256 MB
# (SOFTWARE of a long-lived server a few hundred MB at worst); a 1.5 GB sparse file named
# SYSTEM is an attack on the scanner, refused before a byte of it is read.
MAX_HIVE_BYTES = 512 * 1024 * 1024


def check_hive_file(path: str) -> os.stat_result:
    """stat() a hive before anything opens it: a regular file of a sane size, or TargetError."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise TargetError("windows.hive_unreadable", path=path, reason=exc.strerror or str(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise TargetError("reason.not_regular", path=path)
    if st.st_size > MAX_HIVE_BYTES:
        raise TargetError("windows.hive_too_large", path=path, size=st.st_size, limit=MAX_HIVE_BYTES)
    return st


class RegipyHive(Hive):
    """An offline hive file read with regipy. ``root_path`` names the hive root, e.g. ``HKLM\\SYSTEM``."""

    def __init__(self, path: str, label: str) -> None:
        from regipy.registry import RegistryHive

        self.source = path
        self.label = label
        check_hive_file(path)
        try:
            self._hive = RegistryHive(path)
            _clamp_inline_reads(self._hive)
        except Exception as exc:  # noqa: BLE001 - regipy (construct) raises anything on a damaged file
            raise TargetError("windows.hive_corrupt", path=path, reason=type(exc).__name__) from None

    @property
    def header_file_name(self) -> str:
        return str(self._hive.name or "")

    @property
    def root_name(self) -> str:
        return str(self._hive.root.name or "")

    def key(self, path: str) -> Optional[RegKey]:
        from regipy.exceptions import RegistryKeyNotFoundException

        rel = "\\".join(p for p in path.split("\\") if p)
        try:
            nk = self._hive.get_key("\\" + rel) if rel else self._hive.root
        except RegistryKeyNotFoundException:
            return None
        return RegipyKey(nk, f"{self.label}\\{rel}" if rel else self.label)


# ----------------------------------------------------------------------------------------------
# the registry of one Windows installation


class UserHive:
    """One user's HKCU. ``software`` is the path of HKCU\\Software inside the hive: "Software"
    normally, "" for a partial hive whose root *is* HKCU\\Software."""

    def __init__(self, user: str, hive: Hive, software: str = "Software") -> None:
        self.user = user
        self.hive = hive
        self.software = software

    def software_key(self, path: str) -> Optional[RegKey]:
        return self.hive.key(f"{self.software}\\{path}" if self.software else path)


class _Lazy:
    """Open something once; remember a failure so every fact that needs it reports the same error."""

    def __init__(self, opener: Callable[[], Any]) -> None:
        self._opener = opener
        self._done = False
        self._value: Any = None
        self._error: Optional[BaseException] = None

    def get(self) -> Any:
        if not self._done:
            try:
                self._value = self._opener()
            except Exception as exc:  # noqa: BLE001 - re-raised on every access
                self._error = exc
            self._done = True
        if self._error is not None:
            raise self._error
        return self._value


class Registry:
    """SYSTEM (current control set resolved), SOFTWARE, SAM and every user's hive.

    Hives that were not given are ``None``; the collectors decide whether that makes a fact
    unknown (an error) or impossible here (not applicable).
    """

    def __init__(self, system: Callable[[], Optional[Hive]], software: Callable[[], Optional[Hive]],
                 sam: Callable[[], Optional[Hive]], ntusers: Callable[[], Sequence[UserHive]],
                 control_set: Optional[str] = None) -> None:
        self._system = _Lazy(system)
        self._software = _Lazy(software)
        self._sam = _Lazy(sam)
        self._ntusers = _Lazy(ntusers)
        self._control_set = _Lazy(lambda: control_set or self._current_control_set())
        self._memo: Dict[str, _Lazy] = {}

    def memo(self, name: str, compute: Callable[[], Any]) -> Any:
        """Compute once per scan something several collectors read (the adapter table …)."""
        if name not in self._memo:
            self._memo[name] = _Lazy(compute)
        return self._memo[name].get()

    @property
    def system(self) -> Hive:
        hive = self._system.get()
        if hive is None:
            raise TargetError("windows.hive_missing", hive="SYSTEM")
        return hive

    @property
    def software(self) -> Optional[Hive]:
        return self._software.get()

    def require_software(self) -> Hive:
        hive = self.software
        if hive is None:
            raise TargetError("windows.hive_missing", hive="SOFTWARE")
        return hive

    @property
    def sam(self) -> Optional[Hive]:
        return self._sam.get()

    @property
    def ntusers(self) -> Tuple[UserHive, ...]:
        return tuple(self._ntusers.get())

    @property
    def control_set(self) -> str:
        return str(self._control_set.get())

    def _current_control_set(self) -> str:
        select = self.system.key("Select")
        current = select.int_value("Current") if select is not None else None
        if not current:
            raise TargetError("windows.no_select", path=self.system.source)
        name = f"ControlSet{current:03d}"
        if self.system.key(name) is None:
            raise TargetError("windows.no_control_set", name=name, path=self.system.source)
        return name

    def system_key(self, path: str) -> Optional[RegKey]:
        """A key of the control set Windows boots (``Services\\USBSTOR`` …)."""
        return self.system.key(f"{self.control_set}\\{path}")


# ----------------------------------------------------------------------------------------------
# finding hives on disk


def ci_path(root: str, path: str) -> Optional[str]:
    """``path`` (``/``-separated, inside ``root``) with each part matched case-insensitively, as
    NTFS does; links stay inside ``root``. None when some part does not exist."""
    current = "/"
    for part in [p for p in path.split("/") if p]:
        host_dir = resolve_inside(root, current)
        try:
            names = os.listdir(host_dir)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if part in names:
            match = part
        else:
            match = next((n for n in sorted(names) if n.casefold() == part.casefold()), "")
            if not match:
                return None
        current = current.rstrip("/") + "/" + match
    return current


SYSTEM_HIVE_PATH = "Windows/System32/config/SYSTEM"


def find_windows_volume(root: str) -> bool:
    """A directory is a Windows volume when it holds Windows/System32/config/SYSTEM (any case)."""
    found = ci_path(root, SYSTEM_HIVE_PATH)
    return found is not None and os.path.isfile(resolve_inside(root, found))


def _is_regf(path: str) -> bool:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # never open a FIFO or device node
            return False
        with open(path, "rb") as fh:
            return fh.read(4) == b"regf"
    except OSError:
        return False


def user_from_header(header_name: str) -> str:
    """``?\\C:\\Users\\vibranium\\ntuser.dat`` -> ``vibranium`` (the name Windows wrote in the hive)."""
    parts = [p for p in header_name.replace("/", "\\").split("\\") if p]
    if len(parts) >= 2 and parts[-1].lower() == "ntuser.dat":
        return parts[-2]
    return ""


def _user_hive(path: str, fallback_user: str) -> UserHive:
    probe = RegipyHive(path, "HKU")
    user = user_from_header(probe.header_file_name) or fallback_user
    hive = RegipyHive(path, f"HKU\\{user}")
    software = "" if hive.root_name.lower() == "software" else "Software"
    return UserHive(user, hive, software)


_LOG_SUFFIXES = (".log", ".log1", ".log2", ".blf", ".regtrans-ms")
# the other hives of Windows\System32\config: nothing ybguard checks lives in them
_UNUSED_HIVES = frozenset({"DEFAULT", "SECURITY", "COMPONENTS", "DRIVERS", "BBI", "ELAM", "BCD-TEMPLATE", "USERDIFF"})


class WindowsTarget(Target):
    os_family = "windows"
    registry: Registry

    def tool_file(self, name: str) -> bytes:
        """A file a tool run through ``run`` wrote under a relative ``name`` (``secedit /export /cfg
        secedit.inf``); the live target runs tools in a private scratch directory, an evidence
        bundle keeps it as ``commands/NAME``."""
        raise Unsupported("reason.offline")


class WindowsImageTarget(WindowsTarget):
    """A Windows installation scanned offline: hives are read, nothing is executed."""

    kind = TargetKind.WINDOWS_IMAGE

    def __init__(self, root: str, registry: Registry, volume: bool) -> None:
        super().__init__(os.path.abspath(root))
        self.registry = registry
        self.volume = volume  # True: a mounted volume (files readable); False: just hives

    def host_path(self, path: str) -> str:
        """A path of the image: ``/Windows/…`` or a Windows path (``C:\\ybclient\\…``: the mounted
        volume is the system drive), its parts matched case-insensitively as NTFS does."""
        anchor, parts = split_windows_path(path)
        rel = "/".join(parts) if anchor else path.replace("\\", "/")
        found = ci_path(self.root, rel)
        return resolve_inside(self.root, found if found is not None else rel)

    def glob(self, pattern: str) -> List[str]:
        anchor, _parts = split_windows_path(pattern)
        if not anchor or not self.volume:
            return super().glob(pattern) if not anchor else []
        return windows_glob(pattern, lambda base: os.listdir(self.host_path(base)))

    @classmethod
    def from_root(cls, root: str) -> WindowsImageTarget:
        """A mounted Windows volume: config hives under Windows/System32/config, users under Users/."""
        root = os.path.abspath(root)

        def hive(name: str, label: str) -> Callable[[], Optional[Hive]]:
            def open_() -> Optional[Hive]:
                found = ci_path(root, f"Windows/System32/config/{name}")
                return RegipyHive(resolve_inside(root, found), label) if found else None
            return open_

        def users() -> List[UserHive]:
            out: List[UserHive] = []
            users_dir = ci_path(root, "Users")
            if users_dir is None:
                return out
            for name in sorted(os.listdir(resolve_inside(root, users_dir))):
                found = ci_path(root, f"{users_dir}/{name}/NTUSER.DAT")
                if found is None:
                    continue
                path = resolve_inside(root, found)
                if os.path.isfile(path) and _is_regf(path):
                    out.append(_user_hive(path, name))
            return out

        registry = Registry(hive("SYSTEM", "HKLM\\SYSTEM"), hive("SOFTWARE", "HKLM\\SOFTWARE"),
                            hive("SAM", "HKLM\\SAM"), users)
        return cls(root, registry, volume=True)

    @classmethod
    def from_hives(cls, directory: str) -> WindowsImageTarget:
        """A directory of hive files: SYSTEM, SOFTWARE, SAM (names in any case) and NTUSER*.DAT.

        Files are told apart by name first, then by the hive type regipy reads from the header;
        a regf file that is none of these is an input error, never silently skipped.
        """
        directory = os.path.abspath(directory)
        roles: Dict[str, str] = {}
        user_files: List[Tuple[str, str]] = []
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            if not os.path.isfile(path) or name.lower().endswith(_LOG_SUFFIXES) or not _is_regf(path):
                continue  # transaction logs are not replayed (docs/windows.md)
            stem = name.split(".", 1)[0].upper()
            if stem in _UNUSED_HIVES:
                continue
            check_hive_file(path)  # a 1.5 GB "SYSTEM" is refused here, before the scan starts
            if stem in ("SYSTEM", "SOFTWARE", "SAM"):
                if stem in roles:
                    raise TargetError("windows.hive_twice", hive=stem, first=roles[stem], second=path)
                roles[stem] = path
            elif name.lower().startswith("ntuser") or RegipyHive(path, "HKU").header_file_name.lower().endswith(
                    "ntuser.dat"):
                user_files.append((path, name.split(".", 1)[0]))
            else:
                raise TargetError("windows.hive_unknown", path=path)
        if "SYSTEM" not in roles:
            raise TargetError("windows.hive_missing", hive="SYSTEM")

        def hive(role: str, label: str) -> Callable[[], Optional[Hive]]:
            return lambda: RegipyHive(roles[role], label) if role in roles else None

        def users() -> List[UserHive]:
            return [_user_hive(path, fallback) for path, fallback in user_files]

        registry = Registry(hive("SYSTEM", "HKLM\\SYSTEM"), hive("SOFTWARE", "HKLM\\SOFTWARE"),
                            hive("SAM", "HKLM\\SAM"), users)
        return cls(directory, registry, volume=False)


# ----------------------------------------------------------------------------------------------
# the live Windows host (winreg; only importable, never exercised, on Linux)


class WinregKey(RegKey):
    def __init__(self, handle: Any, path: str, name: str, winreg: Any) -> None:
        self._handle = handle
        self._winreg = winreg
        self.path = path
        self.name = name

    def _iter_names(self) -> Iterator[str]:
        i = 0
        while True:
            try:
                yield self._winreg.EnumKey(self._handle, i)
            except OSError:
                return
            i += 1

    def subkeys(self) -> List[RegKey]:
        out: List[RegKey] = []
        for name in list(self._iter_names()):
            try:
                handle = self._winreg.OpenKey(self._handle, name, 0, self._winreg.KEY_READ)
            except FileNotFoundError:
                continue  # deleted between enumeration and open
            out.append(WinregKey(handle, f"{self.path}\\{name}", name, self._winreg))
        return out

    def _load_values(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        i = 0
        while True:
            try:
                name, data, _kind = self._winreg.EnumValue(self._handle, i)
            except OSError:
                return out
            out[name or "(default)"] = data
            i += 1

    def last_write(self) -> Optional[datetime]:
        return filetime_to_datetime(self._winreg.QueryInfoKey(self._handle)[2])


class WinregHive(Hive):
    """A hive of the running registry, e.g. HKLM\\SYSTEM or HKU\\<SID> (64-bit view)."""

    def __init__(self, top: Any, base: str, label: str) -> None:
        self._winreg = _winreg()
        self._top = top
        self._base = base
        self.label = label
        self.source = "live registry"

    def key(self, path: str) -> Optional[RegKey]:
        rel = "\\".join(p for p in path.split("\\") if p)
        full = "\\".join(p for p in (self._base, rel) if p)
        access = self._winreg.KEY_READ | getattr(self._winreg, "KEY_WOW64_64KEY", 0)
        try:
            handle = self._winreg.OpenKey(self._top, full, 0, access)
        except FileNotFoundError:
            return None
        name = rel.rsplit("\\", 1)[-1] if rel else self.label.rsplit("\\", 1)[-1]
        return WinregKey(handle, f"{self.label}\\{rel}" if rel else self.label, name, self._winreg)


def _winreg() -> Any:
    """winreg exists only on Windows; typed as Any so the module checks on every platform."""
    import importlib

    return importlib.import_module("winreg")


def _live_registry() -> Registry:
    winreg = _winreg()
    hklm = winreg.HKEY_LOCAL_MACHINE

    def users() -> List[UserHive]:
        """Loaded profiles from HKEY_USERS; profiles not logged on from their NTUSER.DAT file."""
        out: List[UserHive] = []
        software = WinregHive(hklm, "SOFTWARE", "HKLM\\SOFTWARE")
        profiles = software.key("Microsoft\\Windows NT\\CurrentVersion\\ProfileList")
        loaded = {k.name.upper() for k in (WinregHive(winreg.HKEY_USERS, "", "HKU").key("") or _NoKey()).subkeys()}
        for prof in profiles.subkeys() if profiles is not None else []:
            sid = prof.name
            if not sid.upper().startswith("S-1-5-21-"):
                continue  # SYSTEM, LocalService, NetworkService: no interactive user
            image = prof.str_value("ProfileImagePath")
            user = image.replace("/", "\\").rstrip("\\").rsplit("\\", 1)[-1] or sid
            if sid.upper() in loaded:
                out.append(UserHive(user, WinregHive(winreg.HKEY_USERS, sid, f"HKU\\{user}")))
            else:
                path = os.path.join(os.path.expandvars(image), "NTUSER.DAT")
                if os.path.isfile(path):
                    out.append(_user_hive(path, user))
        return out

    return Registry(
        system=lambda: WinregHive(hklm, "SYSTEM", "HKLM\\SYSTEM"),
        software=lambda: WinregHive(hklm, "SOFTWARE", "HKLM\\SOFTWARE"),
        sam=lambda: None,  # the live SAM is closed even to administrators; use secedit
        ntusers=users,
        control_set="CurrentControlSet",
    )


def split_windows_path(pattern: str) -> Tuple[str, List[str]]:
    """``\\\\?\\C:\\yb\\*.db`` or ``c:/yb/*.db`` -> ("C:\\", ["yb", "*.db"]); UNC shares keep
    their ``\\\\server\\share\\`` anchor. A relative pattern has the anchor "" (the caller refuses it)."""
    import ntpath

    text = pattern.replace("/", "\\")
    for prefix in ("\\\\?\\UNC\\", "\\\\?\\", "\\\\.\\"):
        if text.upper().startswith(prefix.upper()):
            text = ("\\\\" if prefix.endswith("UNC\\") else "") + text[len(prefix):]
            break
    drive, rest = ntpath.splitdrive(text)
    if len(drive) == 2 and drive[1] == ":":
        drive = drive.upper()
    anchor = drive + "\\" if drive and rest.startswith("\\") else ""
    return anchor, [p for p in rest.split("\\") if p and p != "."]


def windows_glob(pattern: str, listdir: Callable[[str], List[str]] = os.listdir) -> List[str]:
    """Matches of an absolute Windows pattern; ``*``/``?``/``[…]`` within one name, any case."""
    import fnmatch
    import ntpath

    anchor, parts = split_windows_path(pattern)
    if not anchor:
        return []
    found = [anchor]
    for part in parts:
        nxt: List[str] = []
        wild = any(ch in part for ch in "*?[")
        for base in found:
            try:
                names = listdir(base)
            except (FileNotFoundError, NotADirectoryError):
                continue
            if wild:
                nxt += [ntpath.join(base, n) for n in sorted(names) if fnmatch.fnmatchcase(n.lower(), part.lower())]
            else:
                same = [n for n in names if n.lower() == part.lower()]
                nxt += [ntpath.join(base, same[0])] if same else []
        found = nxt
    return sorted(set(found), key=str.lower)


class _NoKey(RegKey):
    path = name = ""

    def subkeys(self) -> List[RegKey]:
        return []

    def _load_values(self) -> Dict[str, Any]:
        return {}

    def last_write(self) -> Optional[datetime]:
        return None


class WindowsLiveTarget(WindowsTarget):
    """This Windows host, scanned from the inside (Windows 10/11, Python >= 3.9)."""

    kind = TargetKind.WINDOWS_LIVE

    def __init__(self, registry: Optional[Registry] = None) -> None:
        super().__init__(os.environ.get("SystemDrive", "C:") + "\\")
        self.registry = registry if registry is not None else _live_registry()
        self._scratch: Optional[tempfile.TemporaryDirectory] = None

    def host_path(self, path: str) -> str:
        return path

    def _scratch_dir(self) -> str:
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="ybguard-")  # removed at exit
        return self._scratch.name

    def glob(self, pattern: str) -> List[str]:
        """Windows paths: drive letters, ``\\`` or ``/``, ``\\?\\`` long-path prefixes, and names
        matched case-insensitively as NTFS does; each match is spelt as on disk, so
        ``c:\\YB\\a.db`` and ``C:\\yb\\A.DB`` are one path (one backup copy, not two)."""
        return windows_glob(pattern)

    def tool_file(self, name: str) -> bytes:
        path = os.path.join(self._scratch_dir(), os.path.basename(name))
        try:
            with open(path, "rb") as fh:
                return fh.read(MAX_TOOL_FILE)
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass

    def run(self, argv: Sequence[str], timeout: float = 10.0) -> str:
        """Console tools print in the OEM code page (cp936 on Chinese Windows), not UTF-8.

        They run in a private scratch directory: a tool told to write a relative file name
        (``secedit /export /cfg secedit.inf``) writes there, never beside the user's files.
        """
        self.require_live()
        try:
            proc = subprocess.run(list(argv), capture_output=True, timeout=timeout, check=False,
                                  cwd=self._scratch_dir(), stdin=subprocess.DEVNULL,
                                  creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
        except FileNotFoundError:
            raise ToolMissing("reason.missing_tool", tool=argv[0]) from None
        encoding = "oem" if sys.platform == "win32" else "utf-8"
        if proc.returncode != 0:
            err = (proc.stderr or proc.stdout).decode(encoding, "replace").strip()
            raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {err[:300]}")
        return proc.stdout.decode(encoding, "replace")
