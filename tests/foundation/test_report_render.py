"""Reporters: JSON against its schema, JUnit counts, console hygiene, golden files (frozen report).

Refresh the golden files after an intended change with YBGUARD_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from rich.cells import cell_len

from reportschema import validate_report
from ybguard.i18n import t
from ybguard.models import Evidence, Finding, Severity, Status
from ybguard.report import Format, console, html, junit, prometheus
from ybguard.report import json as json_report

from .frozen import frozen_report

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "data" / "golden"


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("YBGUARD_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with YBGUARD_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; YBGUARD_UPDATE_GOLDEN=1 refreshes it"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_json_golden_and_schema(lang):
    text = json_report.render(frozen_report(lang))
    data = json.loads(text)
    validate_report(data)
    assert data["schema"] == "ybguard.report/v1" and data["summary"]["status"] == "non_compliant"
    assert data["host"]["target"] == "live" and data["duration_ms"] == 312
    golden(f"report.{lang}.json", text)


def test_schema_rejects_a_renamed_field():
    data = json.loads(json_report.render(frozen_report()))
    data["findings"][0]["check_id"] = data["findings"][0].pop("check")
    with pytest.raises(jsonschema.ValidationError):
        validate_report(data)
    data = json.loads(json_report.render(frozen_report()))
    data["summary"]["status"] = "ok"
    with pytest.raises(jsonschema.ValidationError):
        validate_report(data)


def test_junit_golden_and_counts():
    report = frozen_report("en")
    text = junit.render(report)
    golden("report.xml", text)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(report.findings)
    assert len(root.findall("./testsuite/testcase/failure")) == 2 == int(root.get("failures", "-1"))
    assert len(root.findall("./testsuite/testcase/error")) == 1 == int(root.get("errors", "-1"))
    assert len(root.findall("./testsuite/testcase/skipped")) == 2 == int(root.get("skipped", "-1"))
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests", "-1")) == len(suite.findall("testcase"))
    names = {c.get("name") for c in cases}
    assert "network.public-route [default via 192.168.1.1 dev eth1 table main]" in names
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None and failure.get("type") == "critical"
    assert "Evidence: netlink route table 254: default via 192.168.1.1" in (failure.text or "")


def test_junit_survives_control_characters():
    base = frozen_report()
    bad = Finding("x.y", Status.FAIL, Severity.LOW, "a\x01b\ufffe", "m\x1b", "r", "f", "t", "x", (Evidence("s\x00", "d"),))
    from dataclasses import replace

    text = junit.render(replace(base, findings=(bad,)))
    root = ET.fromstring(text.encode("utf-8"))
    assert root.find("./testsuite/testcase").get("name") == "x.y [a\\x01b\\xfffe]"  # type: ignore[union-attr]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_console_golden_at_80_columns(lang):
    text = console.render(frozen_report(lang), color=False, width=80)
    golden(f"console.{lang}.txt", text)
    for line in text.splitlines():
        assert cell_len(line) <= 80, line
    assert "\x1b" not in text


def test_console_verdict_first_then_failures_then_the_rest():
    text = console.render(frozen_report("en"), color=False, width=80)
    lines = text.splitlines()
    assert lines[0].strip().startswith("NON-COMPLIANT")
    assert text.index("Failures (2)") < text.index("Checks that could not complete (1)") < text.index("Other checks")
    assert "Evidence: netlink route table 254" in text and "Fix: Delete the default route" in text


def test_console_never_parses_host_strings_as_markup():
    report = frozen_report("en", hostname="[bold red]evil[/bold red]")
    for color in (False, True):
        text = console.render(report, color=color, width=80)
        plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
        assert "[red]x[/red]" in plain
        assert "[bold red]evil[/bold red]" in plain


def test_console_colour_only_when_asked():
    assert "\x1b[" in console.render(frozen_report(), color=True, width=80)
    assert "\x1b[" not in console.render(frozen_report(), color=False, width=80)


def test_prometheus_and_html_golden():
    report = frozen_report("en")
    golden("report.prom", prometheus.render(report))
    page = html.render(report)
    golden("report.html", page)
    assert "<script" not in page and "[red]x[/red]" in page


def test_every_format_has_a_renderer():
    for fmt in Format:
        assert fmt.renderer()(frozen_report())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_printable_html_golden_of_a_realistic_report(lang):
    """The printed document over every check (tests/foundation/sample.py): identity with the
    site fields, labelled policy hash, verdict, failures first with 依据/证据/整改, signature."""
    from .sample import sample_report

    page = html.render(sample_report(lang))
    golden(f"report.sample.{lang}.html", page)
    assert page.index("NON-COMPLIANT" if lang == "en" else "不合规") < page.index("class='findings'")
    first_rest = page.index("class='findings rest'")
    assert all(page.index(f"<tr class='{s}'>") < first_rest for s in ("fail", "error", "waived"))
    assert page.index("<tr class='pass'>") > first_rest
    assert ("策略 SHA-256" if lang == "zh" else "Policy SHA-256") in page and "1" * 64 in page
    assert "YB-2026-0042" in page and ("检查人" if lang == "zh" else "Inspector") in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_console_ends_with_the_verdict_and_never_breaks_an_id_at_80_columns(lang):
    """A 296-line report scrolled its verdict away, and the "other checks" table folded ids
    mid-word ("network.captu / re") at 80 columns (issue 14 item 10)."""
    from .sample import sample_report

    report = sample_report(lang)
    text = console.render(report, color=False, width=80)
    lines = text.splitlines()
    assert lines[-1] == lines[0] and lines[0].strip().startswith(t("verdict." + report.verdict.value, lang))
    words = set(re.findall(r"[a-z0-9]+(?:[.-][a-z0-9]+)+", text))
    for f in report.findings:
        assert f.check in words, f"{f.check} is broken across lines at 80 columns"
    for line in lines:
        assert cell_len(line) <= 80, line
