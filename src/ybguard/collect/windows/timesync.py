"""W32Time: configuration from the registry, live state from ``w32tm /query /status``."""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from ...facts.accounts import TimeSync
from ..interface import CollectContext, Collector, reason_of
from ..timesync import collect_time_probe
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
    synchronized: Optional[bool] = None
    if ctx.target.is_live:  # the running service's own answer, as chronyc tracking is on Linux
        try:
            synchronized, said = parse_w32tm_status(ctx.target.run(["w32tm", "/query", "/status"]))
            sources.append(("w32tm /query /status", said))
        except Exception as exc:  # noqa: BLE001 - unknown state: time.sync says error, never pass
            reason = reason_of(exc)
            sources.append(("w32tm /query /status", f"not read: {reason}"))
    return TimeSync(daemon="w32time" if enabled else "", servers=servers if enabled else (),
                    synchronized=synchronized, sources=tuple(sources), live=ctx.target.is_live)


_FIELD = re.compile(r"^\s*[^:\uff1a]+[:\uff1a]\s*(.*?)\s*$")
_LOCAL_CLOCKS = ("local cmos clock", "free-running system clock")


def _leading_int(text: str) -> Optional[int]:
    m = re.match(r"-?\d+", text)
    return int(m.group(0)) if m else None


def parse_w32tm_status(text: str) -> Tuple[bool, str]:
    """``w32tm /query /status`` -> (synchronised?, what it said), in any display language.

    The labels are translated ("Leap Indicator:" / "闰指示符:"), the order is not: the 1st
    field is the leap indicator (3 = not synchronised), the 2nd the stratum (0 = unspecified,
    16 = unsynchronised), the 8th the source — "Local CMOS Clock" or "Free-running System
    Clock" when nothing on the network sets the clock. Synchronised means all three agree.
    """
    fields = [m.group(1) for m in map(_FIELD.match, text.splitlines()) if m]
    if len(fields) < 8:
        raise ValueError("unexpected w32tm /query /status output")
    leap, stratum, source = _leading_int(fields[0]), _leading_int(fields[1]), fields[7]
    if leap is None or stratum is None:
        raise ValueError("unexpected w32tm /query /status output")
    synced = leap != 3 and 1 <= stratum <= 15 and source.lower() not in _LOCAL_CLOCKS
    return synced, f"leap indicator {leap}, stratum {stratum}, source {source}"


FACTS: Dict[str, Collector] = {"time.sync": collect_time, "time.probe": collect_time_probe}
