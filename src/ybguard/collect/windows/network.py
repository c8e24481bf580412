"""Interfaces, routes and forwarding: the Tcpip keys, adapter classes, and ``route print`` live."""

from __future__ import annotations

import ipaddress
from typing import Dict, List, Optional, Sequence, Tuple

from ...facts.network import (
    KIND_ETHERNET,
    KIND_LOOPBACK,
    KIND_OTHER,
    KIND_USB_TETHER,
    Address,
    Forwarding,
    ForwardingSetting,
    Interface,
    Route,
    Routing,
    Unread,
)
from ...target.interface import Target
from ...target.windows import Registry, RegKey, multi_sz
from ..interface import CollectContext, Collector, FactError, reason_of
from .common import (
    IFTYPE_KIND,
    NET_CLASS,
    PHYSICAL_MEDIUM_KIND,
    PHYSICAL_MEDIUM_NAME,
    _registry,
    _system_key,
)


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
    return target.interfaces_up()


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
    unread: List[Unread] = []
    if ctx.target.is_live:
        try:
            text = ctx.target.run(["route", "print"])
        except Exception as exc:  # noqa: BLE001 - the registry's routes still stand (partial facts)
            reason = reason_of(exc)
            unread.append(Unread("route print", reason.key, tuple(sorted(reason.args_map.items()))))
            text = ""
        by_ip = {str(a.ip): name for name, addrs in named for a in addrs}
        for r in parse_route_print(text):
            if r.protocol == "persistent":
                continue  # already read from PersistentRoutes above, with its interface
            routes.append(Route(dst=r.dst, type=r.type, gateway=r.gateway, dev=by_ip.get(r.dev, r.dev),
                                protocol=r.protocol, metric=r.metric, source="route print"))
    return Routing(routes=tuple(routes), rules=(), source="Tcpip\\Parameters", unreadable=tuple(unread))


def collect_forwarding(ctx: CollectContext) -> Forwarding:
    reg = _registry(ctx)
    params = _system_key(reg, "Services\\Tcpip\\Parameters")
    if params is None:
        raise FactError("windows.key_missing", path=f"{reg.system.label}\\{reg.control_set}\\Services\\Tcpip")
    value = params.int_value("IPEnableRouter")
    return Forwarding(settings=(ForwardingSetting(family=4, scope="all", enabled=value == 1,
                                                  source=f"{params.path} IPEnableRouter={value if value is not None else '(absent)'}"),))


def _ipv4(text: str) -> Optional[ipaddress.IPv4Address]:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


def parse_route_print(text: str) -> Tuple[Route, ...]:
    """``route print`` -> the IPv4 routes, in any display language.

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
                         table="main", table_id=254, source="route print"))
    return tuple(out)


FACTS: Dict[str, Collector] = {
    "network.interfaces": collect_interfaces,
    "network.routing": collect_routing,
    "network.forwarding": collect_forwarding,
}
