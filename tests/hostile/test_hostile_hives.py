"""Hostile hive files (issue 11 items 16 and 18): an oversized (sparse) hive is refused before
regipy reads it into memory, and a corrupt regf file under --hives is an input error (exit 2
with a message), never a traceback."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ybguard.target.interface import TargetError
from ybguard.target.windows import MAX_HIVE_BYTES, RegipyHive, WindowsImageTarget

GiB = 1024 ** 3


def sparse_hive(path: Path, size: int) -> Path:
    with open(path, "wb") as fh:
        fh.write(b"regf" + b"\0" * 508)
        fh.truncate(size)  # sparse: costs no disk
    return path


def scan_hives(directory: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ybguard", "scan", "--hives", str(directory), "--format", "json",
                           "--lang", "en"], capture_output=True, text=True, timeout=120)


def test_huge_sparse_system_hive_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = sparse_hive(tmp_path / "SYSTEM", int(1.5 * GiB))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    with pytest.raises(TargetError) as exc:
        RegipyHive(str(path), "HKLM\\SYSTEM")
    assert time.monotonic() - start < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KiB
    assert exc.value.key == "windows.hive_too_large"
    assert MAX_HIVE_BYTES <= 512 * 1024 * 1024


def test_huge_hive_under_hives_exits_2(tmp_path: Path) -> None:
    sparse_hive(tmp_path / "SYSTEM", int(1.5 * GiB))
    run = scan_hives(tmp_path)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and "SYSTEM" in run.stderr and "larger than" in run.stderr


@pytest.mark.parametrize("name", ["FOO", "SYSTEM", "NTUSER.DAT", "SOFTWARE"])
def test_corrupt_regf_under_hives_exits_2(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"regf" + bytes(range(256)) * 20)
    run = scan_hives(tmp_path)
    assert run.returncode in (2, 3), run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    if name == "FOO":  # its type is read from its header, which is damaged
        assert run.returncode == 2 and "FOO" in run.stderr and "damaged" in run.stderr


def test_corrupt_hive_opened_directly_is_a_target_error(tmp_path: Path) -> None:
    path = tmp_path / "SOFTWARE"
    path.write_bytes(b"regf" + b"\xff" * 8000)
    with pytest.raises(TargetError) as exc:
        RegipyHive(str(path), "HKLM\\SOFTWARE")
    assert exc.value.key == "windows.hive_corrupt"


def test_device_node_named_system_is_not_opened(tmp_path: Path) -> None:
    import os
    os.mkfifo(tmp_path / "SYSTEM")
    start = time.monotonic()
    with pytest.raises(TargetError):
        WindowsImageTarget.from_hives(str(tmp_path))
    assert time.monotonic() - start < 5
