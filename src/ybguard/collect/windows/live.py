"""The live Windows host through the standard library's ctypes: only importable elsewhere.

Each function asks one documented Win32 API and returns plain values; a failure raises
``OSError`` (with the API's name), which the collectors turn into an ``error`` finding. Under
Wine some of these are missing or stubs; the Wine tests say which.
"""

from __future__ import annotations

import ctypes
from typing import Any, List, Tuple

DRIVE_REMOVABLE = 2
DRIVE_CDROM = 5
IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS = 0x00560000
OPEN_EXISTING = 3
FILE_SHARE_READ_WRITE = 0x1 | 0x2
INVALID_HANDLE = ctypes.c_void_p(-1).value


def _windll(name: str) -> Any:
    loader = getattr(ctypes, "WinDLL", None)
    if loader is None:
        raise OSError(f"{name}: not a Windows host")
    return loader(name, use_last_error=True)


def _fail(api: str) -> OSError:
    get = getattr(ctypes, "get_last_error", lambda: 0)
    code = get()
    return OSError(f"{api} failed (Windows error {code})")


def drive_types() -> List[Tuple[str, int]]:
    """[("C:\\", 3), ("E:\\", 2) …]: every drive letter and its GetDriveTypeW type."""
    k32 = _windll("kernel32")
    mask = k32.GetLogicalDrives()
    if not mask:
        raise _fail("GetLogicalDrives")
    out = []
    for i in range(26):
        if mask & (1 << i):
            root = f"{chr(65 + i)}:\\"
            out.append((root, int(k32.GetDriveTypeW(ctypes.c_wchar_p(root)))))
    return out


def volume_of(path: str) -> str:
    """The mount point of the volume holding ``path`` (``C:\\``, ``D:\\mnt\\vol\\``)."""
    k32 = _windll("kernel32")
    buf = ctypes.create_unicode_buffer(1024)
    if not k32.GetVolumePathNameW(ctypes.c_wchar_p(path), buf, len(buf)):
        raise _fail("GetVolumePathNameW")
    return buf.value


class _DiskExtent(ctypes.Structure):
    _fields_ = [("DiskNumber", ctypes.c_ulong), ("StartingOffset", ctypes.c_longlong),
                ("ExtentLength", ctypes.c_longlong)]


class _VolumeDiskExtents(ctypes.Structure):
    _fields_ = [("NumberOfDiskExtents", ctypes.c_ulong), ("Extents", _DiskExtent * 32)]


def physical_disks(volume: str) -> Tuple[int, ...]:
    """Disk numbers (\\\\.\\PhysicalDriveN) under a volume: IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS.

    A spanned or mirrored volume lies on several disks; two partitions of one disk give the
    same number, which is what "copies on different disks" must tell apart.
    """
    k32 = _windll("kernel32")
    k32.CreateFileW.restype = ctypes.c_void_p
    device = "\\\\.\\" + volume.rstrip("\\")
    if len(volume.rstrip("\\")) != 2:  # a folder mount point: ask for its volume GUID path
        guid = ctypes.create_unicode_buffer(64)
        if not k32.GetVolumeNameForVolumeMountPointW(ctypes.c_wchar_p(volume), guid, len(guid)):
            raise _fail("GetVolumeNameForVolumeMountPointW")
        device = guid.value.rstrip("\\")
    handle = k32.CreateFileW(ctypes.c_wchar_p(device), 0, FILE_SHARE_READ_WRITE, None, OPEN_EXISTING, 0, None)
    if handle in (None, INVALID_HANDLE):
        raise _fail(f"CreateFileW({device})")
    try:
        out = _VolumeDiskExtents()
        got = ctypes.c_ulong(0)
        ok = k32.DeviceIoControl(ctypes.c_void_p(handle), IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS, None, 0,
                                 ctypes.byref(out), ctypes.sizeof(out), ctypes.byref(got), None)
        if not ok or out.NumberOfDiskExtents == 0:
            raise _fail(f"DeviceIoControl(IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS, {device})")
        return tuple(sorted({out.Extents[i].DiskNumber for i in range(min(out.NumberOfDiskExtents, 32))}))
    finally:
        k32.CloseHandle(ctypes.c_void_p(handle))


# --- local accounts: NetUserEnum level 3 (USER_INFO_3), language independent ------------------

UF_ACCOUNTDISABLE = 0x0002
UF_PASSWD_NOTREQD = 0x0020
UF_DONT_EXPIRE_PASSWD = 0x10000
UF_NORMAL_ACCOUNT = 0x0200
FILTER_NORMAL_ACCOUNT = 0x0002
USER_PRIV_ADMIN = 2
MAX_PREFERRED_LENGTH = 0xFFFFFFFF
ERROR_MORE_DATA = 234


class _UserInfo1(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_wchar_p), ("password", ctypes.c_wchar_p), ("password_age", ctypes.c_ulong),
        ("priv", ctypes.c_ulong), ("home_dir", ctypes.c_wchar_p), ("comment", ctypes.c_wchar_p),
        ("flags", ctypes.c_ulong), ("script_path", ctypes.c_wchar_p),
    ]


def account_sid(name: str) -> str:
    """The SID of a local account, as text (LookupAccountNameW): its RID is the last part."""
    adv = _windll("advapi32")
    size, dsize, use = ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_int(0)
    adv.LookupAccountNameW(None, ctypes.c_wchar_p(name), None, ctypes.byref(size), None, ctypes.byref(dsize),
                           ctypes.byref(use))
    if not size.value:
        raise _fail(f"LookupAccountNameW({name})")
    sid = ctypes.create_string_buffer(size.value)
    domain = ctypes.create_unicode_buffer(max(dsize.value, 1))
    if not adv.LookupAccountNameW(None, ctypes.c_wchar_p(name), sid, ctypes.byref(size), domain,
                                  ctypes.byref(dsize), ctypes.byref(use)):
        raise _fail(f"LookupAccountNameW({name})")
    text = ctypes.c_wchar_p()
    if not adv.ConvertSidToStringSidW(sid, ctypes.byref(text)):
        raise _fail("ConvertSidToStringSidW")
    try:
        return text.value or ""
    finally:
        _windll("kernel32").LocalFree(text)


def _user_names(api: Any) -> List[str]:
    """NetUserEnum level 0: the names of the local (normal) accounts."""
    names: List[str] = []
    resume = ctypes.c_ulong(0)
    while True:
        buf = ctypes.c_void_p()
        read, total = ctypes.c_ulong(0), ctypes.c_ulong(0)
        status = api.NetUserEnum(None, 0, FILTER_NORMAL_ACCOUNT, ctypes.byref(buf), MAX_PREFERRED_LENGTH,
                                 ctypes.byref(read), ctypes.byref(total), ctypes.byref(resume))
        if status not in (0, ERROR_MORE_DATA):
            raise OSError(f"NetUserEnum failed (NET_API_STATUS {status})")
        try:
            if buf.value and read.value:
                rows = ctypes.cast(buf, ctypes.POINTER(ctypes.c_wchar_p * read.value)).contents
                names += [n or "" for n in rows]
        finally:
            if buf.value:
                api.NetApiBufferFree(buf)
        if status != ERROR_MORE_DATA:
            return names


def net_users() -> List[Tuple[str, int, int, int, int]]:
    """Local accounts: (name, RID, flags, priv, password_age_seconds): NetUserEnum level 0, then
    NetUserGetInfo level 1 and the SID of each (levels every Windows since NT answers)."""
    api = _windll("netapi32")
    out = []
    for name in _user_names(api):
        buf = ctypes.c_void_p()
        status = api.NetUserGetInfo(None, ctypes.c_wchar_p(name), 1, ctypes.byref(buf))
        if status != 0 or not buf.value:
            raise OSError(f"NetUserGetInfo({name}, 1) failed (NET_API_STATUS {status})")
        try:
            info = ctypes.cast(buf, ctypes.POINTER(_UserInfo1)).contents
            flags, priv, age = int(info.flags), int(info.priv), int(info.password_age)
        finally:
            api.NetApiBufferFree(buf)
        rid = account_sid(name).rsplit("-", 1)[-1]
        out.append((name, int(rid) if rid.isdigit() else -1, flags, priv, age))
    return out


class _LocalGroupMembersInfo2(ctypes.Structure):
    _fields_ = [("sid", ctypes.c_void_p), ("sid_usage", ctypes.c_int), ("domain_and_name", ctypes.c_wchar_p)]


def administrators() -> List[Tuple[str, str]]:
    """Members of BUILTIN\\Administrators (S-1-5-32-544), named by SID: (SID, DOMAIN\\name).

    The group is looked up by its well-known SID, never by its localised name (管理员组 is
    "Administrators" only on English Windows).
    """
    api = _windll("netapi32")
    adv = _windll("advapi32")
    sid = ctypes.c_void_p()
    if not adv.ConvertStringSidToSidW(ctypes.c_wchar_p("S-1-5-32-544"), ctypes.byref(sid)):
        raise _fail("ConvertStringSidToSidW")
    name, domain = ctypes.create_unicode_buffer(256), ctypes.create_unicode_buffer(256)
    n, d, use = ctypes.c_ulong(256), ctypes.c_ulong(256), ctypes.c_int(0)
    ok = adv.LookupAccountSidW(None, sid, name, ctypes.byref(n), domain, ctypes.byref(d), ctypes.byref(use))
    _windll("kernel32").LocalFree(sid)
    if not ok:
        raise _fail("LookupAccountSidW(S-1-5-32-544)")
    buf = ctypes.c_void_p()
    read, total, resume = ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_void_p(0)
    status = api.NetLocalGroupGetMembers(None, ctypes.c_wchar_p(name.value), 2, ctypes.byref(buf),
                                         MAX_PREFERRED_LENGTH, ctypes.byref(read), ctypes.byref(total),
                                         ctypes.byref(resume))
    if status != 0:
        raise OSError(f"NetLocalGroupGetMembers failed (NET_API_STATUS {status})")
    out = []
    try:
        if buf.value and read.value:
            rows = ctypes.cast(buf, ctypes.POINTER(_LocalGroupMembersInfo2 * read.value)).contents
            for r in rows:
                text = ctypes.c_wchar_p()
                sid_text = ""
                if adv.ConvertSidToStringSidW(ctypes.c_void_p(r.sid), ctypes.byref(text)):
                    sid_text = text.value or ""
                    _windll("kernel32").LocalFree(text)
                out.append((sid_text, r.domain_and_name or ""))
    finally:
        if buf.value:
            api.NetApiBufferFree(buf)
    return out


class _UserModals0(ctypes.Structure):
    _fields_ = [("min_passwd_len", ctypes.c_ulong), ("max_passwd_age", ctypes.c_ulong),
                ("min_passwd_age", ctypes.c_ulong), ("force_logoff", ctypes.c_ulong),
                ("password_hist_len", ctypes.c_ulong)]


TIMEQ_FOREVER = 0xFFFFFFFF


def user_modals() -> Tuple[int, int]:
    """(minimum password length, maximum password age in seconds or TIMEQ_FOREVER): NetUserModalsGet 0."""
    api = _windll("netapi32")
    buf = ctypes.c_void_p()
    status = api.NetUserModalsGet(None, 0, ctypes.byref(buf))
    if status != 0 or not buf.value:
        raise OSError(f"NetUserModalsGet failed (NET_API_STATUS {status})")
    try:
        info = ctypes.cast(buf, ctypes.POINTER(_UserModals0)).contents
        return int(info.min_passwd_len), int(info.max_passwd_age)
    finally:
        api.NetApiBufferFree(buf)
