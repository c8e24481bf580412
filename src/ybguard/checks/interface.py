"""The check layer: small typed checks with a stable id, severity, rule and i18n texts.

A check names the facts it needs; the engine fetches them first, so a fact that could not be
read turns the whole check into ``error`` (or ``not_applicable`` when the fact cannot exist
on this target) before ``evaluate`` ever runs. ``evaluate`` returns results; returning none
means "checked, nothing wrong" and the engine records a pass.

Titles and remediations are i18n keys ``<id>.title`` and ``<id>.remediation``; messages are
``Msg`` values translated when the report is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Optional, Tuple

from ..models import Evidence, Severity, Status
from ..policy.schema import Policy
from .clauses import Clause


@dataclass(frozen=True)
class Msg:
    key: str
    args: Tuple[Tuple[str, Any], ...] = ()


def msg(key: str, **args: Any) -> Msg:
    return Msg(key, tuple(sorted(args.items())))


@dataclass(frozen=True)
class Result:
    status: Status
    subject: str
    message: Msg
    evidence: Tuple[Evidence, ...] = ()
    severity: Optional[Severity] = None  # overrides the check's severity (e.g. "present but down")


def fail(subject: str, message: Msg, *evidence: Evidence, severity: Optional[Severity] = None) -> Result:
    return Result(Status.FAIL, subject, message, tuple(evidence), severity)


def passed(subject: str, message: Msg, *evidence: Evidence) -> Result:
    return Result(Status.PASS, subject, message, tuple(evidence))


def not_applicable(subject: str, message: Msg) -> Result:
    return Result(Status.NOT_APPLICABLE, subject, message)


def error(subject: str, message: Msg, *evidence: Evidence) -> Result:
    return Result(Status.ERROR, subject, message, tuple(evidence))


Facts = Mapping[str, Any]
Evaluate = Callable[[Facts, Policy], Iterable[Result]]


@dataclass(frozen=True)
class Check:
    id: str  # "area.name"
    severity: Severity
    rule: str  # the regulation clause it enforces (中文, as written in the regulation)
    needs: Tuple[str, ...]  # fact keys
    evaluate: Evaluate
    subject: str = "host"  # subject of the pass finding when nothing is wrong
    clauses: Tuple[Clause, ...] = ()  # GB/T 22239-2019 items (checks/clauses.py); ``rule`` stays the 医保 text
    min_level: int = 2  # 等保 level from which the check applies (3: level-3-only items)

    def clause_refs(self, level: int) -> Tuple[str, ...]:
        """The GB/T 22239-2019 items this check serves at the policy's ``djbh_level``."""
        return tuple(ref for ref in (c.at(level) for c in self.clauses) if ref)

    @property
    def area(self) -> str:
        return self.id.split(".", 1)[0]

    def title(self, lang: str) -> str:
        from ..i18n import t

        return t(f"{self.id}.title", lang)

    def remediation(self, lang: str) -> str:
        from ..i18n import t

        return t(f"{self.id}.remediation", lang)
