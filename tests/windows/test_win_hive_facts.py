"""Facts read from the real hives, asserted against the fixture README, value by value."""

from __future__ import annotations

import ipaddress
import shutil
from pathlib import Path
from typing import Any, Dict

import pytest
from winhives import START_OFFSETS, make_hives_dir, patch_dword

from ybguard.collect import FactSet, ScanOptions, registry_for
from ybguard.facts.network import Address
from ybguard.policy.schema import Policy
from ybguard.target import open_target
from ybguard.target.interface import TargetError, Unsupported
from ybguard.target.windows import WindowsImageTarget


def facts(directory: Path) -> FactSet:
    target = open_target(None, str(directory))
    assert isinstance(target, WindowsImageTarget)
    return FactSet(target, Policy(), ScanOptions(), registry_for("windows"))


@pytest.fixture(scope="module")
def win7(hive_files: Dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> FactSet:
    return facts(make_hives_dir(tmp_path_factory.mktemp("w7"), hive_files, SYSTEM="win7"))


@pytest.fixture(scope="module")
def win10(hive_files: Dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> FactSet:
    return facts(make_hives_dir(tmp_path_factory.mktemp("w10"), hive_files, SYSTEM="win10",
                                SOFTWARE="software_delta", NTUSER__DAT="ntuser", NTUSER_partial__DAT="hkcu_partial"))


@pytest.fixture(scope="module")
def win1709(hive_files: Dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> FactSet:
    return facts(make_hives_dir(tmp_path_factory.mktemp("w1709"), hive_files, SYSTEM="win10_1709",
                                SOFTWARE="software_tiny", NTUSER__DAT="ntuser"))


def addr(text: str) -> Address:
    ip, _, plen = text.partition("/")
    return Address(ipaddress.ip_address(ip), int(plen))


# --- control set and identity ------------------------------------------------------------------

def test_current_control_set_is_followed(win7: FactSet) -> None:
    target: Any = win7.ctx.target
    assert target.registry.control_set == "ControlSet001"
    ident = win7.get("host.identity")
    assert ident.hostname == "WKS-WIN732BITA"
    # the other control set names another machine: picking it would be detectable
    cs2 = target.registry.system.key("ControlSet002\\Control\\ComputerName\\ComputerName")
    assert cs2.str_value("ComputerName") == "WIN-V5T3CSP8U4H"
    assert ident.os == "Windows (SOFTWARE hive not given)"
    assert ident.arch == "x86"


def test_identity_win10(win10: FactSet, win1709: FactSet) -> None:
    assert win10.get("host.identity").hostname == "DESKTOP-PM6C56D"
    assert win10.get("host.identity").arch == "AMD64"
    # the container delta hive has no Windows NT\CurrentVersion
    assert win10.get("host.identity").os == "Windows"
    assert win1709.get("host.identity").hostname == "DESKTOP-2KGM189"


# --- USB -----------------------------------------------------------------------------------------

def _drivers(fs: FactSet) -> Dict[str, Any]:
    return {d.module: d for d in fs.get("usb.driver")}


def test_usb_driver_enabled_in_every_fixture(win7: FactSet, win10: FactSet, win1709: FactSet) -> None:
    d7 = _drivers(win7)
    assert set(d7) == {"USBSTOR"}  # Windows 7 has no UASPStor
    assert d7["USBSTOR"].disabled is False
    assert d7["USBSTOR"].how.startswith("Start=3")
    assert d7["USBSTOR"].source == "HKLM\\SYSTEM\\ControlSet001\\Services\\USBSTOR"
    for fs in (win10, win1709):
        d = _drivers(fs)
        assert set(d) == {"USBSTOR", "UASPStor"}  # no RemovableStorageDevices policy anywhere
        assert d["USBSTOR"].disabled is False and d["UASPStor"].disabled is False


@pytest.mark.parametrize("hive,cs", sorted(START_OFFSETS))
def test_usbstor_start_4_variant(hive_files: Dict[str, Path], tmp_path: Path, hive: str, cs: int) -> None:
    directory = make_hives_dir(tmp_path / "h", hive_files, SYSTEM=hive)
    patch_dword(directory / "SYSTEM", START_OFFSETS[(hive, cs)], 4)
    usbstor = _drivers(facts(directory))["USBSTOR"]
    # Select\Current is 1 in every fixture: patching ControlSet002 must change nothing
    assert usbstor.disabled is (cs == 1)
    assert usbstor.how.startswith("Start=4" if cs == 1 else "Start=3")


def test_usb_history_win7(win7: FactSet) -> None:
    (seen,) = win7.get("usb.history")
    assert seen.device == "HP v100w USB Device"
    assert seen.serial == "AA951D0000007252"
    # the USB parent, Enum\\USB\\VID_03F0&PID_3207\\AA951D0000007252 (Service USBSTOR)
    assert (seen.vendor_id, seen.product_id) == ("03f0", "3207")
    assert seen.source.endswith("ControlSet001\\Enum\\USBSTOR\\Disk&Ven_HP&Prod_v100w&Rev_1024\\AA951D0000007252&0")
    # FILETIME 129782682976408714 truncated to microseconds; the README's .640872 is regipy's float rounding
    assert seen.when == "2012-04-07T10:31:37.640871+00:00"


def test_usb_history_win10(win10: FactSet, win1709: FactSet) -> None:
    assert {(s.device, s.serial, s.when, s.vendor_id, s.product_id) for s in win10.get("usb.history")} == {
        ("SanDisk Extreme USB Device", "AA010215170355310594", "2018-03-27T12:11:44.534442+00:00", "0781", "5580"),
        ("SanDisk Extreme USB Device", "AA010603160707470215", "2018-03-27T09:22:21.954306+00:00", "0781", "5580"),
    }
    assert [(s.device, s.serial, s.when[:19], s.vendor_id, s.product_id) for s in win1709.get("usb.history")] == [
        ("SanDisk Cruzer USB Device", "200608767007B7C08A6A", "2020-03-17T14:02:38", "0781", "5530")]


# --- network -------------------------------------------------------------------------------------

def test_interfaces_win7_dual_homed(win7: FactSet) -> None:
    ifaces = {i.name: i for i in win7.get("network.interfaces")}
    assert set(ifaces) == {"Local Area Connection 2", "Local Area Connection", "{e29ac6c2-7037-11de-816d-806e6f6e6963}"}
    lac2, lac = ifaces["Local Area Connection 2"], ifaces["Local Area Connection"]
    assert lac2.addresses == (addr("10.3.58.5/24"),) and lac.addresses == (addr("192.168.1.123/24"),)
    assert (lac2.kind, lac.kind) == ("ethernet", "ethernet")
    assert lac2.source.endswith("{698E50A9-4F58-4D86-B61D-F42E58DCACF6}")
    assert not lac2.dhcp and lac2.configured and lac2.up is None
    assert ifaces["{e29ac6c2-7037-11de-816d-806e6f6e6963}"].kind == "loopback"


def test_routing_win7(win7: FactSet) -> None:
    routes = win7.get("network.routing").routes
    assert {(str(r.dst), r.gateway, r.dev, r.protocol) for r in routes} == {
        ("0.0.0.0/0", "10.3.58.1", "Local Area Connection 2", "static"),
        ("0.0.0.0/0", "192.168.1.1", "Local Area Connection", "static"),
        # route -p entries, sent out of the interface whose subnet holds the gateway
        ("0.0.0.0/0", "192.168.1.1", "Local Area Connection", "persistent"),
        ("0.0.0.0/0", "10.3.58.1", "Local Area Connection 2", "persistent"),
    }
    assert all(r.configured for r in routes)


def test_interfaces_and_routes_win10_wifi(win10: FactSet) -> None:
    ifaces = {i.name: i for i in win10.get("network.interfaces")}
    wifi = ifaces["Wi-Fi"]
    assert wifi.kind == "wireless" and wifi.dhcp and wifi.addresses == (addr("192.168.0.7/24"),)
    assert wifi.why == (("*PhysicalMediaType", "9 (native 802.11)"),)
    assert wifi.driver == "Broadcom 802.11n Network Adapter"
    assert ifaces["Local Area Connection* 1"].kind == "wireless"  # Wi-Fi Direct virtual adapter
    assert ifaces["Bluetooth Network Connection"].kind == "wireless"  # Bluetooth PAN
    assert ifaces["Ethernet"].kind == "ethernet" and ifaces["Ethernet"].addresses == ()
    routes = win10.get("network.routing").routes
    assert [(r.gateway, r.dev, r.protocol) for r in routes] == [("192.168.0.1", "Wi-Fi", "dhcp")]


def test_win1709_dhcp(win1709: FactSet) -> None:
    ifaces = {i.name: i for i in win1709.get("network.interfaces")}
    assert ifaces["Ethernet0"].addresses == (addr("192.168.146.128/24"),)
    assert ifaces["Bluetooth Network Connection"].kind == "wireless"
    assert [(r.gateway, r.dev) for r in win1709.get("network.routing").routes] == [("192.168.146.2", "Ethernet0")]
    assert [(r.address, r.interface) for r in win1709.get("network.resolvers")] == [("192.168.146.2", "Ethernet0")]


def test_resolvers(win7: FactSet, win10: FactSet) -> None:
    assert [(r.address, r.interface) for r in win7.get("network.resolvers")] == [
        ("10.3.58.4", "Local Area Connection 2"), ("192.168.1.112", "Local Area Connection")]
    got = win10.get("network.resolvers")
    assert [r.address for r in got] == ["68.105.28.11", "68.105.29.11", "68.105.28.12"]
    assert all(r.interface == "Wi-Fi" and r.source.endswith("DhcpNameServer") for r in got)


def test_forwarding_shared_none(win7: FactSet, win10: FactSet, win1709: FactSet) -> None:
    for fs in (win7, win10, win1709):
        (setting,) = fs.get("network.forwarding").settings
        assert setting.enabled is False and setting.source.endswith("IPEnableRouter=0")
        # SharedAccess is 4 (win7) or 3 (win10), no ICS address, HostedNetwork EverUsed=0
        assert fs.get("network.shared") == ()


def test_proxies_and_history(win10: FactSet, win7: FactSet) -> None:
    assert win10.get("network.proxies") == ()  # ProxyEnable=0 in both user hives
    assert win10.get("network.history") == ()  # the container delta has no NetworkList
    with pytest.raises(TargetError):
        win7.get("network.proxies")  # no SOFTWARE: unknown, never "no proxy"


# --- software ------------------------------------------------------------------------------------

def test_packages_software_delta_and_user_hives(win10: FactSet) -> None:
    pkgs = win10.get("software.packages")
    by_source = {p.source: p for p in pkgs}
    assert len(pkgs) == 7 + 1 + 5  # 64-bit, WOW6432Node, partial HKCU\Software
    core = by_source["HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{FBB6299D-CB58-4177-B6A0-63BFB1C8C3AE}"]
    assert (core.name, core.version, core.publisher, core.manager) == (
        "Python 3.9.5 Core Interpreter (64-bit)", "3.9.5150.0", "Python Software Foundation", "windows-uninstall")
    launcher = by_source["HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{B6EF11B6-0882-43B1-AA75-4D3BD32A144A}"]
    assert (launcher.name, launcher.version) == ("Python Launcher", "3.9.7427.0")
    user = {p.name: p for p in pkgs if p.source.startswith("HKU\\")}
    assert set(user) == {"Python 3.7 distorm3-3.3.4", "GitKraken", "Microsoft OneDrive",
                         "Python 3.7.0 (Anaconda3 5.3.0 64-bit)", "Microsoft Visual Studio Code (User)"}
    assert user["GitKraken"].source == "HKU\\NTUSER_partial\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\gitkraken"
    assert user["Python 3.7 distorm3-3.3.4"].version == "" and user["Python 3.7 distorm3-3.3.4"].publisher == ""


def test_packages_tiny(win1709: FactSet) -> None:
    assert {(p.name, p.version, p.publisher, p.source.split("\\")[2]) for p in win1709.get("software.packages")} == {
        ("Test", "0.0.1", "Test Publisher", "Microsoft"), ("Test2", "0.0.1", "Test Publisher", "WOW6432Node")}


def test_software_missing_is_an_error(win7: FactSet) -> None:
    with pytest.raises(TargetError) as exc:
        win7.get("software.packages")
    assert exc.value.key == "windows.hive_missing"


# --- accounts, time, live-only -------------------------------------------------------------------

def test_password_policy_needs_sam(win7: FactSet) -> None:
    with pytest.raises(Unsupported) as exc:
        win7.get("accounts.password_policy")
    assert exc.value.key == "windows.sam_missing"


def test_live_only_facts_not_applicable(win7: FactSet) -> None:
    for key in ("software.processes", "network.sockets"):
        with pytest.raises(Unsupported):
            win7.get(key)


def test_time_sync(win7: FactSet, win10: FactSet) -> None:
    t7 = win7.get("time.sync")
    assert (t7.daemon, t7.servers) == ("w32time", ())  # NT5DS: the domain hierarchy, not NtpServer
    assert ("HKLM\\SYSTEM\\ControlSet001\\Services\\W32Time\\Parameters", "Type=NT5DS NtpServer=time.windows.com,0x9") in t7.sources
    t10 = win10.get("time.sync")
    assert (t10.daemon, t10.servers) == ("w32time", ("time.windows.com",))


# --- opening targets -----------------------------------------------------------------------------

def test_root_volume_detected_case_insensitively(hive_files: Dict[str, Path], tmp_path: Path) -> None:
    config = tmp_path / "vol" / "windows" / "SYSTEM32" / "Config"
    config.mkdir(parents=True)
    shutil.copyfile(hive_files["win10_1709"], config / "system")
    shutil.copyfile(hive_files["software_tiny"], config / "SOFTWARE")
    user = tmp_path / "vol" / "Users" / "zhangsan"
    user.mkdir(parents=True)
    shutil.copyfile(hive_files["ntuser"], user / "ntuser.dat")
    target = open_target(str(tmp_path / "vol"))
    assert isinstance(target, WindowsImageTarget) and target.volume
    fs = FactSet(target, Policy(), ScanOptions(), registry_for("windows"))
    assert fs.get("host.identity").hostname == "DESKTOP-2KGM189"
    assert [u.user for u in target.registry.ntusers] == ["vibranium"]  # the name Windows wrote in the hive
    assert len(fs.get("software.packages")) == 2


def test_linux_root_is_not_windows(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    assert open_target(str(tmp_path)).os_family == "linux"


def test_hives_dir_errors(hive_files: Dict[str, Path], tmp_path: Path) -> None:
    only_user = make_hives_dir(tmp_path / "a", hive_files, NTUSER__DAT="ntuser")
    with pytest.raises(TargetError) as exc:
        open_target(None, str(only_user))
    assert exc.value.key == "windows.hive_missing"
    odd = make_hives_dir(tmp_path / "b", hive_files, SYSTEM="win7", mystery__hiv="software_tiny")
    with pytest.raises(TargetError) as exc:
        open_target(None, str(odd))
    assert exc.value.key == "windows.hive_unknown"
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "README.txt").write_text("not a hive")
    # a copy of Windows\System32\config: transaction logs and the hives ybguard does not read
    make_hives_dir(tmp_path / "c", hive_files, SYSTEM="win7", SYSTEM__LOG1="win7", DEFAULT="ntuser",
                   NTUSER__DAT="ntuser", NTUSER__DAT__LOG1="ntuser")
    target = open_target(None, str(tmp_path / "c"))
    assert target.kind.value == "windows-image"
    assert [u.user for u in target.registry.ntusers] == ["vibranium"]
