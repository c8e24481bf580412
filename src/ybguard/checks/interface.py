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
from typing import Any, Callable, Iterable, Mapping, Optional, Tuple, Union

from ..models import Evidence, Severity, Status
from ..policy.schema import Policy
from .clauses import Clause


@dataclass(frozen=True)
class Msg:
    key: str
    args: Tuple[Tuple[str, Any], ...] = ()


def msg(key: str, **args: Any) -> Msg:
    return Msg(key, tuple(sorted(args.items())))


Words = Union[str, Msg, Tuple[Union[str, Msg], ...]]  # host text stays str; ybguard's words are Msg; a
# tuple is a phrase of such parts, joined by spaces ("kind=wireless", "because DEVTYPE=wlan", …)


@dataclass(frozen=True)
class Said:
    """Evidence in ybguard's own words: ``source`` and ``detail`` may be ``Msg`` values, which the
    engine translates into the report's language (``Evidence`` carries host text as it is)."""

    source: Words
    detail: Words


AnyEvidence = Union[Evidence, Said]


def said(source: Words, key: str, **args: Any) -> Said:
    return Said(source, msg(key, **args))


@dataclass(frozen=True)
class Result:
    status: Status
    subject: str
    message: Msg
    evidence: Tuple[AnyEvidence, ...] = ()
    severity: Optional[Severity] = None  # overrides the check's severity (e.g. "present but down")


def fail(subject: str, message: Msg, *evidence: AnyEvidence, severity: Optional[Severity] = None) -> Result:
    return Result(Status.FAIL, subject, message, tuple(evidence), severity)


def passed(subject: str, message: Msg, *evidence: AnyEvidence) -> Result:
    return Result(Status.PASS, subject, message, tuple(evidence))


def not_applicable(subject: str, message: Msg) -> Result:
    return Result(Status.NOT_APPLICABLE, subject, message)


def error(subject: str, message: Msg, *evidence: AnyEvidence) -> Result:
    return Result(Status.ERROR, subject, message, tuple(evidence))


Facts = Mapping[str, Any]
Evaluate = Callable[[Facts, Policy], Iterable[Result]]


@dataclass(frozen=True)
class Examined:
    """What a check looked at, for its pass: "4 routes in 2 tables reachable by 3 rules, none
    outside allowed_networks". A pass without it would only say "nothing found", which proves
    nothing on a printed report."""

    message: Msg
    evidence: Tuple[AnyEvidence, ...] = ()


Examine = Callable[[Facts, Policy], Examined]


@dataclass(frozen=True)
class Check:
    id: str  # "area.name"
    severity: Severity
    rule: str  # the regulation clause it enforces (中文, as written in the regulation)
    needs: Tuple[str, ...]  # fact keys
    evaluate: Evaluate
    subject: str = "host"  # subject of the pass finding when nothing is wrong
    # What was examined, for the pass finding (message and evidence). Built-in checks get theirs
    # from checks/examined.py; a test requires one for every check.
    examined: Optional[Examine] = None
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

    def remediation(self, lang: str, message: Optional[Msg] = None) -> str:
        """The check's fix, or the one its message has (``<message key>.fix``, with the message's
        arguments) when the general fix does not fit what was found (timesyncd is installed and
        enabled: do not tell the user to enable chrony)."""
        from ..i18n import has, t

        if message is not None and has(f"{message.key}.fix"):
            return t(f"{message.key}.fix", lang, **dict(message.args))
        return t(f"{self.id}.remediation", lang)
