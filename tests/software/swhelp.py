"""Helpers for the software tests (a plain module with a unique name, not a conftest)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Set, Tuple

from ybguard.policy import Policy, builtin_policy_path, load_policy_file, parse_policy_text

REPO = Path(__file__).resolve().parent.parent.parent
DATA = REPO / "tests" / "data" / "software"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


def default_policy() -> Policy:
    return load_policy_file(builtin_policy_path())


def policy_yaml(text: str) -> Policy:
    return parse_policy_text("policy:\n  id: test\n  version: 1\n" + text, "test-policy.yaml")


def stanza(name: str, status: str = "install ok installed", version: str = "1.0", extra: str = "") -> str:
    """A dpkg status stanza shaped like the ones dpkg writes."""
    return (f"Package: {name}\nStatus: {status}\nPriority: optional\nSection: net\nInstalled-Size: 1024\n"
            f"Maintainer: Test <test@example.com>\nArchitecture: amd64\nVersion: {version}\n{extra}"
            f"Description: {name} for tests\n continuation line of the description\n .\n more text\n")


def run_cli(*args: str) -> Tuple[int, Dict]:
    proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--format", "json", *args],
                          capture_output=True, text=True, timeout=120, cwd=str(REPO))
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def failing(report: Dict, check: str) -> Set[str]:
    return {f["subject"] for f in report["findings"] if f["check"] == check and f["status"] == "fail"}


def statuses(report: Dict, check: str) -> List[str]:
    return [f["status"] for f in report["findings"] if f["check"] == check]


def installed_failures(root: Path, policy: Policy) -> Set[str]:
    """Subjects that fail software.installed on the image at ``root`` (every finding pass or fail)."""
    from ybguard.checks import ALL_CHECKS, select_checks
    from ybguard.collect import ScanOptions
    from ybguard.engine import run_scan
    from ybguard.models import Status
    from ybguard.target import RootfsTarget

    report = run_scan(policy, RootfsTarget(str(root)), select_checks(ALL_CHECKS, ["software.installed"]),
                      ScanOptions(lang="en", now=NOW))
    assert all(f.status in (Status.PASS, Status.FAIL) for f in report.findings), report.findings
    return {f.subject for f in report.findings if f.status is Status.FAIL}
