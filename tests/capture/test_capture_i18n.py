"""Every key the capture/probe/watch code uses exists in 中文 and English with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

from ybguard.checks.capture import CHECKS
from ybguard.i18n import capture, has

SRC = Path(__file__).resolve().parents[2] / "src" / "ybguard"
FILES = ["checks/capture.py", "collect/capture.py", "collect/probe.py", "watch.py"]


def fields(text: str) -> set:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_titles_remediations_and_placeholders():
    for check in CHECKS:
        for suffix in ("title", "remediation"):
            zh, en = capture.MESSAGES[f"{check.id}.{suffix}"]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and en.strip(), check.id
    for key, (zh, en) in capture.MESSAGES.items():
        assert fields(zh) == fields(en), key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), key


def test_every_key_used_in_the_code_exists():
    pattern = re.compile(r"""\b(?:msg|t|_note|NotRequested|FactError)\(\s*["']([a-z_.-]+)["']""")
    used = set()
    for rel in FILES:
        used |= set(pattern.findall((SRC / rel).read_text()))
    assert len(used) > 15
    assert sorted(k for k in used if not has(k)) == []
