"""In-process scans of the 等保 checks (tests/djbh, tests/windows/test_djbh_windows.py): the real engine
and collectors on a Target the test built."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, Optional, Set

from ybguard.checks import ALL_CHECKS, select_checks
from ybguard.collect import FactSet, ScanOptions, registry_for
from ybguard.engine import run_scan
from ybguard.models import Report
from ybguard.policy.schema import DjbhPolicy, Policy
from ybguard.target.interface import Target
from ybguard.target.linux import RootfsTarget

Outcome = Dict[str, Dict[str, Set[str]]]


def policy(level: int = 3, **djbh: Any) -> Policy:
    return replace(Policy(), djbh_level=level, djbh=replace(DjbhPolicy(), **djbh))


DEFAULT = Policy()


def scan(target: Target, *only: str, pol: Policy = DEFAULT, preload: Optional[Dict[str, Any]] = None) -> Report:
    facts = FactSet(target, pol, ScanOptions(lang="en"), registry_for(target.os_family))
    for key, value in (preload or {}).items():
        facts.preload(key, value)
    return run_scan(pol, target, select_checks(ALL_CHECKS, only), ScanOptions(lang="en"), facts=facts)


def outcome(report: Report) -> Outcome:
    """check -> status -> subjects."""
    out: Outcome = {}
    for f in report.findings:
        out.setdefault(f.check, {}).setdefault(f.status.value, set()).add(f.subject)
    return out


def root_outcome(root: Path, *only: str, pol: Policy = DEFAULT) -> Outcome:
    return outcome(scan(RootfsTarget(str(root)), *only, pol=pol))


def messages(report: Report, check: str) -> str:
    return "\n".join(f.message for f in report.findings if f.check == check)
