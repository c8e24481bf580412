"""Collector registry: fact key -> collector, per operating-system family of the target."""

from __future__ import annotations

from typing import Dict, Mapping

from . import (  # 等保 2.0 controls
    accounts,
    audit,
    capture,
    clockhistory,
    hardening,
    host,
    installhistory,
    logon,
    malware,
    netconfig,
    nethistory,
    network,
    patches,
    sockets,
    software,
    usb,
    webhistory,
    windows,
)
from .interface import CollectContext, Collector, FactError, FactSet, ScanOptions

# Network facts: the running kernel on a live host, saved configuration on an image.
_NETWORK_BY_TARGET: Dict[str, Collector] = {
    key: netconfig.for_target(network.LINUX[key], offline) if key in network.LINUX else offline
    for key, offline in netconfig.OFFLINE.items()
}

COLLECTORS: Mapping[str, Mapping[str, Collector]] = {
    "linux": {
        **host.LINUX,
        **network.LINUX,
        **_NETWORK_BY_TARGET,
        **nethistory.LINUX,
        **sockets.LINUX,
        **capture.LINUX,
        **usb.LINUX,
        **software.LINUX,
        **accounts.LINUX,
        **logon.LINUX, **audit.LINUX, **hardening.LINUX, **malware.LINUX, **patches.LINUX,
        **webhistory.COLLECTORS,
        **clockhistory.LINUX,
        **installhistory.COLLECTORS,
    },
    "windows": {
        **windows.WINDOWS,
        **accounts.WINDOWS,
        **logon.WINDOWS, **audit.WINDOWS, **hardening.WINDOWS, **malware.WINDOWS, **patches.WINDOWS,
        **webhistory.COLLECTORS,
        **clockhistory.WINDOWS,
        **installhistory.COLLECTORS,
    },
}


def registry_for(os_family: str) -> Mapping[str, Collector]:
    reg: Dict[str, Collector] = dict(COLLECTORS.get(os_family, {}))
    return reg


__all__ = ["COLLECTORS", "Collector", "CollectContext", "FactError", "FactSet", "ScanOptions", "registry_for"]
