"""Checks on fact records: golden live facts, and records shaped like an offline image's."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List

from ybguard.checks.interface import Result
from ybguard.checks.network import CHECKS, reachable_tables
from ybguard.collect.network import parse_ip_route_json, parse_ip_rule_json
from ybguard.facts.network import (
    Address,
    Forwarding,
    ForwardingSetting,
    Interface,
    NatRule,
    Proxy,
    Resolver,
    Route,
    Routing,
    SharedConnection,
    Socket,
)
from ybguard.models import Severity, Status
from ybguard.policy.schema import LeasedLine, NetworkPolicy, Policy

DATA = Path(__file__).resolve().parent.parent / "data" / "network"
BY_ID = {c.id: c for c in CHECKS}
NETS = tuple(ipaddress.ip_network(n) for n in ("10.50.0.0/16", "10.88.0.0/30"))
POLICY = Policy(network=NetworkPolicy(leased_line=LeasedLine(("eth0",)), allowed_networks=NETS,
                                      allowed_dns=(ipaddress.ip_address("10.50.0.53"),)))


def run(check_id: str, facts: Dict[str, Any], policy: Policy = POLICY) -> List[Result]:
    return list(BY_ID[check_id].evaluate(facts, policy))


def fails(check_id: str, facts: Dict[str, Any], policy: Policy = POLICY) -> set:
    return {r.subject for r in run(check_id, facts, policy) if r.status is Status.FAIL}


def golden_routing() -> Routing:
    load = lambda n: json.loads((DATA / n).read_text())  # noqa: E731
    return Routing(
        routes=parse_ip_route_json(load("ip-route4.json"), 4) + parse_ip_route_json(load("ip-route6.json"), 6),
        rules=parse_ip_rule_json(load("ip-rule4.json"), 4) + parse_ip_rule_json(load("ip-rule6.json"), 6),
    )


def test_ids_are_the_contract() -> None:
    assert [c.id for c in CHECKS] == [
        "network.public-route", "network.default-route", "network.forbidden-interface", "network.dual-homed",
        "network.ip-forwarding", "network.nat", "network.bridge-leased-line", "network.shared-connection",
        "network.dns", "network.proxy", "network.sockets"]


def test_catch_all_prohibit_shadows_later_lookups() -> None:
    routing = golden_routing()
    assert set(reachable_tables(routing.rules, 4)) == {"255", "100", "300"}  # prohibit at 200 stops main
    assert set(reachable_tables(routing.rules, 6)) == {"255", "100", "254"}


def test_public_routes_only_in_reachable_tables() -> None:
    facts = {"network.routing": golden_routing()}
    assert fails("network.public-route", facts) == {
        "default via 10.88.0.1 dev eth0 table 100",
        "1.0.0.0/8 via 10.88.0.1 dev eth0 table 100",
        "11.0.0.0/8 via 10.88.0.1 dev eth0 table 300",
        "2400::/12 via 2001:db8:1::1 dev eth0 table 100",
    }  # 8.8.8.8/32 in main is shadowed by the prohibit rule; blackholes are not paths
    assert fails("network.default-route", facts) == {"default via 10.88.0.1 dev eth0 table 100"}


def test_allowed_public_network_is_not_a_path() -> None:
    routing = Routing(routes=(Route(ipaddress.ip_network("58.20.0.0/16"), gateway="10.88.0.1", dev="eth0"),), rules=())
    policy = replace(POLICY, network=replace(POLICY.network, allowed_networks=NETS + (ipaddress.ip_network("58.20.0.0/16"),)))
    assert fails("network.public-route", {"network.routing": routing}, policy) == set()
    assert fails("network.public-route", {"network.routing": routing}) == {"58.20.0.0/16 via 10.88.0.1 dev eth0 table main"}


def test_offline_routes_without_rules_use_main() -> None:
    routes = (
        Route(ipaddress.ip_network("0.0.0.0/0"), gateway="192.168.1.1", dev="wlan0", configured=True, source="netplan"),
        Route(ipaddress.ip_network("0.0.0.0/0"), gateway="192.168.9.1", table="100", table_id=100, configured=True),
        Route(ipaddress.ip_network("192.168.0.0/16"), gateway="10.88.0.1", configured=True),
    )
    facts = {"network.routing": Routing(routes=routes, rules=())}
    assert fails("network.public-route", facts) == {"default via 192.168.1.1 dev wlan0 table main"}
    assert fails("network.default-route", facts) == {"default via 192.168.1.1 dev wlan0 table main"}
    allow = replace(POLICY, network=replace(POLICY.network, forbid_default_route=False))
    assert [r.status for r in run("network.default-route", facts, allow)] == [Status.NOT_APPLICABLE]


def test_l3mdev_rule_reaches_every_table() -> None:
    from ybguard.facts.network import Rule

    rules = (Rule(1000, "table", selector="from all l3mdev", family=4),)
    routes = (Route(ipaddress.ip_network("0.0.0.0/1"), gateway="10.0.0.1", table="vrf-red", table_id=10),)
    assert fails("network.public-route", {"network.routing": Routing(routes, rules)}) == {
        "0.0.0.0/1 via 10.0.0.1 table vrf-red"}


def iface(name: str, kind: str, up: Any = True, addrs: tuple = (), **kw: Any) -> Interface:
    return Interface(name=name, kind=kind, up=up,
                     addresses=tuple(Address(ipaddress.ip_address(a.split("/")[0]), int(a.split("/")[1])) for a in addrs), **kw)


def test_forbidden_interface_severity_and_offline_profiles() -> None:
    interfaces = (
        iface("lo", "loopback", addrs=("127.0.0.1/8",)),
        iface("eth0", "ethernet", addrs=("10.88.0.2/30",)),
        iface("wlan0", "wireless", addrs=("192.168.1.5/24",)),
        iface("tun0", "vpn", up=False),
        iface("wifi-home", "wireless", up=None, configured=True, dhcp=True),
        iface("wwan0", "cellular", up=None, configured=True),
    )
    results = {r.subject: r for r in run("network.forbidden-interface", {"network.interfaces": interfaces})}
    assert set(results) == {"wlan0", "tun0", "wifi-home", "wwan0"}
    assert results["wlan0"].severity is None  # the check's own: critical
    assert results["wifi-home"].severity is None
    assert results["tun0"].severity is Severity.MEDIUM
    assert results["wwan0"].severity is Severity.MEDIUM
    only_vpn = replace(POLICY, network=replace(POLICY.network, forbidden_interface_kinds=("vpn",)))
    assert fails("network.forbidden-interface", {"network.interfaces": interfaces}, only_vpn) == {"tun0"}


def test_dual_homed_by_name_and_mac() -> None:
    interfaces = (
        iface("lo", "loopback", addrs=("127.0.0.1/8",)),
        iface("enp1s0", "ethernet", addrs=("10.88.0.2/30", "fe80::1/64"), mac="52:54:00:00:00:01"),
        iface("enp2s0", "ethernet", addrs=("192.168.3.7/24",)),
        iface("enp3s0", "ethernet", addrs=("10.50.3.7/24", "fe80::2/64")),  # inside allowed: fine
        iface("enp4s0", "ethernet", up=False, addrs=("172.16.0.2/24",)),  # down: fine
        iface("enp5s0", "ethernet", up=None, configured=True, dhcp=True),
    )
    by_mac = replace(POLICY, network=replace(POLICY.network, leased_line=LeasedLine(("52:54:00:00:00:01",))))
    assert fails("network.dual-homed", {"network.interfaces": interfaces}, by_mac) == {"enp2s0", "enp5s0"}
    # with eth0 named as the leased line, enp1s0 has only allowed addresses anyway
    assert fails("network.dual-homed", {"network.interfaces": interfaces}) == {"enp2s0", "enp5s0"}


def test_bridge_holding_leased_line() -> None:
    interfaces = (
        iface("br0", "bridge", ports=("eth0", "eth1")),
        iface("eth0", "ethernet", master="br0", mac="52:54:00:00:00:01"),
        iface("br1", "bridge", ports=("eth2",)),
        iface("eth2", "ethernet", master="br1"),
    )
    assert fails("network.bridge-leased-line", {"network.interfaces": interfaces}) == {"br0"}
    offline = (iface("br9", "bridge", up=None, configured=True), iface("eth0", "ethernet", up=None, master="br9"))
    assert fails("network.bridge-leased-line", {"network.interfaces": offline}) == {"br9"}


def test_forwarding_subjects() -> None:
    on = Forwarding((ForwardingSetting(4, "all", True, "/proc/sys/net/ipv4/ip_forward"),
                     ForwardingSetting(4, "eth0", True, "p"), ForwardingSetting(6, "all", False, "q"),
                     ForwardingSetting(6, "eth0", True, "r")))
    assert fails("network.ip-forwarding", {"network.forwarding": on}) == {"net.ipv4.ip_forward"}
    per_if = Forwarding((ForwardingSetting(4, "all", False, "a"), ForwardingSetting(4, "eth1", True, "b"),
                         ForwardingSetting(4, "lo", True, "c"), ForwardingSetting(6, "all", True, "d")))
    assert fails("network.ip-forwarding", {"network.forwarding": per_if}) == {
        "net.ipv4.conf.eth1.forwarding", "net.ipv6.conf.all.forwarding"}
    allow = replace(POLICY, network=replace(POLICY.network, allow_ip_forwarding=True))
    assert fails("network.ip-forwarding", {"network.forwarding": on}, allow) == set()


def test_nat_and_shared() -> None:
    nat = (NatRule("nft ip nat post: masquerade"), NatRule("nft ip nat post: masquerade"), NatRule("-A X -j DNAT", kind="dnat"))
    assert fails("network.nat", {"network.nat": nat}) == {"nft ip nat post: masquerade", "-A X -j DNAT"}
    shared = (SharedConnection("Hotspot", "ipv4.method=shared", "wlan0", "/etc/NetworkManager/system-connections/h"),)
    assert fails("network.shared-connection", {"network.shared": shared}) == {"Hotspot"}


def test_dns_names_public_resolvers() -> None:
    resolvers = (Resolver("127.0.0.53", "/etc/resolv.conf:1"), Resolver("10.50.0.53", "/etc/resolv.conf:2"),
                 Resolver("223.5.5.5", "/run/systemd/resolve/resolv.conf:3"), Resolver("223.5.5.5", "x", "eth0"),
                 Resolver("10.50.0.54", "y"))
    results = {r.subject: r for r in run("network.dns", {"network.resolvers": resolvers})}
    assert set(results) == {"223.5.5.5", "10.50.0.54"}
    assert dict(results["223.5.5.5"].message.args)["name"] == "AliDNS"
    assert len(results["223.5.5.5"].evidence) == 2
    empty = replace(POLICY, network=replace(POLICY.network, allowed_dns=()))
    assert fails("network.dns", {"network.resolvers": resolvers}, empty) == {"223.5.5.5", "10.50.0.53", "10.50.0.54"}


def test_proxy_policy() -> None:
    proxies = (Proxy("http_proxy", "http://10.9.9.9:3128", "/etc/environment:2"),)
    assert fails("network.proxy", {"network.proxies": proxies}) == {"http_proxy @ /etc/environment:2"}
    allow = replace(POLICY, network=replace(POLICY.network, allow_proxy=True))
    assert fails("network.proxy", {"network.proxies": proxies}, allow) == set()


def test_sockets_outside_allowed() -> None:
    socks = (Socket("tcp", 4, "10.88.0.2", 40000, "10.50.1.1", 443, "ESTABLISHED", 10, "ybclient"),
             Socket("tcp", 4, "10.88.0.2", 40001, "192.168.77.1", 8080, "SYN_SENT", 11, "curl"),
             Socket("tcp", 4, "10.88.0.2", 40002, "192.168.77.1", 8080, "ESTABLISHED", 11, "curl"),
             Socket("udp", 6, "fd00::2", 5353, "2400:3200::1", 53, "CONNECTED", None, ""))
    assert fails("network.sockets", {"network.sockets": socks}) == {
        "curl (pid 11) -> 192.168.77.1:8080", "? (pid ?) -> [2400:3200::1]:53"}


def test_selective_stop_rules_do_not_shadow() -> None:
    from ybguard.facts.network import Rule

    rules = (Rule(0, "table", "local", 255, "from all", 4),
             Rule(50, "unreachable", selector="from 10.9.0.0/16", family=4),
             Rule(60, "prohibit", selector="from all iif eth1", family=4),
             Rule(70, "table", "100", 100, "from all fwmark 0x1", 4),
             Rule(32766, "table", "main", 254, "from all", 4),
             Rule(32767, "blackhole", selector="from all", family=4),
             Rule(40000, "table", "200", 200, "from all", 4))
    assert set(reachable_tables(rules, 4)) == {"255", "100", "254"}
    assert set(reachable_tables(rules, 6)) == {"255", "254", "253"}  # no v6 rules: kernel defaults


def test_saved_configuration_is_worded_as_configuration() -> None:
    """An image's records have up=None: the message must not claim the interface is up now."""
    wifi = Interface("wlan0", "wireless", up=None, dhcp=True, configured=True, source="/etc/netplan/50-wifi.yaml:3")
    lan = Interface("eth1", "ethernet", up=None, configured=True, source="/etc/network/interfaces:7",
                    addresses=(Address(ipaddress.ip_address("192.168.1.20"), 24),))
    live = replace(wifi, up=True, addresses=lan.addresses, configured=False, dhcp=False)
    facts = {"network.interfaces": (wifi, lan)}
    assert [(r.subject, r.message.key) for r in run("network.forbidden-interface", facts)] == [
        ("wlan0", "network.forbidden-interface.configured")]
    assert sorted((r.subject, r.message.key) for r in run("network.dual-homed", facts)) == [
        ("eth1", "network.dual-homed.configured"), ("wlan0", "network.dual-homed.dhcp")]
    assert [r.message.key for r in run("network.forbidden-interface", {"network.interfaces": (live,)})] == [
        "network.forbidden-interface.active"]
