"""Interface kinds from sysfs trees laid out like the kernel's, read through a RootfsTarget."""

from __future__ import annotations

from pathlib import Path

import pytest

from ybguard.collect.network import SysfsNet, classify_kind, read_sysfs_net
from ybguard.target.linux import RootfsTarget

SYSFS = Path(__file__).resolve().parent.parent / "data" / "network" / "sysfs"

EXPECTED = {
    "lo": "loopback",
    "eth0": "ethernet",
    "wlan0": "wireless",
    "wlx00c0ca000001": "wireless",  # USB Wi-Fi: phy80211 wins over the USB bus
    "wwan0": "cellular",  # qmi_wwan, DEVTYPE=wwan, ARPHRD 519
    "wwan1": "cellular",  # cdc_mbim is ARPHRD_NONE but cellular, not a tunnel
    "usb0": "usb-tether",  # rndis_host
    "enx0250f2000001": "usb-tether",  # cdc_ether
    "eth1": "usb-tether",  # ipheth: a tethered iPhone, whatever its name says
    "usb1": "usb-tether",  # cdc_ncm
    "enx00e04c680001": "ethernet",  # r8152 USB Ethernet adapter is a NIC, not tethering
    "ppp0": "ppp",
    "wg0": "vpn",
    "tun0": "vpn",
    "tap0": "vpn",  # ARPHRD_ETHER, but tun_flags says tap
    "br0": "bridge",
}


@pytest.fixture(scope="module")
def target() -> RootfsTarget:
    return RootfsTarget(str(SYSFS))


def test_fixture_lists_every_device(target: RootfsTarget) -> None:
    assert set(target.listdir("/sys/class/net")) == set(EXPECTED)


@pytest.mark.parametrize("name,kind", sorted(EXPECTED.items()))
def test_kind_from_sysfs(target: RootfsTarget, name: str, kind: str) -> None:
    sysfs = read_sysfs_net(target, name)
    got, why = classify_kind(sysfs)
    assert got == kind
    assert why  # every decision names its evidence


def test_sysfs_facts_follow_links(target: RootfsTarget) -> None:
    wwan = read_sysfs_net(target, "wwan0")
    assert (wwan.driver, wwan.bus, wwan.arphrd, wwan.devtype) == ("qmi_wwan", "usb", 519, "wwan")
    wlan = read_sysfs_net(target, "wlan0")
    assert wlan.wireless and wlan.driver == "iwlwifi" and wlan.bus == "pci"
    assert read_sysfs_net(target, "tap0").tun_flags == "0x1002"
    assert read_sysfs_net(target, "br0").bridge


def test_missing_device_is_an_error(target: RootfsTarget) -> None:
    with pytest.raises(FileNotFoundError):
        read_sysfs_net(target, "nosuch0")


def test_linkinfo_kinds_for_virtual_devices() -> None:
    ether = SysfsNet("x", arphrd=1)
    assert classify_kind(ether, "veth")[0] == "veth"
    assert classify_kind(ether, "macvlan")[0] == "macvlan"
    assert classify_kind(ether, "vlan")[0] == "vlan"
    assert classify_kind(ether, "bridge")[0] == "bridge"
    assert classify_kind(ether, "vxlan")[0] == "vpn"
    assert classify_kind(SysfsNet("x", arphrd=776), "sit")[0] == "vpn"
    assert classify_kind(SysfsNet("x", arphrd=65534), "")[0] == "vpn"
    assert classify_kind(ether, "")[0] == "ethernet"
