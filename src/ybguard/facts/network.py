"""Network facts.

Fact keys and their values:
  network.interfaces  -> Tuple[Interface, ...]
  network.routing     -> Routing            (routes of every table + policy rules)
  network.forwarding  -> Forwarding
  network.nat         -> Tuple[NatRule, ...]
  network.shared      -> Tuple[SharedConnection, ...]   (hotspot / ICS / ipv4.method=shared)
  network.resolvers   -> Tuple[Resolver, ...]
  network.proxies     -> Tuple[Proxy, ...]
  network.sockets     -> Tuple[Socket, ...]              (live only)
  network.history     -> Tuple[NetworkHistory, ...]      (networks the host has joined before)

On an offline target the same keys are filled from saved configuration; records then have
``configured=True`` and ``up=None`` where the state cannot be known.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass
from typing import Any, Optional, Tuple, Union

from .keys import FactKey

IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]

class InterfaceKind(str, enum.Enum):
    """What an interface is, decided from what the kernel (or the saved configuration) says the
    device is, never from its name. A ``str``: it compares, hashes and prints as its value, so
    policy kinds (plain strings) and report text need no conversion."""

    ETHERNET = "ethernet"
    WIRELESS = "wireless"
    CELLULAR = "cellular"
    USB_TETHER = "usb-tether"
    PPP = "ppp"
    VPN = "vpn"  # tun/tap, wireguard, ipip/gre/sit… tunnels, ARPHRD_NONE
    BRIDGE = "bridge"
    VETH = "veth"
    MACVLAN = "macvlan"
    VLAN = "vlan"
    BOND = "bond"
    DUMMY = "dummy"
    LOOPBACK = "loopback"
    OTHER = "other"

    def __hash__(self) -> int:
        return str.__hash__(self)

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return str.__format__(self, spec)


# The names the first landing used; kept so every importer reads the same kinds.
KIND_ETHERNET = InterfaceKind.ETHERNET
KIND_WIRELESS = InterfaceKind.WIRELESS
KIND_CELLULAR = InterfaceKind.CELLULAR
KIND_USB_TETHER = InterfaceKind.USB_TETHER
KIND_PPP = InterfaceKind.PPP
KIND_VPN = InterfaceKind.VPN
KIND_BRIDGE = InterfaceKind.BRIDGE
KIND_VETH = InterfaceKind.VETH
KIND_MACVLAN = InterfaceKind.MACVLAN
KIND_VLAN = InterfaceKind.VLAN
KIND_BOND = InterfaceKind.BOND
KIND_DUMMY = InterfaceKind.DUMMY
KIND_LOOPBACK = InterfaceKind.LOOPBACK
KIND_OTHER = InterfaceKind.OTHER


@dataclass(frozen=True)
class Address:
    ip: IPAddress
    prefixlen: int

    @property
    def network(self) -> IPNetwork:
        return ipaddress.ip_network(f"{self.ip}/{self.prefixlen}", strict=False)

    def __str__(self) -> str:
        return f"{self.ip}/{self.prefixlen}"


@dataclass(frozen=True)
class Interface:
    name: str
    kind: str
    mac: str = ""  # lower case, colon separated; "" when unknown
    up: Optional[bool] = None  # None: not known (saved configuration)
    addresses: Tuple[Address, ...] = ()
    driver: str = ""
    bus: str = ""  # "usb", "pci", "" …
    master: str = ""  # the bridge/bond this interface is a port of
    ports: Tuple[str, ...] = ()  # for bridges: their ports
    why: Tuple[Tuple[str, str], ...] = ()  # what made us pick ``kind``: (("DEVTYPE", "wlan"), …)
    source: str = ""  # evidence source, e.g. "sysfs /sys/class/net/wlan0"
    configured: bool = False  # from saved configuration, not the running kernel
    dhcp: bool = False  # configured to take an address (and maybe a gateway) by DHCP


@dataclass(frozen=True)
class Route:
    dst: IPNetwork  # 0.0.0.0/0 or ::/0 for default
    type: str = "unicast"  # unicast, blackhole, unreachable, prohibit, local, broadcast, multicast, throw, nat
    gateway: str = ""
    dev: str = ""
    table: str = "main"  # name or number as the system names it
    table_id: int = 254
    protocol: str = ""
    metric: Optional[int] = None
    source: str = ""  # where we read it: "ip -json route show table all", a netplan file …
    configured: bool = False

    @property
    def family(self) -> int:
        return self.dst.version

    def describe(self) -> str:
        dst = "default" if self.dst.prefixlen == 0 else str(self.dst)
        parts = [dst] if self.type == "unicast" else [self.type, dst]
        if self.gateway:
            parts += ["via", self.gateway]
        if self.dev:
            parts += ["dev", self.dev]
        parts += ["table", self.table]
        return " ".join(parts)


@dataclass(frozen=True)
class Rule:
    priority: int
    action: str  # "table" (lookup), "blackhole", "unreachable", "prohibit", "goto", "nop"
    table: str = ""  # for action "table"
    table_id: Optional[int] = None
    selector: str = ""  # "from all", "from 10.0.0.0/8 iif eth1 fwmark 0x1" …
    family: int = 4
    raw: str = ""


@dataclass(frozen=True)
class Unread:
    """One source of a fact that could not be read; ``key``/``args`` name the i18n reason."""

    source: str
    key: str
    args: Tuple[Tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Routing:
    routes: Tuple[Route, ...]
    rules: Tuple[Rule, ...]
    source: str = ""
    # sources that could not be read (route.exe missing …): the routes are partial; the checks
    # report every violation the readable sources prove, plus one error per unread source
    unreadable: Tuple[Unread, ...] = ()


@dataclass(frozen=True)
class ForwardingSetting:
    family: int  # 4 or 6
    scope: str  # "all", "default" or an interface name
    enabled: bool
    source: str  # "/proc/sys/net/ipv4/ip_forward", "/etc/sysctl.d/99-x.conf:3" …


@dataclass(frozen=True)
class Forwarding:
    settings: Tuple[ForwardingSetting, ...]

    def enabled(self) -> Tuple[ForwardingSetting, ...]:
        return tuple(s for s in self.settings if s.enabled)


@dataclass(frozen=True)
class NatRule:
    text: str  # the rule as the tool printed it
    table: str = ""
    chain: str = ""
    kind: str = "masquerade"  # masquerade | snat | dnat
    source: str = ""  # "nft -j list ruleset", "iptables-save", a saved rules file


@dataclass(frozen=True)
class SharedConnection:
    name: str  # connection / interface name
    how: str  # "ipv4.method=shared", "wifi mode=ap", "SharedAccess", "hostapd" …
    interface: str = ""
    source: str = ""


@dataclass(frozen=True)
class Resolver:
    address: str  # as configured (IP text)
    source: str  # "/etc/resolv.conf:3", "systemd-resolved link eth0", …
    interface: str = ""


@dataclass(frozen=True)
class Proxy:
    setting: str  # "http_proxy", "Acquire::http::Proxy", "ProxyServer" …
    value: str
    source: str


@dataclass(frozen=True)
class Socket:
    proto: str  # tcp | udp
    family: int  # 4 | 6
    laddr: str
    lport: int
    raddr: str
    rport: int
    status: str  # ESTABLISHED, SYN_SENT, … ; "CONNECTED" for connected UDP
    pid: Optional[int] = None
    process: str = ""
    user: str = ""
    exe: str = ""


@dataclass(frozen=True)
class NetworkHistory:
    """A network the host remembers having joined (Windows NetworkList profiles …): evidence of
    past connections even when nothing is connected now."""

    name: str  # profile name / SSID as the host recorded it
    kind: str  # a KIND_* value: wireless, cellular, ethernet, vpn, other
    first_seen: str = ""  # ISO 8601 (host local time when the host stored local time)
    last_seen: str = ""
    source: str = ""
    detail: str = ""


# Typed keys of the network facts (the docstring above lists them).
INTERFACES: FactKey[Tuple[Interface, ...]] = FactKey("network.interfaces")
ROUTING: FactKey[Routing] = FactKey("network.routing")
FORWARDING: FactKey[Forwarding] = FactKey("network.forwarding")
NAT: FactKey[Tuple[NatRule, ...]] = FactKey("network.nat")
SHARED: FactKey[Tuple[SharedConnection, ...]] = FactKey("network.shared")
RESOLVERS: FactKey[Tuple[Resolver, ...]] = FactKey("network.resolvers")
PROXIES: FactKey[Tuple[Proxy, ...]] = FactKey("network.proxies")
SOCKETS: FactKey[Tuple[Socket, ...]] = FactKey("network.sockets")
HISTORY: FactKey[Tuple[NetworkHistory, ...]] = FactKey("network.history")
