"""A real Debian root built with `debootstrap --variant=minbase`, cached between runs.

The first test that needs it builds it (about a minute); later runs reuse the cache. A lock
file keeps parallel test runs from building it twice. Tests copy it (`clone_root`) before
changing anything, so the cached root stays pristine.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

SUITE = os.environ.get("YBGUARD_TEST_SUITE", "bookworm")
MIRROR = os.environ.get("YBGUARD_TEST_MIRROR", "http://deb.debian.org/debian")
CACHE = Path(os.environ.get("YBGUARD_TEST_CACHE", "/var/cache/ybguard-tests"))


def debian_root() -> Path:
    """Path to a pristine minbase root (built once, then reused). Never modify it in place."""
    root = CACHE / f"debroot-{SUITE}"
    if (root / ".complete").exists():
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"debroot-{SUITE}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (root / ".complete").exists():
            return root
        tmp = CACHE / f"debroot-{SUITE}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(tmp), MIRROR],
                       check=True, capture_output=True, timeout=900)
        (tmp / ".complete").write_text("ok\n")
        shutil.rmtree(root, ignore_errors=True)
        os.rename(tmp, root)
    return root


def clone_root(dest: Path) -> Path:
    """A private copy of the Debian root (symlinks kept as links) that a test may change."""
    src = debian_root()
    subprocess.run(["cp", "-a", "--reflink=auto", f"{src}/.", str(dest)], check=True)
    return dest
