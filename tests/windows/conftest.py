"""Real Windows hives, decompressed once per session.

They are committed under tests/data/windows/hives (sources and licences in its README.md), a
byte-for-byte copy of ../shared/fixtures/windows-hives, so a plain clone runs every test; the
shared copy is used only when the committed one is absent. Each test that needs a variant
(USBSTOR Start=4 …) patches its own copy under tmp_path.
"""

from __future__ import annotations

import lzma
import os
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

COMMITTED = Path(__file__).resolve().parent.parent / "data" / "windows" / "hives"


def hive_source() -> Path:
    """The committed hives, else ../shared's (skipped, legitimately, when neither exists)."""
    if all((COMMITTED / name).is_file() for name in HIVES.values()):
        return COMMITTED
    repo = Path(__file__).resolve().parent.parent.parent
    shared = Path(os.environ.get("YBGUARD_SHARED") or repo.parent / "shared")
    if not shared.is_dir():
        pytest.skip("../shared is not present")  # the suite-wide SHARED_ABSENT reason: not a CI failure
    return shared / "fixtures" / "windows-hives"


@pytest.fixture(scope="session")
def hive_files(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    src = hive_source()
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


# ----------------------------------------------------------------------------------------------
# the Wine harness (tests/windows/wine.py): marker "wine", never skipped on CI


@pytest.fixture(scope="session")
def wine_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from wine import build_dir, wine_missing

    why = wine_missing()
    if why:
        pytest.skip(why)
    return build_dir(tmp_path_factory.mktemp("wine-build"))


@pytest.fixture(scope="session")
def wine_template(tmp_path_factory: pytest.TempPathFactory, wine_build: Path) -> Path:
    from wine import make_template

    return make_template(tmp_path_factory.mktemp("wine-template") / "prefix")


@pytest.fixture
def wine_prefix(wine_template: Path, wine_build: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    from wine import WinePrefix

    prefix = WinePrefix(wine_template, tmp_path / "prefix", wine_build)
    try:
        yield prefix
    finally:
        prefix.close()
