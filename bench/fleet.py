#!/usr/bin/env python3
"""Fleet at hospital scale: N terminals × M nights of realistic reports through the real CLI.

Each night is a directory of one JSON report per terminal (every check of the real catalogue,
titles, rules, evidence: ~30 KB each, like a real scan's), ingested by one `ybguard fleet
ingest` process, as the nightly cron job would; the directory is deleted afterwards, so the
disk holds one night at a time. Most terminals are compliant; some fail (a default route, IP
forwarding, a public resolver), some are incomplete, some carry waivers, and ~2 % are off on a
given night. After nights 1, 10, … and the last, `ybguard fleet summary` is timed.

Printed: ingest rate (reports/s, generation excluded), DB size, summary time, and each child's
peak RSS from wait4() — which stays flat as the store grows from 10,000 to 300,000 reports.

    python bench/fleet.py [--terminals 10000] [--nights 30] [--out bench/out/fleet]

Targets: ingest >= 2,000 reports/s; summary <= 2 s at 300,000 reports; memory independent of
the number of reports stored.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "fleet"))

from fleetdata import make_report  # noqa: E402

CST = timezone(timedelta(hours=8))
DEPARTMENTS = ("门诊收费", "住院处", "药房", "检验科", "放射科", "急诊", "医保办", "体检中心")


def ybguard() -> List[str]:
    entry = Path(sys.executable).parent / "ybguard"
    return [str(entry)] if entry.exists() else [sys.executable, "-m", "ybguard"]


def templates() -> List[Tuple[float, str]]:
    """(cumulative share, report JSON with @@…@@ placeholders) per terminal profile."""
    waiver = [("network.forbidden-interface", "wlan0", "@@WAIVER@@", False)]
    profiles = [
        (0.86, {}),
        (0.04, {"fails": [("network.default-route", "default via 10.50.0.1 dev eth0 table main"),
                          ("network.public-route", "default via 10.50.0.1 dev eth0 table main")]}),
        (0.03, {"fails": [("network.ip-forwarding", "net.ipv4.ip_forward")]}),
        (0.02, {"fails": [("network.dns", "114.114.114.114")]}),
        (0.03, {"errors": ["accounts.empty-password"]}),
        (0.02, {"waivers": waiver}),
    ]
    out: List[Tuple[float, str]] = []
    total = 0.0
    for share, kw in profiles:
        total += share
        report = make_report("@@HOST@@", "@@MID@@", "@@STARTED@@", site={
            "hospital": "市第一人民医院", "department": "@@DEPT@@", "asset_id": "@@ASSET@@", "location": "门诊楼"},
            **kw)  # type: ignore[arg-type]
        report["host"]["machine_id"] = "@@MID@@"
        out.append((total, json.dumps(report, ensure_ascii=False, indent=1)))
    return out


def write_night(directory: Path, night: int, terminals: int, profiles: List[Tuple[float, str]],
                start: datetime, rng: random.Random) -> int:
    directory.mkdir(parents=True)
    written = 0
    waiver = (start + timedelta(days=night + 5)).isoformat()
    for i in range(terminals):
        if rng.random() < 0.02:
            continue  # switched off tonight
        r = rng.random()
        text = next(t for share, t in profiles if r <= share) if r <= profiles[-1][0] else profiles[0][1]
        started = start + timedelta(days=night, seconds=i % 3600)
        text = (text.replace("@@HOST@@", f"YB-{i:05d}").replace("@@MID@@", hashlib.md5(str(i).encode()).hexdigest())
                .replace("@@STARTED@@", started.isoformat()).replace("@@DEPT@@", DEPARTMENTS[i % len(DEPARTMENTS)])
                .replace("@@ASSET@@", f"A-{i:06d}").replace("@@WAIVER@@", waiver))
        (directory / f"YB-{i:05d}.json").write_text(text, encoding="utf-8")
        written += 1
    return written


GNU_TIME = "/usr/bin/time"


def child(argv: Sequence[str]) -> Tuple[float, float, int, bytes, float]:
    """(wall s, peak RSS MiB, exit code, stdout, CPU s) of one child process.

    Linux keeps a process's peak RSS across exec, so a child forked from this (large) bench
    process would report our RSS as its own; GNU time, small itself, reports its child's truly.
    """
    report = Path(os.environ.get("TMPDIR", "/tmp")) / f"ybguard-bench-rss-{os.getpid()}"
    wrapped = [GNU_TIME, "-f", "%M", "-o", str(report), *argv] if os.path.exists(GNU_TIME) else list(argv)
    t0 = time.perf_counter()
    proc = subprocess.Popen(wrapped, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read() if proc.stdout else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    rss = usage.ru_maxrss / 1024  # KiB on Linux
    if wrapped[0] == GNU_TIME:
        rss = int(report.read_text().split()[-1]) / 1024
        report.unlink()
    return wall, rss, os.waitstatus_to_exitcode(status), out, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--terminals", type=int, default=10000)
    parser.add_argument("--nights", type=int, default=30)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "fleet")
    parser.add_argument("--jobs", type=int, default=1, help="fleet ingest --jobs")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    db = args.out / "fleet.db"
    rng = random.Random(20261202)
    profiles = templates()
    start = datetime(2026, 11, 1, 2, 0, tzinfo=CST)
    cmd = ybguard()
    checkpoints = sorted({1, 10, 20, args.nights} & set(range(1, args.nights + 1)))
    total_reports = 0
    total_ingest = 0.0
    total_cpu = 0.0
    sizes: List[int] = []
    print(f"fleet bench: {args.terminals} terminals x {args.nights} nights, ingest --jobs {args.jobs}, report ~"
          f"{len(profiles[0][1].encode()) // 1024} KB")
    print("wall = elapsed; cpu = user+sys of the command and its worker processes")
    print(f"{'night':>5} {'reports':>8} {'wall s':>7} {'cpu s':>6} {'rate/s':>7} {'/cpu-s':>7} {'MiB':>6} "
          f"{'stored':>8} {'db MiB':>7} {'summary wall':>12} {'cpu':>5} {'MiB':>6}")
    for night in range(1, args.nights + 1):
        directory = args.out / f"night-{night:02d}"
        n = write_night(directory, night - 1, args.terminals, profiles, start, rng)
        wall, rss, code, _, cpu = child([*cmd, "fleet", "ingest", "--db", str(db), "--quiet", "--jobs", str(args.jobs),
                                         str(directory)])
        if code != 0:
            raise SystemExit(f"ingest of night {night} exited {code}")
        shutil.rmtree(directory)
        total_reports += n
        total_ingest += wall
        total_cpu += cpu
        size = sum(p.stat().st_size for p in args.out.glob("fleet.db*"))
        sizes.append(size)
        line = (f"{night:>5} {n:>8} {wall:>7.2f} {cpu:>6.2f} {n / wall:>7.0f} {n / cpu:>7.0f} {rss:>6.1f} "
                f"{total_reports:>8} {size / 2 ** 20:>7.1f}")
        if night in checkpoints:
            now = (start + timedelta(days=night - 1, hours=6)).isoformat()
            s_wall, s_rss, s_code, out, s_cpu = child([*cmd, "fleet", "summary", "--db", str(db), "--format", "json",
                                                "--now", now, "--nights", "30"])
            if s_code != 0:
                raise SystemExit(f"summary exited {s_code}")
            data: Dict = json.loads(out)
            assert data["reports"] == total_reports and len(data["terminals"]) <= args.terminals
            h_wall, _h_rss, _c, _o, h_cpu = child([*cmd, "fleet", "summary", "--db", str(db), "--format", "html",
                                            "--now", now, "--nights", "30"])
            line += f" {s_wall:>12.2f} {s_cpu:>5.2f} {s_rss:>6.1f}  (html {h_wall:.2f} s wall, {h_cpu:.2f} s cpu)"
        print(line, flush=True)
    print(f"total: {total_reports} reports, ingest {total_reports / total_ingest:.0f} reports/s wall, "
          f"{total_reports / total_cpu:.0f} per CPU-second, "
          f"database {sizes[-1] / 2 ** 20:.1f} MiB ({sizes[-1] / total_reports:.0f} bytes/report)")


if __name__ == "__main__":
    main()
