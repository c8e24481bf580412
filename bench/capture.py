"""Benchmark: live capture under a flood of allowed traffic (run as root; not part of pytest).

A namespace pair joined by a veth; tcpreplay --topspeed replays a pcap of N allowed packets
(10.50.x.x -> 10.88.0.2, i.e. 医保 traffic) with a few violating packets at known positions.
Measured on the receiving side:

  1. ybguard's Capturer (kernel BPF filter from the policy): CPU time of the capturing process
     over the capture window, violating flows found, kernel counters.
  2. an unfiltered scapy ``sniff`` for comparison: packets it saw, violating ones it caught.

    .venv/bin/python bench/capture.py [--packets 2000000]

Kernel softirq time (where the BPF filter runs) is not charged to either process; the numbers
are what the capturing process itself costs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

ALLOWED = ("10.50.0.0/16", "10.88.0.0/30")
VIOLATIONS = 5


def _ip_checksum(header: bytes) -> int:
    total = sum(struct.unpack("!10H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _frame(src: str, dst: str, sport: int, dport: int) -> bytes:
    import socket

    eth = bytes.fromhex("020000000099") + bytes.fromhex("020000000001") + b"\x08\x00"
    payload = b"ybguard-bench-pad!"
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", _ip_checksum(ip)) + ip[12:]
    return eth + ip + udp


def write_pcap(path: Path, count: int) -> dict:
    """N allowed frames, VIOLATIONS violating ones at evenly spread, known positions."""
    positions = {int(i * (count - 1) / (VIOLATIONS - 1)): i for i in range(VIOLATIONS)}
    expected = {}
    with open(path, "wb") as fh:
        fh.write(struct.pack("=IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        templates = [_frame(f"10.50.{i // 256}.{i % 256}", "10.88.0.2", 1024 + i, 9999) for i in range(4096)]
        rec = struct.Struct("=IIII")
        chunk = []
        for n in range(count):
            if n in positions:
                i = positions[n]
                frame = _frame("192.168.100.2", f"198.51.100.{10 + i}", 40000 + i, 443)
                expected[f"eth0 udp 192.168.100.2:{40000 + i} -> 198.51.100.{10 + i}:443"] = n
            else:
                frame = templates[n % len(templates)]
            chunk.append(rec.pack(n // 1000000, n % 1000000, len(frame), len(frame)) + frame)
            if len(chunk) >= 65536:
                fh.write(b"".join(chunk))
                chunk = []
        fh.write(b"".join(chunk))
    return expected


def worker_ybguard(seconds_max: float) -> None:
    """Inside the capture namespace: open the taps, say ready, capture until stdin closes."""
    import ipaddress
    import select

    from ybguard.collect.capture import Capturer, read_links
    from ybguard.target import open_target

    cap = Capturer([ipaddress.ip_network(n) for n in ALLOWED], 10000)
    cap.sync(read_links(open_target(None)))
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    print("ready", flush=True)
    end = t0 + seconds_max
    while time.monotonic() < end:
        cap.poll(0.2)
        if select.select([sys.stdin], [], [], 0)[0]:
            break
    for tap in cap.taps.values():
        cap.drain(tap, budget=1 << 30)
    cap.read_stats()
    r1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    res = cap.result(t1 - t0, 0, 0)
    print(json.dumps({
        "window": t1 - t0, "user": r1.ru_utime - r0.ru_utime, "sys": r1.ru_stime - r0.ru_stime,
        "flows": sorted(f.describe() for f in res.flows),
        "passed": sum(i.passed for i in res.interfaces), "drops": sum(i.drops for i in res.interfaces),
        "filter_in_kernel": all(i.kernel_filter for i in res.interfaces),
    }), flush=True)


def worker_scapy(seconds_max: float) -> None:
    """Inside the capture namespace: an unfiltered scapy sniff on eth0 for comparison."""
    import select

    from scapy.layers.inet import IP, UDP
    from scapy.sendrecv import AsyncSniffer

    seen = {"packets": 0, "violating": set()}

    def count(pkt) -> None:  # type: ignore[no-untyped-def]
        seen["packets"] += 1  # type: ignore[operator]
        if IP in pkt and pkt[IP].src == "192.168.100.2":
            seen["violating"].add(f"eth0 udp 192.168.100.2:{pkt[UDP].sport} -> {pkt[IP].dst}:{pkt[UDP].dport}")  # type: ignore[union-attr]

    sniffer = AsyncSniffer(iface="eth0", store=False, prn=count)
    sniffer.start()
    time.sleep(1.0)
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    print("ready", flush=True)
    end = t0 + seconds_max
    while time.monotonic() < end and not select.select([sys.stdin], [], [], 0.2)[0]:
        pass
    sniffer.stop()
    r1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    print(json.dumps({"window": t1 - t0, "user": r1.ru_utime - r0.ru_utime, "sys": r1.ru_stime - r0.ru_stime,
                      "packets": seen["packets"], "flows": sorted(seen["violating"])}), flush=True)  # type: ignore[arg-type]


def run(kind: str, cap_ns: str, send_ns: str, pcap: Path, expected: dict) -> dict:
    worker = subprocess.Popen(["ip", "netns", "exec", cap_ns, sys.executable, __file__, "--worker", kind],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert worker.stdout is not None and worker.stdin is not None
    assert worker.stdout.readline().strip() == "ready"
    t0 = time.monotonic()
    replay = subprocess.run(["ip", "netns", "exec", send_ns, "tcpreplay", "--topspeed", "-K", "-i", "eth0", str(pcap)],
                            capture_output=True, text=True)
    replay_s = time.monotonic() - t0
    time.sleep(0.5)
    worker.stdin.close()
    out = json.loads(worker.stdout.readline())
    worker.wait(timeout=60)
    import re

    rate = next((ln.strip() for ln in replay.stdout.splitlines() if "Rated:" in ln), replay.stderr.strip()[-200:])
    sent = re.search(r"sent in ([0-9.]+) seconds", replay.stdout)
    out.update(replay_seconds=replay_s, replay_rate=rate, sending_seconds=float(sent.group(1)) if sent else replay_s)
    out["found"] = sorted(set(out["flows"]) & set(expected))
    return out


def run_cli(cap_ns: str, send_ns: str, pcap: Path, expected: dict, window: float, tmp: str) -> dict:
    """The whole CLI (`ybguard scan --capture`), CPU of the process from wait4 — imports included."""
    from netns import Netns

    policy = Path(tmp) / "policy.yaml"
    policy.write_text("policy: {id: bench}\nnetwork:\n  allowed_networks: [" + ", ".join(ALLOWED) + "]\n")
    worker = subprocess.Popen(["ip", "netns", "exec", cap_ns, sys.executable, "-m", "ybguard", "scan", "--format",
                               "json", "--only", "network.live-traffic", "--capture", str(window), "--policy",
                               str(policy)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    ns = Netns.__new__(Netns)
    ns.name = cap_ns
    end = time.monotonic() + 30
    while time.monotonic() < end:  # until the tap is bound (/proc/net/packet)
        rows = ns.run(["cat", "/proc/net/packet"]).stdout.decode().splitlines()[1:]
        if any(r.split()[3] == "0003" and r.split()[5] == "1" for r in rows):
            break
        time.sleep(0.05)
    replay = subprocess.run(["ip", "netns", "exec", send_ns, "tcpreplay", "--topspeed", "-K", "-i", "eth0", str(pcap)],
                            capture_output=True, text=True)
    assert worker.stdout is not None
    data = worker.stdout.read()
    _pid, _status, usage = os.wait4(worker.pid, 0)
    worker.returncode = 0
    report = json.loads(data)
    flows = {f["subject"] for f in report["findings"] if f["status"] == "fail"}
    return {"window": window, "user": usage.ru_utime, "sys": usage.ru_stime, "found": sorted(flows & set(expected)),
            "others": sorted(flows - set(expected)), "replay": replay.stdout}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--packets", type=int, default=2_000_000)
    ap.add_argument("--worker", choices=["ybguard", "scapy"])
    ap.add_argument("--skip-scapy", action="store_true")
    ap.add_argument("--cli-window", type=float, default=15.0, help="capture window of the whole-CLI run")
    args = ap.parse_args()
    if args.worker == "ybguard":
        return worker_ybguard(120)
    if args.worker == "scapy":
        return worker_scapy(120)
    if os.geteuid() != 0:
        sys.exit("bench/capture.py needs root (network namespaces)")
    from netns import Topology, veth

    with tempfile.TemporaryDirectory() as tmp, Topology() as topo:
        pcap = Path(tmp) / "flood.pcap"
        t0 = time.monotonic()
        expected = write_pcap(pcap, args.packets + VIOLATIONS)
        print(f"pcap: {args.packets:,} allowed + {VIOLATIONS} violating packets at positions "
              f"{sorted(expected.values())} ({pcap.stat().st_size / 1e6:.0f} MB, {time.monotonic() - t0:.1f} s)")
        send, cap = topo.ns("bsend"), topo.ns("bcap")
        for ns in (send, cap):
            ns.sysctl("net.ipv6.conf.all.disable_ipv6", "1")
        veth(send, "eth0", cap, "eth0")
        cap.ip("addr add 10.88.0.2/30 dev eth0")
        r = run_cli(cap.name, send.name, pcap, expected, args.cli_window, tmp)
        cpu = r["user"] + r["sys"]
        print(f"\n== ybguard scan --capture {args.cli_window:g} (whole process, interpreter start and imports included) ==")
        print(f"  CPU {cpu:.3f} s (user {r['user']:.3f}, sys {r['sys']:.3f}) = {100 * cpu / r['window']:.1f} % of the"
              f" window; violating flows reported: {len(r['found'])}/{len(expected)}; other fails: {r['others']}")
        kinds = ["ybguard"] + ([] if args.skip_scapy else ["scapy"])
        for kind in kinds:
            r = run(kind, cap.name, send.name, pcap, expected)
            cpu = r["user"] + r["sys"]
            print(f"\n== {kind} ==")
            print(f"  replay: {r['replay_seconds']:.2f} s incl. preloading the pcap; {r['replay_rate']}")
            print(f"  capture window {r['window']:.2f} s; CPU {cpu:.3f} s (user {r['user']:.3f}, sys {r['sys']:.3f})"
                  f" = {100 * cpu / r['window']:.1f} % of the window,"
                  f" {100 * cpu / r['sending_seconds']:.1f} % of the {r['sending_seconds']:.2f} s tcpreplay spent sending")
            if kind == "ybguard":
                print(f"  filter in kernel: {r['filter_in_kernel']}; packets passed to Python: {r['passed']:,};"
                      f" kernel drops: {r['drops']:,}")
            else:
                print(f"  packets seen by scapy: {r['packets']:,} of {args.packets + VIOLATIONS:,}"
                      f" ({100 * r['packets'] / (args.packets + VIOLATIONS):.2f} %)")
            print(f"  violating flows reported: {len(r['found'])}/{len(expected)}")
            for name in sorted(expected):
                print(f"    {'found ' if name in r['found'] else 'MISSED'} #{expected[name]:>9,} {name}")


if __name__ == "__main__":
    main()
