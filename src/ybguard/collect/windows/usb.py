"""Removable media on Windows: storage-driver state, removable-storage policy, USBSTOR history."""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from ...facts.usb import DeviceSighting, DriverState, MountedMedia, RemovableDevice
from ...target.interface import Unsupported
from ...target.windows import Registry, RegKey
from ..interface import CollectContext, Collector, FactError
from .common import (
    CDROM_CLASS,
    REMOVABLE_DISK_CLASS,
    REMOVABLE_POLICY,
    SERVICE_DISABLED,
    START_NAMES,
    _iso,
    _registry,
    _system_key,
    require_this_host,
)


def _service_state(reg: Registry, service: str, absent_how: Optional[str]) -> Optional[DriverState]:
    key = _system_key(reg, f"Services\\{service}")
    if key is None:
        if absent_how is None:
            return None
        return DriverState(module=service, disabled=False, how=absent_how,
                           source=f"{reg.system.label}\\{reg.control_set}\\Services\\{service}")
    start = key.int_value("Start")
    if start is None:
        raise FactError("windows.bad_value", path=key.path, value="Start")
    how = f"Start={start} ({START_NAMES.get(start, 'unknown')})"
    return DriverState(module=service, disabled=start == SERVICE_DISABLED, how=how, source=key.path)


def parse_removable_policy(key: RegKey) -> Tuple[Tuple[str, bool, str], ...]:
    """RemovableStorageDevices policy -> (class, denied, how) for "all", removable disks, CD/DVD.

    Denied means the class can neither be read nor written (Deny_All, or Deny_Read and
    Deny_Write together): copying files onto the terminal is what the rule forbids, and a
    write-only or execute-only denial still lets files in.
    """
    out: List[Tuple[str, bool, str]] = []
    deny_all = key.int_value("Deny_All")
    if deny_all is not None:
        out.append(("all", deny_all == 1, f"Deny_All={deny_all}"))
    for guid, label in ((REMOVABLE_DISK_CLASS, "removable disks"), (CDROM_CLASS, "CD/DVD")):
        sub = key.subkey(guid)
        if sub is None:
            continue
        flags = {name: sub.int_value(name) for name in ("Deny_Read", "Deny_Write", "Deny_Execute")}
        shown = " ".join(f"{k}={v}" for k, v in flags.items() if v is not None)
        out.append((label, flags["Deny_Read"] == 1 and flags["Deny_Write"] == 1, f"{guid} {shown}".strip()))
    return tuple(out)


def collect_usb_driver(ctx: CollectContext) -> Tuple[DriverState, ...]:
    reg = _registry(ctx)
    states: List[DriverState] = []
    usbstor = _service_state(
        reg, "USBSTOR",
        "service key absent: Windows installs USBSTOR from usbstor.inf when a USB disk is plugged in")
    assert usbstor is not None
    states.append(usbstor)
    uasp = _service_state(reg, "UASPStor", None)  # absent before Windows 8: UAS disks fall back to USBSTOR
    if uasp is not None:
        states.append(uasp)
    # CD/DVD drives are judged by usb.optical, as on Linux, not by the storage-driver state.
    software = reg.software
    policy_keys: List[Optional[RegKey]] = [software.key(REMOVABLE_POLICY) if software is not None else None]
    policy_keys += [u.software_key(REMOVABLE_POLICY) for u in reg.ntusers]
    for key in policy_keys:
        if key is None:
            continue
        for cls, denied, how in parse_removable_policy(key):
            # a policy that blocks removable disks is one more lock; one that does not block
            # them enables nothing the driver state does not already show
            if denied and cls in ("all", "removable disks"):
                states.append(DriverState(module=f"RemovableStorageDevices ({cls})", disabled=True, how=how,
                                          source=key.path))
    return tuple(states)


_INSTANCE_SUFFIX = re.compile(r"&\d+$")


def device_serial(instance: str) -> str:
    """``AA951D0000007252&0`` -> ``AA951D0000007252``. An id whose second character is ``&`` was
    made up by Windows for a device without a serial number; it is kept whole."""
    if len(instance) > 1 and instance[1] == "&":
        return instance
    return _INSTANCE_SUFFIX.sub("", instance)


def parse_usbstor_device(name: str) -> Dict[str, str]:
    """``Disk&Ven_HP&Prod_v100w&Rev_1024`` -> {"type": "Disk", "Ven": "HP", "Prod": "v100w", "Rev": "1024"}."""
    parts = name.split("&")
    out = {"type": parts[0]}
    for part in parts[1:]:
        k, _, v = part.partition("_")
        out[k] = v
    return out


_VID_PID = re.compile(r"^VID_([0-9A-Fa-f]{4})&PID_([0-9A-Fa-f]{4})$")


def _usb_ids_by_serial(reg: Registry) -> Dict[str, Tuple[str, str]]:
    """Serial -> (idVendor, idProduct) from ``Enum\\USB\\VID_xxxx&PID_yyyy\\<serial>`` of devices
    bound to a storage driver: the USB parent of each USBSTOR disk, named as on Linux."""
    usb = _system_key(reg, "Enum\\USB")
    out: Dict[str, Tuple[str, str]] = {}
    for dev in usb.subkeys() if usb is not None else []:
        m = _VID_PID.match(dev.name)
        if m is None:
            continue
        for inst in dev.subkeys():
            if inst.str_value("Service").upper() in ("USBSTOR", "UASPSTOR"):
                out[inst.name.upper()] = (m.group(1).lower(), m.group(2).lower())
    return out


def collect_usb_history(ctx: CollectContext) -> Tuple[DeviceSighting, ...]:
    reg = _registry(ctx)
    enum = _system_key(reg, "Enum\\USBSTOR")
    out: List[DeviceSighting] = []
    if enum is None:
        return ()
    ids = _usb_ids_by_serial(reg)
    for device in enum.subkeys():
        info = parse_usbstor_device(device.name)
        for inst in device.subkeys():
            friendly = inst.str_value("FriendlyName") or " ".join(
                x for x in (info.get("Ven", ""), info.get("Prod", "")) if x) or device.name
            when = _iso(inst.last_write())
            serial = device_serial(inst.name)
            vid, pid = ids.get(serial.upper(), ("", ""))
            out.append(DeviceSighting(
                device=friendly, serial=serial, when=when, source=inst.path, vendor_id=vid, product_id=pid,
                line=f"{device.name}\\{inst.name} FriendlyName={friendly!r}, key last written {when or '?'}"))
    return tuple(out)




# --- attached now (live) ----------------------------------------------------------------------
# A driver's Services\<driver>\Enum key is volatile: Plug and Play keeps in it, while the system
# runs, the device instances the driver serves now ("Count", then "0", "1" … = instance ids).
# It is never saved in a hive, so an offline image cannot say what is plugged in.
PRESENT_DRIVERS = (("USBSTOR", "usb-storage"), ("UASPStor", "usb-storage"), ("cdrom", "optical"))


def parse_enum_key(key: RegKey) -> List[str]:
    """Device instance ids listed in a Services\\<driver>\\Enum key (``Count`` first)."""
    count = key.int_value("Count") or 0
    return [key.str_value(str(i)) for i in range(min(count, 256)) if key.str_value(str(i))]


def _device_name(reg: Registry, instance: str) -> Tuple[str, str]:
    """(friendly name, vendor/product words) of an Enum instance id, from Enum\\<instance>."""
    key = _system_key(reg, f"Enum\\{instance}")
    friendly = key.str_value("FriendlyName") if key is not None else ""
    desc = key.str_value("DeviceDesc").split(";")[-1] if key is not None else ""
    return friendly or desc, instance.split("\\")[1] if instance.count("\\") >= 2 else ""


def collect_usb_attached(ctx: CollectContext) -> Tuple[RemovableDevice, ...]:
    target = ctx.target
    if not target.is_live:
        raise Unsupported("windows.offline_attached")
    require_this_host(ctx, "Services\\<driver>\\Enum (volatile)")
    reg = _registry(ctx)
    out: List[RemovableDevice] = []
    for service, kind in PRESENT_DRIVERS:
        key = _system_key(reg, f"Services\\{service}\\Enum")
        if key is None:
            continue
        for instance in parse_enum_key(key):
            # an internal SATA CD/DVD drive is an optical drive all the same, as sr0 is on Linux
            friendly, words = _device_name(reg, instance)
            m = re.search(r"VID_([0-9A-Fa-f]{4})&PID_([0-9A-Fa-f]{4})", instance)
            serial = device_serial(instance.rsplit("\\", 1)[-1])
            out.append(RemovableDevice(kind=kind, name=instance, product=friendly or words, serial=serial,
                                       driver=service, source=key.path,
                                       vendor_id=m.group(1).lower() if m else "",
                                       product_id=m.group(2).lower() if m else ""))
    return tuple(out)


def collect_usb_mounts(ctx: CollectContext) -> Tuple[MountedMedia, ...]:
    """Drive letters on removable media or CD/DVD now (GetDriveTypeW), live only."""
    if not ctx.target.is_live:
        raise Unsupported("windows.offline_attached")
    require_this_host(ctx, "GetDriveTypeW")
    from .live import DRIVE_CDROM, DRIVE_REMOVABLE, drive_types

    return tuple(MountedMedia(device=root.rstrip("\\"), mountpoint=root,
                              fstype="cdrom" if kind == DRIVE_CDROM else "removable",
                              source=f"GetDriveTypeW({root}) = {kind}")
                 for root, kind in drive_types() if kind in (DRIVE_REMOVABLE, DRIVE_CDROM))


FACTS: Dict[str, Collector] = {
    "usb.driver": collect_usb_driver,
    "usb.history": collect_usb_history,
    "usb.attached": collect_usb_attached,
    "usb.mounts": collect_usb_mounts,
}
