"""The active probe in namespaces, and proof that a plain scan sends nothing."""

from __future__ import annotations

import subprocess
import time

import pytest
from capture_lab import fails, only, report_of, statuses

from ybguard.collect.probe import build_dns_query, nameservers, parse_dns_response

TARGETS = """\
  probe:
    timeout_seconds: 2
    targets:
      - tcp: 198.51.100.10:8443
      - dns: www.example.com
      - http: {url: "http://198.51.100.10:8080/health", expect_status: 200, expect_body: "ybguard-ok"}
      - http: {url: "http://198.51.100.10:8080/other", expect_body: "text that is not there"}
      - tcp: 198.51.100.10:8444
"""

REACHED = {"tcp 198.51.100.10:8443", "dns www.example.com", "http http://198.51.100.10:8080/health"}


def _servers(lab):  # type: ignore[no-untyped-def]
    lab.start(lab.inet, "--tcp", "198.51.100.10", "8443", "--dns", "198.51.100.53", "198.51.100.10",
              "--http", "198.51.100.10", "8080", "ybguard-ok")


def _probe(lab, *extra: str):  # type: ignore[no-untyped-def]
    proc = lab.ybguard(lab.term, "scan", "--format", "json", "--only", "network.probe", "--policy",
                       lab.policy(TARGETS), *extra)
    return report_of(proc)


@pytest.mark.netns
def test_probe_succeeds_through_the_broadband_nic_and_names_it(lab):
    lab.broadband_route()
    _servers(lab)
    code, report = _probe(lab, "--probe")
    assert code == 1
    assert fails(report, "network.probe") == REACHED
    for f in only(report, "network.probe"):
        assert f["severity"] == "critical"
        assert "eth1" in f["message"] and "192.168.100.2" in f["message"], f["message"]
    dns = next(f for f in only(report, "network.probe") if f["subject"] == "dns www.example.com")
    assert "resolver 198.51.100.53" in dns["message"] and "198.51.100.10" in dns["message"]
    tried = " | ".join(e["detail"] for e in dns["evidence"])
    assert "expected body text not found" in tried  # the answering-but-wrong target is not a success
    assert "Connection refused" in tried  # nothing listens on 8444


@pytest.mark.netns
def test_probe_fails_quietly_without_the_broadband_nic_and_is_bounded_by_the_timeout(lab):
    _servers(lab)
    lab.term.ip("link set eth1 down")
    t0 = time.monotonic()
    code, report = _probe(lab, "--probe")
    assert statuses(report, "network.probe") == {"pass"}, report["findings"]
    assert code == 0
    assert time.monotonic() - t0 < 10


@pytest.mark.netns
def test_probe_not_requested_and_no_targets_are_not_applicable(lab):
    code, report = _probe(lab)  # policy has targets but enabled is false and no --probe
    (f,) = only(report, "network.probe")
    assert f["status"] == "not_applicable" and "--probe" in f["message"]
    proc = lab.ybguard(lab.term, "scan", "--format", "json", "--only", "network.probe", "--probe",
                       "--policy", lab.policy("  probe: {enabled: true}", name="empty.yaml"))
    code, report = report_of(proc)
    (f,) = only(report, "network.probe")
    assert f["status"] == "not_applicable" and "network.probe.targets" in f["message"]


@pytest.mark.netns
def test_policy_probe_enabled_takes_effect_and_no_probe_overrides_it(lab):
    lab.broadband_route()
    _servers(lab)
    enabled = TARGETS.replace("  probe:\n", "  probe:\n    enabled: true\n")
    policy = lab.policy(enabled, name="enabled.yaml")
    code, report = report_of(lab.ybguard(lab.term, "scan", "--format", "json", "--only", "network.probe",
                                         "--policy", policy))
    assert fails(report, "network.probe") == REACHED
    code, report = report_of(lab.ybguard(lab.term, "scan", "--format", "json", "--only", "network.probe",
                                         "--no-probe", "--policy", policy))
    assert statuses(report, "network.probe") == {"not_applicable"}


def _count_packets(ns, iface: str, tmp_path, tag: str) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    pcap = tmp_path / f"{tag}.pcap"
    proc = subprocess.Popen(["ip", "netns", "exec", ns.name, "tcpdump", "-Z", "root", "--immediate-mode", "-i", iface, "-n", "-U", "-w", str(pcap)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert b"listening on" in line, line
    return proc


def _stop_and_count(proc: subprocess.Popen, pcap) -> int:  # type: ignore[no-untyped-def]
    time.sleep(0.3)
    proc.terminate()
    proc.wait(timeout=10)
    out = subprocess.run(["tcpdump", "-n", "-r", str(pcap)], capture_output=True, check=True)
    return len(out.stdout.decode().splitlines())


@pytest.mark.netns
def test_a_plain_scan_sends_nothing_but_probe_does(lab, tmp_path):
    """Count every frame arriving at the platform and the Internet peer while a full scan runs."""
    lab.broadband_route()
    _servers(lab)
    policy = lab.policy(TARGETS)  # probe targets configured, but not enabled
    peers = [(lab.plat, "plat"), (lab.inet, "inet")]
    time.sleep(0.5)  # anything the link setup itself sent is over before we count
    counters = [(_count_packets(ns, "eth0", tmp_path, tag), tmp_path / f"{tag}.pcap") for ns, tag in peers]
    code, report = report_of(lab.ybguard(lab.term, "scan", "--format", "json", "--policy", policy))
    assert report["findings"], "the scan ran checks"
    counts = [_stop_and_count(p, pcap) for p, pcap in counters]
    assert counts == [0, 0]
    # positive control: the same counters do see the probe
    counters = [(_count_packets(ns, "eth0", tmp_path, f"{tag}-probe"), tmp_path / f"{tag}-probe.pcap")
                for ns, tag in peers]
    report_of(lab.ybguard(lab.term, "scan", "--format", "json", "--only", "network.probe", "--probe",
                          "--policy", policy))
    counts = [_stop_and_count(p, pcap) for p, pcap in counters]
    assert counts[1] > 0


def test_dns_query_round_trip_and_resolv_conf():
    q = build_dns_query("www.example.com", 0x1234)
    assert q[:2] == b"\x12\x34" and b"\x03www\x07example\x03com\x00" in q
    reply = q[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + q[12:] + \
        b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + bytes([198, 51, 100, 10])
    assert parse_dns_response(reply, 0x1234) == (0, ["198.51.100.10"])
    assert parse_dns_response(reply, 0x1235) is None
    nx = q[:2] + b"\x81\x83\x00\x01\x00\x00\x00\x00\x00\x00" + q[12:]
    assert parse_dns_response(nx, 0x1234) == (3, [])
    assert nameservers("# x\nnameserver 10.50.0.53 # main\nsearch yb\nnameserver fe80::1%eth0\n") == \
        ["10.50.0.53", "fe80::1%eth0"]
    assert nameservers("") == ["127.0.0.1"]
