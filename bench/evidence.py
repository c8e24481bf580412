#!/usr/bin/env python3
"""Evidence bundles: collection time and bundle size (Linux, real, inside a network namespace),
and the scan time of a bundle against a live scan of the same namespace.

    sudo python bench/evidence.py [--runs 3] [--shell sh]

Prints numbers; asserts nothing. Needs root (ip netns). The namespace is a leased-line terminal
(veth 10.88.0.2/30, a route to 10.50.0.0/16) made here and deleted at the end.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def timed(argv: List[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, timeout=600)
    return time.perf_counter() - start


def size_of(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shell", default="sh")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/evidence.py needs root (network namespaces)")
    from netns import Topology, veth

    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="ybguard-bench-") as tmp, Topology() as topo:
        tmpdir = Path(tmp)
        term, plat = topo.ns("term"), topo.ns("plat")
        veth(term, "eth0", plat, "eth0")
        term.ip("addr add 10.88.0.2/30 dev eth0")
        plat.ip("addr add 10.88.0.1/30 dev eth0")
        term.ip("route add 10.50.0.0/16 via 10.88.0.1")
        subprocess.run([sys.executable, "-m", "ybguard", "kit", "--os", "linux", "--out", str(tmpdir / "kit")],
                       check=True, capture_output=True)
        collector = tmpdir / "kit" / "collect.sh"
        ip = shutil.which("ip") or "ip"
        collect_s, sizes, members = [], [], []
        for i in range(args.runs):
            out = tmpdir / f"bundle{i}"
            collect_s.append(timed([ip, "netns", "exec", term.name, args.shell, str(collector), str(out)], env))
            sizes.append(size_of(out))
            members.append(sum(1 for _ in out.rglob("*")))
        bundle = tmpdir / "bundle0"
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tf:
            tf.add(bundle, arcname="bundle0")
        tgz = tmpdir / "bundle0.tar.gz"
        tgz.write_bytes(gzip.compress(buf.getvalue()))
        tgz_size = tgz.stat().st_size
        scan = [sys.executable, "-m", "ybguard", "scan", "--format", "json"]
        live_s = [timed([ip, "netns", "exec", term.name, *scan], env) for _ in range(args.runs)]
        folder_s = [timed([*scan, "--evidence", str(bundle)], env) for _ in range(args.runs)]
        tgz_s = [timed([*scan, "--evidence", str(tgz)], env) for _ in range(args.runs)]

    def med(xs: List[float]) -> str:
        return f"{statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f})"

    print(f"collect.sh ({args.shell}) in a namespace: {med(collect_s)}")
    print(f"bundle: {statistics.median(sizes) / 1e6:.1f} MB in {int(statistics.median(members))} entries; "
          f".tar.gz {tgz_size / 1e6:.2f} MB")
    print(f"live scan (ybguard scan, all checks):        {med(live_s)}")
    print(f"scan --evidence FOLDER (all checks):          {med(folder_s)}")
    print(f"scan --evidence .tar.gz (all checks):         {med(tgz_s)}")
    print(f"runs: {args.runs}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
