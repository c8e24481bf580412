"""Installed programs (Uninstall keys, machine and per user) and running processes."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from ...facts.software import Package, Process
from ...target.windows import RegKey
from ..interface import CollectContext, Collector
from .common import (
    UNINSTALL,
    _registry,
)


def _uninstall_entries(root: Optional[RegKey]) -> List[Package]:
    if root is None:
        return []
    out = []
    for key in root.subkeys():
        display = key.str_value("DisplayName")
        out.append(Package(name=display or key.name, version=key.str_value("DisplayVersion"),
                           manager="windows-uninstall", display_name=display,
                           publisher=key.str_value("Publisher"), source=key.path))
    return out


def collect_packages(ctx: CollectContext) -> Tuple[Package, ...]:
    reg = _registry(ctx)
    software = reg.require_software()  # machine-wide installs live only there: unknown without it
    out = _uninstall_entries(software.key(UNINSTALL))
    out += _uninstall_entries(software.key(f"WOW6432Node\\{UNINSTALL}"))
    for user in reg.ntusers:
        out += _uninstall_entries(user.software_key(UNINSTALL))
        out += _uninstall_entries(user.software_key(f"Wow6432Node\\{UNINSTALL}"))
    return tuple(out)


def collect_processes(ctx: CollectContext) -> Tuple[Process, ...]:
    ctx.target.require_live()
    return tuple(Process(pid=p.pid, name=p.name, exe=p.exe, user=p.user, cmdline=" ".join(p.cmdline), ppid=p.ppid)
                 for p in ctx.target.processes())


FACTS: Dict[str, Collector] = {"software.packages": collect_packages, "software.processes": collect_processes}
