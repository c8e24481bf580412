"""Build a small image root under tmp_path and scan it with the network checks (helpers shared by
the saved-configuration tests)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import replace
from pathlib import Path
from typing import Dict, Mapping, Set, Tuple

from ybguard.checks.network import CHECKS
from ybguard.collect import ScanOptions, registry_for
from ybguard.engine import run_scan
from ybguard.models import Report
from ybguard.policy.schema import LeasedLine, Policy
from ybguard.target import RootfsTarget

# The 医保 side of the test terminal: leased line eth0 in 10.88.0.0/16, resolver 10.88.0.53.
POLICY = Policy(network=replace(
    Policy().network, leased_line=LeasedLine(("eth0",)),
    allowed_networks=(ipaddress.ip_network("10.88.0.0/16"),),
    allowed_dns=(ipaddress.ip_address("10.88.0.53"),)))


def build(root: Path, files: Mapping[str, str]) -> Path:
    """{"/etc/x": "text"}; a value "->TARGET" makes a symbolic link to TARGET."""
    for inner, body in files.items():
        dest = root / inner.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if body.startswith("->"):
            os.symlink(body[2:], dest)
        else:
            dest.write_text(body, encoding="utf-8")
    return root


def scan(root: Path, policy: Policy = POLICY) -> Report:
    return run_scan(policy, RootfsTarget(str(root)), CHECKS, ScanOptions(), registry=registry_for("linux"))


def outcome(report: Report) -> Dict[str, Dict[str, Set[str]]]:
    """check -> status -> subjects."""
    out: Dict[str, Dict[str, Set[str]]] = {}
    for f in report.findings:
        out.setdefault(f.check, {}).setdefault(f.status.value, set()).add(f.subject)
    return out


def evidence(report: Report, check: str) -> Set[Tuple[str, str]]:
    return {(e.source, e.detail) for f in report.findings if f.check == check for e in f.evidence}
