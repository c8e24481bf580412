"""Storage devices remembered by the kernel logs (kern.log, syslog, rotated .gz, journal text)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from usbhelp import DATA, NOW, default_policy, failing, policy_yaml

from ybguard.checks import ALL_CHECKS, select_checks
from ybguard.collect import ScanOptions
from ybguard.collect.usb import parse_kernel_log, read_history
from ybguard.engine import run_scan
from ybguard.models import Severity, Status
from ybguard.target import RootfsTarget

LOGS = DATA / "logs"
SANDISK = "SanDisk Cruzer Blade (0781:5567, serial 4C530001240528104253)"
SEAGATE = "Seagate Expansion (0bc2:2322, serial NAAB1RQ4)"


def test_rsyslog_iso_lines() -> None:
    got = parse_kernel_log((LOGS / "kern.log").read_text(), "/var/log/kern.log")
    assert [(s.device, s.serial, s.vendor_id, s.when, s.source) for s in got] == [
        ("SanDisk Cruzer Blade", "4C530001240528104253", "0781", "2026-11-20T09:14:03.636402+08:00",
         "/var/log/kern.log:14"),
        ("Seagate Expansion", "NAAB1RQ4", "0bc2", "2026-11-24T15:40:22.045113+08:00", "/var/log/kern.log:29"),
    ]  # the Logitech keyboard is not storage


def test_bsd_syslog_lines_and_devices_without_strings() -> None:
    got = parse_kernel_log((LOGS / "old-kern.log").read_text(), "/var/log/messages")
    assert [(s.device, s.serial, s.when) for s in got] == [
        ("USB Flash Disk", "FBH1711250042012", "Mar  3 14:07:31"),
        ("USB 13fd:0840", "", "Mar  3 16:55:02"),
    ]


def test_journal_short_iso() -> None:
    [s] = parse_kernel_log((LOGS / "journal-short-iso.txt").read_text(), "journalctl")
    assert (s.device, s.serial, s.when) == ("USB Disk 2.0", "7851434312245781227", "2026-11-25T11:02:41+0800")


def _image_with_logs(tmp: Path) -> Path:
    log = tmp / "var/log"
    log.mkdir(parents=True)
    shutil.copy(LOGS / "kern.log", log / "kern.log")
    (log / "kern.log.2.gz").write_bytes(gzip.compress((LOGS / "kern.log.1").read_bytes()))
    shutil.copy(LOGS / "kern.log", log / "syslog")  # rsyslog writes kernel lines to both files
    return tmp


def test_rotated_logs_are_read_oldest_first_and_duplicates_dropped(tmp_path: Path) -> None:
    got = read_history(RootfsTarget(str(_image_with_logs(tmp_path))))
    assert [(s.device, s.when[:10], s.source.split(":")[0]) for s in got] == [
        ("SanDisk Cruzer Blade", "2026-11-13", "/var/log/kern.log.2.gz"),
        ("SanDisk Cruzer Blade", "2026-11-20", "/var/log/kern.log"),
        ("Seagate Expansion", "2026-11-24", "/var/log/kern.log"),
    ]


def test_history_check_one_finding_per_device(tmp_path: Path) -> None:
    root = _image_with_logs(tmp_path)
    checks = select_checks(ALL_CHECKS, ["usb.storage-history"])
    report = run_scan(default_policy(), RootfsTarget(str(root)), checks, ScanOptions(lang="en", now=NOW))
    assert failing(report, "usb.storage-history") == {SANDISK, SEAGATE}
    sandisk = next(f for f in report.findings if f.subject == SANDISK)
    assert sandisk.severity is Severity.MEDIUM
    assert "2 times" in sandisk.message and "2026-11-13" in sandisk.message and "2026-11-20" in sandisk.message
    assert len(sandisk.evidence) == 2
    allow = policy_yaml("usb:\n  storage: allow\n")
    report = run_scan(allow, RootfsTarget(str(root)), checks, ScanOptions(now=NOW))
    assert [f.status for f in report.findings] == [Status.PASS]


def test_image_without_logs_is_not_applicable(tmp_path: Path) -> None:
    (tmp_path / "var/log").mkdir(parents=True)
    report = run_scan(default_policy(), RootfsTarget(str(tmp_path)), select_checks(ALL_CHECKS, ["usb.storage-history"]),
                      ScanOptions(lang="en", now=NOW))
    [finding] = report.findings
    assert finding.status is Status.NOT_APPLICABLE and "no kernel log" in finding.message


def test_unreadable_log_is_an_error(tmp_path: Path) -> None:
    root = _image_with_logs(tmp_path)
    (root / "var/log/kern.log").unlink()
    (root / "var/log/kern.log").mkdir()  # a directory where a log should be is skipped, not fatal
    (root / "var/log/messages").symlink_to("messages")  # a link loop cannot be read
    report = run_scan(default_policy(), RootfsTarget(str(root)), select_checks(ALL_CHECKS, ["usb.storage-history"]),
                      ScanOptions(lang="en", now=NOW))
    assert [f.status for f in report.findings] == [Status.ERROR]


def test_log_that_is_a_fifo_or_device_is_refused_not_read(tmp_path: Path) -> None:
    """A hostile image's /var/log/syslog as a FIFO blocked the scan forever; as a copy of
    /dev/zero it read forever. Either is refused (an error), never a hang or "no stick seen"."""
    import os

    import pytest

    from ybguard.target.interface import NotRegularFile

    root = _image_with_logs(tmp_path)
    syslog = root / "var/log/syslog"
    syslog.unlink()
    os.mkfifo(syslog)
    with pytest.raises(NotRegularFile):
        read_history(RootfsTarget(str(root)))
    syslog.unlink()
    os.mknod(syslog, 0o666 | __import__("stat").S_IFCHR, os.makedev(1, 5))  # what /dev/zero is
    with pytest.raises(NotRegularFile):
        read_history(RootfsTarget(str(root)))
