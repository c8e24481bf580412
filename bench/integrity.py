"""Baseline create/verify throughput against `sha256sum` over the same files, in one run.

    python bench/integrity.py [--files 10000] [--mb 1024] [--dir /dev/shm] [--workers 4]

Files are created first (not timed) under --dir: /dev/shm (tmpfs, i.e. memory: the numbers
measure hashing, not the disk) unless told otherwise. Each timed step runs with the files
already in the page cache, so all three read from the same place.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from ybguard import baseline as bl  # noqa: E402
from ybguard.collect import FactSet, ScanOptions, registry_for  # noqa: E402
from ybguard.collect import integrity  # noqa: E402
from ybguard.policy.schema import IntegrityPolicy, Policy  # noqa: E402
from ybguard.target import LiveLinuxTarget  # noqa: E402


def make_tree(top: Path, files: int, total_mb: int) -> int:
    size = total_mb * 1024 * 1024 // files
    block = os.urandom(1 << 20)
    total = 0
    for i in range(files):
        d = top / f"d{i // 500:03d}"
        d.mkdir(exist_ok=True)
        data = (block[(i * 4099) % 65536:] + block)[:size]
        (d / f"f{i:05d}.bin").write_bytes(data)
        total += size
    return total


def sha256sum_seconds(top: Path) -> float:
    paths = sorted(str(p) for p in top.rglob("*.bin"))
    t0 = time.perf_counter()
    for i in range(0, len(paths), 2000):
        subprocess.run(["sha256sum", *paths[i:i + 2000]], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--dir", default="/dev/shm" if os.path.isdir("/dev/shm") else None)
    ap.add_argument("--workers", type=int, default=integrity.WORKERS)
    args = ap.parse_args()
    top = Path(tempfile.mkdtemp(prefix="ybguard-bench-", dir=args.dir))
    try:
        total = make_tree(top, args.files, args.mb)
        mb = total / (1 << 20)
        policy = Policy(integrity=IntegrityPolicy(paths=(str(top),)))
        now = datetime.now(timezone.utc)
        sha256sum_seconds(top)  # warm the page cache for everyone
        t_sum = sha256sum_seconds(top)

        integrity.WORKERS = args.workers
        t0 = time.perf_counter()
        facts = FactSet(LiveLinuxTarget(), policy, ScanOptions(now=now), registry_for("linux"))
        doc = bl.create(facts, now)
        t_create = time.perf_counter() - t0
        base = bl.parse(doc)

        t0 = time.perf_counter()
        current = integrity.hash_tree(LiveLinuxTarget(), (str(top),), workers=args.workers)
        drift = bl.diff_files(base, current)
        t_verify = time.perf_counter() - t0
        assert not drift and len(doc["files"]) == args.files

        t0 = time.perf_counter()
        integrity.hash_tree(LiveLinuxTarget(), (str(top),), workers=1)
        t_one = time.perf_counter() - t0

        print(f"{args.files} files, {mb:.0f} MiB under {top} ({'tmpfs' if str(top).startswith('/dev/shm') else 'disk'}),"
              f" {os.cpu_count()} CPUs")
        print(f"sha256sum (1 process)            {t_sum:6.2f} s  {mb / t_sum:7.1f} MiB/s  100 %")
        for name, t in ((f"baseline create ({args.workers} threads)", t_create),
                        (f"baseline verify ({args.workers} threads)", t_verify),
                        ("hash_tree (1 thread)", t_one)):
            print(f"{name:<32} {t:6.2f} s  {mb / t:7.1f} MiB/s  {100 * t_sum / t:3.0f} %")
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
