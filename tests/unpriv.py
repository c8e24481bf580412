"""Run the real CLI as an unprivileged user (uid 65534) from any checkout.

A checkout often lives where other users cannot enter: root's home directory is mode 700, and
CI clones into such a directory. Then ``nobody`` can neither execute the virtualenv's python
nor import ``ybguard`` from it ("No module named ybguard"), and a test meant to prove that an
unprivileged scan reports ``error`` would fail for the wrong reason. This helper copies the
installed packages and the package source, once per test session, into a world-readable
temporary directory and runs the base interpreter on it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

SRC = Path(__file__).resolve().parent.parent / "src" / "ybguard"
DROP = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
# Not needed at run time and large: left out of the copy.
_SKIP = ("mypy", "mypyc", "pip", "setuptools", "_pytest", "pytest", "ruff", "hypothesis", "__editable__", "_virtualenv")

_cache: Optional[Tuple[str, str]] = None


def _ignore(directory: str, names: List[str]) -> List[str]:
    if os.path.abspath(directory) != os.path.abspath(sysconfig.get_paths()["purelib"]):
        return [n for n in names if n == "__pycache__"]
    return [n for n in names if n.startswith(_SKIP) or n.endswith(".pth") or "__mypyc" in n or n == "__pycache__"]


def _prepare() -> Tuple[str, str]:
    """(base interpreter, world-readable PYTHONPATH directory)."""
    global _cache
    if _cache is not None:
        return _cache
    top = tempfile.mkdtemp(prefix="ybguard-unpriv-")
    atexit.register(shutil.rmtree, top, True)
    os.chmod(top, 0o755)
    site = os.path.join(top, "site")
    shutil.copytree(sysconfig.get_paths()["purelib"], site, ignore=_ignore, symlinks=True)
    platlib = sysconfig.get_paths()["platlib"]
    if os.path.abspath(platlib) != os.path.abspath(sysconfig.get_paths()["purelib"]):
        shutil.copytree(platlib, site, ignore=_ignore, symlinks=True, dirs_exist_ok=True)
    shutil.rmtree(os.path.join(site, "ybguard"), ignore_errors=True)
    shutil.copytree(SRC, os.path.join(site, "ybguard"), ignore=shutil.ignore_patterns("__pycache__"))
    for dirpath, dirnames, filenames in os.walk(top):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
        for f in filenames:
            path = os.path.join(dirpath, f)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | 0o444)
    base = os.path.realpath(sys.executable)
    probe = subprocess.run([*DROP, base, "-c", "import ybguard"], env=env_for(site), capture_output=True, timeout=60)
    if probe.returncode != 0:
        raise RuntimeError(f"the unprivileged user cannot run {base} on {site}: {probe.stderr.decode()[-500:]}")
    _cache = (base, site)
    return _cache


def env_for(site: str, base: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.pop("VIRTUAL_ENV", None)
    env["PYTHONPATH"] = site
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def ybguard_argv(*args: str, drop: Sequence[str] = DROP) -> List[str]:
    """argv that runs ``python -m ybguard ARGS`` as uid 65534 (use with :func:`env`)."""
    base, _site = _prepare()
    return [*drop, base, "-m", "ybguard", *args]


def python_argv(drop: Sequence[str] = DROP) -> List[str]:
    """argv prefix of the interpreter as uid 65534 (``-m ybguard …`` or ``-c …`` follows)."""
    base, _site = _prepare()
    return [*drop, base]


def env(base: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment those argv need (PYTHONPATH to the world-readable copy)."""
    _base, site = _prepare()
    return env_for(site, base)
