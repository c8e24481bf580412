"""等保 audit checks: what is audited and whether the records survive (GB/T 22239-2019 8.1.4.3)."""

from __future__ import annotations

from typing import Iterable, Tuple

from ..facts.djbh import AuditEvents, LogStorage
from ..models import Evidence, Severity
from ..policy.schema import Policy
from . import clauses as c
from . import rules
from .interface import Check, Facts, Result, fail, msg, passed
from .logon import ev


def events(facts: Facts, policy: Policy) -> Iterable[Result]:
    au: AuditEvents = facts["audit.events"]
    evidence = ev(au.sources)
    for what, detail in au.missing:
        yield fail(what, msg("djbh.audit_missing", service=au.service, what=what, detail=detail), *evidence)
    if not au.missing:
        yield passed(au.service, msg("djbh.audit_ok", service=au.service), *evidence)


def storage(facts: Facts, policy: Policy) -> Iterable[Result]:
    ls: LogStorage = facts["audit.storage"]
    evidence = ev(ls.sources) + tuple(Evidence(name, detail) for name, _keeps, detail in ls.stores)
    want = policy.djbh.audit_log_min_mb
    if not ls.stores:
        yield fail("logs", msg("djbh.logs_none"), *evidence)
        return
    if not any(keeps for _n, keeps, _d in ls.stores):
        yield fail("logs", msg("djbh.logs_volatile", stores=", ".join(n for n, _k, _d in ls.stores)), *evidence)
        return
    if ls.max_size_mb is not None and ls.max_size_mb < want:
        yield fail("Security event log", msg("djbh.log_small", got=ls.max_size_mb, want=want), *evidence)
        return
    kept = ", ".join(n for n, keeps, _d in ls.stores if keeps)
    yield passed("logs", msg("djbh.logs_ok", stores=kept), *evidence)


CHECKS: Tuple[Check, ...] = (
    Check("audit.events", Severity.MEDIUM, rules.DJBH, ("audit.events",), events, "audit policy",
          clauses=(c.AUDIT_ENABLED, c.AUDIT_CONTENT)),
    Check("audit.log-storage", Severity.MEDIUM, rules.DJBH, ("audit.storage",), storage, "logs",
          clauses=(c.AUDIT_PROTECT,)),
)
