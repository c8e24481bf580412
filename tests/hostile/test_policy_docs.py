"""docs/policy.md points only at files in the repository, and its example is a valid policy
whose waivers name real checks (issue 14 item 12)."""

from __future__ import annotations

import re
from pathlib import Path

from ybguard.checks import ALL_CHECKS
from ybguard.policy import parse_policy_text

REPO = Path(__file__).resolve().parent.parent.parent
DOC = (REPO / "docs/policy.md").read_text(encoding="utf-8")


def test_every_repository_file_the_doc_names_exists() -> None:
    named = set(re.findall(r"`((?:src|policies|docs|tests|bench|deploy)/[^`*]+)`", DOC))
    assert named, "the doc names the schema and the default policy"
    missing = [p for p in sorted(named) if not (REPO / p).exists()]
    assert not missing, missing
    assert "policy-example.yaml" not in DOC  # lives outside the repository


def test_the_example_validates_with_real_check_ids() -> None:
    example = DOC.split("## Example", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    parse_policy_text(example, "docs/policy.md", known_checks=tuple(c.id for c in ALL_CHECKS))


def test_check_ids_in_the_waiver_table_exist() -> None:
    ids = {c.id for c in ALL_CHECKS}
    row = next(line for line in DOC.splitlines() if line.startswith("| `waivers[].check`"))
    named = [x for x in re.findall(r"`([a-z]+\.[a-z-]+)`", row)]
    assert named and all(x in ids for x in named), named
