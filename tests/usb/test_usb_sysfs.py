"""Attached devices, read from sysfs fixture trees laid out as the kernel lays them out."""

from __future__ import annotations

import pytest
from usbhelp import DATA, failing, scan_as_live, statuses

from ybguard.collect.interface import FactError
from ybguard.collect.usb import parse_mountinfo, read_attached, read_mounts
from ybguard.models import Severity, Status
from ybguard.target import RootfsTarget

STICK = "SanDisk Cruzer Blade (0781:5567, serial 4C530001240528104253)"


def test_stick_is_found_with_ids_and_its_block_device() -> None:
    devices = read_attached(RootfsTarget(str(DATA / "sysfs-stick")))
    by_name = {d.name: d for d in devices}
    assert set(by_name) == {"2-1:1.0", "sdb"}  # keyboard, internal SSD and loop0 are not removable media
    iface = by_name["2-1:1.0"]
    assert (iface.kind, iface.driver, iface.vendor, iface.product) == ("usb-storage", "usb-storage", "SanDisk",
                                                                       "Cruzer Blade")
    assert (iface.vendor_id, iface.product_id, iface.serial) == ("0781", "5567", "4C530001240528104253")
    assert iface.blocks == ("sdb",)
    assert by_name["sdb"].parent == "2-1:1.0"


def test_mounted_stick_is_tied_to_its_disk_by_device_number() -> None:
    target = RootfsTarget(str(DATA / "sysfs-stick"))
    mounts = read_mounts(target, read_attached(target))
    assert [(m.device, m.mountpoint, m.fstype, m.disk) for m in mounts] == [
        ("/dev/sdb1", "/media/yb/U DISK", "vfat", "sdb")]


def test_stick_fails_critical_with_mount_as_evidence() -> None:
    report = scan_as_live(DATA / "sysfs-stick")
    assert failing(report, "usb.storage-attached") == {STICK}
    assert failing(report, "usb.optical") == set()
    finding = next(f for f in report.findings if f.check == "usb.storage-attached")
    assert finding.severity is Severity.CRITICAL
    details = [e.detail for e in finding.evidence]
    assert "block device /dev/sdb" in details
    assert "/dev/sdb1 mounted on /media/yb/U DISK (vfat)" in details


def test_usb_cdrom_is_optical_not_storage() -> None:
    report = scan_as_live(DATA / "sysfs-cdrom")
    assert failing(report, "usb.storage-attached") == set()
    assert failing(report, "usb.optical") == {"/dev/sr0 ASUS SDRW-08D2S-U"}
    finding = next(f for f in report.findings if f.check == "usb.optical")
    assert any("0e8d:1887" in e.detail for e in finding.evidence)


def test_keyboard_is_not_flagged() -> None:
    report = scan_as_live(DATA / "sysfs-keyboard")
    assert statuses(report)["usb.storage-attached"] == {"pass"}
    assert statuses(report)["usb.optical"] == {"pass"}


def test_uas_disk_that_is_not_removable_is_still_found() -> None:
    report = scan_as_live(DATA / "sysfs-uas-disk")
    assert failing(report, "usb.storage-attached") == {"Seagate Expansion (0bc2:2322, serial NAAB1RQ4)"}


def test_stick_without_driver_is_reported_at_medium() -> None:
    report = scan_as_live(DATA / "sysfs-blocked")
    [finding] = [f for f in report.findings if f.check == "usb.storage-attached"]
    assert (finding.status, finding.severity, finding.subject) == (Status.FAIL, Severity.MEDIUM, STICK)


def test_policy_allow_passes_attached_storage_and_optical() -> None:
    from usbhelp import policy_yaml

    policy = policy_yaml("usb:\n  storage: allow\n  optical: allow\n")
    report = scan_as_live(DATA / "sysfs-stick", policy)
    assert failing(report, "usb.storage-attached") == set()
    report = scan_as_live(DATA / "sysfs-cdrom", policy)
    assert failing(report, "usb.optical") == set()


def test_offline_image_makes_attached_checks_not_applicable() -> None:
    from usbhelp import NOW, default_policy

    from ybguard.checks import ALL_CHECKS, select_checks
    from ybguard.collect import ScanOptions
    from ybguard.engine import run_scan

    report = run_scan(default_policy(), RootfsTarget(str(DATA / "sysfs-stick")),
                      select_checks(ALL_CHECKS, ["usb.storage-attached", "usb.optical"]), ScanOptions(now=NOW))
    assert {(f.check, f.status) for f in report.findings} == {
        ("usb.storage-attached", Status.NOT_APPLICABLE), ("usb.optical", Status.NOT_APPLICABLE)}
    assert all("offline image" in f.message for f in report.findings)


def test_missing_sysfs_is_an_error_not_a_pass(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FactError):
        read_attached(RootfsTarget(str(tmp_path)))


def test_sysfs_link_cannot_escape_the_root(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A hostile absolute link lands inside the fixture root, never on the scanning host."""
    import os

    (tmp_path / "sys/bus/usb/devices").mkdir(parents=True)
    (tmp_path / "sys/block").mkdir(parents=True)
    os.symlink("/sys/devices/virtual/block/loop0", tmp_path / "sys/block/loop0")
    os.symlink("/../../../../etc", tmp_path / "sys/bus/usb/devices/9-9:1.0")
    assert read_attached(RootfsTarget(str(tmp_path))) == ()


def test_mountinfo_parser_on_this_host_and_bad_lines() -> None:
    with open("/proc/self/mountinfo") as fh:
        entries = parse_mountinfo(fh.read())
    assert any(e.mountpoint == "/" for e in entries)
    with pytest.raises(FactError):
        parse_mountinfo("garbage line\n")
