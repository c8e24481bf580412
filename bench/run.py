#!/usr/bin/env python3
"""Median wall time and peak RSS of `ybguard --help` and `ybguard scan --format json`.

Each run is a fresh process (what cron and CI pay). Peak RSS comes from wait4()'s rusage of
that one child, so runs do not blur into each other. No capture, no probe: a plain scan.

    python bench/run.py [--runs 7] [--root DIR] [--policy FILE]

Targets on a 2-core machine: --help < 150 ms; a full scan < 500 ms and < 80 MB peak RSS.
Other bench/*.py scripts (per area) are listed at the end; run them yourself.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Sequence, Tuple

HERE = Path(__file__).resolve().parent


def ybguard_command() -> List[str]:
    entry = Path(sys.executable).parent / "ybguard"
    if entry.exists():
        return [str(entry)]
    found = shutil.which("ybguard")
    return [found] if found else [sys.executable, "-m", "ybguard"]


def one_run(argv: Sequence[str]) -> Tuple[float, float, int]:
    """(wall seconds, peak RSS MiB, exit code) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8
    return wall, usage.ru_maxrss / 1024.0, proc.returncode  # ru_maxrss is KiB on Linux


def measure(name: str, argv: Sequence[str], runs: int) -> Tuple[str, float, float, float, str]:
    one_run(argv)  # warm the page cache; not counted
    walls, rss, codes = [], [], set()
    for _ in range(runs):
        wall, peak, code = one_run(argv)
        walls.append(wall)
        rss.append(peak)
        codes.add(code)
    return name, statistics.median(walls) * 1000, min(walls) * 1000, max(rss), ",".join(map(str, sorted(codes)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--root", help="scan this image directory instead of the live host")
    ap.add_argument("--policy", help="policy file (default: the usual lookup)")
    args = ap.parse_args()

    cmd = ybguard_command()
    scan = cmd + ["scan", "--format", "json", "--no-probe"]
    if args.root:
        scan += ["--root", args.root]
    if args.policy:
        scan += ["--policy", args.policy]
    rows = [
        measure("ybguard --help", cmd + ["--help"], args.runs),
        measure("ybguard scan --format json", scan, args.runs),
    ]
    print(f"ybguard benchmark: {args.runs} runs each, {os.cpu_count()} CPUs, {' '.join(cmd)}")
    print(f"{'command':<30} {'median ms':>10} {'min ms':>8} {'peak RSS MiB':>13} {'exit':>6}  target")
    targets = {"ybguard --help": "< 150 ms", "ybguard scan --format json": "< 500 ms, < 80 MiB"}
    for name, median, fastest, rss, codes in rows:
        print(f"{name:<30} {median:>10.1f} {fastest:>8.1f} {rss:>13.1f} {codes:>6}  {targets[name]}")
    others = sorted(p.name for p in HERE.glob("*.py") if p.name != "run.py")
    if others:
        print("area benchmarks (run them separately): " + ", ".join(f"bench/{n}" for n in others))
    return 0


if __name__ == "__main__":
    sys.exit(main())
