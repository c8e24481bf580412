"""Collectors on image roots built in tmp_path and on a real debootstrap root, through RootfsTarget."""

from __future__ import annotations

import ipaddress
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict

import pytest

from ybguard.collect import FactSet, ScanOptions
from ybguard.collect.interface import FactError
from ybguard.collect.netconfig import OFFLINE, for_target
from ybguard.facts.network import ForwardingSetting, NatRule, Resolver, SharedConnection
from ybguard.policy.schema import LeasedLine, Policy
from ybguard.target import LiveLinuxTarget, RootfsTarget, Unsupported

DATA = Path(__file__).resolve().parent.parent / "data" / "netconfig"
NM = "/etc/NetworkManager/system-connections"


def install(root: Path, files: Dict[str, str]) -> Path:
    """Copy fixture files into an image root: {"/etc/x": "misc/x"} (a value starting "=" is literal text)."""
    for inner, src in files.items():
        dest = root / inner.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.startswith("="):
            dest.write_text(src[1:], encoding="utf-8")
        else:
            shutil.copyfile(DATA / src, dest)
    return root


def facts(root: Path) -> FactSet:
    return FactSet(RootfsTarget(str(root)), Policy(), ScanOptions(), OFFLINE)


def get(root: Path, key: str) -> Any:
    return facts(root).get(key)


FULL_IMAGE = {
    "/etc/netplan/01-leased-line.yaml": "netplan/01-leased-line.yaml",
    "/etc/netplan/60-wifi.yaml": "netplan/60-wifi.yaml",
    f"{NM}/Hotspot.nmconnection": "nm/Hotspot.nmconnection",
    f"{NM}/Hotspot.nmconnection~": "nm/broken.nmconnection",  # editor backup: NetworkManager ignores it
    "/etc/network/interfaces": "ifupdown/interfaces",
    "/etc/network/interfaces.d/wlan0": "ifupdown/interfaces.d/wlan0",
    "/etc/network/interfaces.d/br0": "ifupdown/interfaces.d/br0",
    "/etc/wpa_supplicant/wpa_supplicant-wlan0.conf": "misc/wpa_supplicant-wlan0.conf",
    "/etc/hostapd/hostapd.conf": "misc/hostapd.conf",
    "/etc/ppp/peers/provider": "misc/provider",
    "/etc/ppp/peers/chinanet-3g": "misc/chinanet-3g",
    "/etc/wireguard/wg0.conf": "misc/wg0.conf",
    "/etc/openvpn/client/client.conf": "misc/client.conf",
    "/etc/systemd/network/20-wired.network": "misc/20-wired.network",
    "/etc/resolv.conf": "=nameserver 10.88.0.53\nnameserver 114.114.114.114\n",
    "/etc/systemd/resolved.conf": "misc/resolved.conf",
    "/etc/sysctl.conf": "misc/sysctl.conf",
    "/usr/lib/sysctl.d/99-router.conf": "misc/99-router.conf",
    "/etc/iptables/rules.v4": "misc/rules.v4",
    "/etc/nftables.conf": "misc/nftables.conf",
    "/etc/nftables.d/10-extra.nft": "misc/nftables.d/10-extra.nft",
    "/etc/ufw/before.rules": "misc/before.rules",
    "/etc/rc.local": "misc/rc.local",
}


@pytest.fixture
def full_root(tmp_path: Path) -> Path:
    return install(tmp_path / "img", FULL_IMAGE)


def test_interfaces_from_every_source(full_root: Path):
    got = {(i.name, i.kind, i.source) for i in get(full_root, "network.interfaces")}
    # one record per kernel device (name and kind); its source lists every file that configures it
    assert got == {
        ("eno1", "ethernet", "/etc/netplan/01-leased-line.yaml:6; /etc/network/interfaces:12"),
        ("wlp2s0", "wireless", f"/etc/netplan/60-wifi.yaml:4; {NM}/Hotspot.nmconnection:4"),
        ("br0", "bridge", "/etc/netplan/60-wifi.yaml:13; /etc/network/interfaces.d/br0:2"),
        ("eno2", "ethernet", "/etc/netplan/60-wifi.yaml:32; /etc/network/interfaces:21"),
        ("cdc-wdm0", "cellular", "/etc/netplan/60-wifi.yaml:17"),
        ("wg0", "vpn", "/etc/netplan/60-wifi.yaml:21; /etc/wireguard/wg0.conf:3"),
        ("eno3", "ethernet", "/etc/netplan/60-wifi.yaml:33"),
        ("lo", "loopback", "/etc/network/interfaces:8"),
        ("wlan0", "wireless", "/etc/network/interfaces.d/wlan0:2; /etc/wpa_supplicant/wpa_supplicant-wlan0.conf:5"),
        ("enp3s0", "ethernet", "/etc/systemd/network/20-wired.network:2"),
        ("wlan1", "wireless", "/etc/hostapd/hostapd.conf:2"),
        ("tun (openvpn client)", "vpn", "/etc/openvpn/client/client.conf:5"),
        ("ppp (peer chinanet-3g)", "ppp", "/etc/ppp/peers/chinanet-3g:2"),
    }
    interfaces = get(full_root, "network.interfaces")
    assert all(i.configured and i.up is None for i in interfaces)
    by_name = {i.name: i for i in interfaces}
    # merged evidence: addresses of both tools, DHCP from either
    assert [str(a) for a in by_name["wg0"].addresses] == ["10.99.0.2/32", "10.66.0.2/32", "fd00:66::2/128"]
    assert (by_name["wlp2s0"].dhcp, by_name["eno2"].dhcp, by_name["eno1"].dhcp) == (True, True, False)
    # ports declared on either side are linked by name, across files: hostapd's bridge=br0 adds wlan1,
    # ifupdown's bridge_ports adds the leased line eno1.
    assert set(by_name["br0"].ports) == {"eno1", "eno2", "eno3", "wlan1"}
    assert {i.name for i in interfaces if i.master == "br0"} == {"eno1", "eno2", "eno3", "wlan1"}


def test_routing_holds_configured_routes_and_kernel_rules(full_root: Path):
    routing = get(full_root, "network.routing")
    assert routing.source == "saved configuration"
    defaults = {(r.describe(), r.source) for r in routing.routes if r.dst.prefixlen == 0}
    assert defaults == {
        ("default via dhcp dev wlp2s0 table main", "/etc/netplan/60-wifi.yaml:5"),
        ("default via dhcp dev cdc-wdm0 table main", "/etc/netplan/60-wifi.yaml:19"),
        ("default via 198.51.100.1 dev eno3 table main", "/etc/netplan/60-wifi.yaml:35"),
        ("default via 198.51.100.1 dev eno3 table 100", "/etc/netplan/60-wifi.yaml:41"),
        ("default via dhcp dev eno2 table main", "/etc/network/interfaces:21"),
        ("default via ra dev eno2 table main", "/etc/network/interfaces:22"),
        ("default via dhcp dev wlan0 table main", "/etc/network/interfaces.d/wlan0:2"),
        ("default via 2001:db8::1 dev br0 table main", "/etc/network/interfaces.d/br0:8"),
        ("default via dhcp dev enp3s0 table main", "/etc/systemd/network/20-wired.network:5"),
        ("default dev wg0 table 51820", "/etc/wireguard/wg0.conf:11"),
        ("default via peer dev ppp (peer chinanet-3g) table main", "/etc/ppp/peers/chinanet-3g:8"),
        ("default via 192.168.40.1 table 40", "/etc/rc.local:5"),
    }
    assert all(r.configured for r in routing.routes)
    rules = {(r.family, r.priority, r.table, r.selector, r.raw) for r in routing.rules}
    assert rules == {
        (4, 0, "local", "from all", "kernel default"), (4, 32766, "main", "from all", "kernel default"),
        (4, 32767, "default", "from all", "kernel default"), (6, 0, "local", "from all", "kernel default"),
        (6, 32766, "main", "from all", "kernel default"),
        (4, 1000, "100", "from 198.51.100.20", "/etc/netplan/60-wifi.yaml:37"),
        (4, 500, "300", "from 10.1.1.0/24", "/etc/systemd/network/20-wired.network:18"),
        (4, 32765, "51820", "not from all fwmark 0xca6c", "/etc/wireguard/wg0.conf:11 (wg-quick Table=auto)"),
        (6, 32765, "51820", "not from all fwmark 0xca6c", "/etc/wireguard/wg0.conf:11 (wg-quick Table=auto)"),
        (4, 400, "40", "from 192.168.40.0/24", "/etc/rc.local:5"),
    }


def test_shared_connections(full_root: Path):
    assert set(get(full_root, "network.shared")) == {
        SharedConnection("Ward-Hotspot", "wifi mode=ap", "wlp2s0", "/etc/netplan/60-wifi.yaml:9"),
        SharedConnection("Hotspot", "wifi mode=ap, ipv4.method=shared", "wlp2s0", f"{NM}/Hotspot.nmconnection:9"),
        SharedConnection("Ward-AP", "wpa_supplicant mode=2 (AP)", "wlan0",
                         "/etc/wpa_supplicant/wpa_supplicant-wlan0.conf:11"),
        SharedConnection("Ward-PC-AP", "hostapd", "wlan1", "/etc/hostapd/hostapd.conf:2"),
    }


def test_resolvers_from_every_source(full_root: Path):
    assert {(r.address, r.source) for r in get(full_root, "network.resolvers")} == {
        ("10.88.0.53", "/etc/resolv.conf:1"), ("114.114.114.114", "/etc/resolv.conf:2"),
        ("10.88.0.53", "/etc/systemd/resolved.conf:16"), ("10.88.0.54", "/etc/systemd/resolved.conf:16"),
        ("223.5.5.5", "/etc/systemd/resolved.conf:18"), ("2400:3200::1", "/etc/systemd/resolved.conf:18"),
        ("10.88.0.53", "/etc/netplan/01-leased-line.yaml:17"),
        ("10.88.0.53", "/etc/network/interfaces:15"), ("114.114.114.114", "/etc/network/interfaces:15"),
        ("119.29.29.29", "/etc/systemd/network/20-wired.network:6"),
        ("10.66.0.1", "/etc/wireguard/wg0.conf:5"), ("223.5.5.5", "/etc/wireguard/wg0.conf:5"),
        ("8.8.8.8", "/etc/openvpn/client/client.conf:13"),
    }


def test_forwarding_precedence_across_files(full_root: Path):
    settings = get(full_root, "network.forwarding").settings
    assert settings == (
        ForwardingSetting(4, "all", True, "/etc/rc.local:3"),
        ForwardingSetting(4, "eno1.100", True, "/usr/lib/sysctl.d/99-router.conf:3"),
        ForwardingSetting(6, "all", True, "/usr/lib/sysctl.d/99-router.conf:4"),
    )


def test_etc_sysctl_d_masks_the_same_name_in_usr_lib(tmp_path: Path):
    root = install(tmp_path / "img", {"/usr/lib/sysctl.d/99-router.conf": "misc/99-router.conf",
                                      "/etc/sysctl.d/99-router.conf": "=# disabled by the hospital\n",
                                      "/etc/sysctl.d/10-off.conf": "=net.ipv4.ip_forward = 0\n"})
    assert get(root, "network.forwarding").settings == (
        ForwardingSetting(4, "all", False, "/etc/sysctl.d/10-off.conf:1"),
        ForwardingSetting(6, "all", False, "kernel default"))


def test_a_link_to_dev_null_masks_the_same_name_in_usr_lib(tmp_path: Path):
    """sysctl.d(5): a symlink to /dev/null in /etc disables the vendor file; it is no error."""
    root = install(tmp_path / "img", {"/usr/lib/sysctl.d/99-router.conf": "misc/99-router.conf"})
    (root / "etc/sysctl.d").mkdir(parents=True)
    os.symlink("/dev/null", root / "etc/sysctl.d/99-router.conf")
    assert get(root, "network.forwarding").enabled() == ()
    os.unlink(root / "etc/sysctl.d/99-router.conf")  # unmasked: the vendor file turns forwarding on
    assert get(root, "network.forwarding").enabled() != ()


def test_ufw_sysctl_only_when_ufw_is_enabled(tmp_path: Path):
    files = {"/etc/ufw/sysctl.conf": "=net/ipv4/ip_forward=1\n", "/etc/ufw/ufw.conf": "=ENABLED=no\n"}
    root = install(tmp_path / "a", files)
    assert get(root, "network.forwarding").enabled() == ()
    root = install(tmp_path / "b", {**files, "/etc/ufw/ufw.conf": "=# comment\nENABLED=yes\n"})
    assert get(root, "network.forwarding").enabled() == (ForwardingSetting(4, "all", True, "/etc/ufw/sysctl.conf:1"),)


def test_nat_from_saved_rules_nft_includes_ufw_and_scripts(full_root: Path):
    got = {(n.kind, n.table, n.chain, n.source) for n in get(full_root, "network.nat")}
    assert got == {
        ("dnat", "nat", "PREROUTING", "/etc/iptables/rules.v4:15"),
        ("masquerade", "nat", "POSTROUTING", "/etc/iptables/rules.v4:16"),
        ("snat", "nat", "POSTROUTING", "/etc/iptables/rules.v4:17"),
        ("masquerade", "nat", "POSTROUTING", "/etc/ufw/before.rules:15"),
        ("dnat", "ip nat", "prerouting", "/etc/nftables.conf:26"),
        ("masquerade", "ip nat", "postrouting", "/etc/nftables.conf:30"),
        ("snat", "ip extra", "post", "/etc/nftables.d/10-extra.nft:3"),
        ("masquerade", "nat", "POSTROUTING", "/etc/network/interfaces.d/br0:7"),
        ("masquerade", "systemd-networkd", "enp3s0", "/etc/systemd/network/20-wired.network:7"),
        ("masquerade", "nat", "POSTROUTING", "/etc/rc.local:4"),
    }


def test_an_empty_image_has_no_network_configuration(tmp_path: Path):
    root = tmp_path / "empty"
    (root / "etc").mkdir(parents=True)
    assert get(root, "network.interfaces") == ()
    assert get(root, "network.routing").routes == ()
    assert get(root, "network.shared") == ()
    assert get(root, "network.nat") == ()
    assert get(root, "network.resolvers") == ()
    assert get(root, "network.forwarding").enabled() == ()


def test_no_secret_reaches_any_fact(full_root: Path):
    fs = facts(full_root)
    dump = repr([fs.get(k) for k in OFFLINE])
    for secret in ("correct-horse-battery", "ap-secret-123", "SECRETprivatekey", "hotspot-psk-secret",
                   "wlan-psk-secret", "wpa-psk-secret", "ap-mode-secret", "hostapd-passphrase-secret",
                   "yAnz5TF", "/UwcSPg38hW", "MIIEvQ"):
        assert secret not in dump, secret


# --- fail closed -----------------------------------------------------------------------------------

def test_bad_netplan_makes_the_facts_errors_not_empty(tmp_path: Path):
    root = install(tmp_path / "img", {"/etc/netplan/50-bad.yaml": "netplan/bad-indent.yaml"})
    fs = facts(root)
    for key in ("network.interfaces", "network.routing", "network.resolvers", "network.shared"):
        with pytest.raises(FactError) as exc:
            fs.get(key)
        assert exc.value.key == "netconfig.bad_file"
        assert exc.value.args_map["path"].startswith("/etc/netplan/50-bad.yaml")


def test_broken_nm_profile_is_an_error(tmp_path: Path):
    root = install(tmp_path / "img", {f"{NM}/broken.nmconnection": "nm/broken.nmconnection"})
    with pytest.raises(FactError) as exc:
        get(root, "network.interfaces")
    assert exc.value.args_map["path"] == f"{NM}/broken.nmconnection:4"


def test_source_glob_reads_every_file_but_source_directory_filters_names(tmp_path: Path):
    files = {"/etc/network/interfaces.d/README.md": "ifupdown/interfaces.d/README.md",
             "/etc/network/interfaces.d/.hidden": "ifupdown/interfaces.d/.hidden",
             "/etc/network/interfaces.d/wlan0": "ifupdown/interfaces.d/wlan0"}
    root = install(tmp_path / "a", {**files, "/etc/network/interfaces": "=source-directory interfaces.d\n"})
    assert [(i.name, i.source) for i in get(root, "network.interfaces")] == [
        ("wlan0", "/etc/network/interfaces.d/wlan0:2")]
    # `source interfaces.d/*` takes README.md too, which ifup itself rejects: an error, not a guess
    root = install(tmp_path / "c", {"/etc/network/interfaces.d/.hidden": "ifupdown/interfaces.d/.hidden",
                                    "/etc/network/interfaces": "=source interfaces.d/*\n"})
    assert get(root, "network.interfaces") == ()  # a glob never matches a dot file
    root = install(tmp_path / "b", {**files, "/etc/network/interfaces": "=source interfaces.d/*\n"})
    with pytest.raises(FactError) as exc:
        get(root, "network.interfaces")
    assert exc.value.args_map["path"] == "/etc/network/interfaces.d/README.md:1"


def test_resolv_conf_link_into_run_falls_back_to_configuration(tmp_path: Path):
    root = install(tmp_path / "img", {"/etc/systemd/resolved.conf": "misc/resolved-dropin.conf"})
    os.symlink("../run/systemd/resolve/stub-resolv.conf", root / "etc/resolv.conf")
    assert get(root, "network.resolvers") == (Resolver("10.88.0.55", "/etc/systemd/resolved.conf:3"),)
    # if the image does hold the generated file, it is read (inside the image) and labelled so
    install(root, {"/run/systemd/resolve/stub-resolv.conf": "=nameserver 127.0.0.53\n"})
    assert get(root, "network.resolvers")[0] == Resolver(
        "127.0.0.53", "/etc/resolv.conf -> /run/systemd/resolve/stub-resolv.conf:1")


def test_resolv_conf_dangling_outside_run_is_an_error(tmp_path: Path):
    root = tmp_path / "img"
    (root / "etc").mkdir(parents=True)
    os.symlink("/mnt/config/resolv.conf", root / "etc/resolv.conf")
    with pytest.raises(FactError) as exc:
        get(root, "network.resolvers")
    assert (exc.value.key, exc.value.args_map) == ("netconfig.resolv_dangling", {"link": "/mnt/config/resolv.conf"})


# --- hostile links stay inside the image -----------------------------------------------------------

def test_hostile_relative_link_resolves_inside_the_image(tmp_path: Path):
    root = tmp_path / "img"
    (root / "etc").mkdir(parents=True)
    install(root, {"/etc/shadow": "=nameserver 192.0.2.66\n"})  # the image's own file, not the host's
    os.symlink("/etc/../../../../../../etc/shadow", root / "etc/resolv.conf")
    assert get(root, "network.resolvers") == (Resolver("192.0.2.66", "/etc/resolv.conf -> /etc/shadow:1"),)


def test_absolute_link_to_a_host_file_does_not_escape(tmp_path: Path):
    outside = tmp_path / "host-etc"
    outside.mkdir()
    (outside / "resolv.conf").write_text("nameserver 198.51.100.99\n")
    (outside / "01-escape.yaml").write_text("network:\n  wifis:\n    wlan9:\n      dhcp4: true\n")
    root = tmp_path / "img"
    (root / "etc/netplan").mkdir(parents=True)
    os.symlink(str(outside / "resolv.conf"), root / "etc/resolv.conf")
    os.symlink(str(outside / "01-escape.yaml"), root / "etc/netplan/01-escape.yaml")
    os.symlink("../../../host-etc/01-escape.yaml", root / "etc/netplan/02-escape.yaml")
    fs = facts(root)
    # the absolute link points at a path the image does not hold: unknown, so an error — never the host's file
    with pytest.raises(FactError):
        fs.get("network.resolvers")
    assert fs.get("network.interfaces") == ()
    assert "198.51.100.99" not in repr(fs._values) and "wlan9" not in repr(fs._values)


def test_symlink_loop_is_an_error(tmp_path: Path):
    root = tmp_path / "img"
    (root / "etc/netplan").mkdir(parents=True)
    os.symlink("b.yaml", root / "etc/netplan/a.yaml")
    os.symlink("a.yaml", root / "etc/netplan/b.yaml")
    with pytest.raises(OSError):
        get(root, "network.interfaces")


def test_ifupdown_source_loop_terminates(tmp_path: Path):
    root = install(tmp_path / "img", {
        "/etc/network/interfaces": "=source /etc/network/interfaces\nsource interfaces.d/*\n",
        "/etc/network/interfaces.d/a": "=source /etc/network/interfaces\niface wlan0 inet dhcp\n wpa-ssid x\n"})
    assert [(i.name, i.kind) for i in get(root, "network.interfaces")] == [("wlan0", "wireless")]


# --- dispatch ------------------------------------------------------------------------------------

def test_for_target_dispatches_by_target_kind(tmp_path: Path):
    calls = []

    def live(ctx):  # type: ignore[no-untyped-def]
        calls.append("live")
        return ("live",)

    def offline(ctx):  # type: ignore[no-untyped-def]
        calls.append("offline")
        return ("offline",)

    registry = {"network.interfaces": for_target(live, offline)}
    root = tmp_path / "img"
    root.mkdir()
    assert FactSet(RootfsTarget(str(root)), Policy(), ScanOptions(), registry).get("network.interfaces") == ("offline",)
    assert FactSet(LiveLinuxTarget(), Policy(), ScanOptions(), registry).get("network.interfaces") == ("live",)
    assert calls == ["offline", "live"]


def test_offline_sockets_stay_not_applicable(tmp_path: Path):
    """Offline collectors never fill live-only facts; require_live says why."""
    root = tmp_path / "img"
    root.mkdir()
    assert "network.sockets" not in OFFLINE
    with pytest.raises(Unsupported) as exc:
        RootfsTarget(str(root)).require_live()
    assert exc.value.key == "reason.offline"


# --- the real debootstrap root ---------------------------------------------------------------------

@pytest.mark.slow
def test_pristine_debian_root(debian_root_path: Path, tmp_path: Path):
    from debroot import clone_root

    root = clone_root(tmp_path / "root")
    fs = facts(root)
    assert fs.get("network.interfaces") == ()
    assert fs.get("network.shared") == ()
    assert fs.get("network.nat") == ()
    assert fs.get("network.forwarding").settings == (ForwardingSetting(4, "all", False, "kernel default"),
                                                     ForwardingSetting(6, "all", False, "kernel default"))
    expected = tuple(Resolver(w[1], f"/etc/resolv.conf:{n}") for n, w in
                     enumerate((line.split() for line in (root / "etc/resolv.conf").read_text().splitlines()), 1)
                     if len(w) >= 2 and w[0] == "nameserver")
    assert fs.get("network.resolvers") == expected
    rules = fs.get("network.routing").rules
    assert {(r.family, r.priority, r.table) for r in rules} == {(4, 0, "local"), (4, 32766, "main"),
                                                                 (4, 32767, "default"), (6, 0, "local"),
                                                                 (6, 32766, "main")}


@pytest.mark.slow
def test_debian_root_with_wifi_hotspot_and_router_settings(debian_root_path: Path, tmp_path: Path):
    from debroot import clone_root

    root = clone_root(tmp_path / "root")
    install(root, {
        "/etc/netplan/01-leased-line.yaml": "netplan/01-leased-line.yaml",
        "/etc/netplan/60-wifi.yaml": "=network:\n  version: 2\n  wifis:\n    wlp2s0:\n      dhcp4: true\n"
                                     "      access-points:\n        \"Hospital-Guest\":\n          password: \"x-secret\"\n",
        f"{NM}/Hotspot.nmconnection": "nm/Hotspot.nmconnection",
        "/etc/sysctl.d/99-router.conf": "misc/99-router.conf",
        "/etc/nftables.conf": "misc/nftables.conf",
    })
    (root / "etc/resolv.conf").unlink()
    os.symlink("../run/systemd/resolve/stub-resolv.conf", root / "etc/resolv.conf")
    (root / f"{NM.lstrip('/')}/Hotspot.nmconnection").chmod(0o600)
    fs = facts(root)
    assert {(i.name, i.kind, i.source) for i in fs.get("network.interfaces")} == {
        ("eno1", "ethernet", "/etc/netplan/01-leased-line.yaml:6"),
        ("wlp2s0", "wireless", f"/etc/netplan/60-wifi.yaml:4; {NM}/Hotspot.nmconnection:4"),
    }
    assert {r.describe() for r in fs.get("network.routing").routes if r.dst.prefixlen == 0} == {
        "default via dhcp dev wlp2s0 table main"}
    assert fs.get("network.shared") == (
        SharedConnection("Hotspot", "wifi mode=ap, ipv4.method=shared", "wlp2s0", f"{NM}/Hotspot.nmconnection:9"),)
    assert fs.get("network.forwarding").enabled() == (
        ForwardingSetting(4, "all", True, "/etc/sysctl.d/99-router.conf:2"),
        ForwardingSetting(4, "eno1.100", True, "/etc/sysctl.d/99-router.conf:3"),
        ForwardingSetting(6, "all", True, "/etc/sysctl.d/99-router.conf:4"))
    assert {n.kind for n in fs.get("network.nat")} == {"dnat", "masquerade"}
    assert fs.get("network.resolvers") == (Resolver("10.88.0.53", "/etc/netplan/01-leased-line.yaml:17", "eno1"),)
    assert "x-secret" not in repr([fs.get(k) for k in OFFLINE])
    assert all(isinstance(n, NatRule) for n in fs.get("network.nat"))


def test_each_scan_reads_the_image_again(tmp_path: Path):
    root = install(tmp_path / "img", {"/etc/netplan/01.yaml": "netplan/01-leased-line.yaml"})
    first = facts(root)
    assert [i.name for i in first.get("network.interfaces")] == ["eno1"]
    install(root, {"/etc/netplan/60-wifi.yaml": "=network:\n  wifis:\n    wlan0:\n      dhcp4: true\n"})
    assert [r.dev for r in first.get("network.routing").routes if r.dst.prefixlen == 0] == []  # same scan
    assert {i.name for i in facts(root).get("network.interfaces")} == {"eno1", "wlan0"}  # next scan


def test_rule_files_loaded_by_hooks_firewalld_and_resolvconf(tmp_path: Path):
    root = install(tmp_path / "img", {
        "/etc/network/interfaces": "=iface eno1 inet manual\n  pre-up iptables-restore < /etc/iptables.up.rules\n"
                                   "  pre-up iptables-restore < /etc/iptables/rules.v4\n  up nft -f /etc/nftables.conf\n",
        "/etc/iptables.up.rules": "misc/before.rules",
        "/etc/iptables/rules.v4": "misc/rules.v4",
        "/etc/nftables.conf": "misc/nftables.conf",
        "/etc/firewalld/zones/public.xml": "misc/firewalld-public.xml",
        "/etc/firewalld/direct.xml": "misc/firewalld-direct.xml",
        "/etc/resolvconf/resolv.conf.d/base": "misc/resolvconf-base",
    })
    got = [(n.kind, n.source) for n in get(root, "network.nat")]
    assert sorted(got) == sorted([
        ("dnat", "/etc/iptables/rules.v4:15"), ("masquerade", "/etc/iptables/rules.v4:16"),
        ("snat", "/etc/iptables/rules.v4:17"), ("masquerade", "/etc/iptables.up.rules:15"),
        ("dnat", "/etc/nftables.conf:26"), ("masquerade", "/etc/nftables.conf:30"),
        ("masquerade", "/etc/firewalld/zones/public.xml:5"), ("dnat", "/etc/firewalld/zones/public.xml:6"),
        ("masquerade", "/etc/firewalld/direct.xml:4"),
    ])  # each file once, though the hooks load rules.v4 and nftables.conf again
    assert get(root, "network.resolvers") == (Resolver("180.76.76.76", "/etc/resolvconf/resolv.conf.d/base:2"),)


@pytest.mark.parametrize("inner, body", [
    ("/etc/netplan/01.yaml", "=network:\n  ethernets:\n    eth0:\n      routes:\n        - to: 10.0.0.0/8\n"
                             "          via: 10.88.0.1\n          metric: lots\n"),
    (f"{NM}/x.nmconnection", "=[connection]\nid=x\ntype=ethernet\n[ipv4]\nmethod=auto\nrouting-rule1=priority x table 5\n"),
    ("/etc/network/interfaces", "=iface eth0 inet manual\n  up ip rule add from 10.0.0.0/8 pref high table 5\n"),
])
def test_malformed_numbers_are_located_errors(tmp_path: Path, inner: str, body: str):
    root = install(tmp_path / "img", {inner: body})
    with pytest.raises(FactError) as exc:
        get(root, "network.routing")
    assert exc.value.key == "netconfig.bad_file"
    assert exc.value.args_map["path"].startswith(inner)


def test_dnsmasq_upstreams_behind_a_local_resolver(tmp_path: Path):
    root = install(tmp_path / "img", {"/etc/resolv.conf": "=nameserver 127.0.0.1\n",
                                      "/etc/dnsmasq.d/upstream.conf": "misc/dnsmasq.conf",
                                      "/etc/dnsmasq.d/.upstream.conf.swp": "=server=8.8.8.8\n"})
    assert [(r.address, r.source) for r in get(root, "network.resolvers")] == [
        ("127.0.0.1", "/etc/resolv.conf:1"), ("10.88.0.53", "/etc/dnsmasq.d/upstream.conf:12"),
        ("223.5.5.5", "/etc/dnsmasq.d/upstream.conf:14"), ("2400:3200::1", "/etc/dnsmasq.d/upstream.conf:15")]


STOCK = DATA / "systemd-stock"


def test_systemd_stock_units_do_not_count_on_a_physical_terminal(tmp_path: Path):
    """systemd's own container/VM-host units (captured from Debian 12) apply to nothing here."""
    files = {f"/usr/lib/systemd/network/{p.name}": f"systemd-stock/{p.name}" for p in STOCK.glob("*.network")}
    files["/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"] = "=enabled\n"
    root = install(tmp_path / "img", files)
    fs = facts(root)
    assert fs.get("network.interfaces") == ()
    assert fs.get("network.nat") == ()
    assert fs.get("network.shared") == ()
    assert fs.get("network.forwarding").enabled() == ()
    assert [r for r in fs.get("network.routing").routes if r.dst.prefixlen == 0] == []


def test_a_netdev_of_the_image_makes_the_matching_stock_unit_count(tmp_path: Path):
    root = install(tmp_path / "img", {
        "/usr/lib/systemd/network/80-vm-vt.network": "systemd-stock/80-vm-vt.network",
        "/etc/systemd/network/vt-ward.netdev": "=[NetDev]\nName=vt-ward\nKind=tun\n"})
    fs = facts(root)
    assert {(n.text, n.chain) for n in fs.get("network.nat")} == {("IPMasquerade=both", "vt-*")}
    assert {s.how for s in fs.get("network.shared")} == {"DHCPServer=yes"}
    assert {(s.family, s.enabled) for s in fs.get("network.forwarding").enabled()} == {(4, True), (6, True)}


def debian12_root(root: Path) -> Path:
    """The sysctl and nftables files of a real Debian 12 host, laid out as there."""
    install(root, {"/etc/nftables.conf": "debian12/nftables.conf", "/etc/sysctl.conf": "debian12/sysctl.conf",
                   "/etc/sysctl.d/README.sysctl": "debian12/README.sysctl",
                   "/usr/lib/sysctl.d/50-pid-max.conf": "debian12/50-pid-max.conf",
                   "/usr/lib/sysctl.d/99-protect-links.conf": "debian12/99-protect-links.conf"})
    os.symlink("../sysctl.conf", root / "etc/sysctl.d/99-sysctl.conf")
    return root


def test_debian12_defaults_forward_nothing(tmp_path: Path):
    fs = facts(debian12_root(tmp_path / "img"))
    assert fs.get("network.forwarding").settings == (ForwardingSetting(4, "all", False, "kernel default"),
                                                     ForwardingSetting(6, "all", False, "kernel default"))
    assert fs.get("network.nat") == ()


def test_debian12_sysctl_conf_with_forwarding_uncommented(tmp_path: Path):
    root = debian12_root(tmp_path / "img")
    conf = root / "etc/sysctl.conf"
    conf.write_text(conf.read_text().replace("#net.ipv4.ip_forward=1", "net.ipv4.ip_forward=1"))
    # read once, through the link systemd-sysctl follows (sysctl.d is read before /etc/sysctl.conf)
    assert get(root, "network.forwarding").enabled() == (
        ForwardingSetting(4, "all", True, "/etc/sysctl.d/99-sysctl.conf:28"),)


def test_partial_stop_rules_in_saved_commands_do_not_shadow_main(tmp_path: Path):
    """``ip rule add tun_id 5 unreachable`` only catches some packets; the rest still reach
    main and its gateway. Every ip-rule(8) selector keeps a saved rule partial."""
    from ybguard.checks.network import check_public_route

    body = ("=auto eth0\niface eth0 inet static\n  address 10.88.0.2/30\n  gateway 10.88.0.1\n"
            "  up ip rule add tun_id 5 prohibit prio 11\n"
            "  up ip rule add dscp 4 blackhole prio 12\n"
            "  up ip rule add flowlabel 0x1 blackhole prio 13\n"
            "  up ip rule add l3mdev unreachable prio 14\n")
    root = install(tmp_path / "img", {"/etc/network/interfaces": body})
    routing = get(root, "network.routing")
    assert {r.selector for r in routing.rules if r.priority in (11, 12, 13, 14)} == {
        "from all tun_id 5", "from all dscp 4", "from all flowlabel 0x1", "from all l3mdev"}
    got = {res.subject for res in check_public_route({"network.routing": routing}, Policy())}
    assert got == {"default via 10.88.0.1 dev eth0 table main"}


def test_iwd_known_networks_are_a_wireless_interface(tmp_path: Path):
    """iwd (the default Wi-Fi daemon of several distributions, and NetworkManager's optional
    backend) keeps each joined network as /var/lib/iwd/<SSID>.psk|.open|.8021x; hex-encoded
    names start with "=". A saved Wi-Fi network is a forbidden interface in an image."""
    from ybguard.checks.network import check_forbidden_interface

    root = install(tmp_path / "img", {
        "/var/lib/iwd/Hospital-Guest.psk": "=[Security]\nPassphrase=not-a-real-secret\n",
        "/var/lib/iwd/=e58cbbe999a2.open": "=[Settings]\nAutoConnect=true\n",
        "/var/lib/iwd/.hidden.psk~": "=editor backup\n",
    })
    ifaces = get(root, "network.interfaces")
    [wifi] = [i for i in ifaces if i.kind == "wireless"]
    assert wifi.name == "wlan (iwd)" and wifi.up is None and wifi.configured
    assert "Hospital-Guest" in dict(wifi.why)["iwd"] and "医院" in dict(wifi.why)["iwd"]
    assert "not-a-real-secret" not in repr(ifaces)
    got = {(r.subject, r.status.value) for r in check_forbidden_interface({"network.interfaces": ifaces}, Policy())}
    assert got == {("wlan (iwd)", "fail")}


NS = "/etc/sysconfig/network-scripts"


def test_ifcfg_rh_network_scripts(tmp_path: Path):
    """RHEL/CentOS, Kylin and openEuler keep interfaces as ifcfg-* shell files (NetworkManager's
    ifcfg-rh plugin, or the old network service). They were not read at all, so such an image
    with a Wi-Fi profile, a second NIC and a public gateway passed every network check."""
    from ybguard.checks.network import check_dual_homed, check_forbidden_interface, check_public_route

    root = install(tmp_path / "img", {
        f"{NS}/ifcfg-eth0": '=TYPE=Ethernet\nBOOTPROTO=none\nNAME=eth0\nDEVICE=eth0\nONBOOT=yes\n'
                            'IPADDR=10.88.0.2\nPREFIX=30\nDEFROUTE=no\nDNS1=10.50.0.53\n',
        f"{NS}/route-eth0": "=10.50.0.0/16 via 10.88.0.1 dev eth0\n",
        f"{NS}/ifcfg-eth1": '=TYPE="Ethernet"\nBOOTPROTO="static"\nDEVICE="eth1"\nONBOOT="yes"\n'
                            'IPADDR="192.168.1.23"\nNETMASK="255.255.255.0"\nGATEWAY="192.168.1.1"\n'
                            'DNS1="114.114.114.114"\nHWADDR=52:54:00:AB:CD:EF\n',
        f"{NS}/ifcfg-Hospital-Guest": "=ESSID=Hospital-Guest\nMODE=Managed\nTYPE=Wireless\nBOOTPROTO=dhcp\n"
                                      "ONBOOT=yes\nNAME=Hospital-Guest\n",
        f"{NS}/ifcfg-lo": "=DEVICE=lo\nIPADDR=127.0.0.1\nNETMASK=255.0.0.0\nONBOOT=yes\n",
        f"{NS}/ifcfg-eth1.bak": "=DEVICE=eth9\nIPADDR=203.0.113.9\nPREFIX=24\n",  # ignored like the scripts do
        f"{NS}/route-eth1": "=ADDRESS0=8.8.8.0\nNETMASK0=255.255.255.0\nGATEWAY0=192.168.1.254\n",
    })
    fs = facts(root)
    ifaces = fs.get("network.interfaces")
    by_name = {i.name: i for i in ifaces}
    assert set(by_name) == {"eth0", "eth1", "Hospital-Guest"}
    assert by_name["Hospital-Guest"].kind == "wireless" and by_name["Hospital-Guest"].dhcp
    assert [str(a) for a in by_name["eth1"].addresses] == ["192.168.1.23/24"]
    assert by_name["eth1"].mac == "52:54:00:ab:cd:ef"
    routing = fs.get("network.routing")
    assert {r.describe() for r in routing.routes if r.gateway} == {
        "default via 192.168.1.1 dev eth1 table main", "10.50.0.0/16 via 10.88.0.1 dev eth0 table main",
        "8.8.8.0/24 via 192.168.1.254 dev eth1 table main", "default via dhcp dev Hospital-Guest table main"}
    resolvers = {(r.address, r.source) for r in fs.get("network.resolvers")}
    assert resolvers >= {("10.50.0.53", f"{NS}/ifcfg-eth0:9"), ("114.114.114.114", f"{NS}/ifcfg-eth1:8")}
    policy = Policy(network=replace(Policy().network, leased_line=LeasedLine(("eth0",)),
                                    allowed_networks=(ipaddress.ip_network("10.50.0.0/16"),
                                                      ipaddress.ip_network("10.88.0.0/30"))))
    got = {r.subject for r in check_public_route({"network.routing": routing}, policy)}
    assert got == {"default via 192.168.1.1 dev eth1 table main", "8.8.8.0/24 via 192.168.1.254 dev eth1 table main",
                   "default via dhcp dev Hospital-Guest table main"}
    assert {r.subject for r in check_forbidden_interface({"network.interfaces": ifaces}, policy)} == {"Hospital-Guest"}
    assert {r.subject for r in check_dual_homed({"network.interfaces": ifaces}, policy)} == {"eth1", "Hospital-Guest"}


def test_ifcfg_global_gateway_in_sysconfig_network(tmp_path: Path):
    """initscripts also take the default gateway from /etc/sysconfig/network (GATEWAY, GATEWAYDEV)."""
    root = install(tmp_path / "img", {
        f"{NS}/ifcfg-eth0": "=DEVICE=eth0\nIPADDR=10.88.0.2\nPREFIX=30\n",
        "/etc/sysconfig/network": "=NETWORKING=yes\nHOSTNAME=yb-01\nGATEWAY=10.88.0.1\nGATEWAYDEV=eth0\n",
    })
    routing = get(root, "network.routing")
    assert {(r.describe(), r.source) for r in routing.routes if r.gateway} == {
        ("default via 10.88.0.1 dev eth0 table main", "/etc/sysconfig/network:3")}
