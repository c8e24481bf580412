"""Fixtures of the capture tests: the namespace lab lives in capture_lab.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from capture_lab import Lab

from netns import Topology


@pytest.fixture
def lab(topo: Topology, tmp_path: Path):  # type: ignore[no-untyped-def]
    lab = Lab(topo, tmp_path)
    try:
        yield lab
    finally:
        lab.close()
