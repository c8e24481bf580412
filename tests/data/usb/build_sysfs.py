"""Build the sysfs fixture trees in tests/data/usb/ (run once; the output is committed).

Each tree is a root directory holding ``sys/`` (and ``proc/self/mountinfo``) laid out as the
kernel lays it out (Documentation/ABI/testing/sysfs-bus-usb, sysfs-block): real device
directories under ``sys/devices``, and ``sys/bus/usb/devices/*``, ``sys/block/*`` and
``driver`` as relative symbolic links into them — so the Target resolves them inside the
fixture exactly as it resolves them on a live host. Attribute values are copied from real
devices of these models.

    python tests/data/usb/build_sysfs.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Dict, Optional

HERE = Path(__file__).resolve().parent
XHCI = "devices/pci0000:00/0000:00:14.0"


def write(base: Path, rel: str, attrs: Dict[str, str]) -> Path:
    d = base / rel
    d.mkdir(parents=True, exist_ok=True)
    for name, value in attrs.items():
        (d / name).write_text(value + "\n")
    return d


def link(base: Path, at: str, to: str) -> None:
    """A relative link at ``at`` pointing to ``to`` (both relative to ``base``), as sysfs makes them."""
    src = base / at
    src.parent.mkdir(parents=True, exist_ok=True)
    rel = os.path.relpath(base / to, src.parent)
    if src.is_symlink():
        src.unlink()
    os.symlink(rel, src)


def usb_device(sys: Path, bus: int, port: str, attrs: Dict[str, str]) -> str:
    root_hub = f"{XHCI}/usb{bus}"
    if not (sys / root_hub).exists():
        write(sys, root_hub, {"idVendor": "1d6b", "idProduct": "0002", "bDeviceClass": "09",
                              "manufacturer": "Linux 6.1.0-26-amd64 xhci-hcd", "product": "xHCI Host Controller",
                              "authorized_default": "1"})
        link(sys, f"bus/usb/devices/usb{bus}", root_hub)
    rel = f"{root_hub}/{port}"
    write(sys, rel, {"bDeviceClass": "00", "busnum": str(bus), "speed": "480", **attrs})
    link(sys, f"bus/usb/devices/{port}", rel)
    return rel


def usb_interface(sys: Path, device: str, name: str, cls: str, sub: str, proto: str, driver: Optional[str]) -> str:
    rel = f"{device}/{name}"
    write(sys, rel, {"bInterfaceClass": cls, "bInterfaceSubClass": sub, "bInterfaceProtocol": proto,
                     "bInterfaceNumber": "00", "bNumEndpoints": "02"})
    link(sys, f"bus/usb/devices/{name}", rel)
    if driver:
        (sys / "bus/usb/drivers" / driver).mkdir(parents=True, exist_ok=True)
        (sys / "bus/usb/drivers" / driver / "uevent").touch()  # as in sysfs; also keeps the directory in git
        link(sys, f"{rel}/driver", f"bus/usb/drivers/{driver}")
    return rel


def scsi_block(sys: Path, parent: str, host: int, scsi_type: str, vendor: str, model: str, block: str,
               devnum: str, removable: str, size: str, partitions: Dict[str, str]) -> None:
    hctl = f"{host}:0:0:0"
    sdev = f"{parent}/host{host}/target{host}:0:0/{hctl}"
    write(sys, sdev, {"type": scsi_type, "vendor": vendor, "model": model, "rev": "1.00", "state": "running"})
    brel = f"{sdev}/block/{block}"
    write(sys, brel, {"dev": devnum, "removable": removable, "size": size, "ro": "0"})
    link(sys, f"{brel}/device", sdev)
    for part, number in partitions.items():
        write(sys, f"{brel}/{part}", {"dev": number, "partition": part[len(block):]})
    link(sys, f"block/{block}", brel)


def internal_disk(sys: Path) -> None:
    scsi_block(sys, "devices/pci0000:00/0000:00:17.0/ata1", 0, "0", "ATA     ", "Samsung SSD 870 ", "sda", "8:0",
               "0", "500118192", {"sda1": "8:1", "sda2": "8:2"})
    write(sys, "devices/virtual/block/loop0", {"dev": "7:0", "removable": "0", "size": "0"})
    link(sys, "block/loop0", "devices/virtual/block/loop0")


def keyboard(sys: Path) -> None:
    dev = usb_device(sys, 1, "1-1", {"idVendor": "046d", "idProduct": "c31c", "manufacturer": "Logitech",
                                     "product": "USB Keyboard", "bMaxPower": "90mA"})
    usb_interface(sys, dev, "1-1:1.0", "03", "01", "01", "usbhid")
    usb_interface(sys, dev, "1-1:1.1", "03", "00", "00", "usbhid")


def stick(sys: Path, driver: Optional[str] = "usb-storage") -> None:
    dev = usb_device(sys, 2, "2-1", {"idVendor": "0781", "idProduct": "5567", "manufacturer": "SanDisk",
                                     "product": "Cruzer Blade", "serial": "4C530001240528104253"})
    iface = usb_interface(sys, dev, "2-1:1.0", "08", "06", "50", driver)
    if driver:
        scsi_block(sys, iface, 6, "0", "SanDisk ", "Cruzer Blade    ", "sdb", "8:16", "1", "60063744",
                   {"sdb1": "8:17"})


def usb_cdrom(sys: Path) -> None:
    dev = usb_device(sys, 1, "1-2", {"idVendor": "0e8d", "idProduct": "1887", "manufacturer": "ASUS",
                                     "product": "SDRW-08D2S-U", "serial": "DBE3F8A02C1E"})
    iface = usb_interface(sys, dev, "1-2:1.0", "08", "02", "50", "usb-storage")
    scsi_block(sys, iface, 7, "5", "ASUS    ", "SDRW-08D2S-U    ", "sr0", "11:0", "1", "0", {})


def uas_disk(sys: Path) -> None:
    dev = usb_device(sys, 4, "4-1", {"idVendor": "0bc2", "idProduct": "2322", "manufacturer": "Seagate",
                                     "product": "Expansion", "serial": "NAAB1RQ4", "speed": "5000"})
    iface = usb_interface(sys, dev, "4-1:1.0", "08", "06", "62", "uas")
    scsi_block(sys, iface, 8, "0", "Seagate ", "Expansion       ", "sdc", "8:32", "0", "3907029167",
               {"sdc1": "8:33"})


MOUNTINFO_BASE = (
    "22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
    "23 27 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
    "27 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw,errors=remount-ro\n"
    "28 27 8:1 / /boot/efi rw,relatime shared:29 - vfat /dev/sda1 rw,fmask=0077,dmask=0077,codepage=437\n"
    "31 27 0:26 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=1620468k,mode=755\n"
)


def tree(name: str, *parts, mounts: str = "") -> None:  # type: ignore[no-untyped-def]
    root = HERE / name
    shutil.rmtree(root, ignore_errors=True)
    sys = root / "sys"
    for part in parts:
        part(sys)
    (sys / "bus/usb/devices").mkdir(parents=True, exist_ok=True)
    (sys / "block").mkdir(parents=True, exist_ok=True)
    proc = root / "proc/self"
    proc.mkdir(parents=True)
    (proc / "mountinfo").write_text(MOUNTINFO_BASE + mounts)


def main() -> None:
    tree("sysfs-stick", internal_disk, keyboard, stick, mounts=(
        "412 31 8:17 / /media/yb/U\\040DISK rw,nosuid,nodev,relatime shared:231 - vfat /dev/sdb1 "
        "rw,uid=1000,gid=1000,fmask=0022,dmask=0022,codepage=936,iocharset=utf8,shortname=mixed,errors=remount-ro\n"))
    tree("sysfs-cdrom", internal_disk, usb_cdrom, mounts=(
        "420 31 11:0 / /media/yb/YB_SETUP ro,nosuid,nodev,relatime shared:240 - iso9660 /dev/sr0 "
        "ro,nojoliet,check=s,map=n,blocksize=2048,iocharset=utf8\n"))
    tree("sysfs-keyboard", internal_disk, keyboard)
    tree("sysfs-uas-disk", internal_disk, keyboard, uas_disk)
    tree("sysfs-blocked", internal_disk, keyboard, lambda s: stick(s, driver=None))


if __name__ == "__main__":
    main()
