"""A real Debian minbase root (debootstrap), changed into failing and passing images, scanned
through the CLI exactly as CI scans a golden image."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest
from swhelp import failing, run_cli, stanza, statuses

pytestmark = pytest.mark.slow

USB_AND_SOFTWARE = ("--only", "usb.*", "--only", "software.*", "--lang", "en")


@pytest.fixture(scope="module")
def image(debian_root_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One private clone for this module; tests below change it in order (fail case, then fixed)."""
    from debroot import clone_root

    return clone_root(tmp_path_factory.mktemp("debimage") / "root")


def _scan(root: Path, *extra: str) -> Dict:
    _, report = run_cli("--root", str(root), *USB_AND_SOFTWARE, *extra)
    assert report["host"]["target"] == "rootfs" and report["host"]["root"] == str(root)
    return report


def test_pristine_minbase(image: Path) -> None:
    report = _scan(image)
    assert statuses(report, "software.installed") == ["pass"]
    assert failing(report, "usb.storage-driver") == {"usb-storage", "uas"}  # nothing disables them
    for check in ("usb.storage-attached", "usb.optical", "software.processes"):
        assert statuses(report, check) == ["not_applicable"]
    assert statuses(report, "usb.storage-history") == ["not_applicable"]  # debootstrap keeps no kernel log


def test_allowlist_on_the_pristine_root_lists_every_other_package(image: Path, tmp_path: Path,
                                                                  debian_root_path: Path) -> None:
    from ybguard.collect.software import parse_dpkg_status

    installed = {p.name for p in parse_dpkg_status((debian_root_path / "var/lib/dpkg/status").read_text())}
    allowed = {"bash", "coreutils", "dpkg", "apt", "base-files"}
    policy = tmp_path / "allow.yaml"
    policy.write_text("policy:\n  id: allow-test\n  version: 1\nsoftware:\n  mode: allowlist\n"
                      "  allow: [bash, coreutils, dpkg, apt, base-files, 'libc6*', 'lib*']\n")
    report = _scan(image, "--policy", str(policy))
    expected = {n for n in installed - allowed if not n.startswith("lib")}
    assert failing(report, "software.installed") == expected
    assert len(expected) > 20


def test_remote_control_packages_and_enabled_driver_fail(image: Path) -> None:
    status = image / "var/lib/dpkg/status"
    status.write_text(status.read_text().rstrip("\n") + "\n\n"
                      + stanza("sunloginclient", version="15.2.0.63064") + "\n"
                      + stanza("todesk", "hold ok installed", "4.7.2.0") + "\n"
                      + stanza("teamviewer", "deinstall ok config-files", "15.48.4"))
    report = _scan(image)
    assert failing(report, "software.installed") == {"sunloginclient", "todesk"}
    assert failing(report, "usb.storage-driver") == {"usb-storage", "uas"}


def test_fixed_image_passes(image: Path) -> None:
    """Blacklist file added, the remote-control packages purged: the same image now passes."""
    conf = image / "etc/modprobe.d"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "ybguard-usb-storage.conf").write_text(
        "# 医保终端：禁止U盘、移动硬盘\ninstall usb-storage /bin/false\ninstall uas /bin/false\n")
    status = image / "var/lib/dpkg/status"
    text = status.read_text()
    status.write_text(text.split("\n\nPackage: sunloginclient\n")[0] + "\n")
    report = _scan(image)
    assert failing(report, "software.installed") == set()
    assert failing(report, "usb.storage-driver") == set()
    [driver] = [f for f in report["findings"] if f["check"] == "usb.storage-driver"]
    assert driver["status"] == "pass"
    assert any("/etc/modprobe.d/ybguard-usb-storage.conf:2" in e["detail"] for e in driver["evidence"])


def test_image_logs_show_past_sticks(image: Path) -> None:
    logs = Path(__file__).resolve().parent.parent / "data" / "usb" / "logs"
    (image / "var/log/kern.log").write_text((logs / "kern.log").read_text())
    report = _scan(image)
    assert failing(report, "usb.storage-history") == {
        "SanDisk Cruzer Blade (0781:5567, serial 4C530001240528104253)",
        "Seagate Expansion (0bc2:2322, serial NAAB1RQ4)"}
