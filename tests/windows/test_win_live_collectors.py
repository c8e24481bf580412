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
