"""等保 hardening checks: services, shares and ports; autorun; host firewall (8.1.4.4, 8.1.3.2)."""

from __future__ import annotations

import fnmatch
from typing import Iterable, Tuple

from ..facts.djbh import Autorun, Exposure, Firewall
from ..models import Evidence, Severity
from ..policy.schema import Policy
from . import clauses as c
from . import rules
from .interface import Check, Facts, Result, fail, msg, not_applicable, passed
from .logon import ev

# the ports 等保 assessors call 高危 on a terminal
HIGH_RISK_PORTS = frozenset({21, 23, 135, 137, 138, 139, 445, 3389, 5900, 1433, 3306, 5985})


def services(facts: Facts, policy: Policy) -> Iterable[Result]:
    ex: Exposure = facts["hardening.exposure"]
    d = policy.djbh
    allowed_ports = set(d.allowed_listen_ports)
    examined = []
    found = []
    for lst in ex.listeners or ():
        e = Evidence(lst.source, f"{lst.proto} {lst.address}:{lst.port} {lst.process}".strip())
        examined.append(e)
        if lst.port in allowed_ports:
            continue
        sev = Severity.HIGH if lst.port in HIGH_RISK_PORTS else Severity.MEDIUM
        found.append(fail(f"{lst.proto}/{lst.port}", msg("djbh.port_open", proto=lst.proto, port=lst.port,
                                                           address=lst.address), e, severity=sev))
    for svc in ex.services:
        e = Evidence(svc.source, f"{svc.name}: {svc.what}")
        examined.append(e)
        if svc.enabled and not any(fnmatch.fnmatchcase(svc.name, g) for g in d.allowed_services):
            found.append(fail(svc.name, msg("djbh.service_enabled", service=svc.name, what=svc.what), e))
    for name, exposed, detail, source in ex.shares:
        e = Evidence(source, f"{name}: {detail}")
        examined.append(e)
        if exposed:
            found.append(fail(name, msg("djbh.share_exposed", share=name, detail=detail), e))
    yield from found
    if not found:
        key = "djbh.exposure_ok" if ex.listeners is not None else "djbh.exposure_ok_offline"
        yield passed("services", msg(key, n=len(examined)), *examined[:30])


def autorun(facts: Facts, policy: Policy) -> Iterable[Result]:
    ar: Autorun = facts["hardening.autorun"]
    evidence = ev(ar.sources)
    if not ar.automounter:
        yield not_applicable("autorun", msg("djbh.autorun_none"))
    elif ar.disabled:
        yield passed(ar.automounter, msg("djbh.autorun_off", what=ar.automounter), *evidence)
    else:
        yield fail(ar.automounter, msg("djbh.autorun_on", what=ar.automounter), *evidence)


def firewall(facts: Facts, policy: Policy) -> Iterable[Result]:
    fw: Firewall = facts["hardening.firewall"]
    good = [p for p in fw.profiles if p.enabled and p.default_deny]
    evidence = tuple(Evidence(p.source, f"{p.name}: {p.detail}") for p in fw.profiles) + ev(fw.sources)
    if not fw.profiles:
        yield fail("firewall", msg("djbh.firewall_none"))
        return
    if fw.mode == "any":
        if good:
            yield passed(good[0].name, msg("djbh.firewall_ok", profiles=", ".join(p.name for p in good)), *evidence)
        else:
            yield fail("firewall", msg("djbh.firewall_no_deny",
                                       profiles=", ".join(p.name for p in fw.profiles)), *evidence)
        return
    bad = [p for p in fw.profiles if p not in good]
    for p in bad:
        key = "djbh.firewall_off" if not p.enabled else "djbh.firewall_allows"
        yield fail(p.name, msg(key, profile=p.name), Evidence(p.source, p.detail))
    if not bad:
        yield passed("firewall", msg("djbh.firewall_ok", profiles=", ".join(p.name for p in good)), *evidence)


CHECKS: Tuple[Check, ...] = (
    Check("hardening.services", Severity.HIGH, rules.DJBH, ("hardening.exposure",), services, "services",
          clauses=(c.CLOSE_SERVICES,)),
    Check("hardening.autorun", Severity.HIGH, rules.NO_REMOVABLE_MEDIA, ("hardening.autorun",), autorun, "autorun",
          clauses=(c.CLOSE_SERVICES, c.BOUNDARY_DEVICES)),
    Check("hardening.firewall", Severity.HIGH, rules.DJBH, ("hardening.firewall",), firewall, "firewall",
          clauses=(c.BOUNDARY_ACL, c.CLOSE_SERVICES)),
)
