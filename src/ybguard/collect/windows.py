"""Collectors for Windows targets: the same fact keys as Linux, read from the registry.

Offline (hives) and live (winreg) share every registry reader here; only a few facts have a
live-only source (processes, sockets, the running route table, the password policy through
secedit / ``net accounts``). Parsers of tool output are pure functions, tested on recorded
output of English and Chinese Windows; none of them reads a localised label.

Where the registry cannot say something for certain (is ICS switched on?), the collector
reports the indicators Windows leaves behind and docs/windows.md says exactly which.
"""

from __future__ import annotations

import ipaddress
import os
import re
import struct
import tempfile
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..facts.accounts import PasswordPolicy, TimeSync
from ..facts.network import (
    KIND_CELLULAR,
    KIND_ETHERNET,
    KIND_LOOPBACK,
    KIND_OTHER,
    KIND_PPP,
    KIND_USB_TETHER,
    KIND_VPN,
    KIND_WIRELESS,
    Address,
    Forwarding,
    ForwardingSetting,
    Interface,
    NetworkHistory,
    Proxy,
    Resolver,
    Route,
    Routing,
    SharedConnection,
    Socket,
)
from ..facts.software import Package, Process
from ..facts.usb import DeviceSighting, DriverState
from ..target.interface import Target, Unsupported
from ..target.windows import Registry, RegKey, WindowsTarget, multi_sz
from .host import HostIdentity
from .interface import CollectContext, Collector, FactError

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


# ----------------------------------------------------------------------------------------------
# host


def _os_name(cur: Optional[RegKey]) -> Tuple[str, str]:
    """(OS name, kernel) from SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion."""
    if cur is None:
        return "Windows", ""
    product = cur.str_value("ProductName") or "Windows"
    build = cur.str_value("CurrentBuildNumber") or cur.str_value("CurrentBuild")
    if build.isdigit() and int(build) >= 22000:
        product = product.replace("Windows 10", "Windows 11")  # Windows 11 still says 10 here
    release = cur.str_value("DisplayVersion") or cur.str_value("ReleaseId")
    major, minor = cur.int_value("CurrentMajorVersionNumber"), cur.int_value("CurrentMinorVersionNumber")
    version = f"{major}.{minor}" if major is not None and minor is not None else cur.str_value("CurrentVersion")
    name = " ".join(x for x in (product, release, f"(build {build})" if build else "") if x)
    kernel = "Windows NT " + ".".join(x for x in (version, build) if x) if version else ""
    return name, kernel


def collect_host(ctx: CollectContext) -> HostIdentity:
    reg = _registry(ctx)
    cn = _system_key(reg, "Control\\ComputerName\\ComputerName")
    hostname = cn.str_value("ComputerName") if cn is not None else ""
    if not hostname:
        tcpip = _system_key(reg, "Services\\Tcpip\\Parameters")
        hostname = (tcpip.str_value("Hostname") if tcpip is not None else "") or "unknown"
    env = _system_key(reg, "Control\\Session Manager\\Environment")
    arch = env.str_value("PROCESSOR_ARCHITECTURE") if env is not None else ""
    software = reg.software
    machine_id = ""
    if software is None:
        os_name, kernel = "Windows (SOFTWARE hive not given)", ""
    else:
        os_name, kernel = _os_name(software.key("Microsoft\\Windows NT\\CurrentVersion"))
        machine_id = machine_guid(software.key("Microsoft\\Cryptography"))
    return HostIdentity(hostname=hostname, os=os_name, kernel=kernel, arch=arch, machine_id=machine_id)


_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def machine_guid(key: Optional[RegKey]) -> str:
    """HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MachineGuid, lower case; "" when absent or not a GUID."""
    value = key.str_value("MachineGuid").strip().strip("{}").lower() if key is not None else ""
    return value if _GUID.fullmatch(value) else ""


# ----------------------------------------------------------------------------------------------
# removable media


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


def _iso(dt: Optional[datetime]) -> str:
    return dt.isoformat() if dt is not None else ""


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


# ----------------------------------------------------------------------------------------------
# software


def _uninstall_entries(root: Optional[RegKey]) -> List[Package]:
    if root is None:
        return []
    out = []
    for key in root.subkeys():
        display = key.str_value("DisplayName")
        out.append(Package(name=display or key.name, version=key.str_value("DisplayVersion"),
                           manager="windows-uninstall", display_name=display,
                           publisher=key.str_value("Publisher"), source=key.path))
    return out


def collect_packages(ctx: CollectContext) -> Tuple[Package, ...]:
    reg = _registry(ctx)
    software = reg.require_software()  # machine-wide installs live only there: unknown without it
    out = _uninstall_entries(software.key(UNINSTALL))
    out += _uninstall_entries(software.key(f"WOW6432Node\\{UNINSTALL}"))
    for user in reg.ntusers:
        out += _uninstall_entries(user.software_key(UNINSTALL))
        out += _uninstall_entries(user.software_key(f"Wow6432Node\\{UNINSTALL}"))
    return tuple(out)


def collect_processes(ctx: CollectContext) -> Tuple[Process, ...]:
    ctx.target.require_live()
    import psutil

    out = []
    for proc in psutil.process_iter(["pid", "name", "exe", "username", "cmdline", "ppid"]):
        info = proc.info
        out.append(Process(pid=info["pid"], name=info.get("name") or "", exe=info.get("exe") or "",
                           user=info.get("username") or "", cmdline=" ".join(info.get("cmdline") or ()),
                           ppid=info.get("ppid")))
    return tuple(out)


# ----------------------------------------------------------------------------------------------
# network


class Adapter:
    """What the registry says about one network adapter (by its NetCfgInstanceId GUID)."""

    def __init__(self, guid: str, connection: str = "", description: str = "", physical_medium: Optional[int] = None,
                 if_type: Optional[int] = None, component: str = "", pnp: str = "", source: str = "") -> None:
        self.guid = guid
        self.connection = connection
        self.description = description
        self.physical_medium = physical_medium
        self.if_type = if_type
        self.component = component
        self.pnp = pnp
        self.source = source


def classify_adapter(guid: str, adapter: Optional[Adapter]) -> Tuple[str, Tuple[Tuple[str, str], ...]]:
    """The interface kind and why, from the adapter's medium and type, never from its name."""
    if guid.lower().endswith("-806e6f6e6963}"):
        return KIND_LOOPBACK, (("GUID", "…806e6f6e6963 ('\\x80nonic'): a Windows placeholder, not a NIC"),)
    if adapter is None:
        return KIND_OTHER, (("adapter", "no network adapter with this NetCfgInstanceId"),)
    comp, desc = adapter.component.lower(), adapter.description.lower()
    # RNDIS (Android tethering: USB class E0/01/03) and Apple's iPhone USB Ethernet
    if any(m in comp for m in ("rndis", "class_e0&subclass_01&prot_03", "netaapl")) or \
            "rndis" in desc or "apple mobile device ethernet" in desc:
        return KIND_USB_TETHER, (("ComponentId", adapter.component),)
    if adapter.physical_medium in PHYSICAL_MEDIUM_KIND:
        medium = adapter.physical_medium
        return PHYSICAL_MEDIUM_KIND[medium], (("*PhysicalMediaType", f"{medium} ({PHYSICAL_MEDIUM_NAME[medium]})"),)
    if adapter.if_type in IFTYPE_KIND:
        return IFTYPE_KIND[adapter.if_type], (("*IfType", str(adapter.if_type)),)
    if adapter.physical_medium == 14 or adapter.if_type == 6:
        return KIND_ETHERNET, (("*PhysicalMediaType" if adapter.physical_medium == 14 else "*IfType",
                                "14 (802.3)" if adapter.physical_medium == 14 else "6 (ethernetCsmacd)"),)
    return KIND_OTHER, (("adapter", adapter.description or adapter.component),)


def _adapters(reg: Registry) -> Dict[str, Adapter]:
    by_guid: Dict[str, Adapter] = {}
    cls = _system_key(reg, f"Control\\Class\\{NET_CLASS}")
    for sub in cls.subkeys() if cls is not None else []:
        guid = sub.str_value("NetCfgInstanceId")
        if not guid:
            continue
        by_guid[guid.lower()] = Adapter(
            guid, description=sub.str_value("DriverDesc"), physical_medium=sub.int_value("*PhysicalMediaType"),
            if_type=sub.int_value("*IfType"), component=sub.str_value("ComponentId"), source=sub.path)
    net = _system_key(reg, f"Control\\Network\\{NET_CLASS}")
    for sub in net.subkeys() if net is not None else []:
        conn = sub.subkey("Connection")
        if conn is None:
            continue
        adapter = by_guid.setdefault(sub.name.lower(), Adapter(sub.name))
        adapter.connection = conn.str_value("Name")
        adapter.pnp = conn.str_value("PnPInstanceId")
    return by_guid


def _prefixlen(mask: str) -> int:
    return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen


def interface_addresses(key: RegKey) -> Tuple[Address, ...]:
    """Static IPAddress/SubnetMask, or the DHCP lease when EnableDHCP=1 (Windows ignores the
    static lists then, and leaves ``0.0.0.0`` in them)."""
    if key.int_value("EnableDHCP") == 1:
        ips, masks = multi_sz(key.value("DhcpIPAddress")), multi_sz(key.value("DhcpSubnetMask"))
    else:
        ips, masks = multi_sz(key.value("IPAddress")), multi_sz(key.value("SubnetMask"))
    out = []
    for ip, mask in zip(ips, masks):
        if ip == "0.0.0.0":
            continue
        try:
            out.append(Address(ipaddress.ip_address(ip), _prefixlen(mask)))
        except ValueError as exc:
            raise FactError("windows.bad_value", path=key.path, value=f"{ip}/{mask}") from exc
    return tuple(out)


class _Iface:
    def __init__(self, key: RegKey, adapter: Optional[Adapter]) -> None:
        self.key = key
        self.adapter = adapter
        self.name = (adapter.connection if adapter is not None else "") or key.name


def _tcpip_interfaces(reg: Registry) -> List[_Iface]:
    return list(reg.memo("tcpip_interfaces", lambda: _read_tcpip_interfaces(reg)))


def _read_tcpip_interfaces(reg: Registry) -> List[_Iface]:
    adapters = _adapters(reg)
    root = _system_key(reg, "Services\\Tcpip\\Parameters\\Interfaces")
    if root is None:
        raise FactError("windows.key_missing", path=f"{reg.system.label}\\{reg.control_set}\\Services\\Tcpip")
    return [_Iface(k, adapters.get(k.name.lower())) for k in root.subkeys()]


def _live_up(target: Target) -> Dict[str, bool]:
    if not target.is_live:
        return {}
    import psutil

    return {name: st.isup for name, st in psutil.net_if_stats().items()}


def collect_interfaces(ctx: CollectContext) -> Tuple[Interface, ...]:
    reg = _registry(ctx)
    up = _live_up(ctx.target)
    out = []
    for it in _tcpip_interfaces(reg):
        kind, why = classify_adapter(it.key.name, it.adapter)
        pnp = it.adapter.pnp if it.adapter is not None else ""
        out.append(Interface(
            name=it.name, kind=kind, up=up.get(it.name), addresses=interface_addresses(it.key),
            driver=it.adapter.description if it.adapter is not None else "",
            bus=pnp.split("\\", 1)[0].lower() if "\\" in pnp else "", why=why, source=it.key.path,
            configured=True, dhcp=it.key.int_value("EnableDHCP") == 1))
    return tuple(out)


_DEFAULT = ipaddress.ip_network("0.0.0.0/0")


def parse_persistent_route(name: str) -> Tuple[ipaddress.IPv4Network, str, Optional[int]]:
    """A PersistentRoutes value name ``dest,mask,gateway,metric`` (metric -1 = automatic)."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) < 3:
        raise ValueError(f"not a persistent route: {name!r}")
    dst = ipaddress.IPv4Network(f"{parts[0]}/{parts[1]}", strict=False)
    metric = int(parts[3]) if len(parts) > 3 and parts[3].lstrip("-").isdigit() and int(parts[3]) >= 0 else None
    return dst, parts[2], metric


def _dev_for_gateway(gateway: str, ifaces: Sequence[Tuple[str, Tuple[Address, ...]]]) -> str:
    """Windows sends a persistent route out of the interface whose subnet holds the gateway."""
    try:
        gw = ipaddress.ip_address(gateway)
    except ValueError:
        return ""
    return next((name for name, addrs in ifaces for a in addrs if gw in a.network), "")


def collect_routing(ctx: CollectContext) -> Routing:
    reg = _registry(ctx)
    routes: List[Route] = []
    named: List[Tuple[str, Tuple[Address, ...]]] = []
    for it in _tcpip_interfaces(reg):
        addrs = interface_addresses(it.key)
        named.append((it.name, addrs))
        dhcp = it.key.int_value("EnableDHCP") == 1
        value = "DhcpDefaultGateway" if dhcp else "DefaultGateway"
        metrics = multi_sz(it.key.value("DefaultGatewayMetric"))
        for i, gw in enumerate(multi_sz(it.key.value(value))):
            metric = int(metrics[i]) if i < len(metrics) and metrics[i].isdigit() and not dhcp else None
            routes.append(Route(dst=_DEFAULT, gateway=gw, dev=it.name, protocol="dhcp" if dhcp else "static",
                                metric=metric, source=f"{it.key.path} {value}", configured=True))
    persistent = _system_key(reg, "Services\\Tcpip\\Parameters\\PersistentRoutes")
    for name in persistent.values() if persistent is not None else {}:
        try:
            dst, gw, metric = parse_persistent_route(name)
        except ValueError as exc:
            raise FactError("windows.bad_value", path=persistent.path if persistent else "", value=name) from exc
        routes.append(Route(dst=dst, gateway=gw, dev=_dev_for_gateway(gw, named), protocol="persistent",
                            metric=metric, source=f"{persistent.path if persistent else ''} {name}", configured=True))
    if ctx.target.is_live:
        text = ctx.target.run(["route", "print", "-4"])
        by_ip = {str(a.ip): name for name, addrs in named for a in addrs}
        for r in parse_route_print(text):
            if r.protocol == "persistent":
                continue  # already read from PersistentRoutes above, with its interface
            routes.append(Route(dst=r.dst, type=r.type, gateway=r.gateway, dev=by_ip.get(r.dev, r.dev),
                                protocol=r.protocol, metric=r.metric, source="route print -4"))
    return Routing(routes=tuple(routes), rules=(), source="Tcpip\\Parameters")


def split_name_servers(text: str) -> List[str]:
    """NameServer / DhcpNameServer hold addresses separated by spaces or commas."""
    return [p for p in re.split(r"[\s,;]+", text or "") if p]


def collect_resolvers(ctx: CollectContext) -> Tuple[Resolver, ...]:
    reg = _registry(ctx)
    out: List[Resolver] = []
    seen = set()
    for it in _tcpip_interfaces(reg):
        static = split_name_servers(it.key.str_value("NameServer"))
        # a static list wins; the DHCP one is used only when none is set and DHCP is on
        name, servers = ("NameServer", static) if static or it.key.int_value("EnableDHCP") != 1 else (
            "DhcpNameServer", split_name_servers(it.key.str_value("DhcpNameServer")))
        for addr in servers:
            seen.add(addr)
            out.append(Resolver(address=addr, source=f"{it.key.path} {name}", interface=it.name))
    params = _system_key(reg, "Services\\Tcpip\\Parameters")
    for name in ("NameServer", "DhcpNameServer"):
        for addr in split_name_servers(params.str_value(name) if params is not None else ""):
            if addr not in seen:  # the global DhcpNameServer repeats the last lease's servers
                seen.add(addr)
                out.append(Resolver(address=addr, source=f"{params.path if params else ''} {name}"))
    software = reg.software
    policy = software.key("Policies\\Microsoft\\Windows NT\\DNSClient") if software is not None else None
    for addr in split_name_servers(policy.str_value("NameServer") if policy is not None else ""):
        out.append(Resolver(address=addr, source=f"{policy.path if policy else ''} NameServer"))
    return tuple(out)


def parse_winhttp_settings(data: bytes) -> Tuple[str, str]:
    """WinHttpSettings (``netsh winhttp set proxy``) -> (proxy server, bypass list); ("", "") = direct.

    Layout: DWORD struct version, DWORD counter, DWORD flags (2 = proxy set), then
    length-prefixed proxy and bypass strings.
    """
    if len(data) < 12:
        raise ValueError("WinHttpSettings too short")
    _version, _counter, flags = struct.unpack_from("<III", data, 0)
    pos = 12
    strings = []
    for _ in range(2):
        if pos + 4 > len(data):
            strings.append("")
            continue
        (length,) = struct.unpack_from("<I", data, pos)
        pos += 4
        strings.append(data[pos:pos + length].decode("latin-1"))
        pos += length
    if not flags & 2:
        return "", ""
    return strings[0], strings[1]


def _proxy_settings(key: Optional[RegKey]) -> List[Proxy]:
    if key is None:
        return []
    out = []
    if key.int_value("ProxyEnable") == 1 and key.str_value("ProxyServer"):
        out.append(Proxy("ProxyServer", key.str_value("ProxyServer"), f"{key.path} (ProxyEnable=1)"))
    if key.str_value("AutoConfigURL"):
        out.append(Proxy("AutoConfigURL", key.str_value("AutoConfigURL"), key.path))
    return out


INTERNET_SETTINGS = "Microsoft\\Windows\\CurrentVersion\\Internet Settings"


def collect_proxies(ctx: CollectContext) -> Tuple[Proxy, ...]:
    reg = _registry(ctx)
    software = reg.require_software()
    users = reg.ntusers
    if not users:
        raise FactError("windows.no_ntuser")  # proxies are per user: unknown without any HKCU
    out: List[Proxy] = []
    for user in users:
        out += _proxy_settings(user.software_key(INTERNET_SETTINGS))
        out += _proxy_settings(user.software_key(f"Policies\\{INTERNET_SETTINGS}"))
    out += _proxy_settings(software.key(INTERNET_SETTINGS))  # used when ProxySettingsPerUser=0
    out += _proxy_settings(software.key(f"Policies\\{INTERNET_SETTINGS}"))
    conns = software.key(f"{INTERNET_SETTINGS}\\Connections")
    raw = conns.value("WinHttpSettings") if conns is not None else None
    if isinstance(raw, bytes):
        try:
            server, bypass = parse_winhttp_settings(raw)
        except ValueError as exc:
            raise FactError("windows.bad_value", path=conns.path if conns else "", value="WinHttpSettings") from exc
        if server:
            out.append(Proxy("WinHttpSettings", server, f"{conns.path if conns else ''} (bypass: {bypass or '-'})"))
    return tuple(out)


def collect_shared(ctx: CollectContext) -> Tuple[SharedConnection, ...]:
    """Indicators that Internet Connection Sharing or a hosted network is switched on.

    Since Vista the ICS public/private choice lives in the WMI HomeNet store, not the
    registry, so offline we report what the registry does show: the SharedAccess service set
    to start automatically, EnableRebootPersistConnection, an adapter holding the ICS private
    address (SharedAccess\\Parameters ScopeAddress, 192.168.137.1 by default) while the service
    is not disabled, and a configured wireless hosted network.
    """
    reg = _registry(ctx)
    out: List[SharedConnection] = []
    svc = _system_key(reg, "Services\\SharedAccess")
    start = svc.int_value("Start") if svc is not None else None
    if svc is not None and start == 2:
        out.append(SharedConnection(name="SharedAccess", how="SharedAccess Start=2 (automatic)", source=svc.path))
    if svc is not None and svc.int_value("EnableRebootPersistConnection") == 1:
        out.append(SharedConnection(name="SharedAccess", how="EnableRebootPersistConnection=1", source=svc.path))
    if svc is not None and start != SERVICE_DISABLED:
        params = svc.subkey("Parameters")
        scope = (params.str_value("ScopeAddress") if params is not None else "") or "192.168.137.1"
        for it in _tcpip_interfaces(reg):
            if it.key.int_value("EnableDHCP") != 1 and scope in multi_sz(it.key.value("IPAddress")):
                out.append(SharedConnection(name=it.name, how=f"ICS private address {scope} (ScopeAddress)",
                                            interface=it.name, source=it.key.path))
    # Windows creates HostedNetworkSettings with SSID "DEFAULTSSID" on any Wi-Fi machine;
    # EverUsed=1 is what says the soft AP was actually started.
    hosted = _system_key(reg, "Services\\WlanSvc\\Parameters\\HostedNetworkSettings")
    if hosted is not None and hosted.int_value("EverUsed") == 1:
        out.append(SharedConnection(name="hosted network", how="wireless hosted network EverUsed=1",
                                    source=hosted.path))
    return tuple(out)


def collect_forwarding(ctx: CollectContext) -> Forwarding:
    reg = _registry(ctx)
    params = _system_key(reg, "Services\\Tcpip\\Parameters")
    if params is None:
        raise FactError("windows.key_missing", path=f"{reg.system.label}\\{reg.control_set}\\Services\\Tcpip")
    value = params.int_value("IPEnableRouter")
    return Forwarding(settings=(ForwardingSetting(family=4, scope="all", enabled=value == 1,
                                                  source=f"{params.path} IPEnableRouter={value if value is not None else '(absent)'}"),))


def parse_systemtime(data: Any) -> str:
    """A 16-byte SYSTEMTIME (year, month, weekday, day, hour, minute, second, ms) -> ISO text.

    NetworkList stores local time without a zone, so none is added.
    """
    if not isinstance(data, bytes) or len(data) < 16:
        return ""
    year, month, _wd, day, hour, minute, second, ms = struct.unpack_from("<8H", data)
    try:
        return datetime(year, month, day, hour, minute, second, ms * 1000).isoformat()
    except ValueError:
        return ""


def collect_history(ctx: CollectContext) -> Tuple[NetworkHistory, ...]:
    reg = _registry(ctx)
    software = reg.require_software()
    profiles = software.key("Microsoft\\Windows NT\\CurrentVersion\\NetworkList\\Profiles")
    out = []
    for prof in profiles.subkeys() if profiles is not None else []:
        name_type = prof.int_value("NameType")
        kind = NAME_TYPE_KIND.get(name_type if name_type is not None else -1, KIND_OTHER)
        out.append(NetworkHistory(
            name=prof.str_value("ProfileName") or prof.name, kind=kind,
            first_seen=parse_systemtime(prof.value("DateCreated")),
            last_seen=parse_systemtime(prof.value("DateLastConnected")), source=prof.path,
            detail=f"NameType={name_type} Description={prof.str_value('Description')}"))
    return tuple(out)


def collect_sockets(ctx: CollectContext) -> Tuple[Socket, ...]:
    ctx.target.require_live()
    import socket as _socket

    import psutil

    names = {p.pid: p.info.get("name") or "" for p in psutil.process_iter(["name"])}
    out = []
    for c in psutil.net_connections(kind="inet"):
        raddr: Any = c.raddr
        laddr: Any = c.laddr
        if not raddr:
            continue
        proto = "tcp" if c.type == _socket.SOCK_STREAM else "udp"
        out.append(Socket(proto=proto, family=6 if c.family == _socket.AF_INET6 else 4, laddr=laddr.ip,
                          lport=laddr.port, raddr=raddr.ip, rport=raddr.port,
                          status=c.status if proto == "tcp" else "CONNECTED", pid=c.pid,
                          process=names.get(c.pid or -1, "")))
    return tuple(out)


# ----------------------------------------------------------------------------------------------
# route print (live)


def _ipv4(text: str) -> Optional[ipaddress.IPv4Address]:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


def parse_route_print(text: str) -> Tuple[Route, ...]:
    """``route print -4`` -> routes, in any display language.

    Labels are localised ("On-link" / "在链路上", "Default" / "默认"), so rows are recognised by
    shape: active routes have five columns (destination, mask, gateway, interface address,
    metric), persistent routes four (destination, mask, gateway, metric). A gateway that is
    not an address is on-link; so is a gateway equal to the row's interface address, which is
    how Windows XP / Server 2003 printed on-link rows (recorded XP output in
    tests/data/windows/real). IPv6 rows (full ``route print``) never start with two IPv4
    addresses and are skipped.
    """
    rows: List[Tuple[List[str], bool]] = []
    for line in text.splitlines():
        tokens = line.split()
        if len(tokens) < 4 or _ipv4(tokens[0]) is None or _ipv4(tokens[1]) is None:
            continue
        if len(tokens) == 5 and _ipv4(tokens[3]) is not None:
            rows.append((tokens, False))
        elif len(tokens) == 4:
            rows.append((tokens, True))
    def gateway(tokens: List[str], persistent: bool) -> str:
        if _ipv4(tokens[2]) is None or (not persistent and tokens[2] == tokens[3]):
            return ""
        return tokens[2]

    on_link_broadcasts = set()
    for tokens, persistent in rows:
        net = ipaddress.IPv4Network(f"{tokens[0]}/{tokens[1]}", strict=False)
        if not persistent and not gateway(tokens, persistent) and net.prefixlen < 31:
            on_link_broadcasts.add(net.broadcast_address)
    local_addrs = {tokens[3] for tokens, persistent in rows if not persistent}
    out = []
    for tokens, persistent in rows:
        dst = ipaddress.IPv4Network(f"{tokens[0]}/{tokens[1]}", strict=False)
        gw = gateway(tokens, persistent)
        metric_text = tokens[-1]
        metric = int(metric_text) if metric_text.isdigit() else None
        kind = "unicast"
        if dst.is_multicast:
            kind = "multicast"
        elif dst.prefixlen == 32 and not gw and (dst.network_address == ipaddress.IPv4Address("255.255.255.255")
                                                 or dst.network_address in on_link_broadcasts):
            kind = "broadcast"
        elif dst.is_loopback or (dst.prefixlen == 32 and not gw and str(dst.network_address) in local_addrs):
            kind = "local"
        out.append(Route(dst=dst, type=kind, gateway=gw, dev="" if persistent else tokens[3],
                         protocol="persistent" if persistent else "active", metric=metric,
                         table="main", table_id=254, source="route print -4"))
    return tuple(out)


# ----------------------------------------------------------------------------------------------
# accounts and time


def parse_sam_domain_f(data: bytes) -> Tuple[Optional[int], Optional[int]]:
    """SAM\\Domains\\Account value ``F`` -> (minimum password length, maximum age in days).

    MaxPasswordAge (offset 0x18) is a negative interval in 100 ns ticks; the most negative
    value (or 0) means "never expires". MinPasswordLength is the WORD at 0x50.
    """
    if not isinstance(data, bytes) or len(data) < 0x52:
        raise ValueError("SAM domain F value is too short")
    (max_age,) = struct.unpack_from("<q", data, 0x18)
    (min_len,) = struct.unpack_from("<H", data, 0x50)
    days = None if max_age in (0, -(2 ** 63)) else (-max_age) // (10 ** 7 * 86400)
    return min_len, days


def parse_secedit_inf(text: str) -> Dict[str, str]:
    """The [System Access] section of ``secedit /export`` (keys are never localised)."""
    out: Dict[str, str] = {}
    section = ""
    for raw in text.lstrip("\ufeff").splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        if section == "system access" and "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip().strip('"')
    return out


def policy_from_secedit(text: str) -> PasswordPolicy:
    access = parse_secedit_inf(text)
    if "MinimumPasswordLength" not in access or "MaximumPasswordAge" not in access:
        raise ValueError("secedit export has no [System Access] password settings")
    min_len = int(access["MinimumPasswordLength"])
    max_age = int(access["MaximumPasswordAge"])
    return PasswordPolicy(
        min_length=min_len, max_age_days=None if max_age <= 0 else max_age,
        sources=(("secedit /export /areas SECURITYPOLICY",
                  f"MinimumPasswordLength = {min_len}, MaximumPasswordAge = {max_age}"),))


def parse_net_accounts(text: str) -> Tuple[int, Optional[int]]:
    """``net accounts`` -> (minimum length, maximum age in days or None = unlimited).

    The labels are translated ("Maximum password age (days):" / "密码最长使用期限(天):"), so the
    values are taken by position among the "label: value" lines (net.exe appends the colon in
    every language): the 3rd is the maximum age, the 4th the minimum length. Lines without a
    colon are not fields: a domain answer starts with "The request will be processed at a
    domain controller …" / "这项请求将在域 … 的域控制器处理。", which shifted every value by one
    before (recorded in tests/data/windows/real). The last word of a field line is its value;
    a maximum age that is not a number ("Unlimited", "无限制") means passwords never expire.
    """
    fields = [ln for ln in text.splitlines() if (":" in ln or "\uff1a" in ln) and ln.split()]
    values = [ln.split()[-1] for ln in fields]
    if len(values) < 5 or not values[1].isdigit() or not values[3].isdigit():
        raise ValueError("unexpected net accounts output")
    return int(values[3]), int(values[2]) if values[2].isdigit() else None


def collect_password_policy(ctx: CollectContext) -> PasswordPolicy:
    target = ctx.target
    reg = _registry(ctx)
    if target.is_live:
        return _live_password_policy(target)
    sam = reg.sam
    if sam is None:
        raise Unsupported("windows.sam_missing")
    key = sam.key("SAM\\Domains\\Account")
    data = key.value("F") if key is not None else None
    if not isinstance(data, bytes):
        raise FactError("windows.key_missing", path=f"{sam.label}\\SAM\\Domains\\Account F")
    try:
        min_len, max_age = parse_sam_domain_f(data)
    except ValueError as exc:
        raise FactError("windows.bad_value", path=key.path if key else "", value="F") from exc
    return PasswordPolicy(min_length=min_len, max_age_days=max_age,
                          sources=((f"{key.path if key else ''} F",
                                    f"MinPasswordLength={min_len}, MaxPasswordAge={max_age if max_age is not None else 'never'} days"),))


def _live_password_policy(target: Target) -> PasswordPolicy:
    """secedit (needs an elevated prompt) into a private temp file, else ``net accounts``."""
    fd, path = tempfile.mkstemp(prefix="ybguard-", suffix=".inf")
    os.close(fd)
    try:
        try:
            target.run(["secedit", "/export", "/cfg", path, "/areas", "SECURITYPOLICY", "/quiet"], timeout=30)
            with open(path, "rb") as fh:
                raw = fh.read()
            text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8", "replace")
            return policy_from_secedit(text)
        except (RuntimeError, ValueError, OSError):
            pass
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    min_len, max_age = parse_net_accounts(target.run(["net", "accounts"]))
    return PasswordPolicy(min_length=min_len, max_age_days=max_age,
                          sources=(("net accounts", f"minimum length {min_len}, maximum age {max_age}"),))


def parse_ntp_servers(text: str) -> Tuple[str, ...]:
    """``time.windows.com,0x9 10.50.0.123,0x8`` -> ("time.windows.com", "10.50.0.123")."""
    return tuple(p.split(",", 1)[0] for p in (text or "").split() if p.split(",", 1)[0])


def collect_time(ctx: CollectContext) -> TimeSync:
    """W32Time: Type NTP/AllSync uses NtpServer; NT5DS follows the domain hierarchy (servers
    unknown offline); NoSync, a disabled service or a disabled NtpClient sync nothing."""
    reg = _registry(ctx)
    svc = _system_key(reg, "Services\\W32Time")
    if svc is None:
        return TimeSync(daemon="", servers=(), synchronized=None,
                        sources=((f"{reg.system.label}\\{reg.control_set}\\Services\\W32Time", "absent"),))
    params = svc.subkey("Parameters")
    sources: List[Tuple[str, str]] = []
    sync_type = params.str_value("Type") if params is not None else ""
    servers_text = params.str_value("NtpServer") if params is not None else ""
    if params is not None:
        sources.append((params.path, f"Type={sync_type} NtpServer={servers_text}"))
    software = reg.software
    policy = software.key("Policies\\Microsoft\\W32Time\\Parameters") if software is not None else None
    if policy is not None:  # group policy overrides the service's own settings
        sync_type = policy.str_value("Type") or sync_type
        servers_text = policy.str_value("NtpServer") or servers_text
        sources.append((policy.path, f"Type={policy.str_value('Type')} NtpServer={policy.str_value('NtpServer')}"))
    client = svc.subkey("TimeProviders\\NtpClient")
    start = svc.int_value("Start")
    sources.append((svc.path, f"Start={start}"))
    enabled = start != SERVICE_DISABLED and sync_type.upper() != "NOSYNC" and (
        client is None or client.int_value("Enabled") != 0)
    servers = parse_ntp_servers(servers_text) if sync_type.upper() in ("NTP", "ALLSYNC") else ()
    return TimeSync(daemon="w32time" if enabled else "", servers=servers if enabled else (), synchronized=None,
                    sources=tuple(sources))


WINDOWS: Dict[str, Collector] = {
    "host.identity": collect_host,
    "usb.driver": collect_usb_driver,
    "usb.history": collect_usb_history,
    "software.packages": collect_packages,
    "software.processes": collect_processes,
    "network.interfaces": collect_interfaces,
    "network.routing": collect_routing,
    "network.resolvers": collect_resolvers,
    "network.proxies": collect_proxies,
    "network.shared": collect_shared,
    "network.forwarding": collect_forwarding,
    "network.history": collect_history,
    "network.sockets": collect_sockets,
    "accounts.password_policy": collect_password_policy,
    "time.sync": collect_time,
}
