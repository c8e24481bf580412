"""Benchmark: the network part of a scan on a host with 50 interfaces and 5,000 routes.

Builds a throw-away namespace (25 veth pairs = 50 interfaces, 5,000 routes spread over the
main table and five numbered tables, each reached by an ``ip rule``), then, inside it, times
the network collectors and checks (median of N runs, each with fresh facts). Only RFC 1918
addresses; nothing is sent. Needs root.

    .venv/bin/python bench/network.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from typing import Dict, List

INTERFACES = 50
ROUTES = 5000
TABLES = ("main", "100", "101", "102", "103", "104")


def sh(*argv: str, input_text: str = "") -> None:
    subprocess.run(list(argv), check=True, input=input_text.encode() if input_text else None, capture_output=True)


def build(ns: str) -> None:
    sh("ip", "netns", "add", ns)
    cmds: List[str] = ["link set lo up"]
    for pair in range(INTERFACES // 2):
        a, b = f"bva{pair}", f"bvb{pair}"
        cmds += [f"link add {a} type veth peer name {b}", f"link set {a} up", f"link set {b} up",
                 f"addr add 10.{100 + pair}.0.1/24 dev {a}"]
    for i, table in enumerate(TABLES[1:]):
        cmds.append(f"rule add from 10.{100 + i}.0.0/16 lookup {table} prio {100 + i}")
    for n in range(ROUTES):
        pair = n % (INTERFACES // 2)
        table = TABLES[n % len(TABLES)]
        cmds.append(f"route add 172.{16 + n // 4096}.{(n // 16) % 256}.{(n % 16) * 16}/28 "
                    f"via 10.{100 + pair}.0.2 table {table}")
    sh("ip", "-n", ns, "-batch", "-", input_text="\n".join(cmds) + "\n")


def inner(runs: int) -> None:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    from ybguard.checks.network import CHECKS
    from ybguard.collect import FactSet, ScanOptions, registry_for
    from ybguard.engine import evaluate_check
    from ybguard.policy.loader import load_policy_file
    from ybguard.target.linux import LiveLinuxTarget

    policy = load_policy_file(os.environ["YB_BENCH_POLICY"])
    target = LiveLinuxTarget()
    registry = registry_for("linux")
    totals: List[float] = []
    per_fact: Dict[str, List[float]] = {}
    counts: Dict[str, int] = {}
    for _ in range(runs):
        facts = FactSet(target, policy, ScanOptions(), registry)
        t0 = time.perf_counter()
        for key in sorted({k for c in CHECKS for k in c.needs}):
            t1 = time.perf_counter()
            value = facts.get(key)
            per_fact.setdefault(key, []).append((time.perf_counter() - t1) * 1000)
            counts[key] = len(value.routes) if hasattr(value, "routes") else len(value) if hasattr(value, "__len__") \
                else len(value.settings)
        t1 = time.perf_counter()
        findings = [f for c in CHECKS for f in evaluate_check(c, facts, policy, "en")]
        per_fact.setdefault("(checks)", []).append((time.perf_counter() - t1) * 1000)
        totals.append((time.perf_counter() - t0) * 1000)
    print(f"interfaces={counts['network.interfaces']} routes={counts['network.routing']} findings={len(findings)}")
    for key, values in per_fact.items():
        print(f"  {key:24s} median {statistics.median(values):7.1f} ms")
    print(f"network collectors+checks: median {statistics.median(totals):.1f} ms, "
          f"min {min(totals):.1f} ms, max {max(totals):.1f} ms over {runs} runs (cpus={os.cpu_count()})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.runs)
        return
    ns = f"ybbench{os.getpid()}"
    policy = f"/tmp/{ns}-policy.yaml"
    with open(policy, "w", encoding="utf-8") as fh:
        fh.write("policy:\n  id: bench\n  version: 1\nnetwork:\n  leased_line:\n    interfaces: [bva0]\n  allowed_networks: [10.0.0.0/8, 172.16.0.0/12]\n"
                 "  allowed_dns: [10.50.0.53]\n")
    try:
        t0 = time.perf_counter()
        build(ns)
        print(f"built namespace {ns} in {time.perf_counter() - t0:.1f} s")
        subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__), "--inner",
                        "--runs", str(args.runs)], check=True, env={**os.environ, "YB_BENCH_POLICY": policy})
        walls = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-m", "ybguard", "scan", "--only", "network.*",
                            "--policy", policy, "--format", "json"], capture_output=True, check=False)
            walls.append((time.perf_counter() - t0) * 1000)
        print(f"whole CLI process (python start, imports, scan, JSON): median {statistics.median(walls):.0f} ms")
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)
        os.unlink(policy)


if __name__ == "__main__":
    main()
