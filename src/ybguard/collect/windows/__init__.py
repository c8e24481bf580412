"""Collectors for Windows targets: the same fact keys as Linux, read from the registry.

Offline (``--hives``, ``--root`` of a mounted volume) and live (winreg) share every registry
reader; only a few facts have a live-only source (processes, sockets, the running route table,
accounts through netapi32, W32Time's state). Parsers of tool output are pure functions, tested
on recorded output of English and Chinese Windows; none of them reads a localised label.

Where the registry cannot say something for certain (is ICS switched on?), the collector
reports the indicators Windows leaves behind and docs/windows.md says exactly which.

Layout — one module per area, each exporting ``FACTS: Dict[str, Collector]``; ``WINDOWS``
below is their union, listed once. To add collectors (a new area, e.g. 等保 checks), write
``collect/windows/<area>.py`` with its ``FACTS`` and add the module to ``_AREAS``:

    common.py       the target's Registry, key-path constants, service start types
    host.py         host.identity
    usb.py          usb.driver, usb.history, usb.attached (live: Services\\<driver>\\Enum)
    software.py     software.packages (Uninstall keys), software.processes (psutil, live)
    network.py      network.interfaces, network.routing (+ ``route print`` live), network.forwarding
    netservices.py  network.resolvers, .proxies, .shared, .history, .sockets, .probe, .capture
    accounts.py     accounts.password_policy, accounts.users (SAM offline, netapi32 live)
    timesync.py     time.sync (W32Time registry + ``w32tm /query /status`` live), time.probe (SNTP)
    files.py        backups.files, integrity.files, integrity.baseline over Windows paths
    live.py         helpers for the live host only (ctypes, tool runs)
"""

from __future__ import annotations

from typing import Dict

from ..interface import Collector
from . import accounts, files, host, netservices, network, software, timesync, usb
from .accounts import parse_net_accounts, parse_sam_domain_f, parse_secedit_inf, policy_from_secedit
from .netservices import parse_systemtime, parse_winhttp_settings, split_name_servers
from .network import classify_adapter, interface_addresses, parse_persistent_route, parse_route_print
from .timesync import parse_ntp_servers, parse_w32tm_status
from .usb import device_serial, parse_removable_policy, parse_usbstor_device

_AREAS = (host, usb, software, network, netservices, accounts, timesync, files)

WINDOWS: Dict[str, Collector] = {key: fn for area in _AREAS for key, fn in area.FACTS.items()}

__all__ = [
    "WINDOWS", "classify_adapter", "device_serial", "interface_addresses", "parse_net_accounts",
    "parse_persistent_route", "parse_removable_policy", "parse_route_print", "parse_sam_domain_f",
    "parse_secedit_inf", "parse_systemtime", "parse_ntp_servers", "parse_usbstor_device",
    "parse_w32tm_status", "parse_winhttp_settings", "policy_from_secedit", "split_name_servers",
]
