"""Helpers for the usb tests (a plain module, not a conftest, so its name is unique in the suite): scan a fixture root through the real collectors and checks."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Optional, Set

from ybguard.checks import ALL_CHECKS, select_checks
from ybguard.collect import ScanOptions, registry_for
from ybguard.collect import usb as cusb
from ybguard.engine import run_scan
from ybguard.models import Report, Status
from ybguard.policy import Policy, builtin_policy_path, load_policy_file, parse_policy_text
from ybguard.target import RootfsTarget

DATA = Path(__file__).resolve().parent.parent / "data" / "usb"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


def default_policy() -> Policy:
    return load_policy_file(builtin_policy_path())


def policy_yaml(text: str) -> Policy:
    return parse_policy_text("policy:\n  id: test\n  version: 1\n" + text, "test-policy.yaml")


def scan_as_live(root: Path, policy: Optional[Policy] = None, only: str = "usb.*") -> Report:
    """Scan a fixture tree with the live-only collectors' readers: the code a live host runs,
    with the live gate (require_live) the only part left out."""
    registry = dict(registry_for("linux"))
    registry["usb.attached"] = lambda ctx: cusb.read_attached(ctx.target)
    registry["usb.mounts"] = lambda ctx: cusb.read_mounts(ctx.target, ctx.facts.get("usb.attached"))
    return run_scan(policy or default_policy(), RootfsTarget(str(root)), select_checks(ALL_CHECKS, [only]),
                    ScanOptions(lang="en", now=NOW), registry=registry)


def failing(report: Report, check: str) -> Set[str]:
    return {f.subject for f in report.findings if f.check == check and f.status is Status.FAIL}


def statuses(report: Report) -> Dict[str, Set[str]]:
    out: Dict[str, Set[str]] = {}
    for f in report.findings:
        out.setdefault(f.check, set()).add(f.status.value)
    return out
