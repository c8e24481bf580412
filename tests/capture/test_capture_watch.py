"""``ybguard watch`` in namespaces: a route added while it runs, a packet sent while it runs, a clean stop."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, List

import pytest

pytestmark = pytest.mark.netns


class Events:
    """JSON lines of a running watch, read in the background."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.q: queue.Queue[dict] = queue.Queue()
        self.seen: List[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.q.put(json.loads(line))

    def wait_for(self, pred: Callable[[dict], bool], timeout: float = 10.0) -> dict:
        for e in self.seen:
            if pred(e):
                return e
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                e = self.q.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(e)
            if pred(e):
                return e
        raise AssertionError(f"no such event within {timeout} s; saw {[(x['event'], x['check'], x['subject']) for x in self.seen]}")

    def drain(self, quiet: float = 0.5) -> List[dict]:
        out = []
        while True:
            try:
                e = self.q.get(timeout=quiet)
            except queue.Empty:
                return out
            self.seen.append(e)
            out.append(e)


WAIVER = """
waivers:
  - check: network.live-traffic
    subject: "eth1 udp 192.168.100.2:40009 -> *"
    reason: 临时联网升级医保客户端，工单 2026-118
    approved_by: 信息科
    expires: 2099-12-01T18:00:00+08:00
"""


def _watch(lab, *args: str) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    policy = Path(lab.policy())
    policy.write_text(policy.read_text() + WAIVER)
    proc = subprocess.Popen(["ip", "netns", "exec", lab.term.name, sys.executable, "-m", "ybguard", "watch",
                             "--policy", str(policy), "--interval", "30", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lab.procs.append(proc)
    return proc


def test_watch_reports_a_route_and_a_packet_while_it_runs_and_stops_cleanly(lab, tmp_path: Path):
    lab.start(lab.inet, "--udp-sink", "198.51.100.10", "9999", ttl=60)
    hook_out = tmp_path / "hook.jsonl"
    # --interval 30: anything seen within seconds came from a netlink event, not from polling
    proc = _watch(lab, "--on-violation", f"cat >> {hook_out}")
    events = Events(proc)
    lab.wait_for_taps(lab.term, 2)
    events.drain()  # the starting state (e.g. the dual-homed broadband NIC) is reported first
    assert not any(e["check"] == "network.public-route" for e in events.seen)

    lab.broadband_route()
    route = events.wait_for(lambda e: e["event"] == "violation" and e["check"] == "network.public-route", 15)
    assert route["subject"] == "default via 192.168.100.1 dev eth1 table main"
    assert route["severity"] == "critical" and route["evidence"]

    lab.start(lab.term, "--send", "udp:192.168.100.2:40009:198.51.100.10:9999:2")  # waived in the policy
    lab.start(lab.term, "--send", "udp:192.168.100.2:40007:198.51.100.10:9999:2")
    flow = events.wait_for(lambda e: e["event"] == "violation" and e["check"] == "network.live-traffic", 15)
    assert flow["subject"] == "eth1 udp 192.168.100.2:40007 -> 198.51.100.10:9999"
    assert "python" in flow["message"]
    assert not [e for e in events.drain() if e["check"] == "network.live-traffic"]  # 40009 is waived

    lab.term.ip("route del default via 192.168.100.1 dev eth1")
    gone = events.wait_for(lambda e: e["event"] == "resolved" and e["check"] == "network.public-route", 15)
    assert gone["subject"] == route["subject"]

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    hooked = [json.loads(line) for line in hook_out.read_text().splitlines()]
    assert route["subject"] in {h["subject"] for h in hooked}
    assert flow["subject"] in {h["subject"] for h in hooked}
    assert all(h["event"] == "violation" for h in hooked)


def test_watch_polls_what_has_no_netlink_event_and_caps_the_flow_table(lab, tmp_path: Path):
    """ip_forward changes raise no rtnetlink event: the interval re-check finds it. --max-flows bounds flows."""
    lab.start(lab.inet, "--udp-sink", "198.51.100.10", "9999", ttl=60)
    lab.broadband_route()
    out = tmp_path / "events.jsonl"
    proc = subprocess.Popen(["ip", "netns", "exec", lab.term.name, sys.executable, "-m", "ybguard", "watch",
                             "--policy", lab.policy(), "--interval", "1", "--max-flows", "2", "--output", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lab.procs.append(proc)
    lab.wait_for_taps(lab.term, 2)
    lab.term.sysctl("net.ipv4.ip_forward", "1")
    for port in (41001, 41002, 41003, 41004):
        lab.start(lab.term, "--send", f"udp:192.168.100.2:{port}:198.51.100.10:9999:1")
    deadline = time.monotonic() + 8
    events: List[dict] = []
    while time.monotonic() < deadline:
        events = [json.loads(x) for x in out.read_text().splitlines()] if out.exists() else []
        if any(e["check"] == "network.ip-forwarding" for e in events) and \
                any(e["subject"] == "flow table full" for e in events):
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=15) == 0
    assert any(e["event"] == "violation" and e["check"] == "network.ip-forwarding" for e in events)
    flows = {e["subject"] for e in events if e["check"] == "network.live-traffic" and e["event"] == "violation"}
    assert len(flows) == 3 and "flow table full" in flows  # two kept flows + the overflow notice
