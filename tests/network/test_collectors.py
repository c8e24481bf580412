"""Collectors that read files through the Target, run on small root trees built here."""

from __future__ import annotations

from pathlib import Path

import pytest

from ybguard.collect import FactSet, ScanOptions
from ybguard.collect.netconfig.proxies import collect_proxies
from ybguard.collect.network import (
    LINUX,
    collect_forwarding_live,
    collect_resolvers,
    read_nm_shared,
)
from ybguard.collect.sockets import LINUX as SOCKETS
from ybguard.policy.schema import Policy
from ybguard.target.interface import Unsupported
from ybguard.target.linux import RootfsTarget


def write(root: Path, path: str, text: str) -> None:
    p = root / path.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def ctx_for(root: Path):  # type: ignore[no-untyped-def]
    return FactSet(RootfsTarget(str(root)), Policy(), ScanOptions(), {}).ctx


def test_resolvers_follow_the_systemd_stub(tmp_path: Path) -> None:
    write(tmp_path, "/run/systemd/resolve/stub-resolv.conf", "nameserver 127.0.0.53\noptions edns0\n")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/resolv.conf").symlink_to("/run/systemd/resolve/stub-resolv.conf")  # kept inside the root
    write(tmp_path, "/run/systemd/resolve/resolv.conf", "nameserver 10.50.0.53\nnameserver 114.114.114.114\n")
    write(tmp_path, "/run/systemd/resolve/netif/2", "SERVERS=223.5.5.5\n")
    write(tmp_path, "/sys/class/net/eth0/ifindex", "2\n")
    got = [(r.address, r.source, r.interface) for r in collect_resolvers(ctx_for(tmp_path))]
    assert got == [
        ("127.0.0.53", "/etc/resolv.conf:1", ""),
        ("10.50.0.53", "/run/systemd/resolve/resolv.conf:1", ""),
        ("114.114.114.114", "/run/systemd/resolve/resolv.conf:2", ""),
        ("223.5.5.5", "/run/systemd/resolve/netif/2", "eth0"),
    ]


def test_resolvers_plain_file_does_not_read_stub_state(tmp_path: Path) -> None:
    write(tmp_path, "/etc/resolv.conf", "nameserver 10.50.0.53\n")
    write(tmp_path, "/run/systemd/resolve/netif/2", "SERVERS=223.5.5.5\n")
    assert [r.address for r in collect_resolvers(ctx_for(tmp_path))] == ["10.50.0.53"]
    assert collect_resolvers(ctx_for(tmp_path / "empty")) == ()  # no resolv.conf: no resolver


def test_proxies_from_every_source(tmp_path: Path) -> None:
    write(tmp_path, "/etc/environment", "http_proxy=http://10.9.9.9:3128\n")
    write(tmp_path, "/etc/profile.d/proxy.sh", "export HTTPS_PROXY=http://10.9.9.9:3128\n")
    write(tmp_path, "/etc/profile.d/other.sh", "export EDITOR=vi\n")
    write(tmp_path, "/etc/apt/apt.conf.d/95proxy", 'Acquire::https::Proxy "http://10.9.9.9:3142";\n')
    write(tmp_path, "/etc/yum.conf", "[main]\nproxy=http://10.9.9.9:3128\n")
    write(tmp_path, "/etc/dconf/db/local.d/00-proxy", "[system/proxy]\nmode='auto'\nautoconfig-url='http://10.9.9.9/p.pac'\n")
    got = {(p.setting, p.source) for p in collect_proxies(ctx_for(tmp_path))}
    assert got == {
        ("http_proxy", "/etc/environment:1"),
        ("HTTPS_PROXY", "/etc/profile.d/proxy.sh:1"),
        ("Acquire::https::Proxy", "/etc/apt/apt.conf.d/95proxy:1"),
        ("proxy", "/etc/yum.conf:2"),
        ("org.gnome.system.proxy", "/etc/dconf/db/local.d/00-proxy"),
    }


def test_forwarding_from_proc_tree(tmp_path: Path) -> None:
    write(tmp_path, "/proc/sys/net/ipv4/ip_forward", "0\n")
    for scope, v4, v6 in (("all", "0", "1"), ("default", "0", "0"), ("eth0", "1", "0")):
        write(tmp_path, f"/proc/sys/net/ipv4/conf/{scope}/forwarding", v4 + "\n")
        write(tmp_path, f"/proc/sys/net/ipv6/conf/{scope}/forwarding", v6 + "\n")
    fwd = collect_forwarding_live(ctx_for(tmp_path))
    assert {(s.family, s.scope) for s in fwd.enabled()} == {(4, "eth0"), (6, "all")}


def test_forwarding_unreadable_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        collect_forwarding_live(ctx_for(tmp_path))


def test_nm_shared_profiles(tmp_path: Path) -> None:
    write(tmp_path, "/etc/NetworkManager/system-connections/Hotspot.nmconnection",
          "[connection]\nid=Hotspot\ninterface-name=wlan0\n[wifi]\nmode=ap\n[ipv4]\nmethod=shared\n")
    write(tmp_path, "/etc/NetworkManager/system-connections/yb.nmconnection",
          "[connection]\nid=yb\n[ipv4]\nmethod=manual\naddress1=10.88.0.2/30\n")
    got = {(s.name, s.how) for s in read_nm_shared(RootfsTarget(str(tmp_path)))}
    assert got == {("Hotspot", "ipv4.method=shared"), ("Hotspot", "wifi mode=ap")}


def test_live_only_collectors_refuse_offline_targets(tmp_path: Path) -> None:
    ctx = ctx_for(tmp_path)
    for key in ("network.interfaces", "network.routing", "network.nat", "network.shared"):
        with pytest.raises(Unsupported):
            LINUX[key](ctx)
    with pytest.raises(Unsupported):
        SOCKETS["network.sockets"](ctx)


def test_sockets_filtering_on_psutil_records() -> None:
    import socket
    from collections import namedtuple

    # the shape psutil.net_connections() documents (its own namedtuples move between versions)
    addr = namedtuple("addr", "ip port")
    sconn = namedtuple("sconn", "fd family type laddr raddr status pid")

    from ybguard.collect.sockets import sockets_from_psutil

    tcp, udp, v4, v6 = socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.AF_INET, socket.AF_INET6
    conns = [
        sconn(3, v4, tcp, addr("10.88.0.2", 4000), addr("192.168.77.1", 80), "ESTABLISHED", 100),
        sconn(4, v4, tcp, addr("0.0.0.0", 22), (), "LISTEN", 101),  # listening
        sconn(5, v4, tcp, addr("127.0.0.1", 4001), addr("127.0.0.1", 631), "ESTABLISHED", 100),  # loopback
        sconn(6, v4, tcp, addr("10.88.0.2", 4002), addr("192.168.77.1", 443), "ESTABLISHED", 999),  # the scanner
        sconn(7, v4, tcp, addr("10.88.0.2", 4003), addr("192.168.77.1", 443), "TIME_WAIT", None),  # closed
        sconn(8, v6, tcp, addr("::ffff:10.88.0.2", 4004), addr("::ffff:192.168.77.5", 8080), "SYN_SENT", 100),
        sconn(9, v4, udp, addr("10.88.0.2", 5353), addr("192.168.77.1", 53), "NONE", 100),  # connected UDP
        sconn(10, v4, udp, addr("0.0.0.0", 68), (), "NONE", 102),  # unconnected UDP
    ]
    got = [(s.proto, s.raddr, s.rport, s.status, s.pid, s.process)
           for s in sockets_from_psutil(conns, own_pid=999, procs={100: ("curl", "root", "/usr/bin/curl")})]
    assert got == [
        ("tcp", "192.168.77.1", 80, "ESTABLISHED", 100, "curl"),
        ("tcp", "192.168.77.5", 8080, "SYN_SENT", 100, "curl"),
        ("udp", "192.168.77.1", 53, "CONNECTED", 100, "curl"),
    ]


def test_local_dnsmasq_upstreams(tmp_path: Path) -> None:
    write(tmp_path, "/etc/resolv.conf", "nameserver 127.0.0.1\n")
    write(tmp_path, "/etc/dnsmasq.conf", "# upstreams\nserver=8.8.8.8\nno-resolv\n")
    write(tmp_path, "/etc/dnsmasq.d/yb.conf", "server=/yb.local/10.50.0.53#5353\nserver=114.114.114.114@eth1\n")
    got = [(r.address, r.source) for r in collect_resolvers(ctx_for(tmp_path))]
    assert got == [("127.0.0.1", "/etc/resolv.conf:1"), ("8.8.8.8", "/etc/dnsmasq.conf:2"),
                   ("10.50.0.53", "/etc/dnsmasq.d/yb.conf:1"), ("114.114.114.114", "/etc/dnsmasq.d/yb.conf:2")]


def test_networkmanager_profile_dns(tmp_path: Path) -> None:
    write(tmp_path, "/etc/resolv.conf", "nameserver 10.50.0.53\n")
    write(tmp_path, "/etc/NetworkManager/system-connections/wifi.nmconnection",
          "[connection]\nid=home\ninterface-name=wlan0\n[ipv4]\nmethod=auto\ndns=223.5.5.5;8.8.8.8;\n")
    got = [(r.address, r.source, r.interface) for r in collect_resolvers(ctx_for(tmp_path))]
    path = "/etc/NetworkManager/system-connections/wifi.nmconnection"
    assert got == [("10.50.0.53", "/etc/resolv.conf:1", ""), ("223.5.5.5", f"{path} [ipv4] dns", "wlan0"),
                   ("8.8.8.8", f"{path} [ipv4] dns", "wlan0")]
