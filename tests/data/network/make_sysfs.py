"""Build the sysfs fixture tree in ``sysfs/`` (run once; the tree is committed).

The layout follows the kernel's (Documentation/ABI/testing/sysfs-class-net,
sysfs-class-net-*, sysfs-bus-usb): /sys/class/net/NAME is a link into /sys/devices; a
physical device has ``device`` -> its bus device, which has ``driver`` and ``subsystem``
links; wireless devices have ``phy80211`` and ``wireless/``; bridges ``bridge/``; tun/tap
``tun_flags``; ``type`` is the ARPHRD number and ``uevent`` carries DEVTYPE.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE / "sysfs"

# name: (device path under /sys/devices or None for virtual, bus, driver, ARPHRD, uevent extra, extras)
DEVICES = {
    "lo": (None, "", "", 772, {}, {}),
    "eth0": ("pci0000:00/0000:00:1f.6", "pci", "e1000e", 1, {}, {}),
    "wlan0": ("pci0000:00/0000:00:14.3", "pci", "iwlwifi", 1, {"DEVTYPE": "wlan"}, {"phy80211": True, "wireless": True}),
    "wlx00c0ca000001": ("pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0", "usb", "rtl8xxxu", 1, {}, {"phy80211": True}),
    "wwan0": ("pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.4", "usb", "qmi_wwan", 519, {"DEVTYPE": "wwan"}, {}),
    "wwan1": ("pci0000:00/0000:00:14.0/usb1/1-4/1-4:1.12", "usb", "cdc_mbim", 65534, {"DEVTYPE": "wwan"}, {}),
    "usb0": ("pci0000:00/0000:00:14.0/usb1/1-5/1-5:1.0", "usb", "rndis_host", 1, {}, {}),
    "enx0250f2000001": ("pci0000:00/0000:00:14.0/usb2/2-1/2-1:2.0", "usb", "cdc_ether", 1, {}, {}),
    "eth1": ("pci0000:00/0000:00:14.0/usb1/1-6/1-6:4.2", "usb", "ipheth", 1, {}, {}),
    "usb1": ("pci0000:00/0000:00:14.0/usb1/1-7/1-7:1.0", "usb", "cdc_ncm", 1, {}, {}),
    "enx00e04c680001": ("pci0000:00/0000:00:14.0/usb2/2-2/2-2:1.0", "usb", "r8152", 1, {}, {}),
    "ppp0": (None, "", "", 512, {}, {}),
    "wg0": (None, "", "", 65534, {"DEVTYPE": "wireguard"}, {}),
    "tun0": (None, "", "", 65534, {}, {"tun_flags": "0x1001"}),
    "tap0": (None, "", "", 1, {}, {"tun_flags": "0x1002"}),
    "br0": (None, "", "", 1, {"DEVTYPE": "bridge"}, {"bridge": True}),
}


def link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(os.path.relpath(target, path.parent), path)


def build() -> None:
    if ROOT.exists():
        shutil.rmtree(ROOT)
    sys_ = ROOT / "sys"
    for index, (name, (devpath, bus, driver, arphrd, uevent, extras)) in enumerate(DEVICES.items(), 1):
        if devpath is None:
            netdir = sys_ / "devices/virtual/net" / name
        else:
            dev = sys_ / "devices" / devpath
            netdir = dev / "net" / name
            dev.mkdir(parents=True, exist_ok=True)
            drvdir = sys_ / "bus" / bus / "drivers" / driver
            drvdir.mkdir(parents=True, exist_ok=True)
            link(dev / "driver", drvdir)
            link(dev / "subsystem", sys_ / "bus" / bus)
            link(netdir / "device", dev)
        netdir.mkdir(parents=True, exist_ok=True)
        (netdir / "type").write_text(f"{arphrd}\n")
        (netdir / "ifindex").write_text(f"{index}\n")
        (netdir / "address").write_text(f"02:00:00:00:00:{index:02x}\n")
        (netdir / "uevent").write_text("".join(f"{k}={v}\n" for k, v in {**uevent, "INTERFACE": name,
                                                                           "IFINDEX": str(index)}.items()))
        if extras.get("phy80211"):
            phy = netdir.parent.parent / "ieee80211" / "phy0"
            phy.mkdir(parents=True, exist_ok=True)
            link(netdir / "phy80211", phy)
        if extras.get("wireless"):
            (netdir / "wireless").mkdir()
        if extras.get("bridge"):
            (netdir / "bridge").mkdir()
            (netdir / "bridge" / "stp_state").write_text("0\n")
        if "tun_flags" in extras:
            (netdir / "tun_flags").write_text(extras["tun_flags"] + "\n")
        link(sys_ / "class/net" / name, netdir)


if __name__ == "__main__":
    build()
