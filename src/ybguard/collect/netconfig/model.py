"""What saved network configuration says, as one record type, and the helpers every
configurator module shares (addresses, tables, kinds, linking bridge ports, reading files)."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, fields, replace
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from ...facts.network import (
    Address,
    ForwardingSetting,
    Interface,
    InterfaceKind,
    IPNetwork,
    NatRule,
    Resolver,
    Route,
    Rule,
    SharedConnection,
)
from ...target.interface import Target
from ..syntax.dropins import read_config
from ..syntax.errors import Ignored, Rejected

DEFAULT4 = ipaddress.ip_network("0.0.0.0/0")
DEFAULT6 = ipaddress.ip_network("::/0")
TABLE_IDS = {"local": 255, "main": 254, "default": 253}
TABLE_NAMES = {v: k for k, v in TABLE_IDS.items()}
ROUTING_SOURCE = "saved configuration"


@dataclass(frozen=True)
class NetConfig:
    """Everything one configuration file says about the network (a parser's result)."""

    interfaces: Tuple[Interface, ...] = ()
    routes: Tuple[Route, ...] = ()
    rules: Tuple[Rule, ...] = ()
    resolvers: Tuple[Resolver, ...] = ()
    shared: Tuple[SharedConnection, ...] = ()
    nat: Tuple[NatRule, ...] = ()
    forwarding: Tuple[ForwardingSetting, ...] = ()  # in the order they take effect
    rule_files: Tuple[Tuple[str, str], ...] = ()  # ("iptables"|"nft", path) loaded by a hook script
    notes: Tuple[Ignored, ...] = ()  # lines or values the owning program skips (with a warning)
    rejected: Tuple[Rejected, ...] = ()  # files the owning program refuses: what they say is unknown


_FIELDS = tuple(f.name for f in fields(NetConfig))


def merge(configs: Iterable[NetConfig]) -> NetConfig:
    acc: Dict[str, List[Any]] = {k: [] for k in _FIELDS}
    for c in configs:
        for k, items in acc.items():
            items.extend(getattr(c, k))
    return NetConfig(**{k: tuple(v) for k, v in acc.items()})


# A file the owner would reject: the syntax layer's error, under the name the parsers always used.
ConfigError = Rejected


def rejection(exc: Exception, label: str, affects: Tuple[str, ...] = ()) -> Rejected:
    """Any parser failure on one file as a located rejection of that file."""
    if isinstance(exc, Rejected):
        return Rejected(exc.path, exc.problem, exc.affects or affects) if affects else exc
    return Rejected(label, f"{type(exc).__name__}: {exc}", affects)


def parse_file(label: str, fn: Callable[..., NetConfig], *args: Any, affects: Tuple[str, ...] = ()) -> NetConfig:
    """Run a parser on one file (``label`` names it); a file its owner refuses gives a NetConfig
    holding only that rejection, so the other files still count (never an empty "nothing").
    ``affects``: the NetConfig fields such a file can fill (empty: any)."""
    try:
        return fn(*args)
    except (ValueError, TypeError) as exc:  # a number that is not one, a list where a scalar belongs …
        return NetConfig(rejected=(rejection(exc, label, affects),))


# --- small shared helpers ------------------------------------------------------------------------

SECRET_KEYS = re.compile(
    r"(psk|password|passwd|secret|privatekey|presharedkey|private-key|preshared-key|wep-key\d*|pin|"
    r"leap-password|auth-user-pass)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """Blank the value of anything that looks like a secret before it can reach evidence."""
    return re.sub(r"(?i)\b(" + SECRET_KEYS.pattern[1:-1] + r")\b(\s*[=:]?\s*)(\"[^\"]*\"|\S+)",
                  r"\1\2<redacted>", text)




def truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "y", "on")


def parse_address(text: str, netmask: str = "") -> Optional[Address]:
    """``192.0.2.5/24``, or ``192.0.2.5`` + a netmask (dotted or length); None when not an address."""
    text = text.strip().split(",")[0]
    try:
        iface = ipaddress.ip_interface(f"{text}/{netmask}" if "/" not in text and netmask else text)
    except ValueError:
        return None
    return Address(iface.ip, iface.network.prefixlen)


def parse_network(text: str) -> Optional[IPNetwork]:
    text = text.strip()
    if text in ("default", "0/0"):
        return DEFAULT4
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def parse_table(value: Any) -> Tuple[str, int]:
    text = str(value).strip()
    if text in TABLE_IDS:
        return text, TABLE_IDS[text]
    try:
        num = int(text)
    except ValueError:
        return text, 0
    return TABLE_NAMES.get(num, str(num)), num


def connected_route(addr: Address, dev: str, source: str) -> Optional[Route]:
    """The kernel adds a link route for every address it is given; offline we add it ourselves."""
    net = addr.network
    if addr.ip.is_loopback or addr.ip.is_link_local or net.prefixlen == net.max_prefixlen:
        return None
    return Route(dst=net, dev=dev, protocol="kernel", source=source, configured=True)


def dhcp_default(family: int, dev: str, source: str, metric: Optional[int] = None, how: str = "dhcp") -> Route:
    """A default route the network (DHCP server, router advertisement, ppp peer) may hand out."""
    return Route(dst=DEFAULT4 if family == 4 else DEFAULT6, gateway=how, dev=dev, protocol=how,
                 metric=metric, source=source, configured=True)


# Driver names that settle what an interface is, whatever it is called.
DRIVER_KINDS = {
    "rndis_host": InterfaceKind.USB_TETHER, "cdc_ether": InterfaceKind.USB_TETHER,
    "cdc_ncm": InterfaceKind.USB_TETHER,
    "cdc_eem": InterfaceKind.USB_TETHER, "ipheth": InterfaceKind.USB_TETHER,
    "qmi_wwan": InterfaceKind.CELLULAR, "cdc_mbim": InterfaceKind.CELLULAR,
    "huawei_cdc_ncm": InterfaceKind.CELLULAR,
    "option": InterfaceKind.CELLULAR, "sierra_net": InterfaceKind.CELLULAR,
}

# Offline, a configured name is often all there is. udev's predictable names encode the device
# type (wl* = WLAN, ww* = WWAN), and rndis_host/cdc_ether name their devices usb%d.
_NAME_KINDS = (
    ("wl", InterfaceKind.WIRELESS), ("ww", InterfaceKind.CELLULAR), ("ppp", InterfaceKind.PPP),
    ("wg", InterfaceKind.VPN), ("tun", InterfaceKind.VPN),
    ("tap", InterfaceKind.VPN), ("usb", InterfaceKind.USB_TETHER), ("rndis", InterfaceKind.USB_TETHER),
)


def kind_from_name(name: str) -> Tuple[InterfaceKind, Tuple[Tuple[str, str], ...]]:
    if name == "lo":
        return InterfaceKind.LOOPBACK, (("name", "lo"),)
    for prefix, kind in _NAME_KINDS:
        if name.startswith(prefix):
            return kind, (("name", f"{prefix}*"),)
    if "." in name and name.split(".")[-1].isdigit():
        return InterfaceKind.VLAN, (("name", "<dev>.<vlan id>"),)
    return InterfaceKind.ETHERNET, ()


def link_ports(interfaces: Sequence[Interface]) -> Tuple[Interface, ...]:
    """Ports may be declared on the bridge (netplan, ifupdown) or on the port (NetworkManager
    ``master=``, networkd ``Bridge=``, hostapd ``bridge=``): give both sides the link, by name."""
    ethernets = [i.name for i in interfaces if i.kind == InterfaceKind.ETHERNET and not i.ports]
    interfaces = [replace(i, ports=tuple(p for p in i.ports if p != "all") + tuple(ethernets)) if "all" in i.ports
                  else i for i in interfaces]  # ifupdown `bridge_ports all`: every Ethernet interface
    linked = with_masters(interfaces)
    ports_of: Dict[str, List[str]] = {}
    for i in linked:
        if i.master:
            ports_of.setdefault(i.master, []).append(i.name)
    return tuple(replace(i, ports=i.ports + tuple(p for p in dict.fromkeys(ports_of[i.name]) if p not in i.ports))
                 if i.kind in (InterfaceKind.BRIDGE, InterfaceKind.BOND) and i.name in ports_of else i for i in linked)


def merge_devices(interfaces: Sequence[Interface]) -> Tuple[Interface, ...]:
    """Records of one kernel device (same name and kind) from several tools become one record whose
    ``source`` lists every file, so a check reports the device once with all its evidence."""
    out: Dict[Tuple[str, str], Interface] = {}
    for i in interfaces:
        key = (i.name, i.kind)
        prev = out.get(key)
        if prev is None:
            out[key] = i
            continue
        sources = prev.source.split("; ")
        out[key] = replace(
            prev, mac=prev.mac or i.mac, master=prev.master or i.master, dhcp=prev.dhcp or i.dhcp,
            addresses=prev.addresses + tuple(a for a in i.addresses if a not in prev.addresses),
            ports=prev.ports + tuple(p for p in i.ports if p not in prev.ports),
            why=prev.why + tuple(w for w in i.why if w not in prev.why),
            source="; ".join(sources + ([i.source] if i.source not in sources else [])))
    return tuple(out.values())


def with_masters(interfaces: Sequence[Interface]) -> Tuple[Interface, ...]:
    """Give every bridge/bond port the name of its master (ports are declared on the master)."""
    master_of: Dict[str, str] = {}
    for i in interfaces:
        for p in i.ports:
            master_of.setdefault(p, i.name)
    return tuple(replace(i, master=master_of[i.name]) if not i.master and i.name in master_of else i
                 for i in interfaces)



def num_suffix(key: str) -> int:
    m = re.search(r"(\d+)$", key)
    return int(m.group(1)) if m else 0



# --- reading through the target ---------------------------------------------------------------

read_file = read_config  # masked by a link to /dev/null: "" (it says nothing and hides its namesakes)


def list_files(target: Target, pattern: str) -> List[str]:
    """Regular files (after links) matching a glob inside the image, sorted by path; like glob(3),
    a wildcard does not match a leading dot."""
    hidden_ok = os.path.basename(pattern).startswith(".")
    return [p for p in target.glob(pattern)
            if not target.is_dir(p) and (hidden_ok or not os.path.basename(p).startswith("."))]


def per_file(target: Target, pattern: str, parser: Callable[[str, str], NetConfig],
             affects: Tuple[str, ...] = ()) -> NetConfig:
    """Every file matching ``pattern``, each parsed alone (one refused file refuses only itself)."""
    configs = []
    for path in list_files(target, pattern):
        text = read_file(target, path)
        if text is not None:
            configs.append(parse_file(path, parser, path, text, affects=affects))
    return merge(configs)


def read_once(target: Target, paths: Iterable[str], seen: Set[str],
              key: Callable[[str], str] = lambda p: p) -> Iterator[Tuple[str, str]]:
    """(path, text) of each file of ``paths`` the target holds, each once (by ``key``: the path,
    or where a link leads), remembering in ``seen`` what was read."""
    for path in paths:
        k = key(path)
        if k in seen:
            continue
        seen.add(k)
        text = read_file(target, path)
        if text is not None:
            yield path, text
