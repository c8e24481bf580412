"""The evidence path of a test: write the kit, run collect.sh inside a namespace, scan the bundle.

The scan of a bundle runs outside the namespace, in the test host's own network namespace, as it
would on the IT workstation: whatever the host's network looks like must not leak into the result.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

from netns import Netns

# What collect.sh itself needs, when a test narrows PATH to hide a network tool from it.
SHELL_TOOLS = ("sh", "cat", "sed", "awk", "find", "date", "mkdir", "rm", "rmdir", "ls", "readlink", "sha256sum", "wc",
               "head", "grep", "id", "uname", "timeout", "tr")


def write_kit(directory: Path, os_name: str = "linux") -> Path:
    """``ybguard kit --os linux --out DIR`` through the real CLI; the collector's path."""
    proc = subprocess.run([sys.executable, "-m", "ybguard", "kit", "--os", os_name, "--out", str(directory)],
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return directory / ("collect.sh" if os_name == "linux" else "collect.cmd")


def tools_dir(directory: Path, path_dirs: Sequence[str]) -> str:
    """A PATH of the shell tools collect.sh needs plus ``path_dirs``, nothing else."""
    directory.mkdir(parents=True, exist_ok=True)
    for tool in SHELL_TOOLS:
        found = shutil.which(tool)
        if found and not (directory / tool).exists():
            os.symlink(found, directory / tool)
    return ":".join([*path_dirs, str(directory)])


def collect(ns: Netns, collector: Path, out: Path, env: Optional[Dict[str, str]] = None,
            shell: str = "sh", timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the collector inside ``ns`` as root, writing the bundle to ``out``."""
    ip = shutil.which("ip")
    assert ip is not None
    sh = shutil.which(shell) if not shell.startswith("/") else shell
    argv = [ip, "netns", "exec", ns.name, *(sh.split() if sh else [shell]), str(collector), str(out)]
    if shell == "busybox":
        argv = [ip, "netns", "exec", ns.name, str(shutil.which("busybox")), "sh", str(collector), str(out)]
    proc = subprocess.run(argv, capture_output=True, timeout=timeout, env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return proc


def scan_bundle(bundle: Path, *args: str, timeout: float = 120) -> Tuple[int, dict, str]:
    """``ybguard scan --evidence BUNDLE --format json ARGS`` -> (exit code, report, stderr)."""
    proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--evidence", str(bundle), "--format", "json",
                           *args], capture_output=True, timeout=timeout)
    err = proc.stderr.decode(errors="replace")
    if proc.returncode == 2:
        return 2, {}, err
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError(f"no JSON report (exit {proc.returncode}): {err}") from None
    from reportschema import validate_report

    validate_report(report)
    return proc.returncode, report, err
