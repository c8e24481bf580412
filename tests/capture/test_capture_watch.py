"""``ybguard watch`` in namespaces: a route added while it runs, a packet sent while it runs, a clean stop."""

from __future__ import annotations

import json
import os
import queue
import re
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


# --- netlink messages judged by themselves (a violation shorter than the debounce) ---------------

def _watch_quiet(lab, ns, *args: str, policy: str = "") -> tuple:  # type: ignore[no-untyped-def]
    """A watch without capture in ``ns``; returns (proc, events) once it has read the starting state."""
    proc = subprocess.Popen(["ip", "netns", "exec", ns.name, sys.executable, "-m", "ybguard", "watch",
                             "--policy", policy or lab.policy(), "--interval", "30", "--no-capture", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lab.procs.append(proc)
    events = Events(proc)
    assert proc.stderr is not None
    for _ in range(2):  # "started …" and the event sources line
        assert "ybguard watch:" in proc.stderr.readline()
    events.drain(1.0)
    return proc, events


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert proc.stderr is not None
    return proc.stderr.read()


def test_watch_reports_a_default_route_held_for_50_ms(lab, tmp_path: Path):
    """Added and deleted by one `ip -batch` within 50 ms: gone long before the debounced re-read (0.1 s).

    What is exercised: the kernel's RTM_NEWROUTE multicast message, parsed and judged by the real
    route checks through the engine; the later re-read finds nothing and resolves it.
    """
    proc, events = _watch_quiet(lab, lab.term)
    script = tmp_path / "blip.batch"
    script.write_text("route add default via 192.168.100.1 dev eth1\nroute del default via 192.168.100.1 dev eth1\n")
    t0 = time.monotonic()
    lab.term.ip(f"-batch {script}")
    assert time.monotonic() - t0 < 0.05 + 0.2  # the ip process itself; the route lived for far less
    subject = "default via 192.168.100.1 dev eth1 table main"
    hit = events.wait_for(lambda e: e["event"] == "violation" and e["check"] == "network.public-route", 10)
    assert hit["subject"] == subject and hit["trigger"]["source"] == "rtnetlink"
    assert any("rtnetlink RTM_NEWROUTE" in ev["source"] for ev in hit["evidence"])
    events.wait_for(lambda e: e["event"] == "violation" and e["check"] == "network.default-route"
                    and e["subject"] == subject, 5)
    events.wait_for(lambda e: e["event"] == "resolved" and e["check"] == "network.public-route"
                    and e["subject"] == subject, 5)
    _stop(proc)


def test_watch_judges_every_message_of_a_burst_of_460_route_changes(lab, tmp_path: Path):
    """460 changes in one `ip -batch` (a few ms): one of them a split default (0.0.0.0/1) added and deleted."""
    proc, events = _watch_quiet(lab, lab.term)
    lines = []
    for i in range(229):
        lines.append(f"route add 10.77.{i}.0/24 via 192.168.100.1 dev eth1")
        if i == 114:
            lines += ["route add 0.0.0.0/1 via 192.168.100.1 dev eth1", "route del 0.0.0.0/1 via 192.168.100.1 dev eth1"]
        lines.append(f"route del 10.77.{i}.0/24 via 192.168.100.1 dev eth1")
    assert len(lines) == 460
    script = tmp_path / "burst.batch"
    script.write_text("\n".join(lines) + "\n")
    lab.term.ip(f"-batch {script}")
    hit = events.wait_for(lambda e: e["event"] == "violation" and e["check"] == "network.public-route", 10)
    assert hit["subject"] == "0.0.0.0/1 via 192.168.100.1 dev eth1 table main"
    events.drain(1.0)
    assert not [e for e in events.seen if e["event"] == "violation" and "10.77." in e["subject"]]  # private: allowed
    err = _stop(proc)
    received = int(re.search(r"rtnetlink: (\d+) events received, (\d+) dropped, (\d+) kernel overruns", err).group(1))
    assert received >= 460, err
    # nothing was lost here; had anything been, a "dropped" event would say how much
    assert [e for e in events.seen if e["event"] == "dropped"] == [] or "dropped" in err


# --- what the rules forbid besides the network: USB storage, forbidden processes, new sockets ----

def test_watch_reports_usb_storage_on_a_real_kernel_uevent(lab, tmp_path: Path):
    """What is exercised: a real block device (a loop device attached to a file), a real kernel uevent
    for it (`echo add UUID > /sys/class/block/loopN/uevent`, received over NETLINK_KOBJECT_UEVENT in
    the watch's namespace), and the real usb.storage-attached check reading sysfs through the engine.
    The one thing staged is the device's ``removable`` attribute: this VM has no USB bus, so a file
    saying 1 is bind-mounted over it in the watch's own mount namespace (the host's sysfs is untouched).
    The state change alone raises nothing (no polling); the uevent does.
    """
    import uuid

    backing = tmp_path / "stick.img"
    backing.write_bytes(b"\0" * (1 << 20))
    dev = subprocess.run(["losetup", "-f", "--show", str(backing)], capture_output=True, text=True, check=True).stdout.strip()
    name = os.path.basename(dev)
    one = tmp_path / "one"
    one.write_text("1\n")
    try:
        proc, events = _watch_quiet(lab, lab.term)
        assert not [e for e in events.seen if e["check"] == "usb.storage-attached"]
        attr = f"/sys/devices/virtual/block/{name}/removable"
        subprocess.run(["nsenter", "-t", str(proc.pid), "-m", "mount", "--bind", str(one), attr], check=True)
        assert subprocess.run(["nsenter", "-t", str(proc.pid), "-m", "cat", f"/sys/block/{name}/removable"],
                              capture_output=True, text=True).stdout.strip() == "1"
        assert not [e for e in events.drain(1.5) if e["check"] == "usb.storage-attached"]  # no event, no report
        tag = str(uuid.uuid4())
        Path(f"/sys/class/block/{name}/uevent").write_text(f"add {tag}\n")
        hit = events.wait_for(lambda e: e["event"] == "violation" and e["check"] == "usb.storage-attached", 10)
        assert hit["subject"] == f"/dev/{name}" and hit["severity"] == "critical"
        assert hit["trigger"]["source"] == "uevent" and hit["trigger"]["synth_uuid"] == tag
        assert hit["trigger"]["devname"] == name and hit["trigger"]["action"] == "add"
        subprocess.run(["nsenter", "-t", str(proc.pid), "-m", "umount", attr], check=True)
        Path(f"/sys/class/block/{name}/uevent").write_text(f"remove {uuid.uuid4()}\n")
        events.wait_for(lambda e: e["event"] == "resolved" and e["check"] == "usb.storage-attached", 10)
        _stop(proc)
    finally:
        subprocess.run(["losetup", "-d", dev], check=False)


def test_watch_reports_a_forbidden_process_when_it_starts_and_when_it_ends(lab, tmp_path: Path):
    """What is exercised: a real process started under a denied name (a copy of sleep called
    ToDesk_Service), announced by the kernel's process connector (PROC_EVENT_EXEC), read from /proc
    and judged by software.processes; its exit (PROC_EVENT_EXIT) resolves it. The process connector
    exists only in the initial network namespace, so this watch runs there, without capture.
    """
    import shutil

    policy = tmp_path / "procs.yaml"
    policy.write_text("policy: {id: proc-test, version: 1}\nsoftware:\n  processes:\n    deny: [ToDesk*]\n")
    hook_out = tmp_path / "hook.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "ybguard", "watch", "--policy", str(policy), "--interval", "30",
                             "--no-capture", "--no-usb", "--on-violation", f"cat >> {hook_out}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lab.procs.append(proc)
    events = Events(proc)
    assert proc.stderr is not None
    proc.stderr.readline()
    sources = proc.stderr.readline()
    assert "process start events (process connector): on" in sources, sources
    events.drain(1.0)
    binary = tmp_path / "ToDesk_Service"
    shutil.copy("/bin/sleep", binary)
    todesk = subprocess.Popen([str(binary), "60"])
    lab.procs.append(todesk)
    subject = f"ToDesk_Service (pid {todesk.pid})"
    hit = events.wait_for(lambda e: e["event"] == "violation" and e["subject"] == subject, 10)
    assert hit["check"] == "software.processes" and hit["trigger"]["source"] == "process connector"
    assert str(binary) in json.dumps(hit["evidence"], ensure_ascii=False)
    todesk.kill()
    todesk.wait()
    events.wait_for(lambda e: e["event"] == "resolved" and e["subject"] == subject, 10)
    _stop(proc)
    assert subject in {json.loads(line)["subject"] for line in hook_out.read_text().splitlines()}  # --on-violation ran


def test_watch_reports_a_new_outbound_socket_with_its_process(lab, tmp_path: Path):
    """What is exercised: a real TCP connect from the terminal namespace to 198.51.100.99 (routed out of
    the broadband NIC, unanswered, so it stays SYN_SENT); its SYN passes the capture filter, and that new
    flow re-runs network.sockets at once — seconds before the 30 s interval would have.
    """
    lab.term.ip("route add 198.51.100.99/32 via 192.168.100.1 dev eth1")  # a test-net host route: not itself a violation
    proc = _watch(lab)
    events = Events(proc)
    lab.wait_for_taps(lab.term, 2)
    events.drain()
    client = subprocess.Popen(["ip", "netns", "exec", lab.term.name, sys.executable, "-c",
                               "import socket; s = socket.socket(); s.settimeout(30); s.connect(('198.51.100.99', 443))"])
    lab.procs.append(client)
    hit = events.wait_for(lambda e: e["event"] == "violation" and e["check"] == "network.sockets", 10)
    assert hit["subject"].endswith("-> 198.51.100.99:443") and "python" in hit["subject"]
    assert "SYN_SENT" in json.dumps(hit["evidence"])
    client.kill()
    client.wait()
    _stop(proc)
