"""The live-Windows collectors added for issue 12, on Linux: pure parsers on recorded output and
the collectors through an in-memory registry (the Wine tests run the same code on Windows)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
from memreg import MemHive, base_system
from test_win_live_paths import RecordedTarget

from ybguard.baseline import Baseline, diff_files
from ybguard.checks.accounts import backup_copies, never_expires, uid0
from ybguard.collect import FactSet, ScanOptions, registry_for
from ybguard.collect.windows import parse_w32tm_status
from ybguard.collect.windows.accounts import accounts_from_netapi
from ybguard.collect.windows.usb import parse_enum_key
from ybguard.facts.accounts import BackupCopy, BackupSet, FileDigest
from ybguard.models import Status
from ybguard.policy import parse_policy_text
from ybguard.policy.schema import Policy
from ybguard.target.interface import Unsupported
from ybguard.target.windows import Registry, split_windows_path, windows_glob

REAL = Path(__file__).resolve().parent.parent / "data" / "windows" / "real"


@pytest.mark.parametrize("name, synced", [
    ("w32tm_status_en_synced.txt", True),
    ("w32tm_status_de_synced.txt", True),  # translated labels: read by position
    ("w32tm_status_en_local_cmos.txt", False),
    ("w32tm_status_en_vmic_leap3.txt", False),  # stratum 1, but leap indicator 3
])
def test_w32tm_status_in_any_language(name: str, synced: bool) -> None:
    got, said = parse_w32tm_status((REAL / name).read_text("utf-8"))
    assert got is synced, said


@pytest.mark.parametrize("text", ["", "The following error occurred: The service has not been started. (0x80070426)",
                                  "Leap Indicator: 0(no warning)\nStratum: 3 (secondary reference)\n"])
def test_w32tm_status_that_says_nothing_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_w32tm_status(text)


def _registry(services: Dict) -> Registry:
    system = base_system(**services)
    return Registry(system=lambda: MemHive("HKLM\\SYSTEM", system), software=lambda: MemHive("HKLM\\SOFTWARE", {}),
                    sam=lambda: None, ntusers=lambda: [], control_set="ControlSet001")


def test_attached_media_from_the_volatile_enum_keys() -> None:
    usb = "USBSTOR\\Disk&Ven_Kingston&Prod_DataTraveler_3.0&Rev_PMAP\\E0D55EA57412F4B0A9C2C7B1&0"
    reg = _registry({"USBSTOR": {"Start": 3, "Enum": {"Count": 1, "0": usb}},
                     "cdrom": {"Start": 1, "Enum": {"Count": 1, "0": "IDE\\CdRomHL-DT-ST\\5&1&0&0"}}})
    facts = FactSet(RecordedTarget(reg, {}), Policy(), ScanOptions(), registry_for("windows"))
    got = {(d.kind, d.driver, d.serial) for d in facts.get("usb.attached")}
    assert got == {("usb-storage", "USBSTOR", "E0D55EA57412F4B0A9C2C7B1"), ("optical", "cdrom", "IDE\\CdRomHL-DT-ST\\5&1&0&0".rsplit("\\", 1)[1])}


def test_enum_key_count_bounds_the_list() -> None:
    key = MemHive("HKLM\\SYSTEM", {"Enum": {"Count": 1, "0": "A\\B\\C", "1": "stale"}}).key("Enum")
    assert key is not None and parse_enum_key(key) == ["A\\B\\C"]


def test_attached_media_offline_is_not_applicable(tmp_path: Path) -> None:
    from ybguard.target.windows import WindowsImageTarget

    image = WindowsImageTarget(str(tmp_path), _registry({}), volume=False)
    facts = FactSet(image, Policy(), ScanOptions(), registry_for("windows"))
    with pytest.raises(Unsupported) as exc:
        facts.get("usb.attached")
    assert exc.value.key == "windows.offline_attached"


def test_accounts_from_netapi_flags_and_administrators() -> None:
    from ybguard.collect.windows.live import UF_ACCOUNTDISABLE, UF_DONT_EXPIRE_PASSWD, UF_PASSWD_NOTREQD

    rows = [("Administrator", 500, UF_DONT_EXPIRE_PASSWD, 2, 40 * 86400),  # 管理员, renamed or not
            ("Guest", 501, UF_ACCOUNTDISABLE | UF_PASSWD_NOTREQD | UF_DONT_EXPIRE_PASSWD, 0, 0),
            ("yb-operator", 1001, 0, 1, 200 * 86400),
            ("it-admin", 1002, UF_PASSWD_NOTREQD, 2, 3 * 86400)]
    admins = [("S-1-5-21-1-2-3-500", "PC\\Administrator"), ("S-1-5-21-1-2-3-1002", "PC\\it-admin")]
    users = accounts_from_netapi(rows, admins, 42 * 86400, now_days=20000)
    by = {u.name: u for u in users}
    assert not by["Guest"].login and by["Guest"].password_state == "none"
    assert by["it-admin"].admin_via and not by["Administrator"].admin_via
    assert by["yb-operator"].password_age_days == 200 and by["yb-operator"].max_days == 42
    assert by["Administrator"].max_days is None
    policy = Policy()
    assert {r.subject for r in uid0({"accounts.users": users}, policy)} == {"it-admin"}
    assert {r.subject for r in never_expires({"accounts.users": users}, policy)} == {"Administrator"}


def test_windows_paths_split_and_glob_case_insensitively() -> None:
    assert split_windows_path("\\\\?\\c:\\yb\\*.db") == ("C:\\", ["yb", "*.db"])
    assert split_windows_path("c:/YB/a.db") == ("C:\\", ["YB", "a.db"])
    assert split_windows_path("\\\\?\\UNC\\nas\\share\\yb.db") == ("\\\\nas\\share\\", ["yb.db"])
    assert split_windows_path("yb\\a.db")[0] == ""
    tree = {"C:\\": ["YBClient", "Windows"], "C:\\YBClient": ["Backup", "data"],
            "C:\\YBClient\\Backup": ["yb-1.DB", "yb-2.db", "notes.txt"], "C:\\YBClient\\data": ["yb.db"]}

    def listdir(path: str) -> List[str]:
        if path not in tree:
            raise FileNotFoundError(path)
        return tree[path]

    assert windows_glob("c:\\ybclient\\backup\\*.db", listdir) == ["C:\\YBClient\\Backup\\yb-1.DB",
                                                                  "C:\\YBClient\\Backup\\yb-2.db"]
    assert windows_glob("\\\\?\\C:/YBCLIENT/DATA/YB.DB", listdir) == ["C:\\YBClient\\data\\yb.db"]
    assert windows_glob("relative\\*.db", listdir) == []


def test_policy_accepts_windows_long_and_unc_paths() -> None:
    text = ("policy: {id: w, version: 1}\nintegrity:\n  paths: ['C:\\ybclient', '\\\\?\\D:\\bak', '\\\\nas\\share\\yb']\n")
    assert parse_policy_text(text).integrity.paths == ("C:\\ybclient", "\\\\?\\D:\\bak", "\\\\nas\\share\\yb")


def test_baseline_diff_over_windows_paths() -> None:
    """Windows paths are under their root with either separator and in any case (they were
    never "under" before, so every file of a baseline showed as removed)."""
    base = Baseline(created_at="", host="pc", policy_sha256="", integrity_paths=("C:\\ybclient\\bin",),
                    files={"C:\\ybclient\\bin\\yb.ini": ("a" * 64, 3, 0o100666),
                           "C:\\ybclient\\bin\\yb.exe": ("b" * 64, 4, 0o100666)},
                    packages=None, interfaces=None, gateways=None, usb_devices=None, unrecorded={})
    now = [FileDigest("C:\\ybclient\\bin\\yb.ini", "c" * 64, 5, 0o100666),
           FileDigest("C:\\ybclient\\bin\\yb.exe", "b" * 64, 4, 0o100666)]
    assert [(d.subject, d.change) for d in diff_files(base, now)] == [("C:\\ybclient\\bin\\yb.ini", "modified")]


def test_backups_with_unknown_disks_keep_the_proven_fails() -> None:
    """Partial facts: too few copies is a fail even when the disks could not be named."""
    policy = parse_policy_text("policy: {id: b, version: 1}\nbackups:\n  - paths: ['C:\\yb\\*.db']\n"
                               "    min_copies: 3\n    distinct_disks: true\n")
    copies = (BackupCopy("C:\\yb\\a.db", 1, 1e9, "volume 7 (disk unknown)"),)
    found = BackupSet(("C:\\yb\\*.db",), copies, scanned_at=1e9 + 60,
                      disks_unknown=("windows.disk_unknown", (("path", "C:\\yb\\a.db"), ("reason", "IOCTL"))))
    got = [(r.status, r.message.key) for r in backup_copies({"backups.files": (found,)}, policy)]
    assert got == [(Status.FAIL, "backups.too_few"), (Status.ERROR, "backups.disks_unknown")]


# --- offline accounts from the SAM hive ---------------------------------------------------------
# Values built to the documented layout; checked against a real Windows 7 SAM (regipy's MIT test
# data, SAM.xz: Administrator ACB 0x211, Guest 0x215 with a 4-byte NT entry, Preston RID 1000 in
# Administrators) by hand — it is not committed (see tests/data/windows/README.md).
MACHINE = (1760460187, 1592185332, 161725925)


def _user_f(rid: int, acb: int, last_set: int) -> bytes:
    import struct

    f = bytearray(0x50)
    struct.pack_into("<Q", f, 0x18, last_set)
    struct.pack_into("<I", f, 0x30, rid)
    struct.pack_into("<H", f, 0x38, acb)
    return bytes(f)


def _user_v(name: str, nt_len: int) -> bytes:
    import struct

    raw = name.encode("utf-16-le")
    v = bytearray(0xCC)
    struct.pack_into("<II", v, 0x0C, 0, len(raw))
    struct.pack_into("<II", v, 0xA8, len(raw), nt_len)
    return bytes(v) + raw + b"\0" * nt_len


def _sid(*subs: int) -> bytes:
    import struct

    return bytes([1, len(subs)]) + (5).to_bytes(6, "big") + struct.pack(f"<{len(subs)}I", *subs)


def sam_tree(now_filetime: int) -> Dict:
    import struct

    domain_f = bytearray(0x60)
    struct.pack_into("<q", domain_f, 0x18, -42 * 86400 * 10 ** 7)
    struct.pack_into("<H", domain_f, 0x50, 8)
    members = _sid(21, *MACHINE, 500) + _sid(21, *MACHINE, 1002) + _sid(21, 9, 9, 9, 1002)  # a domain account
    alias_c = bytearray(0x34)
    struct.pack_into("<I", alias_c, 0x28, 0)
    struct.pack_into("<I", alias_c, 0x30, 3)
    day = 86400 * 10 ** 7
    users = {
        "000001F4": {"F": _user_f(500, 0x211, now_filetime - 400 * day), "V": _user_v("Administrator", 0x14)},
        "000001F5": {"F": _user_f(501, 0x214, 0), "V": _user_v("Guest", 4)},  # enabled, no password
        "000003E9": {"F": _user_f(1001, 0x10, now_filetime - 10 * day), "V": _user_v("yb-operator", 0x38)},
        "000003EA": {"F": _user_f(1002, 0x210, now_filetime - 200 * day), "V": _user_v("医保管理员", 0x14)},
        "Names": {"Administrator": {}},
    }
    return {"SAM": {"Domains": {
        "Account": {"F": bytes(domain_f), "V": b"\0" * 0x20 + struct.pack("<3I", *MACHINE), "Users": users},
        "Builtin": {"Aliases": {"00000220": {"C": bytes(alias_c) + members}}}}}}


def test_accounts_offline_from_the_sam_hive() -> None:
    from datetime import datetime, timezone

    from memreg import mem_target

    now = datetime(2026, 12, 2, tzinfo=timezone.utc)
    filetime = int((now.timestamp() + 11644473600) * 10 ** 7)
    target = mem_target(base_system(), sam=sam_tree(filetime))
    facts = FactSet(target, Policy(), ScanOptions(now=now), registry_for("windows"))
    users = {u.name: u for u in facts.get("accounts.users")}
    assert set(users) == {"Administrator", "Guest", "yb-operator", "医保管理员"}
    assert not users["Administrator"].login and users["Guest"].login and users["Guest"].password_state == "empty"
    assert users["yb-operator"].password_state == "set" and users["yb-operator"].max_days == 42
    assert users["医保管理员"].max_days is None and users["医保管理员"].password_age_days == 200
    from ybguard.checks.accounts import empty_password, password_age

    f = {"accounts.users": tuple(users.values())}
    assert {r.subject for r in empty_password(f, Policy())} == {"Guest"}
    assert {r.subject for r in uid0(f, Policy())} == {"医保管理员"}  # the domain SID's 1002 is not this machine's
    assert {r.subject for r in never_expires(f, Policy())} == {"Guest", "医保管理员"}  # ACB_PWNOEXP
    assert {r.subject for r in password_age(f, Policy())} == {"医保管理员"}


def test_sam_values_that_do_not_parse_are_errors() -> None:
    from ybguard.collect.windows.accounts import parse_sam_user

    with pytest.raises(ValueError):
        parse_sam_user(b"\0" * 8, b"\0" * 0xCC)
    with pytest.raises(ValueError):
        parse_sam_user(_user_f(1001, 0x10, 0), _user_v("x", 7))  # an NT entry of no known length


def test_win32_apis_answer_only_for_this_host() -> None:
    """A live target of another machine (an evidence bundle) must not be answered by the
    scanning workstation's own Win32 APIs: attached media, accounts, drives are errors there."""
    from ybguard.collect.interface import FactError
    from ybguard.models import TargetKind
    from ybguard.target.windows import WindowsTarget

    class OtherMachine(WindowsTarget):
        kind = TargetKind.WINDOWS_LIVE

        def __init__(self, registry: Registry) -> None:
            super().__init__("C:\\\\")
            self.registry = registry

        def host_path(self, path: str) -> str:
            return path

    usb = "USBSTOR\\Disk&Ven_X&Prod_Y&Rev_1\\0001&0"
    facts = FactSet(OtherMachine(_registry({"USBSTOR": {"Start": 3, "Enum": {"Count": 1, "0": usb}}})),
                    Policy(), ScanOptions(), registry_for("windows"))
    assert facts.ctx.target.is_live
    for key in ("usb.attached", "usb.mounts", "accounts.users"):
        with pytest.raises(FactError) as exc:
            facts.get(key)
        assert exc.value.key == "windows.local_api", key
