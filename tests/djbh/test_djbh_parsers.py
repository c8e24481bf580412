"""Pure parsers of the 等保 collectors, on real formats."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone

import pytest

from ybguard.collect.djbhbase import parse_domain_f, ticks_to_minutes
from ybguard.collect.hardening import iptables_input_policy, is_loopback, nft_input_policies, parse_proc_net
from ybguard.collect.logon import sshd_effective, stack_complexity, stack_lockout
from ybguard.collect.malware import parse_cvd_time, wsc_state
from ybguard.collect.patches import dpkg_compare, lz4_frame_decompress, parse_packages_index, release_date


@pytest.mark.parametrize("a,b,want", [
    ("1.0~rc1-1", "1.0-1", -1), ("1:0.1", "2.0", 1), ("1.0-1", "1.0-1+deb12u1", -1),
    ("1:1.2.13.dfsg-1", "1:1.2.13.dfsg-1+deb12u1", -1), ("2.30-1", "2.30-1.1", -1), ("1.0", "1.0-0", 0),
    ("3.0.19-1~deb12u2", "3.0.22-1~deb12u2", -1), ("10", "9", 1), ("1.0a", "1.0", 1), ("1.0~", "1.0", -1),
    ("6.1.0-26-amd64", "6.1.0-18-amd64", 1), ("1.0+b1", "1.0", 1),
])
def test_dpkg_version_order(a: str, b: str, want: int) -> None:
    assert dpkg_compare(a, b) == want and dpkg_compare(b, a) == -want


def test_dpkg_compare_agrees_with_dpkg() -> None:
    pairs = [("1.0~rc1-1", "1.0-1"), ("2:1.0", "1:9.9"), ("1.2.3-4ubuntu0.1", "1.2.3-4"), ("0.9.8zh", "0.9.8z")]
    for a, b in pairs:
        lt = subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0
        assert (dpkg_compare(a, b) < 0) == lt, (a, b)


def test_packages_index_and_release_date() -> None:
    text = ("Package: a\nVersion: 1.0\nArchitecture: all\n\nPackage: b\nDescription: x\n Version: 9\nVersion: 2.0\n\n"
            "Package: a\nVersion: 1.5\n")
    assert parse_packages_index(text) == {"a": "1.5", "b": "2.0"}
    assert parse_packages_index(text, {"b"}) == {"b": "2.0"}
    assert parse_packages_index("") == {} and parse_packages_index("Package: z\n") == {}
    when = release_date("Origin: Debian\nDate: Mon, 30 Nov 2026 00:22:33 UTC\nValid-Until: x\n")
    assert when == datetime(2026, 11, 30, 0, 22, 33, tzinfo=timezone.utc)


def test_lz4_frames_from_the_lz4_tool() -> None:
    body = b"".join(b"Package: p%d\nVersion: 1.%d\n\n" % (i, i % 7) for i in range(3000))
    for args in (["-q"], ["-q", "-9", "--content-size", "--no-frame-crc"], ["-q", "-BD"], ["-q", "-B4", "-BX"]):
        packed = subprocess.run(["lz4", *args, "-c", "-"], input=body, capture_output=True, check=True).stdout
        assert lz4_frame_decompress(packed) == body
    with pytest.raises(ValueError):
        lz4_frame_decompress(b"PK\x03\x04 not lz4")


def test_cvd_header_and_security_center_state() -> None:
    assert parse_cvd_time(b"ClamAV-VDB:08 Jun 2024 07-25 +0000:27300:2061000:90:X:X:raynman:1717831513" + b" " * 300) == \
        datetime(2024, 6, 8, 7, 25, tzinfo=timezone.utc)
    assert parse_cvd_time(b"not a cvd") is None
    assert wsc_state(0x1000) == (True, True) and wsc_state(0x1010) == (True, False) and wsc_state(0x0) == (False, True)


def test_proc_net_rows() -> None:
    tcp = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
           "   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   108        0 1 1\n"
           "   1: 0200580A:01BD 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1\n"
           "   2: 0200580A:D8F2 1401320A:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 3 1\n")
    got = [(x.address, x.port) for x in parse_proc_net(tcp, "tcp", 4, "/proc/net/tcp")]
    assert got == [("127.0.0.1", 3306), ("10.88.0.2", 445)]
    tcp6 = ("  sl  local_address                         remote_address                        st\n"
            "   0: 00000000000000000000000000000000:0D3D 00000000000000000000000000000000:0000 0A 0\n"
            "   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 0\n")
    got6 = [(x.address, x.port) for x in parse_proc_net(tcp6, "tcp", 6, "/proc/net/tcp6")]
    assert got6 == [("::", 3389), ("::1", 8080)]
    assert is_loopback("::1") and is_loopback("::ffff:127.0.0.1") and not is_loopback("10.88.0.2")


def test_firewall_parsers() -> None:
    data = {"nftables": [{"metainfo": {}}, {"chain": {"family": "inet", "table": "filter", "name": "input",
                                                      "hook": "input", "policy": "drop"}},
                         {"chain": {"family": "ip", "table": "nat", "name": "post", "hook": "postrouting"}}]}
    assert nft_input_policies(data) == [("inet filter input", "drop")]
    saved = "*nat\n:INPUT ACCEPT [0:0]\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\nCOMMIT\n"
    assert iptables_input_policy(saved) == "DROP" and iptables_input_policy("") is None


def test_pam_stacks() -> None:
    assert stack_complexity("password requisite pam_pwquality.so minclass=3\n", {})[:2] == (True, 3)
    assert stack_complexity("password requisite pam_cracklib.so dcredit=-1 ocredit=-1\n", {})[:2] == (True, 2)
    assert stack_complexity("password required pam_unix.so\n", {"minclass": "4"})[:2] == (False, 0)
    deny, unlock, _, _ = stack_lockout("auth required pam_faillock.so preauth deny=4\n"
                                       "auth [default=die] pam_faillock.so authfail deny=4 unlock_time=0\n", {})
    assert (deny, unlock) == (4, 10)  # preauth's default unlock_time (600 s) frees the account
    deny, unlock, _, _ = stack_lockout("auth required pam_faillock.so preauth\n"
                                       "auth [default=die] pam_faillock.so authfail\n", {"unlock_time": "0"})
    assert (deny, unlock) == (3, 0)  # faillock.conf: locked until an administrator resets it


def test_sshd_first_value() -> None:
    settings = [("permitrootlogin", "yes", "a:1", ""), ("permitrootlogin", "no", "a:2", ""),
                ("permitrootlogin", "yes", "a:4", "User admin")]
    value, where, matches = sshd_effective(settings, "permitrootlogin", "prohibit-password")
    assert (value, where) == ("yes", "a:1") and matches == [("User admin", "yes", "a:4")]


def test_sam_domain_values() -> None:
    import struct

    data = bytearray(0x68)
    struct.pack_into("<qq", data, 0x30, -(2 ** 63), -30 * 60 * 10 ** 7)
    struct.pack_into("<I", data, 0x4C, 1)
    struct.pack_into("<H", data, 0x54, 5)
    f = parse_domain_f(bytes(data))
    assert f == {"password_properties": 1, "lockout_threshold": 5, "lockout_minutes": None, "reset_minutes": 30}
    assert ticks_to_minutes(-10 * 60 * 10 ** 7) == 10


def test_secedit_sections_real_sample() -> None:
    from pathlib import Path

    raw = (Path(__file__).resolve().parents[1] / "data" / "windows" / "real" / "secedit_en_server2016.inf").read_bytes()
    from ybguard.collect.windows import parse_secedit_inf

    access = parse_secedit_inf(raw.decode("utf-16"))
    assert access["PasswordComplexity"] == "1" and access["LockoutBadCount"] == "0"


RPM_PAIRS = [("1.0~rc1", "1.0"), ("1.0", "1.0a"), ("1.0a", "1.0.1"), ("2.0", "10"), ("1.0^git1", "1.0"),
             ("1.0^git1", "1.0.1"), ("5.el8_5", "12.el8_9"), ("1:1.1.1k-5.el8_5", "1:1.1.1k-12.el8_9"),
             ("0:3.0.7-24.el9", "1:1.0-1"), ("1.2.3", "1.2.3"), ("1.01", "1.1"), ("1.0.oe2203", "1.0.oe2203sp1")]


def test_rpm_version_order_agrees_with_rpm() -> None:
    from ybguard.collect.patches import rpm_evr_compare

    for a, b in RPM_PAIRS:
        want = int(subprocess.run(["rpm", "--eval", f'%{{lua: print(rpm.vercmp("{a}", "{b}"))}}'],
                                  capture_output=True, text=True, check=True).stdout.strip())
        assert rpm_evr_compare(a, b) == want, (a, b, want)
