"""JUnit XML: one testcase per finding, so a CI server shows a golden-image scan as tests.

One ``testsuite`` per area inside ``testsuites``; fail -> ``failure``, error -> ``error``,
not_applicable and waived -> ``skipped`` (with the reason), pass -> an empty testcase.
"""

from __future__ import annotations

from itertools import groupby
from typing import Dict
from xml.etree import ElementTree as ET

from ..i18n import t
from ..models import Finding, Report, Status


def _clean(text: str) -> str:
    """XML 1.0 forbids most control characters, U+FFFE/U+FFFF and lone surrogates."""
    def ok(ch: str) -> bool:
        o = ord(ch)
        return ch in "\t\n\r" or (0x20 <= o < 0xD800) or (0xE000 <= o < 0xFFFE) or o >= 0x10000

    return "".join(ch if ok(ch) else f"\\x{ord(ch):02x}" for ch in text)


def _counts(findings: list) -> Dict[str, int]:
    out = {s.value: 0 for s in Status}
    for f in findings:
        out[f.status.value] += 1
    return out


def _suite_attrs(name: str, findings: list, report: Report) -> Dict[str, str]:
    c = _counts(findings)
    return {"name": _clean(name), "tests": str(len(findings)), "failures": str(c["fail"]), "errors": str(c["error"]),
            "skipped": str(c["not_applicable"] + c["waived"]), "time": f"{report.duration_ms / 1000:.3f}"}


def _case(suite: ET.Element, f: Finding, lang: str) -> None:
    case = ET.SubElement(suite, "testcase", {
        "classname": f"ybguard.{f.area}", "name": _clean(f"{f.check} [{f.subject}]"), "time": "0"})
    lines = [f.title, f.message, *(f"{t('console.evidence', lang)}: {e.source}: {e.detail}" for e in f.evidence),
             f"{t('console.remediation', lang)}: {f.remediation}", f"{t('console.rule', lang)}: {f.rule}"]
    body = _clean("\n".join(lines))
    if f.status is Status.FAIL:
        el = ET.SubElement(case, "failure", {"message": _clean(f.message), "type": f.severity.value})
        el.text = body
    elif f.status is Status.ERROR:
        el = ET.SubElement(case, "error", {"message": _clean(f.message), "type": "error"})
        el.text = body
    elif f.status in (Status.NOT_APPLICABLE, Status.WAIVED):
        ET.SubElement(case, "skipped", {"message": _clean(f"{t('status.' + f.status.value, lang)}: {f.message}")})


def render(report: Report) -> str:
    lang = report.lang
    findings = list(report.findings)
    root = ET.Element("testsuites", _suite_attrs(f"ybguard {report.host.hostname}", findings, report))
    ordered = sorted(findings, key=lambda f: f.area)
    for area, items in groupby(ordered, key=lambda f: f.area):
        group = list(items)
        attrs = _suite_attrs(f"ybguard.{area}", group, report)
        attrs.update({"timestamp": report.started_at, "hostname": _clean(report.host.hostname)})
        suite = ET.SubElement(root, "testsuite", attrs)
        props = ET.SubElement(suite, "properties")
        for name, value in (("policy.id", report.policy.id), ("policy.version", str(report.policy.version)),
                            ("policy.sha256", report.policy.sha256), ("target", report.host.target.value),
                            ("root", report.host.root), ("os", report.host.os), ("kernel", report.host.kernel),
                            ("verdict", report.verdict.value),
                            *((f"site.{k}", v) for k, v in (("hospital", report.site.hospital),
                                                             ("department", report.site.department),
                                                             ("asset_id", report.site.asset_id),
                                                             ("location", report.site.location)) if v)):
            ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
        for f in group:
            _case(suite, f, lang)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
