#!/usr/bin/env python3
"""Traces of past violations: parse time and peak memory of the history sources.

    python bench/history.py [--visits 400000] [--evtx-copies 10]

- a ~50 MB Chromium History database (the real schema of tests/data/history/grr-chrome-History,
  filled with N visits to 20,000 URLs, WAL file included), read by the history.web collector;
- Windows Security/System event logs: the real samples in tests/data/history/evtx read
  ``--evtx-copies`` times each (no writer of .evtx exists here to build one 20 MB file; the
  parser's cost is per record, so ten 2 MB logs stand for one 20 MB log), with the Rust-backed
  ``evtx`` parser and, for comparison, pure-Python ``python-evtx`` on one copy when installed;
- the whole offline scan with only the history checks, on an image holding that database and a
  year of syslog (365 rotated days of cron noise around a few clock changes).

Each measurement runs in a fresh child process; peak RSS comes from wait4().
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "data" / "history"


def child(code: str) -> tuple:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read().decode().strip() if proc.stdout else ""
    return time.perf_counter() - start, usage.ru_maxrss / 1024, out


def build_history(path: Path, visits: int) -> None:
    src = sqlite3.connect(f"file:{DATA / 'grr-chrome-History'}?mode=ro", uri=True)
    schema = [sql for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE tbl_name IN ('urls','visits') AND sql IS NOT NULL ORDER BY type DESC")]
    src.close()
    con = sqlite3.connect(str(path))
    con.execute("PRAGMA journal_mode=WAL")
    for sql in schema:
        con.execute(sql)
    base = 13_300_000_000_000_000  # WebKit µs, 2022
    con.executemany("INSERT INTO urls(id, url, title, last_visit_time) VALUES (?, ?, ?, ?)",
                    ((i, f"https://host{i % 3000}.example.com/page/{i}?q={i * 7}", f"Page {i} " * 8, base)
                     for i in range(1, 20001)))
    con.executemany("INSERT INTO visits(url, visit_time, transition) VALUES (?, ?, 805306368)",
                    ((1 + i % 20000, base + i * 60_000_000) for i in range(visits)))
    con.commit()
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--visits", type=int, default=650_000)
    ap.add_argument("--evtx-copies", type=int, default=10)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ybguard-bench-history-"))
    try:
        root = tmp / "root"
        profile = root / "home/alice/.config/google-chrome/Default"
        profile.mkdir(parents=True)
        (root / "home/alice/.config/google-chrome/Local State").write_text("{}")
        (root / "etc").mkdir()
        (root / "etc/os-release").write_text("ID=debian\n")
        (root / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\n")
        build_history(profile / "History", args.visits)
        size = sum(p.stat().st_size for p in profile.iterdir()) / 1e6
        code = (f"from datetime import datetime, timezone\nfrom ybguard.collect.webhistory import read_web_history\n"
                f"from ybguard.target import RootfsTarget\nimport time\nt=time.perf_counter()\n"
                f"h = read_web_history(RootfsTarget({str(root)!r}), datetime(2000,1,1,tzinfo=timezone.utc), 9999)\n"
                f"print(h.visits_examined, len(h.hosts), round(time.perf_counter()-t, 3))")
        wall, rss, out = child(code)
        visits, hosts, inner = out.split()
        print(f"History database {size:.1f} MB ({visits} visits, {hosts} hosts): read {inner} s "
              f"(process {wall:.2f} s), peak RSS {rss:.0f} MiB")

        for name in ("security", "system"):
            path = DATA / "evtx" / f"{name}.evtx"
            code = (f"from ybguard.collect.eventlog import read_events\nfrom ybguard.collect.clockhistory import "
                    f"CLOCK_EVENTS\nimport time\nt=time.perf_counter()\nn=0\n"
                    f"for _ in range({args.evtx_copies}):\n    n += len(read_events({str(path)!r}, 'x', CLOCK_EVENTS))\n"
                    f"print(n, round(time.perf_counter()-t, 3))")
            wall, rss, out = child(code)
            n, inner = out.split()
            mb = path.stat().st_size * args.evtx_copies / 1e6
            print(f"{name}.evtx × {args.evtx_copies} ({mb:.0f} MB): {n} clock events in {inner} s with evtx "
                  f"(process {wall:.2f} s), peak RSS {rss:.0f} MiB")
        try:
            import Evtx  # noqa: F401

            code = ("import time, Evtx.Evtx as E\nt=time.perf_counter()\nn=0\n"
                    f"with E.Evtx({str(DATA / 'evtx' / 'security.evtx')!r}) as log:\n"
                    "    for r in log.records():\n        r.xml(); n += 1\nprint(n, round(time.perf_counter()-t, 2))")
            wall, rss, out = child(code)
            n, inner = out.split()
            print(f"python-evtx, security.evtx × 1 (2 MB): {n} records in {inner} s, peak RSS {rss:.0f} MiB")
        except ImportError:
            print("python-evtx not installed: no comparison")

        logs = root / "var/log"
        logs.mkdir(parents=True)
        for day in range(365):
            lines = [f"Jan  1 {h:02d}:{m:02d}:01 yb-pc01 CRON[{day}]: (root) CMD (run-parts /etc/cron.hourly)"
                     for h in range(24) for m in range(0, 60, 5)]
            if day % 100 == 0:
                lines.append("Jan  1 12:00:00 yb-pc01 systemd-timedated[9]: Changed local time to Sat 2026-11-01")
            text = "\n".join(lines) + "\n"
            name = "syslog" if day == 0 else f"syslog.{day}.gz" if day > 1 else "syslog.1"
            if name.endswith(".gz"):
                with gzip.open(logs / name, "wt") as fh:
                    fh.write(text)
            else:
                (logs / name).write_text(text)
        entry = Path(sys.executable).parent / "ybguard"
        argv = [str(entry) if entry.exists() else sys.executable, *([] if entry.exists() else ["-m", "ybguard"]),
                "scan", "--root", str(root), "--only", "history.*", "--only", "time.manual-change",
                "--format", "json", "-o", f"json={tmp / 'r.json'}"]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _pid, _status, usage = os.wait4(proc.pid, 0)
        print(f"scan --only history.* time.manual-change (History {size:.0f} MB + 365 days of syslog, "
              f"{len(list(logs.iterdir()))} files): {time.perf_counter() - start:.2f} s, "
              f"peak RSS {usage.ru_maxrss / 1024:.0f} MiB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
