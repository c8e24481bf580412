"""JUnit XML: one testcase per finding, so a CI server shows a golden-image scan as tests."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from ..models import Report, Status


def _clean(text: str) -> str:
    # XML 1.0 forbids most control characters; host strings may contain them.
    return "".join(ch if ch in "\t\n\r" or ord(ch) >= 0x20 else f"\\x{ord(ch):02x}" for ch in text)


def render(report: Report) -> str:
    counts = report.counts()
    suite = ET.Element("testsuite", {
        "name": f"ybguard {report.host.hostname}",
        "tests": str(len(report.findings)),
        "failures": str(counts["fail"]),
        "errors": str(counts["error"]),
        "skipped": str(counts["not_applicable"] + counts["waived"]),
        "time": f"{report.duration_ms / 1000:.3f}",
        "timestamp": report.started_at,
        "hostname": _clean(report.host.hostname),
    })
    props = ET.SubElement(suite, "properties")
    for name, value in (("policy.id", report.policy.id), ("policy.version", str(report.policy.version)),
                        ("policy.sha256", report.policy.sha256), ("target", report.host.target.value),
                        ("root", report.host.root), ("verdict", report.verdict.value)):
        ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
    for f in report.findings:
        case = ET.SubElement(suite, "testcase", {
            "classname": f"ybguard.{f.area}", "name": _clean(f"{f.check} [{f.subject}]"), "time": "0"})
        body = "\n".join([f.message, *(f"{e.source}: {e.detail}" for e in f.evidence), f.remediation])
        if f.status is Status.FAIL:
            el = ET.SubElement(case, "failure", {"message": _clean(f.message), "type": f.severity.value})
            el.text = _clean(body)
        elif f.status is Status.ERROR:
            el = ET.SubElement(case, "error", {"message": _clean(f.message), "type": "error"})
            el.text = _clean(body)
        elif f.status in (Status.NOT_APPLICABLE, Status.WAIVED):
            ET.SubElement(case, "skipped", {"message": _clean(f"{f.status.value}: {f.message}")})
    ET.indent(suite) if hasattr(ET, "indent") else None
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
