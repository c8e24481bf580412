"""Baseline drift: 医保 system files modified or deleted, software added or removed, NICs
renamed or replaced and the leased-line gateway's MAC changed (改接/搬迁).

Every check needs ``integrity.baseline`` first, so without ``--baseline`` they are
``not_applicable`` and nothing is hashed.
"""

from __future__ import annotations

from typing import Iterable, List, Optional, Tuple

from .. import baseline as bl
from ..models import Evidence, Severity
from ..policy.schema import Policy
from . import rules
from .interface import Check, Facts, Result, error, fail, msg, not_applicable


def _results(drifts: List[bl.Drift], what: str, source: str) -> Iterable[Result]:
    for d in drifts:
        detail = " -> ".join(x for x in (d.before, d.after) if x)
        yield fail(d.subject, msg(f"integrity.{what}.{d.change}", subject=d.subject, before=d.before or "-",
                                  after=d.after or "-"), Evidence(source, detail or d.change))


def _not_recorded(base: bl.Baseline, section: str) -> Optional[Result]:
    return not_applicable("baseline", msg("integrity.not_recorded", section=section,
                                          reason=base.unrecorded.get(section, "null")))


def baseline_files(facts: Facts, policy: Policy) -> Iterable[Result]:
    base: bl.Baseline = facts["integrity.baseline"]
    missing = bl.uncovered_roots(base, policy.integrity.paths)
    if missing:
        yield error("baseline", msg("integrity.uncovered", paths=", ".join(missing)))
        return
    yield from _results(bl.diff_files(base, facts["integrity.files"]), "file", f"baseline {base.source}")


def baseline_packages(facts: Facts, policy: Policy) -> Iterable[Result]:
    base: bl.Baseline = facts["integrity.baseline"]
    if base.packages is None:
        result = _not_recorded(base, "packages")
        if result:
            yield result
        return
    yield from _results(bl.diff_packages(base.packages, facts["software.packages"]), "package",
                        f"baseline {base.source}")


def baseline_interfaces(facts: Facts, policy: Policy) -> Iterable[Result]:
    base: bl.Baseline = facts["integrity.baseline"]
    if base.interfaces is None:
        result = _not_recorded(base, "interfaces")
        if result:
            yield result
        return
    yield from _results(bl.diff_interfaces(base.interfaces, facts["network.interfaces"]), "nic",
                        f"baseline {base.source}")


def baseline_gateway(facts: Facts, policy: Policy) -> Iterable[Result]:
    base: bl.Baseline = facts["integrity.baseline"]
    if base.gateways is None:
        result = _not_recorded(base, "gateways")
        if result:
            yield result
        return
    yield from _results(bl.diff_gateways(base.gateways, facts["integrity.gateway"]), "gateway",
                        f"baseline {base.source}")


CHECKS: Tuple[Check, ...] = (
    Check("integrity.baseline-files", Severity.HIGH, rules.INTEGRITY, ("integrity.baseline", "integrity.files"),
          baseline_files, "baseline"),
    Check("integrity.baseline-packages", Severity.HIGH, rules.SOFTWARE_ONLY_YB,
          ("integrity.baseline", "software.packages"), baseline_packages, "baseline"),
    Check("integrity.baseline-interfaces", Severity.HIGH, rules.INTEGRITY,
          ("integrity.baseline", "network.interfaces"), baseline_interfaces, "baseline"),
    Check("integrity.baseline-gateway", Severity.HIGH, rules.INTEGRITY,
          ("integrity.baseline", "integrity.gateway"), baseline_gateway, "baseline"),
)
