"""The ``ybguard.report/v1`` JSON report (docs/report.schema.json). Fields are added, never renamed."""

from __future__ import annotations

import json as _json
from typing import Any, Dict

from ..models import Finding, Report

SCHEMA = "ybguard.report/v1"


def finding_data(f: Finding) -> Dict[str, Any]:
    data: Dict[str, Any] = {
        "check": f.check, "status": f.status.value, "severity": f.severity.value, "subject": f.subject,
        "title": f.title, "area": f.area, "message": f.message, "rule": f.rule, "remediation": f.remediation,
        "evidence": [{"source": e.source, "detail": e.detail} for e in f.evidence],
    }
    if f.clauses:  # GB/T 22239-2019 items (checks/clauses.py); absent when only a 医保 rule applies
        data["clauses"] = list(f.clauses)
    if f.waiver is not None:
        data["waiver"] = {"reason": f.waiver.reason, "approved_by": f.waiver.approved_by,
                          "expires": f.waiver.expires, "expired": f.waiver.expired}
    return data


def report_data(report: Report) -> Dict[str, Any]:
    policy: Dict[str, Any] = {"id": report.policy.id, "version": report.policy.version,
                              "sha256": report.policy.sha256, "source": report.policy.source}
    if report.policy.title:
        policy["title"] = report.policy.title
    data: Dict[str, Any] = {
        "schema": SCHEMA,
        "tool": {"name": "ybguard", "version": report.tool_version},
        "host": {"hostname": report.host.hostname, "os": report.host.os, "os_version": report.host.os_version,
                 "kernel": report.host.kernel, "machine_id": report.host.machine_id,
                 "arch": report.host.arch, "target": report.host.target.value, "root": report.host.root},
        "policy": policy,
        "started_at": report.started_at,
        "duration_ms": report.duration_ms,
        "lang": report.lang,
        "site": {"hospital": report.site.hospital, "department": report.site.department,
                 "asset_id": report.site.asset_id, "location": report.site.location},
        "summary": {"status": report.verdict.value, "counts": report.counts()},
        "findings": [finding_data(f) for f in report.findings],
    }
    if report.evidence is not None:
        ev = report.evidence
        data["evidence"] = {"sha256": ev.sha256, "started_at": ev.started_at, "finished_at": ev.finished_at,
                            "collector": ev.collector}
        if ev.unhashed:
            data["evidence"]["unhashed"] = ev.unhashed
    return data


def render(report: Report) -> str:
    return _json.dumps(report_data(report), ensure_ascii=False, indent=2) + "\n"
