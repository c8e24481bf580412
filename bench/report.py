"""Benchmarks of the reports: evaluating every check with its pass evidence, and rendering.

1. Every built-in check over the fixture facts of a terminal with violations
   (tests/foundation/sample.py), through the real engine: what the per-check ``examined`` hooks
   and translated evidence cost (median ms per full evaluation).
2. Rendering that report as console, JSON, HTML, JUnit and Prometheus (median ms each), and the
   HTML page's size.

    .venv/bin/python bench/report.py [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    from tests.foundation.sample import sample_report

    from ybguard.report import Format

    for lang in ("zh", "en"):
        report = sample_report(lang)
        print(f"[{lang}] evaluate {len(report.findings)} findings of every check: "
              f"{median_ms(lambda: sample_report(lang), args.runs):.2f} ms")  # noqa: B023
        for fmt in Format:
            render = fmt.renderer(width=80)
            ms = median_ms(lambda: render(report), args.runs)  # noqa: B023
            print(f"[{lang}] render {fmt.value:<10} {ms:7.2f} ms  {len(render(report).encode()):>7} bytes")


if __name__ == "__main__":
    main()
