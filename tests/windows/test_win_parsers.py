"""Pure parsers of live-Windows tool output and of registry binary values.

Tool output comes from tests/data/windows (see its README: constructed from the documented
formats in English and Chinese, not captured). Binary values are built here byte by byte
from their documented layouts.
"""

from __future__ import annotations

import ipaddress
import struct
from pathlib import Path

import pytest

from ybguard.collect.windows import (
    device_serial,
    parse_net_accounts,
    parse_ntp_servers,
    parse_persistent_route,
    parse_route_print,
    parse_sam_domain_f,
    parse_systemtime,
    parse_usbstor_device,
    parse_winhttp_settings,
    policy_from_secedit,
    split_name_servers,
)
from ybguard.target.windows import filetime_to_datetime, multi_sz, user_from_header

DATA = Path(__file__).resolve().parent.parent / "data" / "windows"


@pytest.mark.parametrize("name", ["route_print_en.txt", "route_print_zh.txt"])
def test_route_print_any_language(name: str) -> None:
    routes = parse_route_print((DATA / name).read_text(encoding="utf-8"))
    unicast = [(str(r.dst), r.gateway, r.dev, r.protocol, r.metric) for r in routes if r.type == "unicast"]
    assert unicast == [
        ("0.0.0.0/0", "192.168.1.1", "192.168.1.23", "active", 35),
        ("10.50.0.0/16", "10.88.0.1", "10.88.0.2", "active", 26),
        ("10.88.0.0/30", "", "10.88.0.2", "active", 281),
        ("192.168.1.0/24", "", "192.168.1.23", "active", 291),
        ("10.50.0.0/16", "10.88.0.1", "", "persistent", 1),
        ("0.0.0.0/0", "192.168.1.1", "", "persistent", None),  # "Default" / "默认"
    ]
    kinds = {(str(r.dst), r.dev): r.type for r in routes}
    assert kinds[("10.88.0.2/32", "10.88.0.2")] == "local"
    assert kinds[("10.88.0.3/32", "10.88.0.2")] == "broadcast"
    assert kinds[("192.168.1.255/32", "192.168.1.23")] == "broadcast"
    assert kinds[("224.0.0.0/4", "10.88.0.2")] == "multicast"
    assert kinds[("127.0.0.0/8", "127.0.0.1")] == "local"
    assert kinds[("255.255.255.255/32", "192.168.1.23")] == "broadcast"
    assert len(routes) == 19


def test_route_print_both_languages_agree() -> None:
    en = parse_route_print((DATA / "route_print_en.txt").read_text(encoding="utf-8"))
    zh = parse_route_print((DATA / "route_print_zh.txt").read_text(encoding="utf-8"))
    assert en == zh


def test_net_accounts_by_position() -> None:
    assert parse_net_accounts((DATA / "net_accounts_en.txt").read_text(encoding="utf-8")) == (0, 42)
    assert parse_net_accounts((DATA / "net_accounts_zh.txt").read_text(encoding="utf-8")) == (8, None)
    # cp936 bytes decoded as UTF-8 with replacement (a wrong code page) still parse: no label is read
    garbled = (DATA / "net_accounts_zh.txt").read_text(encoding="utf-8").encode("gbk").decode("utf-8", "replace")
    assert parse_net_accounts(garbled) == (8, None)
    with pytest.raises(ValueError):
        parse_net_accounts("System error 5 has occurred.\n\nAccess is denied.\n")


def test_secedit_utf16() -> None:
    default = policy_from_secedit((DATA / "secedit_default_en.inf").read_bytes().decode("utf-16"))
    assert (default.min_length, default.max_age_days) == (0, 42)
    hardened = policy_from_secedit((DATA / "secedit_hardened_zh.inf").read_bytes().decode("utf-16"))
    assert (hardened.min_length, hardened.max_age_days) == (8, None)  # -1 = never expires
    with pytest.raises(ValueError):
        policy_from_secedit("[Unicode]\nUnicode=yes\n")


def _domain_f(max_age: int, min_len: int) -> bytes:
    data = bytearray(0x68)
    struct.pack_into("<q", data, 0x18, max_age)
    struct.pack_into("<H", data, 0x50, min_len)
    return bytes(data)


def test_sam_domain_f() -> None:
    day = 10 ** 7 * 86400
    assert parse_sam_domain_f(_domain_f(-42 * day, 0)) == (0, 42)
    assert parse_sam_domain_f(_domain_f(-90 * day, 8)) == (8, 90)
    assert parse_sam_domain_f(_domain_f(-(2 ** 63), 12)) == (12, None)  # never expires
    with pytest.raises(ValueError):
        parse_sam_domain_f(b"\x00" * 16)


def test_systemtime_and_filetime() -> None:
    st = struct.pack("<8H", 2024, 3, 5, 8, 9, 41, 7, 250)
    assert parse_systemtime(st) == "2024-03-08T09:41:07.250000"
    assert parse_systemtime(b"\x00" * 4) == ""
    assert filetime_to_datetime(0) is None
    assert filetime_to_datetime(129782682976408714).isoformat() == "2012-04-07T10:31:37.640871+00:00"


def test_winhttp_settings() -> None:
    def blob(flags: int, proxy: bytes, bypass: bytes) -> bytes:
        return struct.pack("<III", 0x28, 1, flags) + struct.pack("<I", len(proxy)) + proxy + \
            struct.pack("<I", len(bypass)) + bypass
    assert parse_winhttp_settings(blob(3, b"192.168.1.9:3128", b"<local>")) == ("192.168.1.9:3128", "<local>")
    assert parse_winhttp_settings(blob(1, b"", b"")) == ("", "")


def test_small_value_parsers() -> None:
    assert multi_sz(["10.3.58.5", "", ""]) == ["10.3.58.5"]
    assert multi_sz("") == [] and multi_sz(None) == []
    assert split_name_servers("68.105.28.11 68.105.29.11,10.50.0.53") == ["68.105.28.11", "68.105.29.11", "10.50.0.53"]
    assert parse_ntp_servers("time.windows.com,0x9 10.50.0.123,0x8") == ("time.windows.com", "10.50.0.123")
    dst, gw, metric = parse_persistent_route("0.0.0.0,0.0.0.0,192.168.1.1,-1")
    assert (dst, gw, metric) == (ipaddress.ip_network("0.0.0.0/0"), "192.168.1.1", None)
    assert parse_persistent_route("10.50.0.0,255.255.0.0,10.88.0.1,5")[2] == 5
    assert device_serial("AA951D0000007252&0") == "AA951D0000007252"
    assert device_serial("7&2a5e4e5&0") == "7&2a5e4e5&0"  # no serial: Windows made the id up
    assert parse_usbstor_device("Disk&Ven_SanDisk&Prod_Cruzer&Rev_1.20") == {
        "type": "Disk", "Ven": "SanDisk", "Prod": "Cruzer", "Rev": "1.20"}
    assert user_from_header("?\\C:\\Users\\vibranium\\ntuser.dat") == "vibranium"
    assert user_from_header("") == ""
