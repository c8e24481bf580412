"""Golden tests of the saved-configuration parsers, on files written to each project's format."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Set, Tuple

import pytest

from ybguard.collect import netconfig as nc
from ybguard.collect.netconfig.resolvers import parse_dnsmasq_servers, parse_resolv_conf
from ybguard.collect.syntax.lines import logical_lines
from ybguard.facts.network import ForwardingSetting, NatRule, Resolver, Rule, SharedConnection

DATA = Path(__file__).resolve().parent.parent / "data" / "netconfig"
NP = "/etc/netplan"
NM = "/etc/NetworkManager/system-connections"


def text(rel: str) -> str:
    return (DATA / rel).read_text(encoding="utf-8")


def ifaces(conf: nc.NetConfig) -> Set[Tuple[str, str, str, Tuple[str, ...], str, Tuple[str, ...], bool, str]]:
    return {(i.name, i.kind, i.mac, tuple(str(a) for a in i.addresses), i.master, i.ports, i.dhcp, i.source)
            for i in conf.interfaces}


def routes(conf: nc.NetConfig) -> Set[Tuple[str, str]]:
    return {(r.describe(), r.source) for r in conf.routes}


def all_text(conf: nc.NetConfig) -> str:
    return repr(conf)


# --- netplan -------------------------------------------------------------------------------------

def netplan_files() -> nc.NetConfig:
    names = ("01-leased-line.yaml", "50-cloud-init.yaml", "60-wifi.yaml")
    return nc.parse_netplan([(f"{NP}/{n}", text(f"netplan/{n}")) for n in names])


def test_netplan_interfaces_by_section_driver_and_name():
    conf = netplan_files()
    y1, y5, y6 = (f"{NP}/01-leased-line.yaml", f"{NP}/50-cloud-init.yaml", f"{NP}/60-wifi.yaml")
    assert ifaces(conf) == {
        ("eno1", "ethernet", "52:54:00:ab:cd:01", ("10.88.0.2/24",), "", (), False, f"{y1}:6"),
        ("eth1", "ethernet", "", (), "", (), True, f"{y5}:5"),
        ("usb0", "usb-tether", "", (), "", (), True, f"{y5}:11"),
        ("wlp2s0", "wireless", "", (), "", (), True, f"{y6}:4"),
        ("br0", "bridge", "", ("192.168.50.1/24",), "", ("eno2",), False, f"{y6}:13"),
        ("eno2", "ethernet", "", (), "br0", (), False, f"{y6}:32"),
        ("cdc-wdm0", "cellular", "", (), "", (), True, f"{y6}:17"),
        ("wg0", "vpn", "", ("10.99.0.2/32",), "", (), False, f"{y6}:21"),
        ("eno3", "ethernet", "", ("198.51.100.20/24",), "", (), False, f"{y6}:33"),
    }
    assert all(i.configured and i.up is None for i in conf.interfaces)


def test_netplan_routes_dhcp_gateway_tables_and_rules():
    conf = netplan_files()
    y1, y5, y6 = (f"{NP}/01-leased-line.yaml", f"{NP}/50-cloud-init.yaml", f"{NP}/60-wifi.yaml")
    assert routes(conf) == {
        ("10.88.0.0/24 dev eno1 table main", f"{y1}:11"),
        ("10.0.0.0/8 via 10.88.0.1 dev eno1 table main", f"{y1}:13"),
        # DHCP may hand out a default route: reported; usb0 has use-routes: false, so none there.
        ("default via dhcp dev eth1 table main", f"{y5}:6"),
        ("default via dhcp dev wlp2s0 table main", f"{y6}:5"),
        ("default via dhcp dev cdc-wdm0 table main", f"{y6}:19"),
        ("192.168.50.0/24 dev br0 table main", f"{y6}:15"),
        ("198.51.100.0/24 dev eno3 table main", f"{y6}:34"),
        ("default via 198.51.100.1 dev eno3 table main", f"{y6}:35"),
        ("default via 198.51.100.1 dev eno3 table 100", f"{y6}:41"),
    }
    eth1 = next(r for r in conf.routes if r.dev == "eth1")
    assert (eth1.metric, eth1.protocol, eth1.configured) == (200, "dhcp", True)
    assert conf.rules == (Rule(1000, "table", "100", 100, "from 198.51.100.20", 4, f"{y6}:37"),)
    assert conf.resolvers == (Resolver("10.88.0.53", f"{y1}:17", "eno1"),)
    assert conf.shared == (SharedConnection("Ward-Hotspot", "wifi mode=ap", "wlp2s0", f"{y6}:9"),)


def test_netplan_never_copies_secrets():
    dump = all_text(netplan_files())
    for secret in ("correct-horse-battery", "ap-secret-123", "SECRETprivatekey"):
        assert secret not in dump


def test_netplan_later_file_overrides_scalars_and_appends_lists():
    a = "network:\n  ethernets:\n    eth0:\n      dhcp4: true\n      addresses: [10.1.0.2/24]\n"
    b = "network:\n  ethernets:\n    eth0:\n      dhcp4: false\n      addresses: [10.2.0.2/24]\n"
    conf = nc.parse_netplan([(f"{NP}/10-a.yaml", a), (f"{NP}/20-b.yaml", b)])
    (eth0,) = conf.interfaces
    assert [str(x) for x in eth0.addresses] == ["10.1.0.2/24", "10.2.0.2/24"]
    assert eth0.dhcp is False
    assert not [r for r in conf.routes if r.dst.prefixlen == 0]


def test_netplan_empty_and_networkless_files_say_nothing():
    assert nc.parse_netplan([(f"{NP}/a.yaml", ""), (f"{NP}/b.yaml", "# only a comment\n")]) == nc.NetConfig()


@pytest.mark.parametrize("name, where", [("bad-indent.yaml", "bad-indent.yaml"),
                                          ("bad-address.yaml", "bad-address.yaml:5")])
def test_netplan_bad_files_raise_with_location(name, where):
    with pytest.raises(nc.ConfigError) as exc:
        nc.parse_netplan([(f"{NP}/{name}", text(f"netplan/{name}"))])
    assert where in exc.value.path


def test_netplan_wrong_shapes_raise():
    with pytest.raises(nc.ConfigError):
        nc.parse_netplan([(f"{NP}/x.yaml", "network:\n  ethernets: [eth0]\n")])
    with pytest.raises(nc.ConfigError):
        nc.parse_netplan([(f"{NP}/x.yaml", "- just a list\n")])


# --- NetworkManager -------------------------------------------------------------------------------

def nm_profiles() -> nc.NetConfig:
    kfs = [nc.parse_keyfile(f"{NM}/{p.name}", p.read_text()) for p in sorted((DATA / "nm").iterdir())
           if p.name != "broken.nmconnection"]
    return nc.parse_nm_profiles(kfs)


def test_nm_profiles_interfaces():
    conf = nm_profiles()
    assert ifaces(conf) == {
        ("China Mobile 4G", "cellular", "", (), "", (), True, f"{NM}/ChinaMobile.nmconnection:4"),
        ("wlp2s0", "wireless", "", (), "", (), False, f"{NM}/Hotspot.nmconnection:4"),
        ("Wired connection 1", "ethernet", "52:54:00:ab:cd:09", (), "", (), True, f"{NM}/Wired connection 1:4"),
        ("br0", "bridge", "", (), "", (), True, f"{NM}/br0.nmconnection:4"),
        # the port names its bridge by UUID; we resolve it to the bridge's interface name
        ("enp1s0", "ethernet", "", (), "br0", (), False, f"{NM}/bridge-slave-enp1s0.nmconnection:4"),
        ("enp1s0", "ethernet", "52:54:00:ab:cd:02", ("10.88.0.2/24",), "", (), False,
         f"{NM}/leased.nmconnection:4"),
        ("office-vpn", "vpn", "", (), "", (), True, f"{NM}/office-vpn.nmconnection:4"),
    }


def test_nm_routes_honour_method_never_default_and_route_options():
    conf = nm_profiles()
    assert routes(conf) == {
        ("default via peer dev China Mobile 4G table main", f"{NM}/ChinaMobile.nmconnection:13"),
        ("default via dhcp dev Wired connection 1 table main", f"{NM}/Wired connection 1:10"),
        ("default via ra dev Wired connection 1 table main", f"{NM}/Wired connection 1:13"),
        ("default via dhcp dev br0 table main", f"{NM}/br0.nmconnection:11"),
        ("10.88.0.0/24 dev enp1s0 table main", f"{NM}/leased.nmconnection:12"),
        ("10.0.0.0/8 via 10.88.0.1 dev enp1s0 table main", f"{NM}/leased.nmconnection:17"),
        ("172.16.0.0/12 via 10.88.0.1 dev enp1s0 table 200", f"{NM}/leased.nmconnection:18"),
        # leased: gateway= but never-default=true -> no default; office-vpn: never-default -> none
    }
    assert conf.resolvers == (Resolver("10.88.0.53", f"{NM}/leased.nmconnection:13", "enp1s0"),)


def test_nm_hotspot_is_one_shared_connection():
    assert nm_profiles().shared == (
        SharedConnection("Hotspot", "wifi mode=ap, ipv4.method=shared", "wlp2s0", f"{NM}/Hotspot.nmconnection:9"),)


def test_nm_never_copies_secrets():
    dump = all_text(nm_profiles())
    for secret in ("hotspot-psk-secret", "gsm-password-secret", "vpn-password-secret"):
        assert secret not in dump


def test_nm_manual_gateway_without_never_default_is_a_default_route():
    kf = nc.parse_keyfile(f"{NM}/x.nmconnection", "[connection]\nid=x\ntype=ethernet\ninterface-name=eth5\n"
                          "[ipv4]\nmethod=manual\naddress1=192.0.2.5/24,192.0.2.1\n[ipv6]\nmethod=ignore\n")
    assert routes(nc.parse_nm_profiles([kf])) == {
        ("192.0.2.0/24 dev eth5 table main", f"{NM}/x.nmconnection:7"),
        ("default via 192.0.2.1 dev eth5 table main", f"{NM}/x.nmconnection:7"),
    }


def test_nm_keyfile_errors_and_filename_filter():
    with pytest.raises(nc.ConfigError) as exc:
        nc.parse_keyfile(f"{NM}/broken.nmconnection", text("nm/broken.nmconnection"))
    assert exc.value.path == f"{NM}/broken.nmconnection:4"
    with pytest.raises(nc.ConfigError):
        nc.parse_nm_profiles([nc.parse_keyfile("/p", "[ipv4]\nmethod=auto\n")])
    wanted = {n: nc.nm_keyfile_wanted(n, False) for n in
              ("a.nmconnection", "Wired connection 1", ".hidden", "a.nmconnection~", "a.bak", "a.dpkg-old",
               "a.nmconnection.rpmnew", "Hotspot.Q8ZL1A")}
    assert wanted == {"a.nmconnection": True, "Wired connection 1": True, ".hidden": False,
                      "a.nmconnection~": False, "a.bak": False, "a.dpkg-old": False,
                      "a.nmconnection.rpmnew": False, "Hotspot.Q8ZL1A": False}
    assert nc.nm_keyfile_wanted("legacy", True) is False


# --- ifupdown ------------------------------------------------------------------------------------

def test_ifupdown_main_file_and_includes():
    conf, includes = nc.parse_ifupdown("/etc/network/interfaces", text("ifupdown/interfaces"))
    f = "/etc/network/interfaces"
    assert includes == (nc.Include("source", "/etc/network/interfaces.d/*"),
                        nc.Include("source-directory", "/etc/network/interfaces.d"))
    assert ifaces(conf) == {
        ("lo", "loopback", "", (), "", (), False, f"{f}:8"),
        ("eno1", "ethernet", "", ("10.88.0.2/24",), "", (), False, f"{f}:12"),
        ("eno2", "ethernet", "", (), "", (), True, f"{f}:21"),
    }
    assert routes(conf) == {
        ("10.88.0.0/24 dev eno1 table main", f"{f}:13"),
        ("10.0.0.0/8 via 10.88.0.1 dev eno1 table main", f"{f}:16"),
        ("172.16.0.0/12 via 10.88.0.1 dev eno1 table main", f"{f}:17"),
        ("default via dhcp dev eno2 table main", f"{f}:21"),
        ("default via ra dev eno2 table main", f"{f}:22"),
    }
    assert conf.resolvers == (Resolver("10.88.0.53", f"{f}:15", "eno1"), Resolver("114.114.114.114", f"{f}:15", "eno1"))


def test_ifupdown_bridge_with_forwarding_nat_and_continued_line():
    f = "/etc/network/interfaces.d/br0"
    conf, _ = nc.parse_ifupdown(f, text("ifupdown/interfaces.d/br0"))
    assert ifaces(conf) == {("br0", "bridge", "", ("192.168.10.1/24",), "", ("eno1", "eno3"), False, f"{f}:2")}
    assert routes(conf) == {("192.168.10.0/24 dev br0 table main", f"{f}:3"),
                            ("default via 2001:db8::1 dev br0 table main", f"{f}:8")}
    assert conf.forwarding == (ForwardingSetting(4, "all", True, f"{f}:6"),)
    assert conf.nat == (NatRule("iptables -t nat -A POSTROUTING -s 192.168.10.0/24 -o eno2 -j MASQUERADE", "nat",
                                "POSTROUTING", "masquerade", f"{f}:7"),)


def test_ifupdown_wireless_and_ppp_without_secrets():
    conf, _ = nc.parse_ifupdown("/w", text("ifupdown/interfaces.d/wlan0"))
    assert ifaces(conf) == {("wlan0", "wireless", "", (), "", (), True, "/w:2")}
    assert "wlan-psk-secret" not in all_text(conf)
    conf, _ = nc.parse_ifupdown("/p", text("ifupdown/interfaces.d/ppp0"))
    assert ifaces(conf) == {("dsl-provider", "ppp", "", (), "", (), False, "/p:2")}


def test_ifupdown_option_outside_stanza_raises():
    with pytest.raises(nc.ConfigError) as exc:
        nc.parse_ifupdown("/etc/network/interfaces", text("ifupdown/bad-interfaces"))
    assert exc.value.path == "/etc/network/interfaces:1"
    with pytest.raises(nc.ConfigError):
        nc.parse_ifupdown("/i", "iface eth0 inet\n")


# --- wireless, hotspot, dial-up, VPN ------------------------------------------------------------

def test_wpa_supplicant_names_interface_and_finds_ap_mode():
    p = "/etc/wpa_supplicant/wpa_supplicant-wlan0.conf"
    conf = nc.parse_wpa_supplicant(p, text("misc/wpa_supplicant-wlan0.conf"))
    assert ifaces(conf) == {("wlan0", "wireless", "", (), "", (), False, f"{p}:5")}
    assert conf.interfaces[0].why == (("wpa_supplicant", "2 network(s): Hospital-Guest, Ward-AP"),)
    assert conf.shared == (SharedConnection("Ward-AP", "wpa_supplicant mode=2 (AP)", "wlan0", f"{p}:11"),)
    assert "secret" not in all_text(conf)
    assert nc.parse_wpa_supplicant("/etc/wpa_supplicant/wpa_supplicant.conf", text("misc/wpa_supplicant.conf")) \
        == nc.NetConfig()
    assert nc.wpa_interface_name("/etc/wpa_supplicant/wpa_supplicant.conf") == "wlan (wpa_supplicant)"
    assert nc.wpa_interface_name("/x/wpa_supplicant-nl80211-wlp3s0.conf") == "wlp3s0"
    with pytest.raises(nc.ConfigError):
        nc.parse_wpa_supplicant("/x.conf", "network={\n ssid=\"a\"\n")


def test_hostapd_is_a_wireless_bridge_port_and_a_shared_connection():
    p = "/etc/hostapd/hostapd.conf"
    conf = nc.parse_hostapd(p, text("misc/hostapd.conf"))
    assert ifaces(conf) == {("wlan1", "wireless", "", (), "br0", (), False, f"{p}:2")}
    assert conf.shared == (SharedConnection("Ward-PC-AP", "hostapd", "wlan1", f"{p}:2"),)
    assert "secret" not in all_text(conf)


def test_ppp_peer_with_defaultroute():
    p = "/etc/ppp/peers/chinanet-3g"
    conf = nc.parse_ppp_peer(p, text("misc/chinanet-3g"))
    assert ifaces(conf) == {("ppp (peer chinanet-3g)", "ppp", "", (), "", (), False, f"{p}:2")}
    assert conf.interfaces[0].why == (("ppp peer", "chinanet-3g"), ("device", "/dev/ttyUSB0"))
    assert routes(conf) == {("default via peer dev ppp (peer chinanet-3g) table main", f"{p}:8")}
    # the ppp package's unedited template cannot dial: not reported
    assert nc.parse_ppp_peer("/etc/ppp/peers/provider", text("misc/provider")) == nc.NetConfig()
    conf = nc.parse_ppp_peer("/etc/ppp/peers/vpn", 'pty "pptp 203.0.113.9 --nolaunchpppd"\nunit 7\n')
    assert {(i.name, i.kind) for i in conf.interfaces} == {("ppp7", "vpn")}
    assert conf.routes == ()


def test_wireguard_auto_table_full_tunnel_and_table_off():
    p = "/etc/wireguard/wg0.conf"
    conf = nc.parse_wireguard(p, text("misc/wg0.conf"))
    assert ifaces(conf) == {("wg0", "vpn", "", ("10.66.0.2/32", "fd00:66::2/128"), "", (), False, f"{p}:3")}
    assert {(str(r.dst), r.table, r.source) for r in conf.routes} == {
        ("0.0.0.0/0", "51820", f"{p}:11"), ("::/0", "51820", f"{p}:11")}
    assert {(r.family, r.table, r.selector) for r in conf.rules} == {
        (4, "51820", "not from all fwmark 0xca6c"), (6, "51820", "not from all fwmark 0xca6c")}
    assert conf.resolvers == (Resolver("10.66.0.1", f"{p}:5", "wg0"), Resolver("223.5.5.5", f"{p}:5", "wg0"))
    for secret in ("yAnz5TF", "/UwcSPg38hW"):
        assert secret not in all_text(conf)
    off = nc.parse_wireguard("/etc/wireguard/wg1.conf", text("misc/wg1.conf"))
    assert off.routes == () and off.rules == ()
    assert [i.name for i in off.interfaces] == ["wg1"]


def test_openvpn_client_redirect_gateway_and_server_mode():
    p = "/etc/openvpn/client/client.conf"
    conf = nc.parse_openvpn(p, text("misc/client.conf"))
    name = "tun (openvpn client)"
    assert ifaces(conf) == {(name, "vpn", "", (), "", (), False, f"{p}:5")}
    assert routes(conf) == {(f"198.51.100.0/24 via vpn dev {name} table main", f"{p}:14"),
                            (f"0.0.0.0/1 via vpn dev {name} table main", f"{p}:12"),
                            (f"128.0.0.0/1 via vpn dev {name} table main", f"{p}:12")}
    assert conf.resolvers == (Resolver("8.8.8.8", f"{p}:13", name),)
    assert conf.shared == ()
    assert "MIIEvQ" not in all_text(conf)
    server = nc.parse_openvpn("/etc/openvpn/server/server.conf", text("misc/server.conf"))
    assert server.shared == (SharedConnection("server", "openvpn server", "tun0", "/etc/openvpn/server/server.conf:4"),)
    assert server.routes == ()  # a pushed redirect-gateway is for the clients


# --- systemd-networkd ----------------------------------------------------------------------------

def test_networkd_network_and_netdev():
    p = "/etc/systemd/network/20-wired.network"
    conf = nc.parse_networkd_network(p, text("misc/20-wired.network"))
    assert ifaces(conf) == {("enp3s0", "ethernet", "", (), "", (), True, f"{p}:2")}
    assert routes(conf) == {("203.0.113.0/24 via 10.1.1.1 dev enp3s0 table 300", f"{p}:13"),
                            ("default via dhcp dev enp3s0 table main", f"{p}:5")}
    assert conf.rules == (Rule(500, "table", "300", 300, "from 10.1.1.0/24", 4, f"{p}:18"),)
    assert conf.resolvers == (Resolver("119.29.29.29", f"{p}:6", "enp3s0"),)
    assert conf.nat == (NatRule("IPMasquerade=ipv4", "systemd-networkd", "enp3s0", "masquerade", f"{p}:7"),)
    assert conf.forwarding == (ForwardingSetting(4, "all", True, f"{p}:7 (IPMasquerade= enables forwarding)"),)
    w = "/etc/systemd/network/25-wlan.network"
    wlan = nc.parse_networkd_network(w, text("misc/25-wlan.network"))
    assert {(i.name, i.kind, i.dhcp) for i in wlan.interfaces} == {("25-wlan.network", "wireless", True)}
    assert routes(wlan) == {("default via ra dev 25-wlan.network table main", f"{w}:5")}  # UseRoutes=false
    netdev = nc.parse_networkd_netdev("/n", text("misc/br-ward.netdev"))
    assert {(i.name, i.kind) for i in netdev.interfaces} == {("br-ward", "bridge")}
    # systemd's config_parse(): "Assignment outside of section. Ignoring." — a note, not a refusal
    # (issue 10 bug 5: be exactly as lenient as the owner).
    outside = nc.parse_networkd_network("/x.network", "Name=eth0\n")
    assert outside.interfaces == () and [n.source for n in outside.notes] == ["/x.network:1"]


# --- resolvers, sysctl, NAT ----------------------------------------------------------------------

def test_resolv_conf():
    body = "# generated\nsearch ybj.example\nnameserver 10.88.0.53\n; old\nnameserver  223.5.5.5 \noptions edns0\n"
    assert parse_resolv_conf(body, "/etc/resolv.conf") == (
        Resolver("10.88.0.53", "/etc/resolv.conf:3"), Resolver("223.5.5.5", "/etc/resolv.conf:5"))
    assert parse_resolv_conf("# nothing\n", "/etc/resolv.conf") == ()


def test_resolved_conf_lists_ports_names_and_reset():
    main = ("/etc/systemd/resolved.conf", text("misc/resolved.conf"))
    drop = ("/etc/systemd/resolved.conf.d/50-ybj.conf", text("misc/resolved-dropin.conf"))
    assert nc.parse_resolved_conf([main]) == (
        Resolver("10.88.0.53", "/etc/systemd/resolved.conf:16"), Resolver("10.88.0.54", "/etc/systemd/resolved.conf:16"),
        Resolver("223.5.5.5", "/etc/systemd/resolved.conf:18"), Resolver("2400:3200::1", "/etc/systemd/resolved.conf:18"))
    assert nc.parse_resolved_conf([main, drop]) == (
        Resolver("10.88.0.55", "/etc/systemd/resolved.conf.d/50-ybj.conf:3"),
        Resolver("223.5.5.5", "/etc/systemd/resolved.conf:18"), Resolver("2400:3200::1", "/etc/systemd/resolved.conf:18"))


def test_sysctl_forwarding_keys_and_precedence():
    assert nc.parse_sysctl("/etc/sysctl.conf", text("misc/sysctl.conf")) == ()
    p = "/etc/sysctl.d/99-router.conf"
    got = nc.parse_sysctl(p, text("misc/99-router.conf"))
    assert got == (ForwardingSetting(4, "all", True, f"{p}:2"), ForwardingSetting(4, "eno1.100", True, f"{p}:3"),
                   ForwardingSetting(6, "all", True, f"{p}:4"))
    assert nc.forwarding_key("net.ipv4.conf.eth0/100.forwarding") == (4, "eth0.100")
    assert nc.forwarding_key("net/ipv6/conf/default/forwarding") == (6, "default")
    assert nc.forwarding_key("net.ipv4.conf.all.rp_filter") is None
    later_off = got + (ForwardingSetting(4, "all", False, "/etc/sysctl.conf:9"),)
    assert nc.effective_forwarding(later_off).settings == (
        ForwardingSetting(4, "all", False, "/etc/sysctl.conf:9"), ForwardingSetting(4, "eno1.100", True, f"{p}:3"),
        ForwardingSetting(6, "all", True, f"{p}:4"))
    assert nc.effective_forwarding(()).settings == (ForwardingSetting(4, "all", False, "kernel default"),
                                                    ForwardingSetting(6, "all", False, "kernel default"))


def test_iptables_save_nat_rules_only_from_nat_table():
    p = "/etc/iptables/rules.v4"
    assert nc.parse_iptables_save(p, text("misc/rules.v4")) == (
        NatRule("-A PREROUTING -i eno2 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.88.0.10:80", "nat",
                "PREROUTING", "dnat", f"{p}:15"),
        NatRule("-A POSTROUTING -s 192.168.10.0/24 -o eno1 -j MASQUERADE", "nat", "POSTROUTING", "masquerade", f"{p}:16"),
        NatRule("-A POSTROUTING -s 192.168.11.0/24 -o eno1 -j SNAT --to-source 10.88.0.2", "nat", "POSTROUTING",
                "snat", f"{p}:17"))
    assert nc.parse_iptables_save(p, text("misc/rules.v4.clean")) == ()
    u = "/etc/ufw/before.rules"
    assert nc.parse_iptables_save(u, text("misc/before.rules")) == (
        NatRule("-A POSTROUTING -s 192.168.30.0/24 -o eno2 -j MASQUERADE", "nat", "POSTROUTING", "masquerade", f"{u}:15"),)


def test_nftables_nat_statements_tables_chains_and_includes():
    p = "/etc/nftables.conf"
    rules, includes = nc.parse_nftables(p, text("misc/nftables.conf"))
    assert rules == (
        NatRule('iifname "eno2" tcp dport 8443 dnat to 10.88.0.10:443', "ip nat", "prerouting", "dnat", f"{p}:26"),
        NatRule('ip saddr @ward_nets oifname "eno1" masquerade comment "masquerade the ward"', "ip nat",
                "postrouting", "masquerade", f"{p}:30"))
    assert includes == ("nftables.d/*.nft",)
    assert nc.parse_nftables(p, text("debian12/nftables.conf")) == ((), ())  # the nftables package default
    rules, _ = nc.parse_nftables("/x.nft", text("misc/nftables.d/10-extra.nft"))
    assert rules == (NatRule('add rule ip extra post oifname "wwan0" snat to 192.0.2.9', "ip extra", "post", "snat",
                             "/x.nft:3"),)


def test_firewalld_zone_masquerade_and_forward_to_another_host():
    p = "/etc/firewalld/zones/public.xml"
    assert nc.parse_firewalld_zone(p, text("misc/firewalld-public.xml")) == (
        NatRule("<masquerade/>", "firewalld", "public.xml", "masquerade", f"{p}:5"),
        NatRule('<forward-port port="8080" protocol="tcp" to-port="80" to-addr="10.88.0.10"/>', "firewalld",
                "public.xml", "dnat", f"{p}:6"))


def test_shell_commands_in_rc_local():
    p = "/etc/rc.local"
    conf = nc.parse_commands(p, list(logical_lines(text("misc/rc.local"))))
    assert conf.forwarding == (ForwardingSetting(4, "all", True, f"{p}:3"),)
    assert conf.nat == (NatRule("iptables -t nat -A POSTROUTING -o wwan0 -j MASQUERADE", "nat", "POSTROUTING",
                                "masquerade", f"{p}:4"),)
    assert conf.rules == (Rule(400, "table", "40", 40, "from 192.168.40.0/24", 4, f"{p}:5"),)
    assert routes(conf) == {("default via 192.168.40.1 table 40", f"{p}:5")}


def test_redact_blanks_secret_values():
    assert nc.redact("wpa-psk s3cret") == "wpa-psk <redacted>"
    assert nc.redact('psk="two words"') == "psk=<redacted>"
    assert nc.redact("PrivateKey = abc=") == "PrivateKey = <redacted>"
    assert nc.redact("ssid=Ward") == "ssid=Ward"


def test_kind_from_name_hints():
    got = {n: nc.kind_from_name(n)[0] for n in ("wlp2s0", "wwan0", "ppp0", "wg0", "tun1", "usb0", "eno1", "eth0.100",
                                                "lo")}
    assert got == {"wlp2s0": "wireless", "wwan0": "cellular", "ppp0": "ppp", "wg0": "vpn", "tun1": "vpn",
                   "usb0": "usb-tether", "eno1": "ethernet", "eth0.100": "vlan", "lo": "loopback"}


def test_connected_route_skips_host_and_link_local_addresses():
    from ybguard.facts.network import Address
    assert nc.connected_route(Address(ipaddress.ip_address("10.0.0.1"), 32), "x", "s") is None
    assert nc.connected_route(Address(ipaddress.ip_address("fe80::1"), 64), "x", "s") is None
    r = nc.connected_route(Address(ipaddress.ip_address("203.0.113.9"), 24), "eth0", "s")
    assert r is not None and (str(r.dst), r.dev, r.protocol, r.configured) == ("203.0.113.0/24", "eth0", "kernel", True)


def test_firewalld_direct_nat_rule():
    p = "/etc/firewalld/direct.xml"
    assert nc.parse_firewalld_zone(p, text("misc/firewalld-direct.xml")) == (
        NatRule('<rule ipv="ipv4" table="nat" chain="POSTROUTING" priority="0">-o wwan0 -j MASQUERADE</rule>', "nat",
                "POSTROUTING", "masquerade", f"{p}:4"),)


def test_hook_commands_that_load_rule_files():
    lines = [(1, "iptables-restore < /etc/iptables.up.rules"), (2, "/sbin/ip6tables-restore -n /etc/ip6.rules"),
             (3, "nft -f /etc/nft-ward.conf"), (4, "iptables-restore relative.rules")]
    assert nc.parse_commands("/etc/network/interfaces", lines).rule_files == (
        ("iptables", "/etc/iptables.up.rules"), ("iptables", "/etc/ip6.rules"), ("nft", "/etc/nft-ward.conf"))


def test_nm_legacy_semicolon_addresses_and_routes():
    kf = nc.parse_keyfile("/etc/NetworkManager/system-connections/old", "[connection]\nid=old\ntype=802-3-ethernet\n"
                          "interface-name=eth0\n[ipv4]\nmethod=manual\naddresses1=192.0.2.5;24;192.0.2.1;\n"
                          "routes1=198.51.100.0;24;192.0.2.254;10;\n[ipv6]\nmethod=ignore\n")
    conf = nc.parse_nm_profiles([kf])
    assert [str(a) for a in conf.interfaces[0].addresses] == ["192.0.2.5/24"]
    assert {(r.describe(), r.metric) for r in conf.routes} == {
        ("192.0.2.0/24 dev eth0 table main", None), ("default via 192.0.2.1 dev eth0 table main", None),
        ("198.51.100.0/24 via 192.0.2.254 dev eth0 table main", 10)}


def test_link_ports_fills_both_sides_by_name():
    from ybguard.facts.network import Interface
    got = nc.link_ports([Interface("br0", "bridge", ports=("eno1",)), Interface("eno1", "ethernet"),
                         Interface("wlan1", "wireless", master="br0"), Interface("br1", "bridge"),
                         Interface("eth5", "ethernet", master="br1")])
    assert [(i.name, i.master, i.ports) for i in got] == [
        ("br0", "", ("eno1", "wlan1")), ("eno1", "br0", ()), ("wlan1", "br0", ()), ("br1", "", ("eth5",)),
        ("eth5", "br1", ())]


def test_ifupdown_repeated_address_and_dns_lines():
    body = ("iface eno1 inet static\n address 10.88.0.2/24\n address 203.0.113.5/24\n dns-nameservers 10.88.0.53\n"
            " dns-nameservers 8.8.8.8\n")
    conf, _ = nc.parse_ifupdown("/i", body)
    assert [str(a) for a in conf.interfaces[0].addresses] == ["10.88.0.2/24", "203.0.113.5/24"]
    assert routes(conf) == {("10.88.0.0/24 dev eno1 table main", "/i:2"), ("203.0.113.0/24 dev eno1 table main", "/i:3")}
    assert [(r.address, r.source) for r in conf.resolvers] == [("10.88.0.53", "/i:4"), ("8.8.8.8", "/i:5")]


def test_bridge_ports_all_means_every_ethernet_interface():
    conf, _ = nc.parse_ifupdown("/i", "iface eno1 inet manual\niface wlan0 inet manual\n wpa-ssid x\n"
                                      "iface br0 inet dhcp\n bridge_ports all\n")
    got = {(i.name, i.master, i.ports) for i in nc.link_ports(conf.interfaces)}
    assert got == {("eno1", "br0", ()), ("wlan0", "", ()), ("br0", "", ("eno1",))}


def test_dnsmasq_upstream_servers():
    p = "/etc/dnsmasq.conf"
    assert parse_dnsmasq_servers(text("misc/dnsmasq.conf"), p) == (
        Resolver("10.88.0.53", f"{p}:12"), Resolver("223.5.5.5", f"{p}:14"), Resolver("2400:3200::1", f"{p}:15", "wlan0"))


def test_merge_devices_joins_one_device_and_keeps_different_kinds_apart():
    from ybguard.facts.network import Address, Interface
    a = Address(ipaddress.ip_address("10.88.0.2"), 24)
    got = nc.merge_devices([
        Interface("eno1", "ethernet", addresses=(a,), source="/etc/netplan/01.yaml:6", configured=True),
        Interface("eno1", "ethernet", mac="52:54:00:ab:cd:01", dhcp=True, source="/etc/network/interfaces:12",
                  addresses=(a,), configured=True),
        Interface("eno1", "ethernet", source="/etc/netplan/01.yaml:6", configured=True),
        Interface("usb0", "usb-tether", source="/a"), Interface("usb0", "ethernet", source="/b")])
    assert [(i.name, i.kind, i.mac, i.dhcp, len(i.addresses), i.source) for i in got] == [
        ("eno1", "ethernet", "52:54:00:ab:cd:01", True, 1, "/etc/netplan/01.yaml:6; /etc/network/interfaces:12"),
        ("usb0", "usb-tether", "", False, 0, "/a"), ("usb0", "ethernet", "", False, 0, "/b")]
