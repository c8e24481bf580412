"""What every Windows collector shares: the registry of the target, key paths, service start types."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from ...facts.network import (
    KIND_CELLULAR,
    KIND_ETHERNET,
    KIND_PPP,
    KIND_VPN,
    KIND_WIRELESS,
)
from ...target.interface import Unsupported
from ...target.windows import Registry, RegKey, WindowsTarget
from ..interface import CollectContext, FactError

NET_CLASS = "{4d36e972-e325-11ce-bfc1-08002be10318}"  # network adapters' device setup class
UNINSTALL = "Microsoft\\Windows\\CurrentVersion\\Uninstall"
REMOVABLE_POLICY = "Policies\\Microsoft\\Windows\\RemovableStorageDevices"
REMOVABLE_DISK_CLASS = "{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}"
CDROM_CLASS = "{53f56308-b6bf-11d0-94f2-00a0c91efb8b}"
SERVICE_DISABLED = 4
START_NAMES = {0: "boot", 1: "system", 2: "automatic", 3: "demand start: loads when a device needs it",
               4: "disabled"}

# NDIS_PHYSICAL_MEDIUM (*PhysicalMediaType) and IANA ifType (*IfType) values that name what an
# adapter is, independent of what the user called it.
PHYSICAL_MEDIUM_KIND = {1: KIND_WIRELESS, 8: KIND_CELLULAR, 9: KIND_WIRELESS, 10: KIND_WIRELESS}
PHYSICAL_MEDIUM_NAME = {1: "wireless LAN", 8: "wireless WAN (mobile broadband)", 9: "native 802.11",
                        10: "Bluetooth", 14: "802.3 Ethernet"}
IFTYPE_KIND = {71: KIND_WIRELESS, 23: KIND_PPP, 131: KIND_VPN, 243: KIND_CELLULAR, 244: KIND_CELLULAR}
# NetworkList profile NameType: what kind of network Windows recorded having joined.
NAME_TYPE_KIND = {6: KIND_ETHERNET, 23: KIND_VPN, 71: KIND_WIRELESS, 243: KIND_CELLULAR}


def _registry(ctx: CollectContext) -> Registry:
    target = ctx.target
    if not isinstance(target, WindowsTarget):
        raise Unsupported("reason.not_windows")
    return target.registry


def _system_key(reg: Registry, path: str) -> Optional[RegKey]:
    return reg.system_key(path)

def _iso(dt: Optional[datetime]) -> str:
    return dt.isoformat() if dt is not None else ""


def require_this_host(ctx: CollectContext, api: str) -> None:
    """A Win32 API answers for the machine ybguard runs on: only a scan of this very host may
    ask it (an evidence bundle is live, but of another machine: its facts come from the bundle)."""
    from ...target.windows import WindowsLiveTarget

    ctx.target.require_live()
    if not isinstance(ctx.target, WindowsLiveTarget):
        raise FactError("windows.local_api", api=api)
