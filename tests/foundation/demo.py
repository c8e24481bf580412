"""Tiny but real checks and a collector for exercising the engine, CLI and reporters.

The collector reads ``/etc/ybguard-demo`` through the Target (so ``--root`` works), one
instruction per line::

    fail <subject> [severity]     a failing subject
    error                          the collector cannot read its facts (PermissionError)
    unsupported                    the fact cannot exist here

``run_with_demo.py`` injects these into the real CLI, which is then run as a subprocess.
"""

from __future__ import annotations

from typing import Iterable, List, Mapping, Tuple

from ybguard.checks.interface import Check, Result, fail, msg
from ybguard.collect.interface import CollectContext
from ybguard.models import Evidence, Severity
from ybguard.policy.schema import Policy
from ybguard.target.interface import Unsupported

DEMO_FILE = "/etc/ybguard-demo"


def parse_demo(text: str) -> List[Tuple[str, str]]:
    out = []
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[0] == "fail":
            out.append((parts[1], parts[2] if len(parts) > 2 else ""))
    return out


def collect_demo(ctx: CollectContext) -> List[Tuple[str, str]]:
    text = ctx.target.read_text_optional(DEMO_FILE) or ""
    if "error" in text.split():
        raise PermissionError(13, "Permission denied", DEMO_FILE)
    if "unsupported" in text.split():
        raise Unsupported("reason.offline")
    return parse_demo(text)


def eval_fails(facts: Mapping[str, object], policy: Policy) -> Iterable[Result]:
    for subject, severity in facts["demo.items"]:  # type: ignore[attr-defined]
        yield fail(subject, msg("engine.raw_reason", reason=f"{subject} is not allowed"),
                   Evidence(DEMO_FILE, f"fail {subject}"),
                   severity=Severity(severity) if severity else None)


def eval_identity(facts: Mapping[str, object], policy: Policy) -> Iterable[Result]:
    return ()


DEMO_CHECKS = (
    Check("demo.items", Severity.HIGH, "演示规则 1", ("demo.items",), eval_fails, subject="demo"),
    Check("demo.identity", Severity.LOW, "演示规则 2", ("host.identity",), eval_identity),
)
DEMO_COLLECTORS = {"demo.items": collect_demo}


def install() -> None:
    """Add the demo checks and collector to the real registries (for a subprocess run)."""
    import ybguard.checks as checks
    from ybguard.collect import COLLECTORS

    checks.ALL_CHECKS = DEMO_CHECKS + tuple(checks.ALL_CHECKS)
    COLLECTORS["linux"].update(DEMO_COLLECTORS)  # type: ignore[attr-defined]
