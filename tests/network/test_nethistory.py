"""network.history on Linux: NetworkManager's record of Wi-Fi / mobile profiles that really connected."""

from __future__ import annotations

from pathlib import Path

import pytest

from ybguard.checks import ALL_CHECKS, select_checks
from ybguard.collect import ScanOptions
from ybguard.collect.nethistory import parse_nm_timestamps, read_history
from ybguard.engine import run_scan
from ybguard.facts.network import KIND_CELLULAR, KIND_WIRELESS
from ybguard.policy.schema import Policy
from ybguard.target import RootfsTarget
from ybguard.target.interface import Unsupported

WIFI = """[connection]
id=Hospital-Guest
uuid=5d0a6a3e-7a4b-4c1e-9d52-0c1f6b0c8a11
type=wifi

[wifi]
mode=infrastructure
ssid=Hospital-Guest

[wifi-security]
key-mgmt=wpa-psk
psk=not-a-real-secret
"""
GSM = """[connection]
id=China Mobile
uuid=9b1d2c3e-1111-4222-8333-444455556666
type=gsm

[gsm]
apn=cmnet
"""
NEVER_USED = """[connection]
id=Spare-AP
uuid=00000000-aaaa-bbbb-cccc-000000000001
type=wifi

[wifi]
ssid=Spare-AP
"""
WIRED = """[connection]
id=leased-line
uuid=11111111-2222-3333-4444-555555555555
type=ethernet
interface-name=eth0
"""
TIMESTAMPS = """[timestamps]
5d0a6a3e-7a4b-4c1e-9d52-0c1f6b0c8a11=1764000000
9b1d2c3e-1111-4222-8333-444455556666=1763000000
11111111-2222-3333-4444-555555555555=1764100000
garbage=not-a-number
"""


def image(tmp_path: Path, with_timestamps: bool = True) -> Path:
    root = tmp_path / "root"
    conns = root / "etc/NetworkManager/system-connections"
    conns.mkdir(parents=True)
    for name, text in (("guest.nmconnection", WIFI), ("cmcc.nmconnection", GSM),
                       ("spare.nmconnection", NEVER_USED), ("leased.nmconnection", WIRED)):
        (conns / name).write_text(text)
    if with_timestamps:
        (root / "var/lib/NetworkManager").mkdir(parents=True)
        (root / "var/lib/NetworkManager/timestamps").write_text(TIMESTAMPS)
    return root


def test_parse_timestamps_skips_garbage() -> None:
    assert parse_nm_timestamps(TIMESTAMPS) == {
        "5d0a6a3e-7a4b-4c1e-9d52-0c1f6b0c8a11": 1764000000,
        "9b1d2c3e-1111-4222-8333-444455556666": 1763000000,
        "11111111-2222-3333-4444-555555555555": 1764100000,
    }


def test_only_used_wireless_and_mobile_profiles_are_history(tmp_path: Path) -> None:
    history = read_history(RootfsTarget(str(image(tmp_path))))
    assert [(h.name, h.kind, h.last_seen) for h in history] == [
        ("China Mobile", KIND_CELLULAR, "2025-11-13T02:13:20+00:00"),
        ("Hospital-Guest", KIND_WIRELESS, "2025-11-24T16:00:00+00:00"),
    ]
    assert all("not-a-real-secret" not in h.detail + h.source for h in history)


def test_no_timestamps_file_is_not_applicable_never_a_pass(tmp_path: Path) -> None:
    root = image(tmp_path, with_timestamps=False)
    with pytest.raises(Unsupported):
        read_history(RootfsTarget(str(root)))
    checks = select_checks(ALL_CHECKS, ["network.wireless-history"])
    report = run_scan(Policy(), RootfsTarget(str(root)), checks,
                      ScanOptions(lang="zh"))
    assert [(f.status.value, f.check) for f in report.findings] == [("not_applicable", "network.wireless-history")]
    assert "没有记录曾连接过哪些网络" in report.findings[0].message


def test_check_fails_on_each_used_network(tmp_path: Path) -> None:
    checks = select_checks(ALL_CHECKS, ["network.wireless-history"])
    report = run_scan(Policy(), RootfsTarget(str(image(tmp_path))), checks, ScanOptions(lang="en"))
    assert {(f.status.value, f.subject) for f in report.findings} == {
        ("fail", "China Mobile"), ("fail", "Hospital-Guest")}
