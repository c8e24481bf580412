"""Headless Chromium for the fleet dashboard: screenshot, rendered DOM, print to PDF.

Debian's ``chromium`` (make test installs it). A fresh profile each run, and every
background service that would reach out switched off: the page itself loads nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import List

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise FileNotFoundError("chromium is not installed (make test installs it)")


def run(page: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="yb-chromium-") as profile:
        argv: List[str] = [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def screenshot(page: Path, out: Path, width: int = 1280, height: int = 1400) -> Path:
    proc = run(page, f"--screenshot={out}", f"--window-size={width},{height}")
    assert out.exists() and out.stat().st_size > 10_000, proc.stderr[-2000:]
    return out


def dom(page: Path) -> str:
    proc = run(page, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def pdf(page: Path, out: Path) -> Path:
    proc = run(page, f"--print-to-pdf={out}", "--no-pdf-header-footer")
    assert out.exists() and out.stat().st_size > 5_000, proc.stderr[-2000:]
    return out
