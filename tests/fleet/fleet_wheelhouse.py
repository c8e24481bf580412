"""A small wheelhouse for the Ansible test: this worktree's ybguard wheel, the wheels of its
dependencies for this machine's platform and Python, and ``bootstrap/pip.whl`` — the layout of
``make wheelhouse`` (the deploy docs), for one platform only, so the test stays fast.

Dependencies are downloaded once into tests/.cache (gitignored) and reused; the ybguard wheel
is rebuilt from the worktree every session.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / "tests" / ".cache" / "fleet-wheelhouse"


def _pip(*args: str, timeout: float = 600) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"pip {' '.join(args)}: {proc.stderr[-3000:]}")


def build(out: Path) -> Path:
    """Fill ``out`` (fresh) and return it."""
    deps = CACHE / "deps"
    key = hashlib.sha256((REPO / "pyproject.toml").read_bytes() + sys.version.encode()).hexdigest()[:16]
    stamp = deps / f".complete-{key}"
    out.mkdir(parents=True)
    _pip("wheel", "--no-deps", "-q", "-w", str(out), str(REPO))
    [wheel] = list(out.glob("ybguard-*.whl"))
    if not stamp.exists():
        shutil.rmtree(deps, ignore_errors=True)
        deps.mkdir(parents=True)
        _pip("download", "-q", "--only-binary=:all:", "-d", str(deps), str(wheel))
        _pip("download", "-q", "--only-binary=:all:", "--no-deps", "-d", str(deps / "bootstrap"), "pip")
        stamp.touch()
    for whl in deps.glob("*.whl"):
        if not whl.name.startswith("ybguard-"):
            shutil.copy2(whl, out / whl.name)
    (out / "bootstrap").mkdir()
    [pip] = list((deps / "bootstrap").glob("pip-*.whl"))
    shutil.copy2(pip, out / "bootstrap" / "pip.whl")
    return out
