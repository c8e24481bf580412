"""Collector registry: fact key -> collector, per operating-system family of the target."""

from __future__ import annotations

from typing import Dict, Mapping

from . import accounts, capture, host, network, sockets, software, usb, windows
from .interface import CollectContext, Collector, FactError, FactSet, ScanOptions

COLLECTORS: Mapping[str, Mapping[str, Collector]] = {
    "linux": {
        **host.LINUX,
        **network.LINUX,
        **sockets.LINUX,
        **capture.LINUX,
        **usb.LINUX,
        **software.LINUX,
        **accounts.LINUX,
    },
    "windows": {
        **windows.WINDOWS,
    },
}


def registry_for(os_family: str) -> Mapping[str, Collector]:
    reg: Dict[str, Collector] = dict(COLLECTORS.get(os_family, {}))
    return reg


__all__ = ["COLLECTORS", "Collector", "CollectContext", "FactError", "FactSet", "ScanOptions", "registry_for"]
