"""Registry states no public hive holds (policy set, Wi-Fi history, ICS on, proxy on …).

The values are written into an in-memory hive (tests/windows/memreg.py) that implements the
same interface as the regipy and winreg backends; the collectors are the production ones.
"""

from __future__ import annotations

import struct
from typing import Any, Dict, Optional

import pytest
from memreg import base_system, mem_target

from ybguard.checks.windows import CHECKS
from ybguard.collect import FactError, FactSet, ScanOptions, registry_for
from ybguard.collect.windows import parse_removable_policy
from ybguard.engine import run_scan
from ybguard.models import Status
from ybguard.policy.schema import Policy
from ybguard.target.interface import TargetError

DISK = "{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}"
CDROM = "{53f56308-b6bf-11d0-94f2-00a0c91efb8b}"


def facts(system: Dict[str, Any], software: Optional[Dict[str, Any]] = None, users: Any = (),
          sam: Optional[Dict[str, Any]] = None) -> FactSet:
    return FactSet(mem_target(system, software, users, sam), Policy(), ScanOptions(), registry_for("windows"))


def _policy_software(tree: Dict[str, Any]) -> Dict[str, Any]:
    return {"Policies": {"Microsoft": {"Windows": {"RemovableStorageDevices": tree}}}}


def test_removable_storage_policy_machine_and_user() -> None:
    software = _policy_software({"Deny_All": 1, CDROM: {"Deny_Read": 1, "Deny_Write": 1}})
    user = {"Software": _policy_software({DISK: {"Deny_Read": 1, "Deny_Write": 1}})}
    got = {(d.module, d.disabled, d.how, d.source) for d in
           facts(base_system(), software, [("wang", user)]).get("usb.driver")}
    assert got == {
        ("USBSTOR", False, "Start=3 (demand start: loads when a device needs it)",
         "HKLM\\SYSTEM\\ControlSet001\\Services\\USBSTOR"),
        ("RemovableStorageDevices (all)", True, "Deny_All=1",
         "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\RemovableStorageDevices"),
        ("RemovableStorageDevices (removable disks)", True, f"{DISK} Deny_Read=1 Deny_Write=1",
         "HKU\\wang\\Software\\Policies\\Microsoft\\Windows\\RemovableStorageDevices"),
    }  # CD/DVD is usb.optical's business, as on Linux


def test_removable_policy_parser() -> None:
    from memreg import MemHive

    key = MemHive("HKLM\\SOFTWARE", _policy_software(
        {"Deny_All": 0, CDROM: {"Deny_Read": 1, "Deny_Write": 1}, DISK: {"Deny_Write": 1, "Deny_Execute": 1}})).key(
        "Policies\\Microsoft\\Windows\\RemovableStorageDevices")
    assert parse_removable_policy(key) == (
        ("all", False, "Deny_All=0"),
        # write/execute denied but reading still allowed: files can still be copied in
        ("removable disks", False, f"{DISK} Deny_Write=1 Deny_Execute=1"),
        ("CD/DVD", True, f"{CDROM} Deny_Read=1 Deny_Write=1"),
    )


def test_usbstor_absent_is_not_disabled() -> None:
    system = base_system()
    del system["ControlSet001"]["Services"]["USBSTOR"]
    (state,) = facts(system).get("usb.driver")
    assert state.module == "USBSTOR" and state.disabled is False and "usbstor.inf" in state.how


def test_select_current_2() -> None:
    system = base_system(USBSTOR={"Start": 3})
    system["ControlSet002"] = {"Services": {"USBSTOR": {"Start": 4}, "Tcpip": {"Parameters": {"Interfaces": {}}}}}
    system["Select"]["Current"] = 2
    (state,) = facts(system).get("usb.driver")
    assert state.disabled is True and state.source == "HKLM\\SYSTEM\\ControlSet002\\Services\\USBSTOR"


def test_select_missing_is_an_error() -> None:
    system = base_system()
    del system["Select"]
    with pytest.raises(TargetError) as exc:
        facts(system).get("usb.driver")
    assert exc.value.key == "windows.no_select"


def _st(*parts: int) -> bytes:
    return struct.pack("<8H", *parts)


NETWORK_LIST = {"Microsoft": {"Windows NT": {"CurrentVersion": {"NetworkList": {"Profiles": {
    "{A1}": {"ProfileName": "CMCC-5G", "Description": "CMCC-5G", "NameType": 71,
             "DateCreated": _st(2025, 6, 1, 2, 8, 30, 0, 0), "DateLastConnected": _st(2025, 9, 3, 18, 17, 5, 9, 0)},
    "{B2}": {"ProfileName": "中国移动 4G", "NameType": 243, "DateCreated": _st(2025, 7, 2, 1, 10, 0, 0, 0)},
    "{C3}": {"ProfileName": "医保专线", "NameType": 6},
}}}}}}


def test_network_history_and_check() -> None:
    fs = facts(base_system(), NETWORK_LIST)
    assert {(h.name, h.kind, h.first_seen, h.last_seen) for h in fs.get("network.history")} == {
        ("CMCC-5G", "wireless", "2025-06-02T08:30:00", "2025-09-18T17:05:09"),
        ("中国移动 4G", "cellular", "2025-07-01T10:00:00", ""),
        ("医保专线", "ethernet", "", ""),
    }
    report = run_scan(Policy(), fs.ctx.target, CHECKS, ScanOptions(lang="zh"), facts=fs)
    failing = {f.subject for f in report.findings if f.status is Status.FAIL}
    assert failing == {"CMCC-5G", "中国移动 4G"}
    assert any("无线网络 “CMCC-5G”" in f.message for f in report.findings)


def test_wireless_history_passes_without_radio_profiles() -> None:
    fs = facts(base_system(), {"Microsoft": {}})
    report = run_scan(Policy(), fs.ctx.target, CHECKS, ScanOptions(), facts=fs)
    assert [f.status for f in report.findings] == [Status.PASS]


def test_ics_forwarding_and_hosted_network() -> None:
    services = {
        "SharedAccess": {"Start": 2, "EnableRebootPersistConnection": 1, "Parameters": {"ScopeAddress": "192.168.137.1"}},
        "Tcpip": {"Parameters": {"IPEnableRouter": 1, "Interfaces": {
            "{11111111-2222-3333-4444-555555555555}": {"EnableDHCP": 0, "IPAddress": ["192.168.137.1"],
                                                       "SubnetMask": ["255.255.255.0"]}}}},
        "WlanSvc": {"Parameters": {"HostedNetworkSettings": {"EverUsed": 1, "HostedNetworkSettings": b"\x00"}}},
    }
    fs = facts(base_system(**services))
    assert {(s.name, s.how) for s in fs.get("network.shared")} == {
        ("SharedAccess", "SharedAccess Start=2 (automatic)"),
        ("SharedAccess", "EnableRebootPersistConnection=1"),
        ("{11111111-2222-3333-4444-555555555555}", "ICS private address 192.168.137.1 (ScopeAddress)"),
        ("hosted network", "wireless hosted network EverUsed=1"),
    }
    assert fs.get("network.forwarding").enabled()[0].source.endswith("IPEnableRouter=1")


def test_ics_address_ignored_when_service_disabled() -> None:
    services = {"SharedAccess": {"Start": 4},
                "Tcpip": {"Parameters": {"Interfaces": {"{X}": {"EnableDHCP": 0, "IPAddress": ["192.168.137.1"],
                                                                "SubnetMask": ["255.255.255.0"]}}}}}
    assert facts(base_system(**services)).get("network.shared") == ()


def test_proxies_per_user_and_machine() -> None:
    inet = {"Microsoft": {"Windows": {"CurrentVersion": {"Internet Settings": {}}}}}
    user_on = {"Software": {"Microsoft": {"Windows": {"CurrentVersion": {"Internet Settings": {
        "ProxyEnable": 1, "ProxyServer": "192.168.1.9:8080", "AutoConfigURL": "http://wpad.example.com/p.pac"}}}}}}
    user_off = {"Software": {"Microsoft": {"Windows": {"CurrentVersion": {"Internet Settings": {
        "ProxyEnable": 0, "ProxyServer": "192.168.1.9:8080"}}}}}}
    winhttp = struct.pack("<III", 0x28, 2, 3) + struct.pack("<I", 14) + b"10.50.0.8:3128" + struct.pack("<I", 0)
    inet["Microsoft"]["Windows"]["CurrentVersion"]["Internet Settings"]["Connections"] = {"WinHttpSettings": winhttp}
    got = facts(base_system(), inet, [("li", user_on), ("zhao", user_off)]).get("network.proxies")
    assert {(p.setting, p.value, p.source.split("\\")[1]) for p in got} == {
        ("ProxyServer", "192.168.1.9:8080", "li"),
        ("AutoConfigURL", "http://wpad.example.com/p.pac", "li"),
        ("WinHttpSettings", "10.50.0.8:3128", "SOFTWARE"),
    }
    with pytest.raises(FactError) as exc:
        facts(base_system(), inet).get("network.proxies")
    assert exc.value.key == "windows.no_ntuser"


def test_resolvers_static_wins_and_policy() -> None:
    services = {"Tcpip": {"Parameters": {"DhcpNameServer": "192.168.0.1", "Interfaces": {
        "{A}": {"EnableDHCP": 1, "NameServer": "10.50.0.53", "DhcpNameServer": "114.114.114.114"}}}}}
    software = {"Policies": {"Microsoft": {"Windows NT": {"DNSClient": {"NameServer": "8.8.8.8"}}}}}
    got = facts(base_system(**services), software).get("network.resolvers")
    assert [(r.address, r.interface) for r in got] == [("10.50.0.53", "{A}"), ("192.168.0.1", ""), ("8.8.8.8", "")]


def test_time_policy_and_disabled() -> None:
    services = {"W32Time": {"Start": 3, "Parameters": {"Type": "NT5DS", "NtpServer": "time.windows.com,0x9"},
                            "TimeProviders": {"NtpClient": {"Enabled": 1}}}}
    software = {"Policies": {"Microsoft": {"W32Time": {"Parameters": {"Type": "NTP", "NtpServer": "10.50.0.123,0x8"}}}}}
    t = facts(base_system(**services), software).get("time.sync")
    assert (t.daemon, t.servers) == ("w32time", ("10.50.0.123",))
    services["W32Time"]["Start"] = 4
    t = facts(base_system(**services), software).get("time.sync")
    assert (t.daemon, t.servers) == ("", ())


def test_password_policy_from_sam() -> None:
    f = bytearray(0x68)
    struct.pack_into("<q", f, 0x18, -90 * 10 ** 7 * 86400)
    struct.pack_into("<H", f, 0x50, 8)
    sam = {"SAM": {"Domains": {"Account": {"F": bytes(f)}}}}
    pol = facts(base_system(), sam=sam).get("accounts.password_policy")
    assert (pol.min_length, pol.max_age_days) == (8, 90)
    assert pol.sources[0][0] == "HKLM\\SAM\\SAM\\Domains\\Account F"


def test_adapter_kinds_from_medium_not_name() -> None:
    net = "{4d36e972-e325-11ce-bfc1-08002be10318}"
    guids = {"{W}": (8, 243, "Generic Mobile Broadband Adapter", "Ethernet 3"),
             "{R}": (14, 6, "Remote NDIS based Internet Sharing Device", "以太网 2"),
             "{P}": (0, 23, "WAN Miniport (PPPOE)", "宽带连接")}
    cls = {f"{i:04d}": {"NetCfgInstanceId": g, "*PhysicalMediaType": m, "*IfType": t, "DriverDesc": d,
                        "ComponentId": "usb\\class_e0&subclass_01&prot_03" if g == "{R}" else "x"}
           for i, (g, (m, t, d, _n)) in enumerate(guids.items())}
    conns = {g: {"Connection": {"Name": n, "PnPInstanceId": "USB\\VID_1" if g == "{R}" else "PCI\\X"}}
             for g, (_m, _t, _d, n) in guids.items()}
    system = base_system(Tcpip={"Parameters": {"Interfaces": {g: {"EnableDHCP": 1} for g in guids}}})
    system["ControlSet001"]["Control"].update({"Class": {net: cls}, "Network": {net.upper(): conns}})
    got = {(i.name, i.kind, i.bus) for i in facts(system).get("network.interfaces")}
    assert got == {("Ethernet 3", "cellular", "pci"), ("以太网 2", "usb-tether", "usb"), ("宽带连接", "ppp", "pci")}
