"""Pure parsers on golden output captured from real namespaces (tests/data/network/capture.sh)."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

from ybguard.checks.network import Space
from ybguard.collect.netconfig.networkmanager import shared_from_keyfile
from ybguard.collect.netconfig.proxies import (
    parse_apt_proxies,
    parse_dconf_proxy,
    parse_env_proxies,
    parse_ini_proxy,
)
from ybguard.collect.netconfig.resolvers import parse_resolv_conf, parse_resolved_link_state
from ybguard.collect.network import (
    parse_ip_link_json,
    parse_ip_route_json,
    parse_ip_rule_json,
    parse_iptables_save,
    parse_nft_json,
    parse_rt_tables,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "network"


def load(name: str):  # type: ignore[no-untyped-def]
    return json.loads((DATA / name).read_text())


def test_links_and_addresses_from_ip_json() -> None:
    links = {link.name: link for link in parse_ip_link_json(load("ip-addr.json"))}
    assert set(links) == {"lo", "peer0", "eth0", "br0", "tapp", "tap0p", "tun0", "tap0", "mv0"}
    eth0 = links["eth0"]
    assert eth0.mac == "52:54:00:12:34:56" and eth0.up and eth0.info_kind == "veth"
    assert [str(a) for a in eth0.addresses] == ["10.88.0.2/30", "2001:db8:1::2/64", "fe80::5054:ff:fe12:3456/64"]
    assert links["tap0p"].master == "br0"
    assert links["br0"].info_kind == "bridge" and links["br0"].up
    assert links["tun0"].info_kind == "tun" and links["tun0"].info_data_type == "tun" and links["tun0"].mac == ""
    assert links["tap0"].info_data_type == "tap" and not links["tap0"].up
    assert links["mv0"].info_kind == "macvlan"


def test_routes_of_every_table() -> None:
    routes = parse_ip_route_json(load("ip-route4.json"), 4) + parse_ip_route_json(load("ip-route6.json"), 6)
    described = {r.describe() for r in routes}
    assert {
        "default via 10.88.0.1 dev eth0 table 100",
        "1.0.0.0/8 via 10.88.0.1 dev eth0 table 100",
        "blackhole 0.0.0.0/1 table 200",
        "unreachable 128.0.0.0/1 table 200",
        "8.8.8.8/32 via 10.88.0.1 dev eth0 table main",
        "prohibit 9.9.9.0/24 table main",
        "11.0.0.0/8 via 10.88.0.1 dev eth0 table 300",
        "2400::/12 via 2001:db8:1::1 dev eth0 table 100",
        "blackhole default dev lo table 200",
        "local 127.0.0.0/8 dev lo table local",
        "multicast ff00::/8 dev eth0 table local",
    } <= described
    default6 = [r for r in routes if r.family == 6 and r.dst.prefixlen == 0]
    assert [(r.type, r.table, r.table_id) for r in default6] == [("blackhole", "200", 200)]
    multipath = [r for r in routes if str(r.dst) == "11.0.0.0/8"]
    assert len(multipath) == 2  # one record per hop
    assert all(r.table_id == 254 for r in routes if r.table == "main")


def test_rules_selectors_and_actions() -> None:
    rules = parse_ip_rule_json(load("ip-rule4.json"), 4)
    got = [(r.priority, r.action, r.table, r.selector) for r in rules]
    assert got == [
        (0, "table", "local", "from all"),
        (100, "table", "100", "from 10.1.0.0/16 fwmark 0x1 iif eth0"),
        (150, "table", "300", "not from 10.2.0.0/16"),
        (200, "prohibit", "", "from all"),
        (210, "goto", "", "from all to 192.168.0.0/16"),
        (220, "unreachable", "", "from 10.9.0.0/16"),
        (230, "blackhole", "", "from all"),
        (240, "table", "200", "from all"),
        (32766, "table", "main", "from all"),
        (32767, "table", "default", "from all"),
    ]
    rules6 = parse_ip_rule_json(load("ip-rule6.json"), 6)
    assert [r.raw for r in rules6][1:3] == ["100: from 2001:db8::/32 lookup 100",
                                           "110: from all lookup main suppress_prefixlength 0"]


def test_rt_tables_names() -> None:
    assert parse_rt_tables("# comment\n255\tlocal\n100 isp2 # x\nbad line\n") == {"local": 255, "isp2": 100}
    routes = parse_ip_route_json([{"dst": "default", "gateway": "10.0.0.1", "table": "isp2"}], 4, {"isp2": 100})
    assert routes[0].table_id == 100


def test_nft_json_nat_statements() -> None:
    got = {(r.kind, r.text) for r in parse_nft_json(load("nft-ruleset.json"))}
    assert got == {
        ("masquerade", "nft inet yb post: oifname == eth0 masquerade"),
        ("snat", "nft inet yb post: ip saddr == 192.168.10.0/24 snat to 10.88.0.2"),
        ("dnat", "nft inet yb pre: iifname == eth0 tcp dport == 8080 dnat to 192.168.10.5:80"),
        ("masquerade", "nft ip nat POSTROUTING: oifname == eth0 ip saddr == 172.16.5.0/24 xt target MASQUERADE"),
    }


def test_iptables_save_nat_targets() -> None:
    v4 = parse_iptables_save((DATA / "iptables-legacy-save-nat.txt").read_text(), "iptables-legacy-save -t nat")
    v6 = parse_iptables_save((DATA / "ip6tables-legacy-save-nat.txt").read_text())
    assert [(r.kind, r.chain, r.text) for r in v4] == [
        ("snat", "POSTROUTING", "-A POSTROUTING -s 192.168.10.0/24 -o eth0 -j SNAT --to-source 10.88.0.2")]
    assert [r.kind for r in v6] == ["masquerade"]
    assert parse_iptables_save("*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -j ACCEPT\nCOMMIT\n") == ()


def test_resolv_conf() -> None:
    text = "# generated\nsearch example\nnameserver 10.50.0.53\nnameserver 223.5.5.5 # ali\n;nameserver 1.1.1.1\nnameserver fe80::1%eth0\n"
    assert [(r.address, r.source) for r in parse_resolv_conf(text, "/etc/resolv.conf")] == [
        ("10.50.0.53", "/etc/resolv.conf:3"), ("223.5.5.5", "/etc/resolv.conf:4"), ("fe80::1", "/etc/resolv.conf:6")]


def test_resolved_link_state() -> None:
    text = "# This is private data.\nADMIN_STATE=configured\nSERVERS=114.114.114.114 [2400:3200::1]:53 10.50.0.53#dns.yb\nDOMAINS=yb\n"
    got = [r.address for r in parse_resolved_link_state(text, "/run/systemd/resolve/netif/2", "eth0")]
    assert got == ["114.114.114.114", "2400:3200::1", "10.50.0.53"]


def test_proxy_files() -> None:
    env = 'PATH="/usr/bin"\nhttp_proxy="http://10.9.9.9:3128"\n# https_proxy=x\nno_proxy=localhost\nHTTPS_PROXY=\n'
    assert [(p.setting, p.value, p.source) for p in parse_env_proxies(env, "/etc/environment")] == [
        ("http_proxy", "http://10.9.9.9:3128", "/etc/environment:2")]
    profile = "export https_proxy=http://proxy.example.com:8080\nexport ALL_PROXY='socks5://1.2.3.4:1080'\n"
    assert [p.setting for p in parse_env_proxies(profile, "/etc/profile.d/proxy.sh")] == ["https_proxy", "ALL_PROXY"]
    apt = 'Acquire::http::Proxy "http://10.9.9.9:3142";\nAcquire::https::Proxy "DIRECT";\n// Acquire::ftp::Proxy "x";\n'
    assert [(p.setting, p.source) for p in parse_apt_proxies(apt, "/etc/apt/apt.conf.d/01proxy")] == [
        ("Acquire::http::Proxy", "/etc/apt/apt.conf.d/01proxy:1")]
    nested = 'Acquire {\n  http {\n    Proxy "http://10.9.9.9:3142";\n  };\n};\n'
    assert [(p.value, p.source) for p in parse_apt_proxies(nested, "/etc/apt/apt.conf")] == [
        ("http://10.9.9.9:3142", "/etc/apt/apt.conf:3")]
    assert [p.value for p in parse_ini_proxy("[main]\ngpgcheck=1\nproxy=http://10.9.9.9:3128\n", "/etc/dnf/dnf.conf")] == [
        "http://10.9.9.9:3128"]
    assert parse_ini_proxy("[main]\nproxy=_none_\n", "/etc/yum.conf") == ()
    dconf = "[system/proxy]\nmode='manual'\n\n[system/proxy/http]\nhost='10.9.9.9'\nport=3128\n"
    assert [p.value for p in parse_dconf_proxy(dconf, "/etc/dconf/db/local.d/00-proxy")] == [
        "mode=manual http=10.9.9.9:3128"]
    assert parse_dconf_proxy("[system/proxy]\nmode='none'\n", "x") == ()


def test_nm_shared_profiles() -> None:
    hotspot = "[connection]\nid=Hotspot\ntype=wifi\ninterface-name=wlan0\n[wifi]\nmode=ap\nssid=yb\n[ipv4]\nmethod=shared\n"
    got = [(s.name, s.how, s.interface) for s in shared_from_keyfile(hotspot, "/etc/NetworkManager/system-connections/Hotspot.nmconnection")]
    assert got == [("Hotspot", "ipv4.method=shared", "wlan0"), ("Hotspot", "wifi mode=ap", "wlan0")]
    assert shared_from_keyfile("[connection]\nid=x\n[ipv4]\nmethod=manual\n", "x") == ()


def test_global_space_agrees_with_ipaddress_on_samples() -> None:
    """Our interval table and Python's is_global agree wherever the Internet is concerned."""
    space = Space(())
    samples = ["1.1.1.1", "8.8.8.8", "10.1.2.3", "100.64.1.1", "127.0.0.1", "169.254.1.1", "172.16.0.1",
               "172.32.0.1", "192.168.1.1", "192.0.2.7", "198.51.100.1", "203.0.113.9", "224.0.0.1",
               "255.255.255.255", "114.114.114.114", "2400:3200::1", "2001:4860:4860::8888", "fe80::1",
               "fd00::1", "2001:db8::1", "ff02::1", "::1"]
    for text in samples:
        ip = ipaddress.ip_address(text)
        net = ipaddress.ip_network(f"{ip}/{ip.max_prefixlen}")
        expected = ip.is_global and not ip.is_multicast  # multicast is never a unicast path out
        assert (space.outside(net) is not None) == expected, text


def test_space_allowed_networks_and_witness() -> None:
    allowed = (ipaddress.ip_network("10.50.0.0/16"), ipaddress.ip_network("58.0.0.0/8"))
    space = Space(allowed)
    assert space.outside(ipaddress.ip_network("58.1.0.0/16")) is None
    assert space.outside(ipaddress.ip_network("10.0.0.0/8")) is None
    assert space.outside(ipaddress.ip_network("56.0.0.0/6")) == "56.0.0.0"
    assert space.outside(ipaddress.ip_network("0.0.0.0/0")) == "11.0.0.0"
    assert space.outside(ipaddress.ip_network("64:ff9b::/96")) == "64:ff9b::"  # NAT64 reaches IPv4
    assert space.outside(ipaddress.ip_network("2001:db8::/32")) is None
