"""W32Time: configuration from the registry, live state from ``w32tm /query /status``."""

from __future__ import annotations

from typing import Dict, List, Tuple

from ...facts.accounts import TimeSync
from ..interface import CollectContext, Collector
from .common import (
    SERVICE_DISABLED,
    _registry,
    _system_key,
)


def parse_ntp_servers(text: str) -> Tuple[str, ...]:
    """``time.windows.com,0x9 10.50.0.123,0x8`` -> ("time.windows.com", "10.50.0.123")."""
    return tuple(p.split(",", 1)[0] for p in (text or "").split() if p.split(",", 1)[0])


def collect_time(ctx: CollectContext) -> TimeSync:
    """W32Time: Type NTP/AllSync uses NtpServer; NT5DS follows the domain hierarchy (servers
    unknown offline); NoSync, a disabled service or a disabled NtpClient sync nothing."""
    reg = _registry(ctx)
    svc = _system_key(reg, "Services\\W32Time")
    if svc is None:
        return TimeSync(daemon="", servers=(), synchronized=None,
                        sources=((f"{reg.system.label}\\{reg.control_set}\\Services\\W32Time", "absent"),))
    params = svc.subkey("Parameters")
    sources: List[Tuple[str, str]] = []
    sync_type = params.str_value("Type") if params is not None else ""
    servers_text = params.str_value("NtpServer") if params is not None else ""
    if params is not None:
        sources.append((params.path, f"Type={sync_type} NtpServer={servers_text}"))
    software = reg.software
    policy = software.key("Policies\\Microsoft\\W32Time\\Parameters") if software is not None else None
    if policy is not None:  # group policy overrides the service's own settings
        sync_type = policy.str_value("Type") or sync_type
        servers_text = policy.str_value("NtpServer") or servers_text
        sources.append((policy.path, f"Type={policy.str_value('Type')} NtpServer={policy.str_value('NtpServer')}"))
    client = svc.subkey("TimeProviders\\NtpClient")
    start = svc.int_value("Start")
    sources.append((svc.path, f"Start={start}"))
    enabled = start != SERVICE_DISABLED and sync_type.upper() != "NOSYNC" and (
        client is None or client.int_value("Enabled") != 0)
    servers = parse_ntp_servers(servers_text) if sync_type.upper() in ("NTP", "ALLSYNC") else ()
    return TimeSync(daemon="w32time" if enabled else "", servers=servers if enabled else (), synchronized=None,
                    sources=tuple(sources))


FACTS: Dict[str, Collector] = {"time.sync": collect_time}
