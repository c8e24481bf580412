"""An output that is a device (``--output /dev/null`` in a crontab) is written into, never renamed
over: write_atomic's temp-file-and-rename replaced /dev/null itself with a regular file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")
@pytest.mark.parametrize("how", ["--output", "-o"])
def test_output_to_a_character_device_keeps_the_device(tmp_path: Path, how: str) -> None:
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a private /dev/null
    (tmp_path / "img" / "etc").mkdir(parents=True)
    (tmp_path / "img" / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')  # an OS image
    out = ["--format", "json", "--output", str(null)] if how == "--output" else ["-o", f"json={null}"]
    proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--root", str(tmp_path / "img"), "--only",
                           "usb.storage-driver", *out], capture_output=True, timeout=120)
    assert proc.returncode in (0, 1, 3), proc.stderr
    assert stat.S_ISCHR(os.stat(null).st_mode), "the device was replaced by a regular file"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ybguard-")] == []
