"""Live capture and the probe on a real terminal in namespaces (leased line + broadband NIC)."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Sequence

import pytest
from capture_lab import fails, only, report_of, statuses

pytestmark = pytest.mark.netns


def _capture(lab, seconds: float, *senders: str, wrap: Sequence[str] = ()):  # type: ignore[no-untyped-def]
    """A capture scan in the terminal; traffic is sent once the taps are bound. ``wrap`` prefixes the command."""
    proc = subprocess.Popen(["ip", "netns", "exec", lab.term.name, *wrap, sys.executable, "-m", "ybguard", "scan",
                             "--format", "json", "--only", "network.live-traffic", "--capture", str(seconds),
                             "--policy", lab.policy()], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lab.procs.append(proc)
    if senders:
        lab.wait_for_taps(lab.term, 2)
        lab.start(lab.term, *[arg for spec in senders for arg in ("--send", spec)])  # one process: quick to start
    return report_of(proc)


def test_traffic_to_the_internet_during_a_capture_is_reported_as_flows(lab):
    lab.broadband_route()
    lab.start(lab.inet, "--udp-sink", "198.51.100.10", "9999", "--tcp", "198.51.100.10", "8443")
    lab.start(lab.plat, "--udp-sink", "10.50.0.1", "9999")
    code, report = _capture(lab, 4, "udp:192.168.100.2:40001:198.51.100.10:9999:3",
                            "tcp:192.168.100.2:40002:198.51.100.10:8443:1",
                            "udp:10.88.0.2:40003:10.50.0.1:9999:5")
    assert code == 1
    assert fails(report, "network.live-traffic") == {
        "eth1 udp 192.168.100.2:40001 -> 198.51.100.10:9999",
        "eth1 tcp 192.168.100.2:40002 -> 198.51.100.10:8443",
    }
    by_subject = {f["subject"]: f for f in only(report, "network.live-traffic")}
    udp = by_subject["eth1 udp 192.168.100.2:40001 -> 198.51.100.10:9999"]
    assert "3 packets" in udp["message"]
    assert "python" in udp["message"]  # the sender still holds the socket: its process is named
    details = " | ".join(e["detail"] for e in udp["evidence"])
    assert "10.50.0.0/16" in details and "dropped by the kernel (socket buffer full): 0" in details
    # both directions of the TCP connection fold into one flow (SYN, SYN-ACK, ACK, data, FIN …)
    tcp = by_subject["eth1 tcp 192.168.100.2:40002 -> 198.51.100.10:8443"]
    assert int(tcp["message"].split(", ")[1].split()[0]) >= 4


def test_traffic_only_to_the_yibao_side_is_a_pass(lab):
    lab.broadband_route()
    lab.start(lab.plat, "--udp-sink", "10.50.0.1", "9999", "--tcp", "10.50.0.1", "443")
    code, report = _capture(lab, 3, "udp:10.88.0.2:40003:10.50.0.1:9999:20", "tcp:10.88.0.2:40004:10.50.0.1:443:1")
    assert statuses(report, "network.live-traffic") == {"pass"}, report["findings"]
    assert code == 0
    (finding,) = only(report, "network.live-traffic")
    assert "eth0" in finding["message"] and "eth1" in finding["message"]


def test_capture_without_privileges_is_an_error_never_a_pass(lab):
    code, report = _capture(lab, 1, wrap=("setpriv", "--bounding-set", "-net_raw", "--"))
    assert statuses(report, "network.live-traffic") == {"error"}
    assert code == 3
    assert "CAP_NET_RAW" in only(report, "network.live-traffic")[0]["message"]


def test_capture_not_requested_is_not_applicable_with_the_reason(lab):
    proc = lab.ybguard(lab.term, "scan", "--format", "json", "--only", "network.live-traffic", "--policy", lab.policy())
    code, report = report_of(proc)
    (finding,) = only(report, "network.live-traffic")
    assert finding["status"] == "not_applicable" and "--capture SECONDS" in finding["message"]


def test_policy_capture_seconds_takes_effect(lab):
    policy = lab.policy("  capture: {seconds: 1}")
    t0 = time.monotonic()
    proc = lab.ybguard(lab.term, "scan", "--format", "json", "--only", "network.live-traffic", "--policy", policy)
    code, report = report_of(proc)
    assert statuses(report, "network.live-traffic") == {"pass"}
    assert time.monotonic() - t0 >= 1.0


def test_python_fallback_when_the_filter_cannot_be_compiled_still_reports_flows(lab):
    """No compiler at all (no libpcap, no tcpdump): every packet goes to Python, flows are still found."""
    lab.broadband_route()
    lab.start(lab.inet, "--udp-sink", "198.51.100.10", "9999")
    script = (
        "import sys, time, ipaddress, json\n"
        "from ybguard.collect.capture import Capturer, read_links\n"
        "from ybguard.target import open_target\n"
        "def broken(expr, lt): raise RuntimeError('libpcap: not available; tcpdump: not found')\n"
        "cap = Capturer([ipaddress.ip_network('10.50.0.0/16'), ipaddress.ip_network('10.88.0.0/30')], 100, broken)\n"
        "cap.sync(read_links(open_target(None)))\n"
        "print('ready', flush=True)\n"
        "end = time.monotonic() + 2\n"
        "while time.monotonic() < end: cap.poll(0.2)\n"
        "cap.read_stats()\n"
        "r = cap.result(2, 0, 0)\n"
        "print(json.dumps({'flows': sorted(f.describe() for f in r.flows),"
        " 'kernel': [i.kernel_filter for i in r.interfaces], 'err': [i.compile_error for i in r.interfaces]}))\n"
    )
    proc = subprocess.Popen(["ip", "netns", "exec", lab.term.name, sys.executable, "-c", script],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lab.procs.append(proc)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
    lab.start(lab.term, "--send", "udp:192.168.100.2:40005:198.51.100.10:9999:2", "--send",
              "udp:10.88.0.2:40006:10.50.0.1:9999:2")
    import json

    out, err = proc.communicate(timeout=30)
    data = json.loads(out.decode().strip().splitlines()[-1])
    assert data["kernel"] == [False, False]
    assert all("tcpdump: not found" in e for e in data["err"])
    assert data["flows"] == ["eth1 udp 192.168.100.2:40005 -> 198.51.100.10:9999"]


def test_a_vpn_tun_device_is_captured_as_raw_ip(lab):
    """A VPN client's tun device (ARPHRD_NONE, no Ethernet header) gets the raw-IP filter."""
    lab.start(lab.term, "--tun", "tun0", ttl=30)
    lab.term.ip("addr add 172.16.9.2/24 dev tun0")
    lab.term.ip("link set tun0 up")
    lab.term.ip("route add 203.0.113.0/24 dev tun0")
    proc = lab.ybguard(lab.term, "scan", "--format", "json", "--only", "network.live-traffic", "--capture", "3",
                       "--policy", lab.policy())
    lab.wait_for_taps(lab.term, 3)
    lab.start(lab.term, "--send", "udp:172.16.9.2:40010:203.0.113.5:9999:2",
              "--send", "udp:10.88.0.2:40011:10.50.0.1:9999:2")
    code, report = report_of(proc)
    assert fails(report, "network.live-traffic") == {"tun0 udp 172.16.9.2:40010 -> 203.0.113.5:9999"}
    sources = " | ".join(e["source"] for e in only(report, "network.live-traffic")[0]["evidence"])
    assert "tun0 (raw; kernel BPF)" in sources and "eth0, eth1 (ethernet; kernel BPF)" in sources


def test_ipv6_neighbour_discovery_is_ignored_and_ipv6_traffic_outside_policy_is_reported(lab):
    """IPv6 on the broadband link: DAD, router solicitations, MLD and ND never count; a UDP packet does."""
    for ns, dev in ((lab.term, "eth1"), (lab.inet, "eth0")):
        ns.sysctl(f"net.ipv6.conf.{dev}.disable_ipv6", "0")
    lab.term.ip("addr add 2001:db8:100::2/64 dev eth1 nodad")
    lab.inet.ip("addr add 2001:db8:100::1/64 dev eth0 nodad")
    lab.start(lab.inet, "--udp-sink", "2001:db8:100::1", "9999")
    proc = subprocess.Popen(["ip", "netns", "exec", lab.term.name, sys.executable, "-m", "ybguard", "scan",
                             "--format", "json", "--only", "network.live-traffic", "--capture", "4",
                             "--policy", lab.policy()], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lab.procs.append(proc)
    lab.wait_for_taps(lab.term, 2)
    # re-enabling IPv6 on a link makes the kernel solicit routers and report multicast membership
    lab.term.ip("link set eth1 down")
    lab.term.ip("link set eth1 up")
    lab.term.ip("addr replace 2001:db8:100::2/64 dev eth1 nodad")
    lab.start(lab.term, "--send", "udp,2001:db8:100::2,40020,2001:db8:100::1,9999,2")
    code, report = report_of(proc)
    assert fails(report, "network.live-traffic") == {"eth1 udp [2001:db8:100::2]:40020 -> [2001:db8:100::1]:9999"}
    counters = " | ".join(e["detail"] for e in only(report, "network.live-traffic")[0]["evidence"]
                          if e["source"] == "capture counters eth1")
    assert "outside policy: 2" in counters, counters
