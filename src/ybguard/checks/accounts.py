"""Checks of accounts, system time and backups; the baseline checks live in checks/integrity.py
and are exported through this module's CHECKS tuple."""

from __future__ import annotations

from typing import Iterable, List, Sequence, Tuple

from ..facts.accounts import Account, NtpSample, PasswordAging, PasswordPolicy, TimeSync
from ..models import Evidence, Severity
from ..policy.schema import Policy
from . import integrity, rules
from .backups import backup_copies
from .interface import Check, Facts, Result, error, fail, msg, not_applicable, passed


def _ev(sources: Iterable[Tuple[str, str]]) -> Tuple[Evidence, ...]:
    return tuple(Evidence(s, d) for s, d in sources)


AGE_WORDS = ("pass_max_days", "maximumpasswordage", "max_age", "maxpwage")


def _about(sources: Sequence[Tuple[str, str]], age: bool) -> Tuple[Evidence, ...]:
    """The policy sources about the maximum age (``age``) or about the length (everything else)."""
    picked = [(s, d) for s, d in sources if any(k in d.lower() for k in AGE_WORDS) == age]
    return _ev(picked or sources)


def _login(users: Sequence[Account]) -> List[Account]:
    return [u for u in users if u.login]


# --- accounts ---------------------------------------------------------------------------------

def password_min_length(facts: Facts, policy: Policy) -> Iterable[Result]:
    pp: PasswordPolicy = facts["accounts.password_policy"]
    want = policy.accounts.password_min_length
    if pp.min_length is None:
        yield fail("password policy", msg("accounts.min_length_none", want=want), *_about(pp.sources, False))
    elif pp.min_length < want:
        yield fail("password policy", msg("accounts.min_length_short", got=pp.min_length, want=want), *_about(pp.sources, False))
    else:
        yield passed("password policy", msg("accounts.min_length_ok", got=pp.min_length, want=want), *_about(pp.sources, False))


def password_max_age(facts: Facts, policy: Policy) -> Iterable[Result]:
    """Linux: every login account by its own maximum age (shadow field 5; ``chage -M 365``
    makes one account keep its password for a year whatever login.defs says). Windows: the one
    account policy."""
    aging: PasswordAging = facts["accounts.max_age"]
    want = policy.accounts.password_max_age_days
    ev = _ev(aging.sources)
    if not aging.per_account:
        if aging.default_days is None:
            yield fail("password policy", msg("accounts.max_age_none", want=want), *_about(aging.sources, True))
        elif aging.default_days > want:
            yield fail("password policy", msg("accounts.max_age_long", got=aging.default_days, want=want),
                       *_about(aging.sources, True))
        return
    bad = False
    for a in aging.accounts:
        own = Evidence(a.source, f"max={'' if a.max_days is None else a.max_days} (/etc/shadow field 5)")
        if a.max_days is None:
            bad = True
            yield fail(a.name, msg("accounts.max_age_account_none", user=a.name, want=want), own, *ev)
        elif a.max_days > want:
            bad = True
            yield fail(a.name, msg("accounts.max_age_account_long", user=a.name, got=a.max_days, want=want), own, *ev)
    if not bad:
        yield passed("password policy", msg("accounts.max_age_accounts_ok", count=len(aging.accounts), want=want),
                     *(Evidence(a.source, f"{a.name} max={a.max_days}") for a in aging.accounts), *ev)


def empty_password(facts: Facts, policy: Policy) -> Iterable[Result]:
    if not policy.accounts.forbid_empty_passwords:
        yield not_applicable("host", msg("accounts.empty_allowed"))
        return
    for u in facts["accounts.users"]:
        if u.password_state in ("empty", "none") and u.login:
            yield fail(u.name, msg("accounts.empty", user=u.name, uid=u.uid), Evidence(u.source, "password field empty"))


def password_age(facts: Facts, policy: Policy) -> Iterable[Result]:
    want = policy.accounts.password_max_age_days
    for u in _login(facts["accounts.users"]):
        if u.password_state != "set":
            continue
        if u.last_change_days is None:
            yield fail(u.name, msg("accounts.age_unknown", user=u.name), Evidence(u.source, "lastchg field empty"))
        elif u.password_age_days is not None and u.password_age_days > want:
            yield fail(u.name, msg("accounts.age_old", user=u.name, days=u.password_age_days, want=want),
                       Evidence(u.source, f"lastchg={u.last_change_days} (days since 1970-01-01)"))


def never_expires(facts: Facts, policy: Policy) -> Iterable[Result]:
    for u in _login(facts["accounts.users"]):
        if u.max_days is None or u.max_days >= 99999:
            yield fail(u.name, msg("accounts.never_expires", user=u.name),
                       Evidence(u.source, f"max={'' if u.max_days is None else u.max_days}"))


def uid0(facts: Facts, policy: Policy) -> Iterable[Result]:
    for u in facts["accounts.users"]:
        if u.admin_via:  # Windows: an administrator other than the built-in one (RID 500)
            yield fail(u.name, msg("accounts.windows_admin", user=u.name, how=u.admin_via), Evidence(u.source, u.admin_via))
        elif u.uid == 0 and u.name != "root":
            yield fail(u.name, msg("accounts.uid0", user=u.name), Evidence(u.source, f"{u.name} uid=0"))


# --- time -------------------------------------------------------------------------------------

def ntp_config(facts: Facts, policy: Policy) -> Iterable[Result]:
    """Fail when nothing is configured, or for every configured server outside ``ntp_servers``:
    a public pool is both an Internet dependency and a clock the 医保 platform does not set."""
    ts: TimeSync = facts["time.sync"]
    allowed = {s.lower() for s in policy.time.ntp_servers}
    ev = _ev(ts.sources)
    if not allowed:
        yield not_applicable("time sync", msg("time.no_policy_servers"))
        return
    if not ts.daemon:
        yield fail("time sync", msg("time.no_daemon"), *ev)
        return
    if not ts.servers:
        yield fail(ts.daemon, msg("time.no_servers", daemon=ts.daemon), *ev)
        return
    owner = dict(ts.server_daemons)
    for server in ts.servers:
        if server.lower() not in allowed:
            yield fail(server, msg("time.server_outside", server=server, daemon=owner.get(server, ts.daemon),
                                   allowed=", ".join(policy.time.ntp_servers)), *ev)


def sync_state(facts: Facts, policy: Policy) -> Iterable[Result]:
    ts: TimeSync = facts["time.sync"]
    if not ts.live:
        yield not_applicable("time sync", msg("time.sync_offline"))
    elif ts.synchronized is None:
        yield error("time sync", msg("time.sync_unknown", daemon=ts.daemon), *_ev(ts.sources))
    elif not ts.synchronized:
        yield fail("time sync", msg("time.not_synced", daemon=ts.daemon or "-"), *_ev(ts.sources))
    else:
        yield passed("time sync", msg("time.synced", daemon=ts.daemon), *_ev(ts.sources))


def offset(facts: Facts, policy: Policy) -> Iterable[Result]:
    samples: Sequence[NtpSample] = facts["time.probe"]
    limit = policy.time.max_offset_seconds
    if not samples:
        yield not_applicable("time sync", msg("time.no_policy_servers"))
    for s in samples:
        ev = Evidence(f"SNTP {s.server}", f"address {s.address or '-'}; " + (
            f"offset {s.offset_seconds:+.3f}s" if s.offset_seconds is not None else s.error))
        if s.offset_seconds is None:
            yield error(s.server, msg("time.no_answer", server=s.server, reason=s.error), ev)
        elif abs(s.offset_seconds) > limit:
            yield fail(s.server, msg("time.offset_big", server=s.server, offset=f"{s.offset_seconds:+.1f}", limit=limit), ev)
        else:
            yield passed(s.server, msg("time.offset_ok", server=s.server, offset=f"{s.offset_seconds:+.3f}", limit=limit), ev)


CHECKS: Tuple[Check, ...] = (
    Check("accounts.password-min-length", Severity.HIGH, rules.PASSWORDS, ("accounts.password_policy",),
          password_min_length, "password policy"),
    Check("accounts.password-max-age", Severity.MEDIUM, rules.PASSWORDS, ("accounts.max_age",),
          password_max_age, "password policy"),
    Check("accounts.empty-password", Severity.CRITICAL, rules.PASSWORDS, ("accounts.users",), empty_password),
    Check("accounts.password-age", Severity.MEDIUM, rules.PASSWORDS, ("accounts.users",), password_age),
    Check("accounts.never-expires", Severity.LOW, rules.PASSWORDS, ("accounts.users",), never_expires),
    Check("accounts.uid0", Severity.CRITICAL, rules.PASSWORDS, ("accounts.users",), uid0),
    Check("time.ntp-config", Severity.MEDIUM, rules.NO_DATE_CHANGE, ("time.sync",), ntp_config, "time sync"),
    Check("time.sync", Severity.MEDIUM, rules.NO_DATE_CHANGE, ("time.sync",), sync_state, "time sync"),
    Check("time.offset", Severity.MEDIUM, rules.NO_DATE_CHANGE, ("time.probe",), offset, "time sync"),
    Check("backups.copies", Severity.HIGH, rules.BACKUPS, ("backups.files",), backup_copies, "backups"),
    *integrity.CHECKS,
)
