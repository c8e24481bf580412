"""Fixtures of the fleet tests: a report writer and the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleetdata import make_report, write_report  # noqa: E402

NOW = "2026-12-02T08:00:00+08:00"


def ybguard(*args: str, timeout: float = 120, env: Dict[str, str] = {}) -> subprocess.CompletedProcess:  # noqa: B006
    """The real CLI, as cron or Ansible runs it."""
    full = dict(os.environ)
    full.update(env)
    return subprocess.run([sys.executable, "-m", "ybguard", *args], capture_output=True, text=True,
                          timeout=timeout, env=full)


@pytest.fixture
def reports(tmp_path: Path):  # type: ignore[no-untyped-def]
    """write(name, hostname, machine_id, started_at, **findings) -> Path under tmp_path/reports."""
    base = tmp_path / "reports"

    def write(name: str, hostname: str, machine_id: str, started_at: str, **kw: Any) -> Path:
        return write_report(base / name, make_report(hostname, machine_id, started_at, **kw))

    write.base = base  # type: ignore[attr-defined]
    return write


def lines(text: str) -> List[str]:
    return [x for x in text.splitlines() if x.strip()]
