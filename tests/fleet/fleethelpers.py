"""Helpers of the fleet tests (a module of its own name: every test directory's conftest is
imported as "conftest", so importing names from it depends on collection order)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Dict, List

NOW = "2026-12-02T08:00:00+08:00"
MIDS = {name: f"{i + 1:x}" * 32 for i, name in enumerate(("t1", "t2", "t3", "t4", "t5"))}
ROUTE = ("network.default-route", "default via 10.1.0.1 dev eth0 table main")
FWD = ("network.ip-forwarding", "net.ipv4.ip_forward")
WLAN = ("network.forbidden-interface", "wlan0")


def ybguard(*args: str, timeout: float = 120, env: Dict[str, str] = {}) -> subprocess.CompletedProcess:  # noqa: B006
    """The real CLI, as cron or Ansible runs it."""
    full = dict(os.environ)
    full.update(env)
    return subprocess.run([sys.executable, "-m", "ybguard", *args], capture_output=True, text=True,
                          timeout=timeout, env=full)


def lines(text: str) -> List[str]:
    return [x for x in text.splitlines() if x.strip()]
