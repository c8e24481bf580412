"""Real Windows hives from ../shared/fixtures/windows-hives, decompressed once per session.

Nothing here is committed: each test that needs a variant (USBSTOR Start=4 …) patches its
own copy under tmp_path.
"""

from __future__ import annotations

import lzma
import shutil
from pathlib import Path
from typing import Dict

import pytest

HIVES = {
    "win7": "SYSTEM_win7_WKS-WIN732BITA.xz",
    "win10_1709": "SYSTEM_win10-1709_DESKTOP-2KGM189.xz",
    "win10": "SYSTEM_win10_DESKTOP-PM6C56D.xz",
    "ntuser": "NTUSER_vibranium.DAT.xz",
    "hkcu_partial": "HKCU-Software_partial.xz",
    "software_delta": "SOFTWARE_delta_wincontainer_python-3.9.5.hiv",
    "software_tiny": "SOFTWARE_tiny_scancode-test.hiv",
}

# README "Making a USB storage disabled variant": file offset of USBSTOR\Start's inline DWORD.
START_OFFSETS = {
    ("win7", 1): 0x85B1C,
    ("win7", 2): 0x1051BC,
    ("win10_1709", 1): 0x552CB4,
    ("win10", 1): 0x45C11C,
}


@pytest.fixture(scope="session")
def hive_files(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    src = shared_dir / "fixtures" / "windows-hives"
    out = tmp_path_factory.mktemp("hives")
    files: Dict[str, Path] = {}
    for key, name in HIVES.items():
        dest = out / key
        if name.endswith(".xz"):
            with lzma.open(src / name) as fin, open(dest, "wb") as fout:
                shutil.copyfileobj(fin, fout)
        else:
            shutil.copyfile(src / name, dest)
        files[key] = dest
    return files


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
