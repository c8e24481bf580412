"""network.live-traffic and network.probe on fact records built here: exact subjects per case."""

from __future__ import annotations

from typing import Dict, Set

from ybguard.checks.capture import CHECKS
from ybguard.collect import FactSet, ScanOptions
from ybguard.engine import evaluate_check
from ybguard.facts.capture import (
    CaptureResult,
    Flow,
    InterfaceCapture,
    NotRequested,
    ProbeOutcome,
    ProbeResult,
)
from ybguard.policy.schema import Policy
from ybguard.target import open_target

CHECK = {c.id: c for c in CHECKS}
FILTER = "not (arp or ...)"


def run(check_id: str, key: str, value: object, lang: str = "en") -> Dict[str, Set[str]]:
    facts = FactSet(open_target(None), Policy(), ScanOptions(lang=lang), {})
    facts.preload(key, value)
    out: Dict[str, Set[str]] = {}
    for f in evaluate_check(CHECK[check_id], facts, Policy(), lang):
        out.setdefault(f.status.value, set()).add(f.subject)
    return out


def iface(name: str = "eth1", kernel: bool = True, drops: int = 0, passed: int = 0) -> InterfaceCapture:
    return InterfaceCapture(name, "ethernet", FILTER, kernel, "" if kernel else "libpcap: missing", passed, drops, 0)


TWO_NICS = (iface("eth0"), iface("eth1"))


def capture(*flows: Flow, interfaces=TWO_NICS, **kw) -> CaptureResult:  # type: ignore[no-untyped-def]
    return CaptureResult(2.0, 1700000000.0, 1700000002.0, tuple(interfaces), tuple(flows), max_flows=100, **kw)


FLOW = Flow("eth1", "udp", "192.168.100.2", "198.51.100.10", 40001, 9999, 3, 150, 1700000000.5, 1700000001.0,
            "python3 (pid 42)")
ARPISH = Flow("eth1", "ethertype-0x8863", "02:00:00:00:00:02", "ff:ff:ff:ff:ff:ff", None, None, 1, 60,
              1700000001.0, 1700000001.0)


def test_live_traffic_pass_when_nothing_left_policy():
    assert run("network.live-traffic", "network.capture", capture()) == {"pass": {"host"}}


def test_live_traffic_fail_names_every_flow():
    assert run("network.live-traffic", "network.capture", capture(FLOW, ARPISH)) == {"fail": {
        "eth1 udp 192.168.100.2:40001 -> 198.51.100.10:9999",
        "eth1 ethertype-0x8863 02:00:00:00:00:02 -> ff:ff:ff:ff:ff:ff",
    }}


def test_live_traffic_kernel_drops_are_violations_even_without_a_flow():
    got = run("network.live-traffic", "network.capture", capture(interfaces=(iface("eth0"), iface("eth1", drops=7))))
    assert got == {"fail": {"eth1: 7 packets dropped"}}


def test_live_traffic_flow_table_overflow_is_a_fail():
    got = run("network.live-traffic", "network.capture", capture(FLOW, overflow_flows=4, overflow_packets=9))
    assert got == {"fail": {"eth1 udp 192.168.100.2:40001 -> 198.51.100.10:9999", "flow table full"}}


def test_live_traffic_incomplete_capture_is_an_error_never_a_pass():
    assert run("network.live-traffic", "network.capture",
               capture(not_captured=(("ib0", "link type 32 is not supported"),))) == {"error": {"capture incomplete"}}
    python_drops = capture(interfaces=(iface("eth0", kernel=False, drops=100),))
    assert run("network.live-traffic", "network.capture", python_drops) == {"error": {"capture incomplete"}}
    # flows found while incomplete: both the fails and the gap are reported
    assert run("network.live-traffic", "network.capture",
               capture(FLOW, not_captured=(("ib0", "x"),))) == {
        "fail": {FLOW.describe()}, "error": {"capture incomplete"}}


def test_live_traffic_python_fallback_without_drops_passes_and_says_so():
    facts = FactSet(open_target(None), Policy(), ScanOptions(lang="zh"), {})
    facts.preload("network.capture", capture(interfaces=(iface("eth0", kernel=False),)))
    (f,) = evaluate_check(CHECK["network.live-traffic"], facts, Policy(), "zh")
    assert f.status.value == "pass" and "Python" in f.message
    assert any("libpcap: missing" in e.source for e in f.evidence)


def test_not_requested_is_not_applicable():
    assert run("network.live-traffic", "network.capture", NotRequested("capture.not_requested")) == \
        {"not_applicable": {"host"}}
    assert run("network.probe", "network.probe", NotRequested("probe.no_targets")) == {"not_applicable": {"host"}}


def test_probe_reached_fails_quiet_passes_unrunnable_errors():
    reached = ProbeOutcome("tcp", "203.0.113.10:443", True, answered_by="203.0.113.10:443", peer="203.0.113.10",
                           interface="eth1", source="192.168.100.2", detail="TCP handshake completed")
    quiet = ProbeOutcome("dns", "www.example.com", False, detail="timed out")
    broken = ProbeOutcome("http", "http://203.0.113.10/", False, error="OSError: something odd")
    assert run("network.probe", "network.probe", ProbeResult(2, (reached, quiet))) == \
        {"fail": {"tcp 203.0.113.10:443"}}
    assert run("network.probe", "network.probe", ProbeResult(2, (quiet,))) == {"pass": {"host"}}
    assert run("network.probe", "network.probe", ProbeResult(2, (quiet, broken))) == \
        {"error": {"http http://203.0.113.10/"}}


def test_offline_target_capture_and_probe_are_not_applicable(tmp_path):
    import json

    from click.testing import CliRunner

    from ybguard.cli import cli

    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "os-release").write_text("ID=debian\n")
    res = CliRunner().invoke(cli, ["scan", "--root", str(tmp_path), "--format", "json", "--only", "network.live-traffic",
                                   "--only", "network.probe", "--capture", "1", "--probe"])
    statuses = {f["check"]: (f["status"], f["message"]) for f in json.loads(res.output)["findings"]}
    assert statuses["network.live-traffic"][0] == "not_applicable" and "offline" in statuses["network.live-traffic"][1]
    assert statuses["network.probe"][0] == "not_applicable"


def test_help_and_importing_watch_never_import_scapy():
    import subprocess
    import sys

    code = ("import sys\nfrom click.testing import CliRunner\nfrom ybguard.cli import cli\nimport ybguard.watch\n"
            "import ybguard.collect.probe\n"
            "for args in (['--help'], ['watch', '--help'], ['scan', '--help']):\n"
            "    assert CliRunner().invoke(cli, args).exit_code == 0\n"
            "assert not [m for m in sys.modules if m.startswith('scapy')], 'scapy imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
