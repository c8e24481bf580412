"""Removable-media facts.

Fact keys and their values:
  usb.attached  -> Tuple[RemovableDevice, ...]   (live only: attached now)
  usb.driver    -> Tuple[DriverState, ...]        (usb-storage, uas; USBSTOR/UASPStor on Windows)
  usb.history   -> Tuple[DeviceSighting, ...]     (kernel/journal logs; Enum\\USBSTOR on Windows)
  usb.mounts    -> Tuple[MountedMedia, ...]       (live only)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple


@dataclass(frozen=True)
class RemovableDevice:
    kind: str  # "usb-storage" | "optical" | "removable-block"
    name: str  # sysfs or block device name: "2-1:1.0", "sdb", "sr0"
    vendor: str = ""
    product: str = ""
    serial: str = ""
    driver: str = ""
    source: str = ""
    vendor_id: str = ""  # USB idVendor, 4 hex digits
    product_id: str = ""  # USB idProduct
    parent: str = ""  # a block device's USB interface ("2-1:1.0"), "" when not on USB
    blocks: Tuple[str, ...] = ()  # a USB interface's block devices ("sdb", "sr0")


@dataclass(frozen=True)
class DriverState:
    module: str  # "usb-storage", "uas", "USBSTOR", "UASPStor", "cdrom", "sr_mod"
    disabled: bool  # cannot be used: blacklisted+not loaded, install /bin/false, Start=4, policy deny …
    how: str  # human-readable reason: "install usb-storage /bin/false in /etc/modprobe.d/x.conf:2"
    loaded: Optional[bool] = None  # live: in /proc/modules; None offline
    source: str = ""
    why: str = ""  # when enabled: "loaded" | "builtin" | "may-load"; "" = only ``how`` tells


@dataclass(frozen=True)
class DeviceSighting:
    device: str  # "SanDisk Cruzer", "usb 2-1: …"
    serial: str = ""
    when: str = ""  # ISO 8601 when known
    source: str = ""
    vendor_id: str = ""
    product_id: str = ""
    line: str = ""  # the log line that proves it, as written


class Sightings(tuple):  # type: ignore[type-arg]
    """The sightings of ``usb.history`` (a tuple of DeviceSighting) plus ``gaps``: the parts of
    the logs that were not read — past a size, line-length or time limit, or corrupt — as
    (source, what was skipped). A plain tuple has no gaps."""

    gaps: Tuple[Tuple[str, str], ...]

    def __new__(cls, sightings: Tuple[DeviceSighting, ...] = (),
                gaps: Tuple[Tuple[str, str], ...] = ()) -> Sightings:
        out = super().__new__(cls, sightings)
        out.gaps = tuple(gaps)
        return out


@dataclass(frozen=True)
class MountedMedia:
    device: str
    mountpoint: str
    fstype: str
    source: str = ""
    disk: str = ""  # the removable block device it lives on ("sdb")
