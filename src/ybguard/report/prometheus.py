"""Prometheus text exposition (for node_exporter's textfile collector)."""

from __future__ import annotations

from datetime import datetime
from typing import Dict, Optional, Tuple

from ..models import Report, Status


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _epoch(iso: str) -> Optional[int]:
    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def render(report: Report) -> str:
    host = _label(report.host.hostname)
    policy = _label(report.policy.id)
    lines = [
        "# HELP ybguard_compliant 1 when the last scan was compliant, else 0.",
        "# TYPE ybguard_compliant gauge",
        f'ybguard_compliant{{host="{host}",policy="{policy}",status="{report.verdict.value}"}} '
        f"{1 if report.verdict.value == 'compliant' else 0}",
        "# HELP ybguard_findings Findings of the last scan by status.",
        "# TYPE ybguard_findings gauge",
    ]
    for status, n in report.counts().items():
        lines.append(f'ybguard_findings{{host="{host}",status="{status}"}} {n}')
    lines += ["# HELP ybguard_check_failed 1 for each check with a fail or error, by check id.",
              "# TYPE ybguard_check_failed gauge"]
    worst: Dict[Tuple[str, str], int] = {}
    for f in report.findings:
        bad = f.status in (Status.FAIL, Status.ERROR)
        worst[(f.check, f.severity.value)] = max(worst.get((f.check, f.severity.value), 0), 1 if bad else 0)
    for (check, severity), value in sorted(worst.items()):
        lines.append(f'ybguard_check_failed{{host="{host}",check="{_label(check)}",severity="{severity}"}} {value}')
    lines += ["# HELP ybguard_scan_duration_seconds Wall time of the last scan.",
              "# TYPE ybguard_scan_duration_seconds gauge",
              f'ybguard_scan_duration_seconds{{host="{host}"}} {report.duration_ms / 1000:.3f}']
    started = _epoch(report.started_at)
    if started is not None:  # lets an alert notice that the nightly scan stopped running
        lines += ["# HELP ybguard_last_scan_timestamp_seconds When the last scan started (Unix time).",
                  "# TYPE ybguard_last_scan_timestamp_seconds gauge",
                  f'ybguard_last_scan_timestamp_seconds{{host="{host}"}} {started}']
    return "\n".join(lines) + "\n"
