"""Parsers of live-Windows tool output, on output recorded on real machines by other people.

The files in tests/data/windows/real are command output that others captured on real English
and Chinese Windows (XP to 11, workstation and server) and published; the README there names
the source of each. Unlike the constructed files one level up, nobody wrote them with our
parsers in mind: two of them broke the parsers (see the docstrings of parse_net_accounts and
parse_route_print).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
from test_win_live_paths import RecordedTarget, _registry

from ybguard.collect import FactSet, ScanOptions, registry_for
from ybguard.collect.windows import parse_net_accounts, parse_route_print, policy_from_secedit
from ybguard.policy.schema import Policy

REAL = Path(__file__).resolve().parent.parent / "data" / "windows" / "real"

Row = Tuple[str, str, str, str, Optional[int]]

# file -> (unicast routes as (dst, gateway, interface address, active/persistent, metric), count per type)
ROUTES: Dict[str, Tuple[List[Row], Dict[str, int]]] = {
    "route_print_en_win10.txt": (
        [
            ("0.0.0.0/0", "10.211.55.1", "10.211.55.3", "active", 15),
            ("10.0.0.0/8", "192.168.22.1", "10.211.55.3", "active", 16),
            ("10.0.1.0/24", "192.168.22.1", "10.211.55.3", "active", 16),
            ("10.0.3.0/24", "192.168.22.1", "10.211.55.3", "active", 16),
            ("10.0.4.0/24", "192.168.22.1", "10.211.55.3", "active", 16),
            ("10.211.55.0/24", "", "10.211.55.3", "active", 271),
            ("169.254.0.0/16", "", "169.254.83.107", "active", 261),
            ("10.0.1.0/24", "192.168.22.1", "", "persistent", 1),
            ("10.0.3.0/24", "192.168.22.1", "", "persistent", 1),
            ("10.0.4.0/24", "192.168.22.1", "", "persistent", 1),
            ("10.0.0.0/8", "192.168.22.1", "", "persistent", 1),
        ],
        {"broadcast": 5, "local": 4, "multicast": 2, "unicast": 11},
    ),
    "route_print_en_win11.txt": (
        [
            ("0.0.0.0/0", "192.168.1.1", "192.168.1.169", "active", 35),
            ("192.168.1.0/24", "", "192.168.1.169", "active", 291),
            ("192.168.181.0/24", "", "192.168.181.1", "active", 291),
            ("192.168.213.0/24", "", "192.168.213.1", "active", 291),
        ],
        {"broadcast": 8, "local": 5, "multicast": 4, "unicast": 4},
    ),
    "route_print_en_win2016.txt": (
        [
            ("0.0.0.0/0", "192.168.22.1", "192.168.22.153", "active", 281),
            ("192.168.22.0/24", "", "192.168.22.153", "active", 281),
            ("0.0.0.0/0", "192.168.22.1", "", "persistent", None),  # metric "Default"
        ],
        {"broadcast": 4, "local": 3, "multicast": 2, "unicast": 3},
    ),
    "route_print_en_win7.txt": (
        [
            ("0.0.0.0/0", "192.168.22.1", "192.168.22.33", "active", 10),
            ("192.168.22.0/24", "", "192.168.22.33", "active", 266),
        ],
        {"broadcast": 4, "local": 3, "multicast": 2, "unicast": 2},
    ),
    # XP prints on-link rows with the interface address as gateway and 127.0.0.1 for local hosts
    "route_print_en_winxp.txt": (
        [
            ("0.0.0.0/0", "192.168.22.1", "192.168.22.135", "active", 10),
            ("10.0.4.0/24", "192.168.22.1", "192.168.22.135", "active", 1),
            ("192.168.22.0/24", "", "192.168.22.135", "active", 10),
            ("10.0.4.0/24", "192.168.22.1", "", "persistent", 1),
        ],
        {"broadcast": 2, "local": 2, "multicast": 1, "unicast": 4},
    ),
    "route_print_zh_ipv6.txt": (
        [
            ("0.0.0.0/0", "192.168.12.1", "192.168.12.39", "active", 35),
            ("172.25.0.0/16", "", "172.25.250.2", "active", 281),
            ("172.25.254.199/32", "", "172.25.250.2", "active", 281),
            ("192.168.0.0/24", "", "172.25.250.2", "active", 281),
            ("192.168.0.2/32", "", "172.25.250.2", "active", 281),
            ("192.168.12.0/24", "", "192.168.12.39", "active", 291),
            ("192.168.80.0/24", "", "192.168.80.1", "active", 291),
        ],
        {"broadcast": 9, "local": 5, "multicast": 4, "unicast": 7},
    ),
    "route_print_zh_two_defaults.txt": (
        [
            ("0.0.0.0/0", "172.16.0.254", "172.16.0.220", "active", 35),
            ("0.0.0.0/0", "130.233.90.254", "130.233.17.91", "active", 55),
            ("10.0.0.0/8", "172.16.0.254", "172.16.0.220", "active", 36),
            ("130.233.0.0/16", "", "130.233.17.91", "active", 311),
            ("172.16.0.0/24", "", "172.16.0.220", "active", 291),
        ],
        {"broadcast": 6, "local": 4, "multicast": 3, "unicast": 5},
    ),
    # Windows 7 (NDIS 6.20, metrics 306/276), quoted in a Ruby comment: 6to4 IPv6 default
    "route_print_zh_win7.txt": (
        [
            ("0.0.0.0/0", "192.168.100.1", "192.168.100.101", "active", 20),
            ("50.50.50.0/24", "", "50.50.50.55", "active", 276),
            ("100.100.101.0/24", "192.168.100.1", "127.0.0.1", "active", 51),
            ("192.168.100.0/24", "", "192.168.100.101", "active", 276),
        ],
        {"broadcast": 6, "local": 4, "multicast": 3, "unicast": 4},
    ),
    # a VPN's split default (0/1 + 128/1) next to two ordinary defaults; persistent metric "默认"
    "route_print_zh_vpn_split_default.txt": (
        [
            ("0.0.0.0/0", "192.168.0.1", "192.168.0.26", "active", 55),
            ("0.0.0.0/0", "192.168.8.2", "192.168.8.1", "active", 291),
            ("0.0.0.0/1", "26.26.26.3", "26.26.26.1", "active", 1),
            ("26.26.26.0/29", "", "26.26.26.1", "active", 257),
            ("128.0.0.0/1", "26.26.26.3", "26.26.26.1", "active", 1),
            ("169.254.0.0/16", "", "169.254.75.113", "active", 291),
            ("169.254.0.0/16", "", "169.254.254.97", "active", 281),
            ("192.168.0.0/24", "", "192.168.0.26", "active", 311),
            ("192.168.8.0/24", "", "192.168.8.1", "active", 291),
            ("192.168.18.0/24", "", "192.168.18.1", "active", 281),
            ("0.0.0.0/0", "192.168.8.2", "", "persistent", None),
        ],
        {"broadcast": 14, "local": 8, "multicast": 7, "unicast": 11},
    ),
}


def test_every_recorded_route_print_is_asserted() -> None:
    assert {p.name for p in REAL.glob("route_print_*")} == set(ROUTES)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_print_real(name: str) -> None:
    routes = parse_route_print((REAL / name).read_text("utf-8"))
    unicast, counts = ROUTES[name]
    assert [(str(r.dst), r.gateway, r.dev, r.protocol, r.metric) for r in routes if r.type == "unicast"] == unicast
    assert dict(Counter(r.type for r in routes)) == counts


def test_route_print_real_kinds() -> None:
    def kinds(name: str) -> Dict[Tuple[str, str], str]:
        return {(str(r.dst), r.dev): r.type for r in parse_route_print((REAL / name).read_text("utf-8"))}

    xp = kinds("route_print_en_winxp.txt")
    assert xp[("192.168.22.135/32", "127.0.0.1")] == "local"
    assert xp[("192.168.22.255/32", "192.168.22.135")] == "broadcast"
    assert xp[("255.255.255.255/32", "192.168.22.135")] == "broadcast"
    win10 = kinds("route_print_en_win10.txt")
    assert win10[("169.254.255.255/32", "169.254.83.107")] == "broadcast"
    assert win10[("169.254.83.107/32", "169.254.83.107")] == "local"
    vpn = kinds("route_print_zh_vpn_split_default.txt")
    assert vpn[("26.26.26.7/32", "26.26.26.1")] == "broadcast"  # the /29's broadcast
    assert vpn[("26.26.26.1/32", "26.26.26.1")] == "local"


@pytest.mark.parametrize("name", ["route_print_zh_vpn_split_default.txt", "route_print_zh_ipv6.txt"])
def test_route_print_real_chinese_code_page(name: str) -> None:
    """route.exe writes cp936 on Chinese Windows; a wrong decoding garbles only labels."""
    text = (REAL / name).read_text("utf-8")
    raw = text.encode("gbk")
    assert raw.decode("gbk") == text
    assert parse_route_print(raw.decode("utf-8", "replace")) == parse_route_print(text)


NET_ACCOUNTS = {
    "net_accounts_en_win2003_book.txt": (0, 42),
    "net_accounts_en_domain_primary.txt": (6, 60),
    "net_accounts_en_domain_request.txt": (6, 42),
    "net_accounts_en_server_defaults.txt": (0, 42),
    "net_accounts_en_server_tabbed.txt": (5, 42),
    "net_accounts_en_win2008_dc.txt": (7, 42),
    "net_accounts_en_workstation_lockout.txt": (7, 42),
    "net_accounts_zh_defaults.txt": (0, 42),
    "net_accounts_zh_domain.txt": (7, 42),
    "net_accounts_zh_win11_workstation.txt": (7, 42),
}


def test_every_recorded_net_accounts_is_asserted() -> None:
    assert {p.name for p in REAL.glob("net_accounts_*")} == set(NET_ACCOUNTS)


@pytest.mark.parametrize("name", sorted(NET_ACCOUNTS))
def test_net_accounts_real(name: str) -> None:
    text = (REAL / name).read_text("utf-8")
    assert parse_net_accounts(text) == NET_ACCOUNTS[name]
    # the same bytes in the Chinese OEM code page, decoded wrongly: still no label is read
    assert parse_net_accounts(text.encode("gbk").decode("utf-8", "replace")) == NET_ACCOUNTS[name]


def test_net_accounts_domain_header_does_not_shift_values() -> None:
    """Before the fix the header line made "Never"/"从不" the minimum age and the parse failed;
    a header without a colon must never move a value into another field."""
    zh = (REAL / "net_accounts_zh_domain.txt").read_text("utf-8")
    assert zh.splitlines()[0].startswith("这项请求将在域")
    assert parse_net_accounts(zh) == parse_net_accounts("\n".join(zh.splitlines()[1:]))


def test_live_routing_from_real_chinese_route_print() -> None:
    """The whole live path on real Chinese output: the VPN's split default reaches the fact."""
    text = (REAL / "route_print_zh_vpn_split_default.txt").read_text("utf-8")
    target = RecordedTarget(_registry(), {"route print": text})
    routes = FactSet(target, Policy(), ScanOptions(), registry_for("windows")).get("network.routing").routes
    live = {(str(r.dst), r.gateway, r.dev) for r in routes if r.source == "route print" and r.type == "unicast"
            and r.dst.prefixlen <= 1}
    assert live == {
        ("0.0.0.0/0", "192.168.0.1", "192.168.0.26"),
        ("0.0.0.0/0", "192.168.8.2", "192.168.8.1"),
        ("0.0.0.0/1", "26.26.26.3", "26.26.26.1"),
        ("128.0.0.0/1", "26.26.26.3", "26.26.26.1"),
    }


def test_secedit_real_export_reads_only_system_access() -> None:
    """A full export from Windows Server 2016 also carries Netlogon's MaximumPasswordAge=4,30
    (the machine-account password) under [Registry Values]; only [System Access] counts."""
    raw = (REAL / "secedit_en_server2016.inf").read_bytes()
    assert raw[:2] == b"\xff\xfe"
    text = raw.decode("utf-16")
    assert "Netlogon\\Parameters\\MaximumPasswordAge=4,30" in text
    pol = policy_from_secedit(text)
    assert (pol.min_length, pol.max_age_days) == (0, 42)


def test_live_password_policy_from_real_output() -> None:
    elevated = RecordedTarget(_registry(), {}, secedit=(REAL / "secedit_en_server2016.inf").read_bytes())
    pol = FactSet(elevated, Policy(), ScanOptions(), registry_for("windows")).get("accounts.password_policy")
    assert (pol.min_length, pol.max_age_days) == (0, 42)
    plain = RecordedTarget(_registry(), {"net accounts": (REAL / "net_accounts_zh_domain.txt").read_text("utf-8")})
    pol = FactSet(plain, Policy(), ScanOptions(), registry_for("windows")).get("accounts.password_policy")
    assert (pol.min_length, pol.max_age_days) == (7, 42)
    assert [c[0] for c in plain.calls] == ["secedit", "net"]
