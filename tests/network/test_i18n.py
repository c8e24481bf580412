"""Every network check has a title and remediation in both languages, placeholders matching."""

from __future__ import annotations

import string

from ybguard.checks.network import CHECKS
from ybguard.i18n import network


def fields(text: str) -> set:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_titles_and_remediations() -> None:
    for check in CHECKS:
        for suffix in ("title", "remediation"):
            zh, en = network.MESSAGES[f"{check.id}.{suffix}"]
            assert zh.strip() and en.strip()
            assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), check.id


def test_placeholders_match() -> None:
    for key, (zh, en) in network.MESSAGES.items():
        assert fields(zh) == fields(en), key
