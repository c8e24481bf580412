"""The policy's BPF filter, compiled by the real libpcap/tcpdump and run on crafted packets.

Every crafted packet goes through tcpdump with the compiled filter (the kernel runs the same
bytecode) and through the Python twin used when no compiler is available; both must agree
with the expectation written next to the packet.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
from pathlib import Path
from typing import List, Tuple

import pytest

from ybguard.collect.capture import (
    build_bpf_filter,
    compile_bpf,
    make_classifier,
    parse_frame,
    parse_tcpdump_ddd,
)

ALLOWED = tuple(ipaddress.ip_network(n) for n in ("10.50.0.0/16", "10.88.0.0/30", "2001:db8:50::/48"))
TCPDUMP = shutil.which("tcpdump")
needs_tcpdump = pytest.mark.skipif(TCPDUMP is None, reason="tcpdump is not installed")


def ether_cases() -> List[Tuple[str, object, bool]]:
    """(name, frame, outside policy?)"""
    from scapy.layers.dhcp import BOOTP, DHCP
    from scapy.layers.inet import ICMP, IP, TCP, UDP
    from scapy.layers.inet6 import (
        ICMPv6EchoRequest,
        ICMPv6ND_NA,
        ICMPv6ND_NS,
        ICMPv6ND_RS,
        IPv6,
        IPv6ExtHdrFragment,
    )
    from scapy.layers.l2 import ARP, Dot1Q, Ether
    from scapy.packet import Raw

    e = Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")
    return [
        ("allowed udp both ends", e / IP(src="10.88.0.2", dst="10.50.0.1") / UDP(sport=40000, dport=9999), False),
        ("allowed tcp reply", e / IP(src="10.50.3.4", dst="10.88.0.2") / TCP(sport=443, dport=40000, flags="SA"), False),
        ("broadband to internet", e / IP(src="192.168.100.2", dst="198.51.100.10") / UDP(sport=40001, dport=9999), True),
        ("leased src, public dst", e / IP(src="10.88.0.2", dst="198.51.100.10") / TCP(sport=40002, dport=443), True),
        ("public src, leased dst", e / IP(src="198.51.100.10", dst="10.88.0.2") / TCP(sport=443, dport=40002), True),
        ("icmp to the lan", e / IP(src="192.168.100.2", dst="192.168.100.1") / ICMP(), True),
        ("arp", Ether(dst="ff:ff:ff:ff:ff:ff") / ARP(psrc="192.168.100.2", pdst="192.168.100.1"), False),
        ("dhcp discover", Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255")
         / UDP(sport=68, dport=67) / BOOTP() / DHCP(options=[("message-type", "discover"), "end"]), False),
        ("dhcp offer", e / IP(src="192.168.100.1", dst="192.168.100.2") / UDP(sport=67, dport=68) / BOOTP(), False),
        ("udp from port 67 to dns", e / IP(src="192.168.100.2", dst="198.51.100.53") / UDP(sport=67, dport=53), True),
        ("udp 68 to 68", e / IP(src="192.168.100.2", dst="198.51.100.53") / UDP(sport=68, dport=68), True),
        ("mdns link-local multicast", e / IP(src="192.168.100.2", dst="224.0.0.251") / UDP(sport=5353, dport=5353), False),
        ("ssdp site multicast", e / IP(src="192.168.100.2", dst="239.255.255.250") / UDP(sport=1900, dport=1900), True),
        ("limited broadcast netbios", e / IP(src="192.168.100.2", dst="192.168.100.255") / UDP(sport=137, dport=137), True),
        ("nd neighbour solicitation", e / IPv6(src="fe80::2", dst="ff02::1:ff00:1") / ICMPv6ND_NS(tgt="fe80::1"), False),
        ("nd neighbour advert unicast", e / IPv6(src="fe80::1", dst="fe80::2") / ICMPv6ND_NA(tgt="fe80::1"), False),
        ("router solicitation", e / IPv6(src="fe80::2", dst="ff02::2") / ICMPv6ND_RS(), False),
        ("icmp6 echo to public v6", e / IPv6(src="2001:db8:99::2", dst="2001:db8:99::1") / ICMPv6EchoRequest(), True),
        ("allowed v6 tcp", e / IPv6(src="2001:db8:50::1", dst="2001:db8:50:1::2") / TCP(sport=40000, dport=443), False),
        ("v6 leased to public", e / IPv6(src="2001:db8:50::1", dst="2001:db8:99::1") / TCP(sport=40000, dport=443), True),
        ("dhcpv6 solicit to server unicast", e / IPv6(src="fe80::2", dst="fe80::1") / UDP(sport=546, dport=547), False),
        ("v6 fragment to public", e / IPv6(src="2001:db8:50::1", dst="2001:db8:99::1") / IPv6ExtHdrFragment(offset=10, m=0)
         / Raw(b"x" * 16), True),
        ("allowed non-first v4 fragment", e / IP(src="10.88.0.2", dst="10.50.0.1", frag=100, proto=17) / Raw(b"y" * 16), False),
        ("public non-first v4 fragment", e / IP(src="192.168.100.2", dst="198.51.100.10", frag=100, proto=17)
         / Raw(b"z" * 16), True),
        ("loopback martian", e / IP(src="127.0.0.1", dst="127.0.0.1") / UDP(sport=1, dport=2), False),
        ("lldp", Ether(src="02:00:00:00:00:02", dst="01:80:c2:00:00:0e", type=0x88CC) / Raw(b"\x02\x07" + b"a" * 8), False),
        ("stp", Ether(src="02:00:00:00:00:02", dst="01:80:c2:00:00:00", type=0x0026) / Raw(b"\x42" * 38), False),
        ("pppoe discovery", Ether(src="02:00:00:00:00:02", dst="ff:ff:ff:ff:ff:ff", type=0x8863) / Raw(b"\x11\x09" + b"\0" * 20), True),
        ("802.1q tagged allowed pair", e / Dot1Q(vlan=10) / IP(src="10.88.0.2", dst="10.50.0.1") / UDP(sport=1, dport=2), True),
        ("unknown ethertype", Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01", type=0x88B5) / Raw(b"q" * 30), True),
    ]


def raw_cases() -> List[Tuple[str, object, bool]]:
    from scapy.layers.inet import IP, UDP
    from scapy.layers.inet6 import ICMPv6ND_NS, IPv6

    return [
        ("tun allowed", IP(src="10.88.0.2", dst="10.50.0.1") / UDP(sport=1, dport=2), False),
        ("tun public", IP(src="172.16.9.2", dst="203.0.113.5") / UDP(sport=1, dport=2), True),
        ("tun nd", IPv6(src="fe80::2", dst="ff02::1:ff00:1") / ICMPv6ND_NS(tgt="fe80::1"), False),
        ("tun v6 public", IPv6(src="2001:db8:99::2", dst="2001:db8:99::1") / UDP(sport=1, dport=2), True),
    ]


def _tcpdump_pass(tmp_path: Path, packets: list, expression: str, linktype: int) -> List[bool]:
    from scapy.utils import rdpcap, wrpcap

    src, dst = tmp_path / "in.pcap", tmp_path / "out.pcap"
    wrpcap(str(src), packets, linktype=linktype)
    proc = subprocess.run([TCPDUMP or "tcpdump", "-r", str(src), "-w", str(dst), expression],
                          capture_output=True, timeout=30)
    assert proc.returncode == 0, proc.stderr.decode()
    kept = {bytes(p) for p in rdpcap(str(dst))} if dst.stat().st_size > 24 else set()
    return [bytes(p) in kept for p in packets]


@needs_tcpdump
@pytest.mark.parametrize("linktype,pcap_linktype,cases", [("ethernet", 1, ether_cases), ("raw", 101, raw_cases)])
def test_filter_kernel_bytecode_and_python_twin_agree_with_expectations(tmp_path, linktype, pcap_linktype, cases):
    items = cases()
    packets = [p for _, p, _ in items]
    assert len({bytes(p) for p in packets}) == len(packets), "crafted packets must be distinct"
    expression = build_bpf_filter(ALLOWED, linktype)
    by_tcpdump = _tcpdump_pass(tmp_path, packets, expression, pcap_linktype)
    outside = make_classifier(ALLOWED, linktype)
    by_python = [outside(parse_frame(bytes(p), linktype)) for p in packets]
    expected = [want for _, _, want in items]
    names = [n for n, _, _ in items]
    assert dict(zip(names, by_tcpdump)) == dict(zip(names, expected))
    assert dict(zip(names, by_python)) == dict(zip(names, expected))


@needs_tcpdump
@pytest.mark.parametrize("linktype,flag", [("ethernet", "EN10MB"), ("raw", "RAW")])
def test_libpcap_and_tcpdump_compile_the_same_bytecode(linktype, flag):
    expression = build_bpf_filter(ALLOWED, linktype)
    out = subprocess.run([TCPDUMP or "tcpdump", "-y", flag, "-ddd", expression], capture_output=True, check=True)
    assert compile_bpf(expression, linktype) == parse_tcpdump_ddd(out.stdout.decode())


def test_filter_without_allowed_networks_still_compiles_and_lets_everything_ip_through():
    expression = build_bpf_filter((), "ethernet")
    assert "10.50" not in expression and "dst net ff02::/16" in expression
    bytecode = compile_bpf(expression, "ethernet")
    assert len(bytecode) % 8 == 0 and len(bytecode) > 8
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether

    pkt = Ether() / IP(src="10.88.0.2", dst="10.50.0.1") / UDP(sport=1, dport=2)
    assert make_classifier((), "ethernet")(parse_frame(bytes(pkt), "ethernet"))


def test_compile_error_names_the_compiler():
    with pytest.raises(RuntimeError) as info:
        compile_bpf("not ( this is not a filter", "ethernet")
    assert "libpcap" in str(info.value)


def test_parse_frame_reads_ports_after_ipv6_extension_headers_and_never_raises_on_junk():
    from scapy.layers.inet import UDP
    from scapy.layers.inet6 import IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop
    from scapy.layers.l2 import Ether

    pkt = Ether() / IPv6(src="2001:db8:99::2", dst="2001:db8:99::1") / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() \
        / UDP(sport=5000, dport=53)
    p = parse_frame(bytes(pkt), "ethernet")
    assert (p.proto, p.first_proto, p.sport, p.dport) == (17, 0, 5000, 53)
    for junk in (b"", b"\x00" * 5, b"\xff" * 14, bytes(pkt)[:20], b"\x45" + b"\x00" * 10):
        parse_frame(junk, "ethernet")
        parse_frame(junk, "raw")


def test_flow_table_folds_both_directions_caps_and_expires():
    import time

    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether

    from ybguard.collect.capture import Capturer

    cap = Capturer(ALLOWED, max_flows=2, compiler=lambda e, lt: b"")

    def feed(src: str, sport: int, dst: str, dport: int) -> None:
        frame = bytes(Ether() / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport))
        cap._account("eth1", parse_frame(frame, "ethernet"), len(frame))

    feed("192.168.100.2", 40001, "198.51.100.10", 53)
    feed("198.51.100.10", 53, "192.168.100.2", 40001)  # the answer joins the same flow
    feed("192.168.100.2", 40002, "198.51.100.10", 53)
    feed("192.168.100.2", 40003, "198.51.100.10", 53)  # third flow: table full
    feed("192.168.100.2", 40003, "198.51.100.10", 53)
    new = cap.take_new()
    assert [(f.describe(), f.packets) for f in new] == [
        ("eth1 udp 192.168.100.2:40001 -> 198.51.100.10:53", 2),
        ("eth1 udp 192.168.100.2:40002 -> 198.51.100.10:53", 1),
    ]
    assert (cap.overflow_flows, cap.overflow_packets) == (1, 2)
    assert cap.take_new() == []
    assert cap.expire(30.0) == []
    gone = cap.expire(30.0, now=time.time() + 31)
    assert {f.describe() for f in gone} == {f.describe() for f in new} and cap.flows == {}
