"""The unprivileged-run helper works from a checkout that other users cannot enter."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

import unpriv


def test_unprivileged_scan_runs_from_a_private_checkout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    if os.geteuid() != 0:
        pytest.skip("dropping to uid 65534 needs root")
    proc = subprocess.run(unpriv.ybguard_argv("checks", "--format", "json"), env=unpriv.env(), capture_output=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()[-800:]
    assert any(c["id"] == "network.public-route" for c in json.loads(proc.stdout))
    who = subprocess.run([*unpriv.python_argv(), "-c", "import os; print(os.geteuid())"], env=unpriv.env(),
                         capture_output=True, timeout=60)
    assert who.stdout.decode().strip() == "65534"
