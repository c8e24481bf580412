"""Prometheus text exposition, for node_exporter's (Linux) or windows_exporter's (Windows)
textfile collector; ``promtool check metrics`` accepts it (tests/fleet).

Every series carries ``host`` (and the check id where there is one), so an alert can say which
terminal and which check. Alert rules: deploy/prometheus/ybguard-rules.yml.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional, Tuple

from ..models import Report, Status, Verdict

SITE_FIELDS = ("hospital", "department", "asset_id", "location")


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def labels(**pairs: str) -> str:
    if not pairs:
        return ""
    return "{" + ",".join(f'{k}="{_label(v)}"' for k, v in pairs.items()) + "}"


def _epoch(iso: str) -> Optional[int]:
    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def family(name: str, help_text: str, samples: Iterable[Tuple[str, Any]]) -> List[str]:
    """One metric family: HELP, TYPE gauge, then ``name{labels} value`` lines (none: family omitted)."""
    lines = [f"{name}{lbl} {value}" for lbl, value in samples]
    return [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", *lines] if lines else []


def site_of(report: Report) -> Dict[str, str]:
    """Site labels (policy ``site:`` / ``--label``) when the report carries them."""
    site: Any = getattr(report, "site", None)
    if site is None:
        return {}
    get = site.get if isinstance(site, dict) else (lambda k, d="": getattr(site, k, d))
    return {k: str(get(k, "") or "") for k in SITE_FIELDS if get(k, "")}


def render(report: Report) -> str:
    host = report.host.hostname
    policy = report.policy.id
    verdict = report.verdict.value
    info = {"host": host, "machine_id": report.host.machine_id, "policy": policy,
            "policy_version": str(report.policy.version), "version": report.tool_version, **site_of(report)}
    failed: Dict[Tuple[str, str], int] = {}
    errored: Dict[str, int] = {}
    for f in report.findings:
        key = (f.check, f.severity.value)
        failed[key] = max(failed.get(key, 0), 1 if f.status is Status.FAIL else 0)
        errored[f.check] = max(errored.get(f.check, 0), 1 if f.status is Status.ERROR else 0)
    due: Dict[Tuple[str, str], Tuple[int, bool]] = {}  # one series per (check, subject): the soonest expiry
    for f in report.findings:
        expires = _epoch(f.waiver.expires) if f.waiver is not None else None
        if f.waiver is not None and expires is not None:
            key = (f.check, f.subject)
            due[key] = min(due.get(key, (expires, f.waiver.expired)), (expires, f.waiver.expired))
    waivers = sorted((c, s, e, x) for (c, s), (e, x) in due.items())
    out: List[str] = []
    out += family("ybguard_info", "Always 1; identifies the terminal (machine id, site labels) and the policy.",
                  [(labels(**info), 1)])
    out += family("ybguard_compliant", "1 when the last scan was compliant, else 0.",
                  [(labels(host=host, policy=policy, status=verdict), 1 if verdict == "compliant" else 0)])
    out += family("ybguard_verdict", "1 for the verdict of the last scan, 0 for the others.",
                  [(labels(host=host, status=v.value), 1 if v.value == verdict else 0) for v in Verdict])
    out += family("ybguard_findings", "Findings of the last scan by status.",
                  [(labels(host=host, status=s), n) for s, n in report.counts().items()])
    out += family("ybguard_check_failed", "1 when the check has a fail (not waived) in the last scan, else 0.",
                  [(labels(host=host, check=c, severity=s), v) for (c, s), v in sorted(failed.items())])
    out += family("ybguard_check_error", "1 when the check could not read its facts in the last scan, else 0.",
                  [(labels(host=host, check=c), v) for c, v in sorted(errored.items())])
    out += family("ybguard_waiver_expiry_timestamp_seconds",
                  "When the waiver matching this finding expires (Unix time); past means the finding fails again.",
                  [(labels(host=host, check=c, subject=s, expired="true" if x else "false"), e)
                   for c, s, e, x in waivers])
    out += family("ybguard_scan_duration_seconds", "Wall time of the last scan.",
                  [(labels(host=host), f"{report.duration_ms / 1000:.3f}")])
    started = _epoch(report.started_at)  # lets an alert notice that the nightly scan stopped running
    out += family("ybguard_last_scan_timestamp_seconds", "When the last scan started (Unix time).",
                  [(labels(host=host), started)] if started is not None else [])
    return "\n".join(out) + "\n"
