"""Benchmarks of the software/usb area. Prints numbers; asserts nothing.

1. Inventory of a 5,000-package dpkg status file (median of runs, ms). The file is made
   from the real stanzas of the debootstrap root, renamed to stay unique, so line shapes
   and sizes are those dpkg writes.
2. A whole offline scan of the debootstrap root (``ybguard scan --root … --format json``),
   wall time including interpreter start (median of runs, ms), and the report's own
   duration_ms (the scan without start-up).

    .venv/bin/python bench/software.py [--packages 5000] [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))


def synthetic_status(real_status: str, count: int) -> str:
    """``count`` stanzas cycled from a real status file, each Package name made unique."""
    stanzas = [s for s in real_status.split("\n\n") if s.strip()]
    out = []
    for i in range(count):
        s = stanzas[i % len(stanzas)]
        out.append(s.replace("Package: ", f"Package: bench{i}-", 1))
    return "\n\n".join(out) + "\n"


def bench_inventory(root: Path, count: int, runs: int) -> None:
    from ybguard.collect.software import read_packages
    from ybguard.target import RootfsTarget

    text = synthetic_status((root / "var/lib/dpkg/status").read_text(), count)
    with tempfile.TemporaryDirectory() as tmp:
        status = Path(tmp) / "var/lib/dpkg/status"
        status.parent.mkdir(parents=True)
        status.write_text(text)
        target = RootfsTarget(tmp)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            pkgs = read_packages(target)
            times.append((time.perf_counter() - t0) * 1000)
    print(f"dpkg inventory: {len(pkgs)} packages, {len(text) / 1e6:.1f} MB status: "
          f"median {statistics.median(times):.1f} ms, min {min(times):.1f} ms (runs={runs})")


def bench_scan(root: Path, runs: int) -> None:
    wall, inner = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--root", str(root), "--format", "json"],
                              capture_output=True, text=True, cwd=str(REPO), env={**os.environ, "PYTHONPATH": str(REPO / "src")})
        wall.append((time.perf_counter() - t0) * 1000)
        inner.append(json.loads(proc.stdout)["duration_ms"])
    print(f"offline scan of {root}: wall median {statistics.median(wall):.0f} ms (incl. interpreter start), "
          f"scan median {statistics.median(inner):.0f} ms (runs={runs})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--packages", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    from debroot import debian_root

    root = debian_root()
    bench_inventory(root, args.packages, args.runs)
    bench_scan(root, max(3, args.runs // 3))


if __name__ == "__main__":
    main()
