"""Helpers for tests on the shared Windows hives: build --hives directories, patch copies."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict

# README "Making a USB storage disabled variant": file offset of USBSTOR\Start's inline DWORD.
START_OFFSETS = {
    ("win7", 1): 0x85B1C,
    ("win7", 2): 0x1051BC,
    ("win10_1709", 1): 0x552CB4,
    ("win10", 1): 0x45C11C,
}


def make_hives_dir(dest: Path, files: Dict[str, Path], **roles: str) -> Path:
    """A --hives directory: role file name (SYSTEM, SOFTWARE, NTUSER.DAT …) -> fixture key."""
    dest.mkdir(parents=True, exist_ok=True)
    for filename, key in roles.items():
        shutil.copyfile(files[key], dest / filename.replace("__", "."))
    return dest


def patch_dword(path: Path, offset: int, value: int) -> None:
    """Overwrite an inline REG_DWORD (little endian) in a copy of a hive."""
    with open(path, "r+b") as fh:
        fh.seek(offset)
        old = int.from_bytes(fh.read(4), "little")
        assert old == 3, f"expected Start=3 at {offset:#x}, found {old}"
        fh.seek(offset)
        fh.write(value.to_bytes(4, "little"))
