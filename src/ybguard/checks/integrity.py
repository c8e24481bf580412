"""Baseline drift: 医保 system files modified or deleted, software added or removed, NICs
renamed or replaced and the leased-line gateway's MAC changed (改接/搬迁).

Every check needs ``integrity.baseline`` first, so without ``--baseline`` they are
``not_applicable`` and nothing is hashed.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, List, Optional, Tuple

from .. import baseline as bl
from ..models import Severity
from ..policy.schema import Policy
from . import rules
from .interface import Check, Facts, Result, Said, error, fail, msg, not_applicable


def _results(drifts: List[bl.Drift], what: str, source: str) -> Iterable[Result]:
    for d in drifts:
        detail = " -> ".join(x for x in (d.before, d.after) if x)
        yield fail(d.subject, msg(f"integrity.{what}.{d.change}", subject=d.subject, before=d.before or "-",
                                  after=d.after or "-"), Said(msg("ev.baseline", path=source), detail or d.change))


def _not_recorded(base: bl.Baseline, section: str) -> Optional[Result]:
    return not_applicable("baseline", msg("integrity.not_recorded", section=section,
                                          reason=base.unrecorded.get(section, "null")))


def baseline_files(facts: Facts, policy: Policy) -> Iterable[Result]:
    base: bl.Baseline = facts["integrity.baseline"]
    if not base.files:  # 0 files compared proves nothing about the 医保 system files
        yield error("baseline", msg("integrity.empty_baseline", path=base.source or "-"))
        return
    missing = bl.uncovered_roots(base, policy.integrity.paths)
    if missing:
        yield error("baseline", msg("integrity.uncovered", paths=", ".join(missing)))
        return
    yield from _results(bl.diff_files(base, facts["integrity.files"]), "file", base.source)


def _section_check(section: str, fact: str, diff: Callable[[Any, Any], Any], kind: str) -> Callable[
        [Facts, Policy], Iterator[Result]]:
    """The drift check of one recorded baseline section (packages, interfaces, gateways)
    against its live fact; a section the baseline could not record says why."""

    def evaluate(facts: Facts, policy: Policy) -> Iterator[Result]:
        base: bl.Baseline = facts["integrity.baseline"]
        recorded = getattr(base, section)
        if recorded is None:
            result = _not_recorded(base, section)
            if result:
                yield result
            return
        yield from _results(diff(recorded, facts[fact]), kind, base.source)

    return evaluate


baseline_packages = _section_check("packages", "software.packages", bl.diff_packages, "package")
baseline_interfaces = _section_check("interfaces", "network.interfaces", bl.diff_interfaces, "nic")
baseline_gateway = _section_check("gateways", "integrity.gateway", bl.diff_gateways, "gateway")


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
