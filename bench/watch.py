"""Benchmark: ``ybguard watch`` under a burst of route changes (run as root; not part of pytest).

A namespace with a veth to a second one; ``ybguard watch --no-capture --interval 30`` runs in
the first. One ``ip -batch`` makes N route changes (add + delete of private /24s), with a split
default route (0.0.0.0/1) added and deleted in the middle of the burst. Printed: how long the
burst took, how long until the watch reported the split default (from the kernel's message;
it is gone by then), and the watch's own counters (received / dropped / kernel overruns).

    .venv/bin/python bench/watch.py [--changes 460 5000 20000]
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

POLICY = "policy: {id: bench-watch, version: 1}\nnetwork:\n  allowed_networks: [10.0.0.0/8, 192.168.0.0/16]\n"


def one(changes: int, tmp: Path) -> None:
    from netns import Topology, veth

    with Topology() as topo:
        term, peer = topo.ns("term"), topo.ns("peer")
        veth(term, "eth0", peer, "eth0")
        term.ip("addr add 192.168.100.2/24 dev eth0")
        policy = tmp / "policy.yaml"
        policy.write_text(POLICY)
        proc = subprocess.Popen(["ip", "netns", "exec", term.name, sys.executable, "-m", "ybguard", "watch",
                                 "--policy", str(policy), "--interval", "30", "--no-capture", "--no-usb",
                                 "--no-processes"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None and proc.stdout is not None
        proc.stderr.readline()
        proc.stderr.readline()
        time.sleep(1.0)  # the starting state is read
        lines = []
        pairs = changes // 2 - 1
        for i in range(pairs):
            lines.append(f"route add 10.{77 + i // 256 % 100}.{i % 256}.0/24 via 192.168.100.1 dev eth0")
            if i == pairs // 2:
                lines += ["route add 0.0.0.0/1 via 192.168.100.1 dev eth0", "route del 0.0.0.0/1 via 192.168.100.1 dev eth0"]
            lines.append(f"route del 10.{77 + i // 256 % 100}.{i % 256}.0/24 via 192.168.100.1 dev eth0")
        batch = tmp / "burst.batch"
        batch.write_text("\n".join(lines) + "\n")
        t0 = time.perf_counter()
        term.ip(f"-batch {batch}")
        burst = time.perf_counter() - t0
        seen = None
        import selectors

        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.perf_counter() + 30
        while seen is None and time.perf_counter() < deadline:
            if not sel.select(timeout=max(0.0, deadline - time.perf_counter())):
                break
            event = json.loads(proc.stdout.readline())
            if event["event"] == "violation" and event["subject"].startswith("0.0.0.0/1 "):
                seen = time.perf_counter() - t0
        time.sleep(5)  # let the watch catch up before its counters are read
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
        counts = re.search(r"rtnetlink: (\d+) events received, (\d+) dropped, (\d+) kernel overruns", err)
        print(f"{len(lines):>6} route changes: burst {burst * 1000:7.1f} ms; split default reported "
              + (f"{seen * 1000:7.1f} ms after the burst began" if seen is not None else "NEVER")
              + (f"; watch received {counts.group(1)}, dropped {counts.group(2)}, kernel overruns {counts.group(3)}"
                 if counts else f"; no counters: {err[-300:]}"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--changes", type=int, nargs="+", default=[460, 5000, 20000])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ybguard-bench-watch-") as tmp:
        for n in args.changes:
            one(n, Path(tmp))


if __name__ == "__main__":
    main()
