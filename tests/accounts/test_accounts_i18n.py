"""Every check of this area has both languages, and every message key the same placeholders."""

from __future__ import annotations

import string

from ybguard.checks.accounts import CHECKS
from ybguard.i18n import CATALOG
from ybguard.i18n.accounts import MESSAGES


def _fields(text: str) -> set:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_titles_and_remediations_exist() -> None:
    ids = {c.id for c in CHECKS}
    assert ids == {
        "accounts.password-min-length", "accounts.password-max-age", "accounts.empty-password",
        "accounts.password-age", "accounts.never-expires", "accounts.uid0", "time.ntp-config", "time.sync",
        "time.offset", "backups.copies", "integrity.baseline-files", "integrity.baseline-packages",
        "integrity.baseline-interfaces", "integrity.baseline-gateway"}
    for cid in ids:
        for suffix in ("title", "remediation"):
            zh, en = CATALOG[f"{cid}.{suffix}"]
            assert zh.strip() and en.strip()


def test_placeholders_match() -> None:
    for key, (zh, en) in MESSAGES.items():
        assert _fields(zh) == _fields(en), key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), key  # the Chinese text is Chinese


def test_every_message_key_used_exists() -> None:
    import re
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "ybguard"
    keys = set()
    for name in ("checks/accounts.py", "checks/integrity.py", "collect/timesync.py", "collect/integrity.py"):
        keys |= set(re.findall(r'(?:msg|Unsupported|FactError)\("([a-z_.-]+)"', (src / name).read_text()))
    drift = {"file": ("added", "removed", "modified", "mode-changed"),
             "package": ("added", "removed", "version-changed"),
             "nic": ("added", "removed", "renamed", "mac-changed"),
             "gateway": ("added", "removed", "mac-changed")}
    keys |= {f"integrity.{what}.{change}" for what, changes in drift.items() for change in changes}
    assert len(keys) > 40
    assert sorted(k for k in keys if k not in CATALOG) == []
