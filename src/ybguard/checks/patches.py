"""等保 patch checks (GB/T 22239-2019 8.1.4.4 e): updates installed and current, kernel loaded."""

from __future__ import annotations

from typing import Iterable, Optional, Tuple

from ..facts.djbh import KernelState, PatchState
from ..models import Severity
from ..policy.schema import Policy
from . import clauses as c
from . import rules
from .interface import Check, Facts, Result, fail, msg, passed
from .logon import ev


def _build_tuple(text: str) -> Optional[Tuple[int, ...]]:
    parts = text.strip().split(".")
    return tuple(int(p) for p in parts) if parts and all(p.isdigit() for p in parts) else None


def security_updates(facts: Facts, policy: Policy) -> Iterable[Result]:
    ps: PatchState = facts["patches.state"]
    d = policy.djbh
    evidence = ev(ps.sources)
    found = []
    for name, installed, available in ps.pending[:50]:
        found.append(fail(name, msg("djbh.update_pending", package=name, installed=installed, available=available),
                          *evidence[:3]))
    if len(ps.pending) > 50:
        found.append(fail("packages", msg("djbh.updates_more", n=len(ps.pending) - 50), *evidence[:3]))
    if ps.lists_age_days is not None and ps.lists_age_days > d.patch_max_age_days:
        found.append(fail("package lists", msg("djbh.lists_old", days=ps.lists_age_days, limit=d.patch_max_age_days),
                          *evidence))
    if ps.kind in ("apt", "rpm") and ps.lists_age_days is None:
        found.append(fail("package lists", msg("djbh.lists_none"), *evidence))
    if ps.kind == "windows":
        if ps.age_days is None:
            found.append(fail("updates", msg("djbh.win_no_updates"), *evidence))
        elif ps.age_days > d.patch_max_age_days:
            found.append(fail("updates", msg("djbh.win_updates_old", date=ps.last_update, days=ps.age_days,
                                             limit=d.patch_max_age_days), *evidence))
        want, got = _build_tuple(d.min_windows_build), _build_tuple(ps.build)
        if d.min_windows_build and (got is None or want is None or got < want):
            found.append(fail("build", msg("djbh.build_old", got=ps.build, want=d.min_windows_build), *evidence))
    if ps.pending_reboot:
        found.append(fail("reboot", msg("djbh.reboot_pending"), *evidence, severity=Severity.MEDIUM))
    yield from found
    if not found:
        yield passed("updates", msg("djbh.updates_ok", date=ps.last_update or "-", build=ps.build or "-"), *evidence)


def kernel(facts: Facts, policy: Policy) -> Iterable[Result]:
    ks: KernelState = facts["patches.kernel"]
    evidence = ev(ks.sources)
    if ks.newest_installed != ks.running:
        yield fail(ks.running, msg("djbh.kernel_old", running=ks.running, newest=ks.newest_installed), *evidence)
    else:
        yield passed(ks.running, msg("djbh.kernel_ok", running=ks.running), *evidence)


CHECKS: Tuple[Check, ...] = (
    Check("patches.security-updates", Severity.HIGH, rules.PATCHES, ("patches.state",), security_updates, "updates",
          clauses=(c.PATCH_VULNS,)),
    Check("patches.kernel", Severity.MEDIUM, rules.PATCHES, ("patches.kernel",), kernel, "kernel",
          clauses=(c.PATCH_VULNS,)),
)


