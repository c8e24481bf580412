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
