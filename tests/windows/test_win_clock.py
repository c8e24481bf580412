"""time.manual-change on Windows: real Security/System event logs (omerbenamram/evtx samples) on
a mounted volume; a person's 4616 built from a real record's XML (constructed, labelled)."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict

from winhives import make_hives_dir

from ybguard.checks import ALL_CHECKS, select_checks
from ybguard.collect import ScanOptions
from ybguard.collect.clockhistory import CLOCK_EVENTS, clock_changes_from_events
from ybguard.collect.eventlog import parse_event_xml, read_events
from ybguard.engine import run_scan
from ybguard.policy.schema import HistoryPolicy, Policy
from ybguard.target.windows import WindowsImageTarget

EVTX = Path(__file__).resolve().parent.parent / "data" / "history" / "evtx"
NOW = datetime(2017, 4, 20, tzinfo=timezone.utc)  # a week after the last 4616 in security.evtx


def real_4616_xml() -> str:
    from ybguard.collect.eventlog import _records

    for _, xml in _records(str(EVTX / "security.evtx")):
        if "<EventID>4616</EventID>" in xml:
            return xml
    raise AssertionError("no 4616 in the sample")


def volume(tmp_path: Path, hives: Dict[str, Path], logs=("security", "system")) -> Path:
    root = tmp_path / "c"
    (root / "Windows/System32/config").mkdir(parents=True)
    shutil.copyfile(hives["win10"], root / "Windows/System32/config/SYSTEM")
    (root / "Windows/System32/winevt/Logs").mkdir(parents=True)
    for name in logs:
        shutil.copyfile(EVTX / f"{name}.evtx", root / f"Windows/System32/winevt/Logs/{name.capitalize()}.evtx")
    return root


def scan(target, now=NOW, days=90):
    return run_scan(Policy(history=HistoryPolicy(days=days)), target,
                    select_checks(ALL_CHECKS, ["time.manual-change"]), ScanOptions(lang="en", now=now))


def test_real_logs_time_service_changes_are_not_private_changes() -> None:
    events = read_events(str(EVTX / "security.evtx"), "Security.evtx", CLOCK_EVENTS)
    assert len(events) == 26 and {e.data["SubjectUserSid"] for e in events} == {"S-1-5-18"}
    system = read_events(str(EVTX / "system.evtx"), "System.evtx", CLOCK_EVENTS)
    assert len(system) == 208
    assert clock_changes_from_events(events + system) == ()


def test_a_persons_4616_is_a_change_named_by_sid_and_process() -> None:
    # constructed: a real record with the subject replaced by a local user's account
    xml = (real_4616_xml().replace("S-1-5-18", "S-1-5-21-1004336348-1177238915-682003330-1001")
           .replace("WIN-03DLIIOFRRA$", "张三").replace(
               "C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe", "C:\\Windows\\System32\\rundll32.exe"))
    event = parse_event_xml(xml, "Security.evtx")
    assert event is not None and event.event_id == 4616
    (change,) = clock_changes_from_events([event])
    assert change.how == "4616 rundll32.exe"
    assert change.actor.startswith("WORKGROUP\\张三 (S-1-5-21-")
    assert change.when == "2016-07-08T22:16:31+00:00" and "2016-07-08T18:16:31" in change.line


def test_mounted_volume_passes_saying_what_it_read(hive_files: Dict[str, Path], tmp_path: Path) -> None:
    report = scan(WindowsImageTarget.from_root(str(volume(tmp_path, hive_files))))
    assert [(f.status.value, f.check) for f in report.findings] == [("pass", "time.manual-change")]
    assert "in 2 log sources" in report.findings[0].message


def test_missing_system_log_is_an_error_not_a_pass(hive_files: Dict[str, Path], tmp_path: Path) -> None:
    report = scan(WindowsImageTarget.from_root(str(volume(tmp_path, hive_files, logs=("security",)))))
    assert [(f.status.value, f.subject) for f in report.findings] == [("error", "System.evtx")]


def test_hives_only_target_has_no_event_logs(hive_files: Dict[str, Path], tmp_path: Path) -> None:
    target = WindowsImageTarget.from_hives(str(make_hives_dir(tmp_path / "h", hive_files, SYSTEM="win10")))
    report = scan(target)
    assert [f.status.value for f in report.findings] == ["not_applicable"]


def test_a_damaged_log_is_an_error(hive_files: Dict[str, Path], tmp_path: Path) -> None:
    root = volume(tmp_path, hive_files)
    log = root / "Windows/System32/winevt/Logs/Security.evtx"
    log.write_bytes(b"ElfFile\x00" + b"\x00" * 4096)
    report = scan(WindowsImageTarget.from_root(str(root)))
    assert "error" in {f.status.value for f in report.findings}
    assert "pass" not in {f.status.value for f in report.findings}


# ---- history.installs: service installs (System 7045) -------------------------------------------

def scan_installs(target, policy, now):
    return run_scan(policy, target, select_checks(ALL_CHECKS, ["history.installs"]), ScanOptions(lang="en", now=now))


def test_real_service_installs_checked_against_the_deny_list(hive_files: Dict[str, Path], tmp_path: Path) -> None:
    from ybguard.checks.history import image_name
    from ybguard.policy.schema import ProcessPolicy, SoftwarePolicy

    target = WindowsImageTarget.from_root(str(volume(tmp_path, hive_files)))
    when = datetime(2017, 8, 1, tzinfo=timezone.utc)  # the sample's installs are 2017-07-12 … 07-20
    clean = scan_installs(target, Policy(), when)
    assert [f.status.value for f in clean.findings] == ["pass"]
    assert "none of the 57 installs" in clean.findings[0].message
    # Google Update installed itself as two services: denied by program name, as a tool would be
    policy = Policy(software=SoftwarePolicy(deny=("googleupdate*",), processes=ProcessPolicy(deny=())))
    report = scan_installs(target, policy, when)
    assert sorted(f.subject for f in report.findings if f.status.value == "fail") == [
        "Google Update Service (gupdate)", "Google Update Service (gupdatem)"]
    assert image_name('"C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe" /svc') == "GoogleUpdate"
    assert image_name("C:\\Windows\\system32\\dllhost.exe /Processid:{74600A00}") == "dllhost"
    assert image_name("\\SystemRoot\\System32\\drivers\\WUDFRd.sys") == "WUDFRd.sys"
    late = scan_installs(target, policy, datetime(2018, 1, 1, tzinfo=timezone.utc))  # out of the window
    assert [f.status.value for f in late.findings] == ["pass"]
