#!/usr/bin/env python3
"""Time and peak memory of ybguard on hostile inputs (issue 11 items 14, 15, 16, 20). Prints
numbers; asserts nothing.

Each input is handed to a fresh ``ybguard`` process, the way a user meets it: a netplan alias
bomb and a gzip bomb inside an offline image, an alias-bomb policy, 40,000 allowed networks, a
sparse 2 GiB syslog, a 1.5 GB sparse SYSTEM hive. Wall time and peak RSS come from wait4() of
that child. The child runs under a wall-clock limit (--timeout) and an address-space limit
(--memory), so the numbers of an unbounded version are "killed at N s" or "out of memory at
N MiB" rather than a machine brought down.

    .venv/bin/python bench/hostile.py [--src DIR] [--timeout 120] [--memory 4096] [--only NAME]

``--src`` runs another tree's ``src`` (e.g. ``git archive main src | tar -x -C /tmp/before``) to
measure before a change. The inputs are built once under $TMPDIR/ybguard-hostile-bench.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Callable, Dict, List, Tuple

REPO = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
WORK = Path(tempfile.gettempdir()) / "ybguard-hostile-bench"
HEAD = "policy:\n  id: bench\n"


def _bomb_lines(prefix: str, levels: int, width: int) -> List[str]:
    lines = [f"{prefix}0: &{prefix}0 [lol]"]
    for i in range(1, levels + 1):
        lines.append(f"{prefix}{i}: &{prefix}{i} [" + ", ".join([f"*{prefix}{i - 1}"] * width) + "]")
    return lines


def netplan_bomb() -> List[str]:
    """Two netplan files of 0.5 KB, each 9 levels of 9 aliases under network: (PyYAML shares
    the aliased lists; netplan's merge of the two files compares them element by element,
    9^9 times)."""
    root = WORK / "netplan-bomb"
    (root / "etc/netplan").mkdir(parents=True, exist_ok=True)
    (root / "etc/os-release").write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    body = "network:\n  version: 2\n" + "".join("  " + ln + "\n" for ln in _bomb_lines("a", 9, 9))
    for name in ("01-a.yaml", "02-b.yaml"):
        (root / "etc/netplan" / name).write_text(body)
    return ["scan", "--root", str(root), "--only", "network.*", "--format", "json"]


def policy_bomb() -> List[str]:
    """A 390 KB policy: one allowed network and 78,000 aliases of it (each was validated by
    rebuilding the address space), then 6 levels of 9 aliases of a list of them."""
    path = WORK / "policy-bomb.yaml"
    aliases = ", ".join(["*n"] * 78000)
    lines = [HEAD.rstrip("\n"), "network:", f"  allowed_networks: [&n 10.50.0.0/16, {aliases}]"]
    path.write_text("\n".join(lines) + "\n")
    return ["policy", "validate", str(path)]


def policy_list_bomb() -> List[str]:
    """A 1 KB policy: 9 levels of 9 aliases under software.deny."""
    path = WORK / "policy-list-bomb.yaml"
    lines = [HEAD.rstrip("\n"), "software:", "  deny: &b0 [frpc]"]
    lines += [f"  x{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * 9) + "]" for i in range(1, 10)]
    path.write_text("\n".join(lines) + "\n")
    return ["policy", "validate", str(path)]


def many_networks() -> List[str]:
    path = WORK / "policy-40000-networks.yaml"
    nets = "".join(f"    - 10.{i // 256 % 256}.{i % 256}.0/24\n" for i in range(40000))
    path.write_text(HEAD + "network:\n  allowed_networks:\n" + nets)
    return ["policy", "validate", str(path)]


def _log_image(name: str) -> Path:
    root = WORK / name
    (root / "var/log").mkdir(parents=True, exist_ok=True)
    (root / "etc").mkdir(exist_ok=True)
    (root / "etc/os-release").write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    return root


def _gzip_of(path: Path, block: bytes, total: int) -> None:
    if path.exists():
        return
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = block * (MiB // len(block))
    with open(path.with_suffix(".tmp"), "wb") as fh:
        for _ in range(total // len(chunk)):
            fh.write(comp.compress(chunk))
        fh.write(comp.flush())
    os.replace(path.with_suffix(".tmp"), path)


def gzip_bomb() -> List[str]:
    """kern.log.1.gz of ~2 MB expanding to 2 GiB of log-like lines."""
    root = _log_image("gzip-bomb")
    _gzip_of(root / "var/log/kern.log.1.gz", b"Nov 30 10:00:00 host kernel: " + b"x" * 70 + b"\n", 2048 * MiB)
    return ["scan", "--root", str(root), "--only", "usb.storage-history", "--format", "json"]


def gzip_newlines() -> List[str]:
    """kern.log.1.gz expanding to 2 GiB of newlines."""
    root = _log_image("gzip-newlines")
    _gzip_of(root / "var/log/kern.log.1.gz", b"\n" * 4096, 2048 * MiB)
    return ["scan", "--root", str(root), "--only", "usb.storage-history", "--format", "json"]


def sparse_syslog() -> List[str]:
    root = _log_image("sparse-syslog")
    path = root / "var/log/syslog"
    if not path.exists():
        with open(path, "wb") as fh:
            fh.truncate(2048 * MiB)
    return ["scan", "--root", str(root), "--only", "usb.storage-history", "--format", "json"]


def sparse_hive() -> List[str]:
    directory = WORK / "sparse-hive"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "SYSTEM"
    if not path.exists():
        with open(path, "wb") as fh:
            fh.write(b"regf" + b"\0" * 508)
            fh.truncate(1536 * MiB)
    return ["scan", "--hives", str(directory), "--format", "json"]


INPUTS: Dict[str, Tuple[str, Callable[[], List[str]]]] = {
    "netplan-bomb": ("#14 netplan alias bomb (2 x 0.5 KB, 9x9)", netplan_bomb),
    "policy-bomb": ("#14 policy of 78,000 aliases (390 KB)", policy_bomb),
    "policy-list-bomb": ("#14 policy alias bomb (1 KB, 9x9)", policy_list_bomb),
    "gzip-bomb": ("#15 kern.log.1.gz 2 MB -> 2 GiB", gzip_bomb),
    "gzip-newlines": ("#15 kern.log.1.gz -> 2 GiB of newlines", gzip_newlines),
    "sparse-syslog": ("#15 sparse 2 GiB syslog", sparse_syslog),
    "sparse-hive": ("#16 sparse 1.5 GB SYSTEM hive", sparse_hive),
    "networks": ("#20 40,000 allowed_networks", many_networks),
}


def run(argv: List[str], src: Path, timeout: float, memory_mib: int) -> Tuple[float, float, str]:
    """(wall s, peak RSS MiB, outcome) of one child."""
    env = dict(os.environ, PYTHONPATH=str(src), LANG="C.UTF-8")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mib * MiB, memory_mib * MiB))
        os.setsid()

    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "ybguard", *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, preexec_fn=limit, cwd="/")
    killed = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > timeout and not killed:
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
        time.sleep(0.05)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    rss = usage.ru_maxrss / 1024
    if killed:
        outcome = f"killed at {timeout:.0f} s"
    elif "MemoryError" in err:
        outcome = f"out of memory at {memory_mib} MiB"
    else:
        code = os.waitstatus_to_exitcode(status)
        first = next((ln for ln in err.splitlines() if ln.strip()), "")[:110]
        outcome = f"exit {code}" + (f": {first}" if first else "")
    return wall, rss, outcome


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, default=REPO / "src", help="the src directory to run (default: this tree's)")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--memory", type=int, default=4096, help="address-space limit of the child, MiB")
    ap.add_argument("--only", action="append", choices=sorted(INPUTS))
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"src: {args.src}  (limits: {args.timeout:.0f} s, {args.memory} MiB)")
    print(f"{'input':42} {'wall s':>8} {'peak MiB':>9}  outcome")
    for name in args.only or list(INPUTS):
        title, build = INPUTS[name]
        argv = build()
        wall, rss, outcome = run(argv, args.src, args.timeout, args.memory)
        print(f"{title:42} {wall:8.2f} {rss:9.1f}  {outcome}", flush=True)


if __name__ == "__main__":
    main()
