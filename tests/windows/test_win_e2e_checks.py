"""The shared checks (network, usb, software, time) judging real Windows hives through the CLI.

Exact sets of failing subjects, as the Linux checks would report them for the same facts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Set

import pytest
from click.testing import CliRunner
from winhives import START_OFFSETS, make_hives_dir, patch_dword

from ybguard.cli import cli

POLICY = """\
policy: {id: win-test, version: 1}
network:
  leased_line: {interfaces: ["Local Area Connection 2"]}
  allowed_networks: [10.3.58.0/24]
  allowed_dns: [10.3.58.4]
software:
  mode: denylist
  deny: ["gitkraken*", "python launcher"]
time:
  ntp_servers: [10.3.58.4]
"""


def scan(policy: Path, directory: Path) -> Dict[str, Any]:
    result = CliRunner().invoke(cli, ["scan", "--hives", str(directory), "--policy", str(policy),
                                      "--format", "json", "--lang", "en"])
    assert result.exit_code == 1, result.output  # non-compliant
    return json.loads(result.output)


def failing(report: Dict[str, Any], check: str) -> Set[str]:
    return {f["subject"] for f in report["findings"] if f["check"] == check and f["status"] == "fail"}


def status(report: Dict[str, Any], check: str) -> Set[str]:
    return {f["status"] for f in report["findings"] if f["check"] == check}


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return path


def test_win7_dual_homed_terminal(hive_files: Dict[str, Path], tmp_path: Path, policy: Path) -> None:
    report = scan(policy, make_hives_dir(tmp_path / "h", hive_files, SYSTEM="win7"))
    assert report["host"]["target"] == "windows-image"
    defaults = {"default via 10.3.58.1 dev Local Area Connection 2 table main",
                "default via 192.168.1.1 dev Local Area Connection table main"}
    assert failing(report, "network.default-route") == defaults
    assert failing(report, "network.public-route") == defaults
    assert failing(report, "network.dual-homed") == {"Local Area Connection"}
    assert failing(report, "network.dns") == {"192.168.1.112"}
    assert failing(report, "usb.storage-driver") == {"USBSTOR"}
    assert failing(report, "usb.storage-history") == {"HP v100w USB Device (03f0:3207, serial AA951D0000007252)"}
    assert failing(report, "time.ntp-config") == {"w32time"}  # NT5DS: no NTP server configured
    assert status(report, "network.forbidden-interface") == {"pass"}
    assert status(report, "network.ip-forwarding") == {"pass"}
    assert status(report, "network.shared-connection") == {"pass"}
    # facts the given hives cannot hold: error (SOFTWARE missing) or not applicable (SAM, live-only)
    for check in ("network.proxy", "software.installed", "network.wireless-history"):
        assert status(report, check) == {"error"}, check
    for check in ("accounts.password-min-length", "accounts.password-max-age", "software.processes",
                  "network.sockets"):
        assert status(report, check) == {"not_applicable"}, check


def test_win7_usbstor_disabled_copy(hive_files: Dict[str, Path], tmp_path: Path, policy: Path) -> None:
    directory = make_hives_dir(tmp_path / "h", hive_files, SYSTEM="win7")
    patch_dword(directory / "SYSTEM", START_OFFSETS[("win7", 1)], 4)
    report = scan(policy, directory)
    assert status(report, "usb.storage-driver") == {"pass"}
    # the history is still evidence: the stick was used before the driver was disabled
    assert failing(report, "usb.storage-history") == {"HP v100w USB Device (03f0:3207, serial AA951D0000007252)"}


def test_win10_wifi_laptop(hive_files: Dict[str, Path], tmp_path: Path, policy: Path) -> None:
    directory = make_hives_dir(tmp_path / "h", hive_files, SYSTEM="win10", SOFTWARE="software_delta",
                               NTUSER__DAT="ntuser", NTUSER_partial__DAT="hkcu_partial")
    report = scan(policy, directory)
    assert failing(report, "network.default-route") == {"default via 192.168.0.1 dev Wi-Fi table main"}
    assert failing(report, "network.forbidden-interface") == {
        "Wi-Fi", "Local Area Connection* 1", "Bluetooth Network Connection"}
    assert failing(report, "network.dual-homed") == {
        "Wi-Fi", "Ethernet", "Local Area Connection* 1", "Bluetooth Network Connection", "Ethernet (Kernel Debugger)"}
    assert failing(report, "network.dns") == {"68.105.28.11", "68.105.29.11", "68.105.28.12"}
    assert failing(report, "usb.storage-driver") == {"USBSTOR", "UASPStor"}
    assert failing(report, "usb.storage-history") == {
        "SanDisk Extreme USB Device (0781:5580, serial AA010215170355310594)",
        "SanDisk Extreme USB Device (0781:5580, serial AA010603160707470215)"}
    assert failing(report, "software.installed") == {"Python Launcher", "GitKraken"}
    assert failing(report, "time.ntp-config") == {"time.windows.com"}
    for check in ("network.proxy", "network.wireless-history", "network.shared-connection", "network.ip-forwarding"):
        assert status(report, check) == {"pass"}, check
    assert report["summary"]["counts"]["error"] == 0


def test_win10_patched_still_fails_on_uasp(hive_files: Dict[str, Path], tmp_path: Path, policy: Path) -> None:
    directory = make_hives_dir(tmp_path / "h", hive_files, SYSTEM="win10", SOFTWARE="software_delta",
                               NTUSER__DAT="ntuser")
    patch_dword(directory / "SYSTEM", START_OFFSETS[("win10", 1)], 4)
    # USBSTOR off, but UAS sticks load uaspstor.sys: still not compliant
    assert failing(scan(policy, directory), "usb.storage-driver") == {"UASPStor"}
