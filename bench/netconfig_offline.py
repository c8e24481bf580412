"""Time the six offline network facts on an image root (prints numbers; never asserts).

usage: python bench/netconfig_offline.py [ROOT ...]   (default: the cached debootstrap root)
"""

from __future__ import annotations

import sys
import time

from ybguard.collect import FactSet, ScanOptions
from ybguard.collect.netconfig import OFFLINE
from ybguard.policy.schema import Policy
from ybguard.target import RootfsTarget


def main(roots: list) -> None:
    for root in roots:
        best = float("inf")
        for _ in range(20):
            t0 = time.perf_counter()
            facts = FactSet(RootfsTarget(root), Policy(), ScanOptions(), OFFLINE)
            for key in OFFLINE:
                facts.get(key)
            best = min(best, time.perf_counter() - t0)
        print(f"{root}: {best * 1000:.1f} ms for {len(OFFLINE)} offline network facts (best of 20)")


if __name__ == "__main__":
    main(sys.argv[1:] or ["/var/cache/ybguard-tests/debroot-bookworm"])
