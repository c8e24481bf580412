"""Reports of realistic shape and size for the fleet tests and bench/fleet.py.

Every check of the real catalogue appears (as a scan with the default policy produces them),
with titles, rules, remediations and evidence lines like a real scan's; the caller says which
findings fail, error or are waived. Each report passes docs/report.schema.json.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple


@lru_cache(maxsize=2)
def catalogue(lang: str) -> Tuple[Tuple[str, str, str, str, str, str], ...]:
    """(id, area, severity, title, rule, remediation) of every real check."""
    from ybguard.checks import ALL_CHECKS

    return tuple((c.id, c.area, c.severity.value, c.title(lang), c.rule, c.remediation(lang)) for c in ALL_CHECKS)


def _evidence(check: str, i: int) -> List[Dict[str, str]]:
    """A few lines of evidence like a pass with evidence carries (sources and what they said)."""
    return [{"source": f"/proc/net/route line {j + 1}" if check.startswith("network") else f"{check} source {j}",
             "detail": f"10.{i % 250}.{j}.0/24 via 10.{i % 250}.0.1 dev eth0 proto static metric {100 + j} "
                       f"table main scope global (allowed network 10.0.0.0/8)"} for j in range(4)]


def make_report(hostname: str, machine_id: str, started_at: str, *,
                fails: Sequence[Tuple[str, str]] = (), errors: Sequence[str] = (),
                waivers: Sequence[Tuple[str, str, str, bool]] = (), site: Optional[Dict[str, str]] = None,
                lang: str = "zh", index: int = 0) -> Dict[str, Any]:
    """fails: (check, subject); errors: check ids; waivers: (check, subject, expires, expired)."""
    findings: List[Dict[str, Any]] = []
    fail_by_check: Dict[str, List[str]] = {}
    for check, subject in fails:
        fail_by_check.setdefault(check, []).append(subject)
    waived = {(c, s): (e, x) for c, s, e, x in waivers}
    for check, area, severity, title, rule, remediation in catalogue(lang):
        base = {"check": check, "severity": severity, "title": title, "area": area, "rule": rule,
                "remediation": remediation}
        subjects = fail_by_check.get(check, [])
        wsubjects = [s for (c, s) in waived if c == check]
        if check in errors:
            findings.append({**base, "status": "error", "subject": "host",
                             "message": f"could not read the facts this check needs ({check}): permission denied",
                             "evidence": []})
        elif subjects or wsubjects:
            for subject in subjects:
                findings.append({**base, "status": "fail", "subject": subject,
                                 "message": f"{title}: {subject}", "evidence": _evidence(check, index)[:2]})
            for subject in wsubjects:
                expires, expired = waived[(check, subject)]
                findings.append({**base, "status": "fail" if expired else "waived", "subject": subject,
                                 "message": f"{title}: {subject} — waiver", "evidence": _evidence(check, index)[:1],
                                 "waiver": {"reason": "临时联网升级 工单 2026-118", "approved_by": "信息科 王工",
                                            "expires": expires, "expired": expired}})
        else:
            findings.append({**base, "status": "pass", "subject": "host", "message": "no violation found",
                             "evidence": _evidence(check, index)[:3]})
    counts = {s: sum(1 for f in findings if f["status"] == s)
              for s in ("pass", "fail", "error", "not_applicable", "waived")}
    status = "non_compliant" if counts["fail"] else "incomplete" if counts["error"] else "compliant"
    report: Dict[str, Any] = {
        "schema": "ybguard.report/v1", "tool": {"name": "ybguard", "version": "0.1.0"},
        "host": {"hostname": hostname, "os": "UnionTech OS Desktop 20 Pro", "os_version": "20",
                 "kernel": "Linux 5.10.0-amd64-desktop", "machine_id": machine_id, "arch": "x86_64",
                 "target": "live", "root": "/"},
        "policy": {"id": "yb-terminal-site", "version": 3, "sha256": "ab" * 32, "source": "/etc/ybguard/policy.yaml"},
        "started_at": started_at, "duration_ms": 1834 + index % 500, "lang": lang,
        "summary": {"status": status, "counts": counts}, "findings": findings,
    }
    if site:
        report["site"] = site
    return report


def write_report(path: Path, report: Dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
