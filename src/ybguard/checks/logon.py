"""等保 logon checks: password complexity, login-failure lockout, idle lock, default accounts,
remote administration (GB/T 22239-2019 8.1.4.1, 8.1.4.2)."""

from __future__ import annotations

from typing import Iterable, Tuple

from ..facts.djbh import BuiltinAccount, Complexity, IdleScope, Lockout, RemoteService
from ..models import Evidence, Severity
from ..policy.schema import Policy
from . import clauses as c
from . import rules
from .interface import Check, Facts, Result, Said, error, fail, msg, passed


def ev(sources: Iterable[Tuple[str, str]]) -> Tuple[Evidence, ...]:
    return tuple(Evidence(s, d) for s, d in sources)


def password_complexity(facts: Facts, policy: Policy) -> Iterable[Result]:
    cx: Complexity = facts["logon.complexity"]
    want = policy.djbh.password_min_classes
    evidence = ev(cx.sources)
    if not cx.enforced:
        yield fail("password policy", msg("djbh.complexity_off", want=want), *evidence)
    elif cx.classes < want:
        yield fail("password policy", msg("djbh.complexity_few", got=cx.classes, want=want), *evidence)
    else:
        yield passed("password policy", msg("djbh.complexity_ok", got=cx.classes, want=want), *evidence)
    if cx.enforced and cx.root_enforced is False:
        yield fail("root", msg("djbh.complexity_root"), *evidence, severity=Severity.MEDIUM)


def lockout(facts: Facts, policy: Policy) -> Iterable[Result]:
    lo: Lockout = facts["logon.lockout"]
    d = policy.djbh
    evidence = ev(lo.sources)
    if lo.threshold == 0:
        yield fail("lockout policy", msg("djbh.lockout_never", want=d.lockout_max_attempts), *evidence)
        return
    ok = True
    if lo.threshold > d.lockout_max_attempts:
        ok = False
        yield fail("lockout policy", msg("djbh.lockout_many", got=lo.threshold, want=d.lockout_max_attempts), *evidence)
    if lo.duration_minutes is None:
        ok = False
        yield error("lockout policy", msg("djbh.lockout_duration_unknown"), *evidence)
    elif lo.duration_minutes != 0 and lo.duration_minutes < d.lockout_min_minutes:
        ok = False
        yield fail("lockout policy", msg("djbh.lockout_short", got=lo.duration_minutes, want=d.lockout_min_minutes),
                   *evidence)
    if ok:
        duration = "∞" if lo.duration_minutes == 0 else lo.duration_minutes
        yield passed("lockout policy", msg("djbh.lockout_ok", got=lo.threshold, minutes=duration), *evidence)


def idle_lock(facts: Facts, policy: Policy) -> Iterable[Result]:
    scopes: Tuple[IdleScope, ...] = facts["logon.idle"]
    limit = policy.djbh.idle_lock_max_minutes * 60
    for scope in scopes:
        evidence = tuple(Evidence(s.source, s.detail) for s in scope.settings)
        good = [s for s in scope.settings if s.secure and s.seconds and 0 < s.seconds <= limit]
        if good:
            yield passed(scope.name, msg("djbh.idle_ok", scope=scope.name, seconds=good[-1].seconds, limit=limit),
                         *evidence)
        elif not scope.settings:
            yield fail(scope.name, msg("djbh.idle_unset", scope=scope.name, limit=limit))
        elif not any(s.secure for s in scope.settings):
            yield fail(scope.name, msg("djbh.idle_insecure", scope=scope.name), *evidence)
        else:
            got = max((s.seconds or 0) for s in scope.settings)
            key = "djbh.idle_never" if not got else "djbh.idle_long"
            yield fail(scope.name, msg(key, scope=scope.name, seconds=got, limit=limit), *evidence)


def default_accounts(facts: Facts, policy: Policy) -> Iterable[Result]:
    accounts: Tuple[BuiltinAccount, ...] = facts["logon.default_accounts"]
    examined, found = [], []
    for a in accounts:
        e = Said(a.source, msg("djbh.account_seen", user=a.name, id=a.ident, role=a.role,
                               state=msg("djbh.account_enabled" if a.enabled else "djbh.account_disabled"),
                               extra=("" if a.renamed is None else f" renamed={a.renamed}")
                               + ("" if a.password_required is None else f" password_required={a.password_required}")))
        examined.append(e)
        if a.role == "guest" and a.enabled:
            found.append(fail(a.name, msg("djbh.guest_enabled", user=a.name, id=a.ident), e))
        elif a.role == "administrator" and a.enabled and a.renamed is False:
            found.append(fail(a.name, msg("djbh.admin_default", user=a.name, id=a.ident), e))
        elif a.role == "system" and a.enabled:
            found.append(fail(a.name, msg("djbh.system_login", user=a.name, id=a.ident), e))
        if a.enabled and a.password_required is False:
            found.append(fail(a.name, msg("djbh.no_password_required", user=a.name, id=a.ident), e,
                              severity=Severity.CRITICAL))
    yield from found
    if not found:
        yield passed("accounts", msg("djbh.accounts_examined", n=len(accounts)), *examined[:30])


def remote_admin(facts: Facts, policy: Policy) -> Iterable[Result]:
    services: Tuple[RemoteService, ...] = facts["logon.remote"]
    for s in services:
        e = Evidence(s.source, s.detail)
        if s.enabled and s.weak:
            yield fail(s.name, msg("djbh.remote_weak", service=s.name, weak="; ".join(s.weak)), e)
        elif s.enabled:
            yield passed(s.name, msg("djbh.remote_protected", service=s.name), e)
    if not any(s.enabled for s in services):
        yield passed("remote administration", msg("djbh.remote_none"),
                     *(Evidence(s.source, s.detail) for s in services))


CHECKS: Tuple[Check, ...] = (
    Check("logon.password-complexity", Severity.HIGH, rules.PASSWORDS, ("logon.complexity",), password_complexity,
          "password policy", clauses=(c.AUTH_COMPLEXITY,)),
    Check("logon.lockout", Severity.HIGH, rules.PASSWORDS, ("logon.lockout",), lockout, "lockout policy",
          clauses=(c.AUTH_FAILURE,)),
    Check("logon.idle-lock", Severity.MEDIUM, rules.PASSWORDS, ("logon.idle",), idle_lock, "idle lock",
          clauses=(c.AUTH_FAILURE,)),
    Check("logon.default-accounts", Severity.HIGH, rules.PASSWORDS, ("logon.default_accounts",), default_accounts,
          "accounts", clauses=(c.ACCESS_DEFAULTS, c.ACCESS_EXCESS)),
    Check("logon.remote-admin", Severity.HIGH, rules.DJBH, ("logon.remote",), remote_admin, "remote administration",
          clauses=(c.AUTH_REMOTE, c.LIMIT_ADMIN)),
)
