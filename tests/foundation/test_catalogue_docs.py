"""Every message in both languages with the same placeholders; every check documented and titled."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from ybguard.checks import ALL_CHECKS
from ybguard.i18n import CATALOG, default_lang, has, t

REPO = Path(__file__).resolve().parents[2]


def placeholders(text: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_message_has_both_languages_with_same_placeholders(key):
    zh, en = CATALOG[key]
    assert zh.strip() and en.strip(), key
    assert placeholders(zh) == placeholders(en), key


def test_chinese_messages_are_chinese():
    """Catch a copy-pasted English string on the 中文 side (placeholders-only keys aside)."""
    lazy = [k for k, (zh, en) in CATALOG.items()
            if zh == en and re.search(r"[A-Za-z]{4,}", re.sub(r"\{[^}]*\}", "", zh))]
    assert lazy == []


def test_every_check_is_complete():
    ids = [c.id for c in ALL_CHECKS]
    assert len(ids) == len(set(ids)), "duplicate check ids"
    for c in ALL_CHECKS:
        assert re.fullmatch(r"[a-z0-9_-]+\.[a-z0-9_.-]+", c.id), c.id
        for suffix in ("title", "remediation"):
            assert has(f"{c.id}.{suffix}"), f"{c.id}.{suffix} missing from the catalogue"
        assert c.rule.strip(), f"{c.id} cites no regulation clause"
        assert has(f"area.{c.area}"), f"area.{c.area} has no name"


def test_every_check_is_in_docs_checks_md():
    doc = (REPO / "docs" / "checks.md").read_text(encoding="utf-8")
    missing = [c.id for c in ALL_CHECKS if f"`{c.id}`" not in doc]
    assert missing == [], f"run `make docs`: {missing} are not in docs/checks.md"


def test_unknown_key_is_visible_not_fatal():
    assert t("no.such.key", "zh") == "no.such.key"
    assert t("engine.fact_error", "en", fact="x") == "could not read what this check needs: {reason}"


@pytest.mark.parametrize("env,lang", [
    ({}, "en"), ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
    ({"LC_MESSAGES": "zh_CN.GB18030", "LANG": "C"}, "zh"), ({"LANG": "C.UTF-8"}, "en"),
])
def test_default_lang(env, lang):
    assert default_lang(env) == lang


def test_every_policy_field_is_in_docs_policy_md():
    import yaml

    from ybguard.policy import dump_policy, parse_policy_text

    pol = parse_policy_text("policy: {id: x}\nbackups: [{paths: [/a]}]\nwaivers: [{check: '*', reason: r,"
                            " approved_by: a, expires: '2030-01-01T00:00:00Z'}]\n")
    data = yaml.safe_load(dump_policy(pol))

    def paths(value, prefix=""):  # type: ignore[no-untyped-def]
        if isinstance(value, dict):
            for k, v in value.items():
                yield from paths(v, f"{prefix}.{k}" if prefix else k)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            yield from paths(value[0], prefix + "[]")
        else:
            yield prefix

    doc = (REPO / "docs" / "policy.md").read_text(encoding="utf-8")
    missing = [p for p in paths(data) if f"`{p}`" not in doc]
    assert missing == []
