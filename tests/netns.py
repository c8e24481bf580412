"""Real network namespaces for tests: build a topology, run ybguard inside, tear it down.

Only RFC 5737 / RFC 1918 addresses; traffic stays inside namespaces made here. Names carry
the pid and a counter, so parallel runs never collide.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

REPO = Path(__file__).resolve().parent.parent
_COUNTER = itertools.count()


def sh(*argv: str, check: bool = True, input: Optional[bytes] = None, timeout: float = 30) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(argv), capture_output=True, input=input, timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} -> {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    return proc


def unique(prefix: str) -> str:
    """A short unique name (interface names are at most 15 bytes)."""
    return f"{prefix}{os.getpid() % 10000}{next(_COUNTER)}"[:15]


class Netns:
    """One namespace. ``ns.ip("route add …")`` runs ``ip`` inside it; ``ns.run([...])`` runs anything."""

    def __init__(self, name: str) -> None:
        self.name = name
        sh("ip", "netns", "add", name)
        self.ip("link set lo up")
        self.etc = Path("/etc/netns") / name

    def ip(self, args: str, check: bool = True) -> subprocess.CompletedProcess:
        return sh("ip", "-n", self.name, *args.split(), check=check)

    def run(self, argv: Sequence[str], check: bool = True, timeout: float = 60,
            input: Optional[bytes] = None) -> subprocess.CompletedProcess:
        return sh("ip", "netns", "exec", self.name, *argv, check=check, timeout=timeout, input=input)

    def sysctl(self, key: str, value: str) -> None:
        self.run(["sysctl", "-q", "-w", f"{key}={value}"])

    def write_etc(self, relpath: str, text: str) -> Path:
        """/etc/netns/NAME/relpath is bind-mounted over /etc/relpath by `ip netns exec`."""
        path = self.etc / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def ybguard(self, *args: str, env: Optional[Dict[str, str]] = None, timeout: float = 60) -> subprocess.CompletedProcess:
        """Run the real CLI inside the namespace with this interpreter."""
        full_env = dict(os.environ)
        full_env.update(env or {})
        cmd = ["ip", "netns", "exec", self.name, sys.executable, "-m", "ybguard", *args]
        return subprocess.run(cmd, capture_output=True, timeout=timeout, env=full_env)

    def scan_json(self, *args: str, env: Optional[Dict[str, str]] = None) -> tuple[int, dict]:
        proc = self.ybguard("scan", "--format", "json", *args, env=env)
        try:
            data = json.loads(proc.stdout)
        except ValueError:
            err = proc.stderr.decode(errors="replace")
            raise AssertionError(f"no JSON report (exit {proc.returncode}): {err}") from None
        from reportschema import validate_report

        validate_report(data)  # every report the suite produces must match docs/report.schema.json
        return proc.returncode, data

    def delete(self) -> None:
        sh("ip", "netns", "del", self.name, check=False)
        if self.etc.exists():
            subprocess.run(["rm", "-rf", str(self.etc)], check=False)


def veth(a: Netns, a_if: str, b: Netns, b_if: str) -> None:
    """A veth pair between two namespaces."""
    tmp_a, tmp_b = unique("va"), unique("vb")
    sh("ip", "link", "add", tmp_a, "type", "veth", "peer", "name", tmp_b)
    sh("ip", "link", "set", tmp_a, "netns", a.name)
    sh("ip", "link", "set", tmp_b, "netns", b.name)
    a.ip(f"link set {tmp_a} name {a_if}")
    b.ip(f"link set {tmp_b} name {b_if}")
    a.ip(f"link set {a_if} up")
    b.ip(f"link set {b_if} up")


class Topology:
    """A set of namespaces deleted together; use as a context manager or pytest fixture."""

    def __init__(self) -> None:
        self.namespaces: List[Netns] = []

    def ns(self, role: str) -> Netns:
        n = Netns(unique(f"yb{role[:4]}"))
        self.namespaces.append(n)
        return n

    def close(self) -> None:
        for n in reversed(self.namespaces):
            n.delete()

    def __enter__(self) -> Topology:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def findings(report: dict, check: str, status: str = "fail") -> List[dict]:
    return [f for f in report["findings"] if f["check"] == check and f["status"] == status]


def subjects(report: dict, check: str, status: str = "fail") -> set:
    return {f["subject"] for f in findings(report, check, status)}
