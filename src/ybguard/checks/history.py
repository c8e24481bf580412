"""Traces of past violations: web use outside the policy (history.web) and private changes of
the system date (time.manual-change), inside the policy's window (history.days)."""

from __future__ import annotations

import fnmatch
import ipaddress
from typing import Iterable, Sequence, Tuple

from ..facts.history import ClockHistory, Install, InstallHistory, SourceProblem, WebHistory, WebHost
from ..models import Evidence, Severity
from ..policy.schema import Policy
from . import rules
from .interface import Check, Facts, Result, error, fail, msg, not_applicable, passed
from .network import Space


def domain_allowed(host: str, patterns: Sequence[str]) -> bool:
    """``patterns`` are globs (``*.ybj.example.cn``) or plain names, a plain name covering its
    sub-domains too (``ybj.example.cn`` allows ``www.ybj.example.cn``)."""
    for pattern in patterns:
        p = pattern.lower().rstrip(".")
        if any(ch in p for ch in "*?["):
            if fnmatch.fnmatchcase(host, p):
                return True
        elif host == p or host.endswith("." + p):
            return True
    return False


def is_outside(host: str, space: Space, allowed_domains: Sequence[str]) -> bool:
    """A visited host that is on the Internet as far as the policy knows: an address that is
    global and outside allowed_networks, or a name that no allowed_domains entry covers
    (a name cannot be resolved offline, and an intranet name belongs in allowed_domains)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            return False
        return not domain_allowed(host, allowed_domains)
    return space.outside(ipaddress.ip_network(ip)) is not None


def _problems(problems: Tuple[SourceProblem, ...]) -> Iterable[Result]:
    for p in problems:
        args = {"source": p.source, "detail": p.detail, **dict(p.args)}
        yield error(p.source, msg(p.reason, **args), Evidence(p.source, p.detail or p.reason))


def _web(facts: Facts, policy: Policy) -> Iterable[Result]:
    history: WebHistory = facts["history.web"]
    space = Space(policy.network.allowed_networks)
    outside: Tuple[WebHost, ...] = tuple(h for h in history.hosts
                                          if is_outside(h.host, space, policy.history.allowed_domains))
    for h in outside:
        yield fail(f"{h.host} ({h.user}, {h.browser})",
                   msg("history.web.visited", user=h.user, browser=h.browser, host=h.host, count=h.count,
                       first=h.first, last=h.last, days=history.window_days),
                   Evidence(h.source, f"{h.host}: {h.count} × {h.first} … {h.last}"))
    yield from _problems(history.problems)
    if outside or history.problems:
        return
    if history.no_files and not history.sources:
        yield not_applicable("history.web", msg("history.web.no_files"))
        return
    yield passed("history.web", msg("history.web.none", days=history.window_days, visits=history.visits_examined,
                                    hosts=len({h.host for h in history.hosts}), sources=len(history.sources)),
                 *(Evidence(s, "SQLite" if not s.startswith("HK") else "registry") for s in history.sources[:20]))


def _clock(facts: Facts, policy: Policy) -> Iterable[Result]:
    history: ClockHistory = facts["history.clock"]
    for c in history.changes:
        yield fail(f"{c.how} {c.when or '?'}".strip(),
                   msg("time.manual-change.changed", how=c.how, when=c.when or "?", actor=c.actor or "?"),
                   Evidence(c.source, c.line))
    yield from _problems(history.problems)
    if history.changes or history.problems:
        return
    yield passed("time.manual-change", msg("time.manual-change.none", days=history.window_days,
                                            sources=len(history.sources)),
                 *(Evidence(s, "wtmp" if "wtmp" in s else "log") for s in history.sources[:20]))


def image_name(image: str) -> str:
    """The executable's file name without ``.exe`` from a service ImagePath (quoted, with arguments)."""
    text = image.strip()
    if text.startswith('"'):
        text = text[1:].split('"', 1)[0]
    else:
        lowered = text.lower()
        cut = lowered.find(".exe")
        text = text[:cut + 4] if cut >= 0 else text.split(" ", 1)[0]
    name = text.replace("/", "\\").rsplit("\\", 1)[-1]
    return name[:-4] if name.lower().endswith(".exe") else name


def denied_by(install: Install, policy: Policy) -> str:
    """The deny pattern (software.deny or software.processes.deny) the install matches, or ""."""
    names = {install.name.lower(), image_name(install.image).lower()} - {""}
    for pattern in (*policy.software.deny, *policy.software.processes.deny):
        if any(fnmatch.fnmatchcase(n, pattern.lower()) for n in names):
            return pattern
    return ""


def _installs(facts: Facts, policy: Policy) -> Iterable[Result]:
    history: InstallHistory = facts["history.installs"]
    hits = [(i, denied_by(i, policy)) for i in history.installs]
    hits = [(i, p) for i, p in hits if p]
    for install, pattern in hits:
        yield fail(install.name, msg("history.installs.denied", name=install.name, when=install.when or "?",
                                     pattern=pattern, image=install.image or "?"),
                   Evidence(install.source, install.image))
    yield from _problems(history.problems)
    if hits or history.problems:
        return
    yield passed("history.installs", msg("history.installs.none", count=len(history.installs),
                                          days=history.window_days, sources=len(history.sources)),
                 *(Evidence(s, "log") for s in history.sources[:20]))


CHECKS: Tuple[Check, ...] = (
    Check("history.web", Severity.HIGH, rules.ISOLATION, ("history.web",), _web, subject="history.web"),
    Check("history.installs", Severity.HIGH, rules.SOFTWARE_ONLY_YB, ("history.installs",), _installs,
          subject="history.installs"),
    Check("time.manual-change", Severity.MEDIUM, rules.NO_DATE_CHANGE, ("history.clock",), _clock,
          subject="time.manual-change"),
)
