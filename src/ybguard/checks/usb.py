"""Checks of the usb area: no U盘, 移动硬盘 or 光盘 may carry files onto the terminal.

The logic only reads the ``usb.*`` facts, so the Windows collectors (USBSTOR, registry
history) feed the same checks.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Sequence, Tuple

from ..facts.usb import DeviceSighting, DriverState, MountedMedia, RemovableDevice
from ..models import Evidence, Severity
from ..policy.schema import Policy
from . import rules
from .interface import AnyEvidence, Check, Facts, Result, Said, error, fail, msg, passed

# Drivers that make a mass-storage interface usable: Linux usb-storage/uas/ums-*, Windows USBSTOR/UASPStor.
STORAGE_DRIVERS = ("usb-storage", "uas", "usbstor", "uaspstor")
MAX_HISTORY_EVIDENCE = 5


def device_label(vendor: str, product: str, vendor_id: str = "", product_id: str = "", serial: str = "",
                 fallback: str = "") -> str:
    """"SanDisk Cruzer Blade (0781:5567, serial 4C53…)" — what an engineer reads off the stick."""
    name = " ".join(x for x in (vendor.strip(), product.strip()) if x) or fallback
    extra = [f"{vendor_id}:{product_id}"] if vendor_id else []
    if serial:
        extra.append(f"serial {serial}")
    return f"{name} ({', '.join(extra)})" if extra else name


def _is_storage_driver(driver: str) -> bool:
    low = driver.lower()
    return low in STORAGE_DRIVERS or low.startswith(("ums-", "ums_"))


def _mount_evidence(mounts: Sequence[MountedMedia], disks: Iterable[str]) -> List[AnyEvidence]:
    wanted = set(disks)
    return [Said(m.source or "mounts", msg("ev.mounted", device=m.device, mountpoint=m.mountpoint, fstype=m.fstype))
            for m in mounts if m.disk in wanted]


def storage_attached(facts: Facts, policy: Policy) -> Iterable[Result]:
    if policy.usb.storage == "allow":
        return [passed("host", msg("usb.allowed_by_policy", setting="usb.storage"))]
    devices: Tuple[RemovableDevice, ...] = facts["usb.attached"]
    mounts: Tuple[MountedMedia, ...] = facts["usb.mounts"]
    by_name = {d.name: d for d in devices}
    out: List[Result] = []
    claimed: set = set()
    for d in devices:
        if d.kind != "usb-storage":
            continue
        kinds = {by_name[b].kind for b in d.blocks if b in by_name}
        claimed.update(d.blocks)
        if kinds == {"optical"}:
            continue  # a USB CD/DVD drive: usb.optical decides, under policy usb.optical
        label = device_label(d.vendor, d.product, d.vendor_id, d.product_id, d.serial, fallback=f"usb {d.name}")
        ev: List[AnyEvidence] = [Said(d.source or "sysfs", msg("ev.usb_interface", name=d.name, driver=d.driver)
                                      if d.driver else msg("ev.usb_interface_unbound", name=d.name))]
        ev += [Said("sysfs", msg("ev.block_device", device=b)) for b in d.blocks]
        ev += _mount_evidence(mounts, d.blocks)
        if _is_storage_driver(d.driver):
            out.append(fail(label, msg("usb.storage-attached.usb", driver=d.driver, port=d.name,
                                       blocks=", ".join(d.blocks) or "-"), *ev))
        else:
            out.append(fail(label, msg("usb.storage-attached.unbound", port=d.name), *ev, severity=Severity.MEDIUM))
    for d in devices:
        if d.kind != "removable-block" or d.name in claimed:
            continue
        label = f"/dev/{d.name} " + device_label(d.vendor, d.product, fallback="")
        ev = [Said(d.source or "sysfs", msg("ev.removable_block", device=d.name))]
        ev += _mount_evidence(mounts, [d.name])
        out.append(fail(label.strip(), msg("usb.storage-attached.block", device=d.name), *ev))
    return out


_ENABLED_MESSAGES = {
    "loaded": "usb.storage-driver.loaded",
    "builtin": "usb.storage-driver.builtin",
    "may-load": "usb.storage-driver.may_load",
}


def storage_driver(facts: Facts, policy: Policy) -> Iterable[Result]:
    if policy.usb.storage == "allow":
        return [passed("host", msg("usb.allowed_by_policy", setting="usb.storage"))]
    states: Tuple[DriverState, ...] = facts["usb.driver"]
    ev = [Evidence(s.source or "driver", f"{s.module}: {s.how}") for s in states]
    if not policy.usb.require_driver_disabled:
        return [passed("host", msg("usb.storage-driver.not_required"), *ev)]
    out = [fail(s.module, msg(_ENABLED_MESSAGES.get(s.why, "usb.storage-driver.enabled"), module=s.module, how=s.how),
                Evidence(s.source or "driver", s.how)) for s in states if not s.disabled]
    return out or [passed("host", msg("usb.storage-driver.disabled",
                                      modules=", ".join(s.module for s in states)), *ev)]


def optical(facts: Facts, policy: Policy) -> Iterable[Result]:
    if policy.usb.optical == "allow":
        return [passed("host", msg("usb.allowed_by_policy", setting="usb.optical"))]
    devices: Tuple[RemovableDevice, ...] = facts["usb.attached"]
    mounts: Tuple[MountedMedia, ...] = facts["usb.mounts"]
    by_name = {d.name: d for d in devices}
    out = []
    for d in devices:
        if d.kind != "optical":
            continue
        parent = by_name.get(d.parent)
        ev: List[AnyEvidence] = [Said(d.source or "sysfs", msg("ev.optical_drive", device=d.name))]
        if parent is not None:
            ev.append(Said(parent.source or "sysfs", msg("ev.on_usb", device=device_label(
                parent.vendor, parent.product, parent.vendor_id, parent.product_id, parent.serial, parent.name))))
        ev += _mount_evidence(mounts, [d.name])
        label = f"/dev/{d.name} " + device_label(d.vendor, d.product)
        out.append(fail(label.strip(), msg("usb.optical.attached", device=d.name,
                                           bus="USB" if parent is not None else "SATA/SCSI"), *ev))
    return out


def storage_history(facts: Facts, policy: Policy) -> Iterable[Result]:
    """Every mass-storage device the kept logs remember, one finding per device.

    Past use is evidence, not a live threat, hence medium: the engineer asks who plugged it
    in and why, and an approved device is waived by its label. Logs that are not kept make
    the fact unsupported (not_applicable), never a pass that claims nothing was used.
    """
    if policy.usb.storage == "allow":
        return [passed("host", msg("usb.allowed_by_policy", setting="usb.storage"))]
    sightings: Tuple[DeviceSighting, ...] = facts["usb.history"]
    gaps = [Evidence(source, what) for source, what in getattr(sightings, "gaps", ())]
    groups: Dict[str, List[DeviceSighting]] = {}
    for s in sightings:
        groups.setdefault(device_label(s.device, "", s.vendor_id, s.product_id, s.serial), []).append(s)
    out = []
    for label, seen in groups.items():
        shown = seen if len(seen) <= MAX_HISTORY_EVIDENCE else seen[:2] + seen[-(MAX_HISTORY_EVIDENCE - 2):]
        ev = [Evidence(s.source, s.line) for s in shown]
        out.append(fail(label, msg("usb.storage-history.seen", count=len(seen), first=seen[0].when or "?",
                                   last=seen[-1].when or "?"), *ev, *gaps))
    if gaps and not out:  # nothing found in what was read is no proof for what was not
        out.append(error("host", msg("usb.storage-history.partial", count=len(gaps)), *gaps))
    return out


CHECKS: Tuple[Check, ...] = (
    Check("usb.storage-attached", Severity.CRITICAL, rules.NO_REMOVABLE_MEDIA, ("usb.attached", "usb.mounts"),
          storage_attached),
    Check("usb.storage-driver", Severity.HIGH, rules.NO_REMOVABLE_MEDIA, ("usb.driver",), storage_driver),
    Check("usb.optical", Severity.HIGH, rules.NO_REMOVABLE_MEDIA, ("usb.attached", "usb.mounts"), optical),
    Check("usb.storage-history", Severity.MEDIUM, rules.NO_REMOVABLE_MEDIA, ("usb.history",), storage_history),
)
