"""Checks of the software area: nothing but the 医保 application may be installed or run.

The logic only reads ``software.*`` facts, so Windows uninstall keys feed the same checks.
"""

from __future__ import annotations

import fnmatch
import os
import re
from typing import Iterable, List, Optional, Sequence, Tuple

from ..facts.software import FILE_MANAGERS, POINTER_MANAGERS, Package, Process
from ..models import Evidence, Severity
from ..policy.schema import Policy
from . import rules
from .interface import Check, Facts, Result, fail, msg

_REVERSE_DNS = re.compile(r"^(com|cn|org|net|io|top|app|me)\.[a-z0-9-]+\.", re.I)


def name_candidates(name: str, display_name: str = "") -> List[str]:
    """The names a pattern is tried against, lower case.

    Store packages are named in reverse DNS (``com.oray.sunlogin.client``, flatpak
    ``com.rustdesk.RustDesk``), so a deny pattern ``sunlogin*`` is also tried on every
    dot-separated tail (``sunlogin.client``) and on it without dots (``sunloginclient``, the
    name of the same vendor's .deb); the first label (``com``) never stands alone.
    """
    out = [name.lower()]
    if display_name:
        out.append(display_name.lower())
    if _REVERSE_DNS.match(name):
        labels = name.lower().split(".")
        for i in range(1, len(labels)):
            out.append(".".join(labels[i:]))
            out.append("".join(labels[i:]))
    return out


def first_match(patterns: Sequence[str], candidates: Sequence[str]) -> Optional[str]:
    """The first glob (case-insensitive) that matches any candidate."""
    for pattern in patterns:
        low = pattern.lower()
        if any(fnmatch.fnmatchcase(c, low) for c in candidates):
            return pattern
    return None


def _package_evidence(p: Package) -> Evidence:
    detail = f"{p.manager} {p.name} {p.version}".strip()
    if p.display_name:
        detail += f" ({p.display_name})"
    if p.state and p.state != "installed":
        detail += f" [{p.state}]"
    if p.aliases:
        detail += " — " + ", ".join(p.aliases[:20]) + (" …" if len(p.aliases) > 20 else "")
    return Evidence(p.source or p.manager, detail)


def installed(facts: Facts, policy: Policy) -> Iterable[Result]:
    """One finding per offending package, so a CI run lists exactly what to remove."""
    packages: Tuple[Package, ...] = facts["software.packages"]
    sw = policy.software
    out = []
    by_file = tuple(sw.deny) + tuple(sw.processes.deny)
    for p in packages:
        # The denylist applies in both modes: a broad allow pattern must not let a denied tool in.
        # Software found by its files is also tried by the names it runs as (process patterns).
        candidates = name_candidates(p.name, p.display_name) + [a.lower() for a in p.aliases]
        pattern = first_match(by_file if p.manager in FILE_MANAGERS else sw.deny, candidates)
        if pattern is not None:
            out.append(fail(p.name, msg("software.installed.denied", manager=p.manager,
                                        version=p.version or "-", pattern=pattern), _package_evidence(p)))
        elif p.manager in POINTER_MANAGERS:
            continue
        elif sw.mode == "allowlist" and not first_match(
                sw.allow, [p.name.lower(), p.display_name.lower()] if p.display_name else [p.name.lower()]):
            out.append(fail(p.name, msg("software.installed.not_allowed", manager=p.manager, version=p.version or "-"),
                            _package_evidence(p)))
    return out


def process_candidates(p: Process) -> List[str]:
    names = [p.name, os.path.basename(p.exe), os.path.basename(p.argv0)]
    if p.exe.endswith(" (deleted)"):
        names.append(os.path.basename(p.exe[: -len(" (deleted)")]))
    return [n.lower() for n in names if n]


def processes(facts: Facts, policy: Policy) -> Iterable[Result]:
    procs: Tuple[Process, ...] = facts["software.processes"]
    out = []
    for p in procs:
        pattern = first_match(policy.software.processes.deny, process_candidates(p))
        if pattern is None:
            continue
        ev = [Evidence(f"/proc/{p.pid}", f"exe {p.exe or '(unreadable)'} user {p.user or '?'}")]
        if p.cmdline:
            ev.append(Evidence(f"/proc/{p.pid}/cmdline", p.cmdline))
        out.append(fail(f"{p.name} (pid {p.pid})", msg("software.processes.denied", pattern=pattern,
                                                       exe=p.exe or "-", user=p.user or "?"), *ev))
    return out


CHECKS: Tuple[Check, ...] = (
    Check("software.installed", Severity.HIGH, rules.SOFTWARE_ONLY_YB, ("software.packages",), installed),
    Check("software.processes", Severity.CRITICAL, rules.SOFTWARE_ONLY_YB, ("software.processes",), processes),
)
