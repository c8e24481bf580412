"""Git keeps no empty directory: a fixture tree that relies on one passes locally and fails
on a fresh clone (CI). Keep every directory under tests/data non-empty."""

from __future__ import annotations

import os
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def test_no_empty_directories_in_fixture_trees() -> None:
    empty = []
    for dirpath, dirnames, filenames in os.walk(DATA):
        if not dirnames and not filenames:
            empty.append(os.path.relpath(dirpath, DATA))
    assert empty == [], f"git drops these empty fixture directories: {empty}"
