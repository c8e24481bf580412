"""Network facts of an offline Linux image, read from its saved configuration.

A golden image has no running kernel to ask, so the network questions are asked of the files
that will configure the kernel when the image boots: netplan, NetworkManager keyfiles,
ifupdown, systemd-networkd, wpa_supplicant, hostapd, ppp peers, WireGuard and OpenVPN
configurations, resolv.conf and resolved.conf, sysctl.d, and saved firewall rules.

The collectors fill the same fact keys as the live collectors (``facts/network.py``), with
``configured=True``, ``up=None`` and ``source`` = ``"<path inside the image>:<line>"``.
Where saved configuration cannot say what the kernel will do, the records lean towards the
risk, never away from it (fail closed): an interface configured for DHCP is reported with a
possible default route (``gateway="dhcp"``), because the DHCP server decides, not the image.
docs/offline-images.md lists every file read, the precedence rules and the known gaps.

Each format has a pure parser ``parse_x(path, text) -> NetConfig`` (or similar); collectors
read through ``ctx.target`` (links resolved inside the image) and merge what the parsers
return. Secrets (psk=, password=, PrivateKey …) are never copied into a record.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import os
import re
import shlex
import weakref
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from ..facts.network import (
    KIND_BOND,
    KIND_BRIDGE,
    KIND_CELLULAR,
    KIND_DUMMY,
    KIND_ETHERNET,
    KIND_LOOPBACK,
    KIND_MACVLAN,
    KIND_OTHER,
    KIND_PPP,
    KIND_USB_TETHER,
    KIND_VETH,
    KIND_VLAN,
    KIND_VPN,
    KIND_WIRELESS,
    Address,
    Forwarding,
    ForwardingSetting,
    Interface,
    IPNetwork,
    NatRule,
    Resolver,
    Route,
    Routing,
    Rule,
    SharedConnection,
)
from ..target.interface import Target
from .interface import CollectContext, Collector, FactError

# One parser per file format: the live collectors' resolv.conf and dnsmasq readers serve images too.
from .network import parse_dnsmasq_servers, parse_resolv_conf

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


def merge(configs: Iterable[NetConfig]) -> NetConfig:
    acc: Dict[str, List[Any]] = {k: [] for k in ("interfaces", "routes", "rules", "resolvers", "shared", "nat",
                                                 "forwarding", "rule_files")}
    for c in configs:
        for k, items in acc.items():
            items.extend(getattr(c, k))
    return NetConfig(**{k: tuple(v) for k, v in acc.items()})


class ConfigError(ValueError):
    """A saved configuration file the system itself would reject (or that we cannot read safely)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


# --- small shared helpers ------------------------------------------------------------------------

_SECRET_KEYS = re.compile(
    r"(psk|password|passwd|secret|privatekey|presharedkey|private-key|preshared-key|wep-key\d*|pin|"
    r"leap-password|auth-user-pass)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """Blank the value of anything that looks like a secret before it can reach evidence."""
    return re.sub(r"(?i)\b(" + _SECRET_KEYS.pattern[1:-1] + r")\b(\s*[=:]?\s*)(\"[^\"]*\"|\S+)",
                  r"\1\2<redacted>", text)


def _src(path: str, line: Optional[int]) -> str:
    return f"{path}:{line}" if line else path


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "y", "on")


def _address(text: str, netmask: str = "") -> Optional[Address]:
    """``192.0.2.5/24``, or ``192.0.2.5`` + a netmask (dotted or length); None when not an address."""
    text = text.strip().split(",")[0]
    try:
        iface = ipaddress.ip_interface(f"{text}/{netmask}" if "/" not in text and netmask else text)
    except ValueError:
        return None
    return Address(iface.ip, iface.network.prefixlen)


def _network(text: str) -> Optional[IPNetwork]:
    text = text.strip()
    if text in ("default", "0/0"):
        return DEFAULT4
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _table(value: Any) -> Tuple[str, int]:
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
_DRIVER_KINDS = {
    "rndis_host": KIND_USB_TETHER, "cdc_ether": KIND_USB_TETHER, "cdc_ncm": KIND_USB_TETHER,
    "cdc_eem": KIND_USB_TETHER, "ipheth": KIND_USB_TETHER,
    "qmi_wwan": KIND_CELLULAR, "cdc_mbim": KIND_CELLULAR, "huawei_cdc_ncm": KIND_CELLULAR,
    "option": KIND_CELLULAR, "sierra_net": KIND_CELLULAR,
}

# Offline, a configured name is often all there is. udev's predictable names encode the device
# type (wl* = WLAN, ww* = WWAN), and rndis_host/cdc_ether name their devices usb%d.
_NAME_KINDS = (
    ("wl", KIND_WIRELESS), ("ww", KIND_CELLULAR), ("ppp", KIND_PPP), ("wg", KIND_VPN), ("tun", KIND_VPN),
    ("tap", KIND_VPN), ("usb", KIND_USB_TETHER), ("rndis", KIND_USB_TETHER),
)


def kind_from_name(name: str) -> Tuple[str, Tuple[Tuple[str, str], ...]]:
    if name == "lo":
        return KIND_LOOPBACK, (("name", "lo"),)
    for prefix, kind in _NAME_KINDS:
        if name.startswith(prefix):
            return kind, (("name", f"{prefix}*"),)
    if "." in name and name.split(".")[-1].isdigit():
        return KIND_VLAN, (("name", "<dev>.<vlan id>"),)
    return KIND_ETHERNET, ()


def link_ports(interfaces: Sequence[Interface]) -> Tuple[Interface, ...]:
    """Ports may be declared on the bridge (netplan, ifupdown) or on the port (NetworkManager
    ``master=``, networkd ``Bridge=``, hostapd ``bridge=``): give both sides the link, by name."""
    ethernets = [i.name for i in interfaces if i.kind == KIND_ETHERNET and not i.ports]
    interfaces = [replace(i, ports=tuple(p for p in i.ports if p != "all") + tuple(ethernets)) if "all" in i.ports
                  else i for i in interfaces]  # ifupdown `bridge_ports all`: every Ethernet interface
    linked = _with_masters(interfaces)
    ports_of: Dict[str, List[str]] = {}
    for i in linked:
        if i.master:
            ports_of.setdefault(i.master, []).append(i.name)
    return tuple(replace(i, ports=i.ports + tuple(p for p in dict.fromkeys(ports_of[i.name]) if p not in i.ports))
                 if i.kind in (KIND_BRIDGE, KIND_BOND) and i.name in ports_of else i for i in linked)


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


def _with_masters(interfaces: Sequence[Interface]) -> Tuple[Interface, ...]:
    """Give every bridge/bond port the name of its master (ports are declared on the master)."""
    master_of: Dict[str, str] = {}
    for i in interfaces:
        for p in i.ports:
            master_of.setdefault(p, i.name)
    return tuple(replace(i, master=master_of[i.name]) if not i.master and i.name in master_of else i
                 for i in interfaces)


# --- netplan -------------------------------------------------------------------------------------


class _Lines(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers "path:line" of each key."""

    where: Dict[Any, str]


class _ListLines(list):  # type: ignore[type-arg]
    where: List[str]


def _netplan_loader(text: str, path: str) -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader: Any, node: Any) -> _Lines:
        loader.flatten_mapping(node)
        out = _Lines()
        out.where = {}
        for k_node, v_node in node.value:
            key = loader.construct_object(k_node, deep=True)
            if not isinstance(key, (str, int, float, bool)):
                key = str(key)
            out[key] = loader.construct_object(v_node, deep=True)
            out.where[key] = f"{path}:{k_node.start_mark.line + 1}"
        return out

    def sequence(loader: Any, node: Any) -> _ListLines:
        out = _ListLines(loader.construct_object(n, deep=True) for n in node.value)
        out.where = [f"{path}:{n.start_mark.line + 1}" for n in node.value]
        return out

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, sequence)
    from .. import safeyaml  # alias bombs are refused before anything is constructed

    try:
        return safeyaml.load(text, Loader)
    except yaml.YAMLError as exc:
        raise ConfigError(path, f"YAML: {exc}") from None


def _as_map(value: Any, where: str, what: str) -> _Lines:
    if value is None:
        empty = _Lines()
        empty.where = {}
        return empty
    if not isinstance(value, _Lines):
        raise ConfigError(where, f"'{what}' must be a mapping")
    return value


def _as_seq(value: Any, where: str, what: str) -> _ListLines:
    if value is None:
        empty = _ListLines()
        empty.where = []
        return empty
    if not isinstance(value, _ListLines):
        raise ConfigError(where, f"'{what}' must be a list")
    return value


def _deep_merge(base: Any, new: Any) -> Any:
    """netplan's merge of several files: mappings merge, lists append, scalars of later files win."""
    if isinstance(base, _Lines) and isinstance(new, _Lines):
        out = _Lines(base)
        out.where = dict(base.where)
        for k, v in new.items():
            out[k] = _deep_merge(base[k], v) if k in base else v
            if k not in base or not isinstance(v, (dict, list)):
                out.where[k] = new.where[k]
        return out
    if isinstance(base, _ListLines) and isinstance(new, _ListLines):
        merged = _ListLines(list(base))
        merged.where = list(base.where)
        for item, where in zip(new, new.where):
            if item not in merged:
                merged.append(item)
                merged.where.append(where)
        return merged
    return new


_NETPLAN_SECTIONS = {
    "ethernets": KIND_ETHERNET, "wifis": KIND_WIRELESS, "modems": KIND_CELLULAR, "bridges": KIND_BRIDGE,
    "bonds": KIND_BOND, "vlans": KIND_VLAN, "tunnels": KIND_VPN, "vrfs": KIND_OTHER,
    "dummy-devices": KIND_DUMMY, "virtual-ethernets": KIND_VETH, "nm-devices": KIND_OTHER,
}


def parse_netplan(files: Sequence[Tuple[str, str]]) -> NetConfig:
    """netplan YAML files, given in the order netplan merges them (lexical by file name)."""
    merged: Any = None
    for path, text in files:
        doc = _netplan_loader(text, path)
        if doc is None:
            continue
        if not isinstance(doc, _Lines):
            raise ConfigError(path, "expected a mapping at the top level")
        merged = doc if merged is None else _deep_merge(merged, doc)
    if merged is None:
        return NetConfig()
    network = merged.get("network")
    if network is None:
        return NetConfig()
    if not isinstance(network, _Lines):
        raise ConfigError(merged.where.get("network", "netplan"), "'network' must be a mapping")
    interfaces: List[Interface] = []
    routes: List[Route] = []
    rules: List[Rule] = []
    resolvers: List[Resolver] = []
    shared: List[SharedConnection] = []
    for section, base_kind in _NETPLAN_SECTIONS.items():
        devices = network.get(section)
        if devices is None:
            continue
        if not isinstance(devices, _Lines):
            raise ConfigError(network.where[section], f"'{section}' must be a mapping")
        for dev_id, conf in devices.items():
            where = devices.where[dev_id]
            if conf is None:
                conf = _Lines()
                conf.where = {}
            if not isinstance(conf, _Lines):
                raise ConfigError(where, f"'{dev_id}' must be a mapping")
            _netplan_device(str(dev_id), section, base_kind, conf, where, interfaces, routes, rules, resolvers,
                            shared)
    return NetConfig(interfaces=_with_masters(interfaces), routes=tuple(routes), rules=tuple(rules),
                     resolvers=tuple(resolvers), shared=tuple(shared))


def _netplan_device(dev_id: str, section: str, base_kind: str, conf: _Lines, where: str,
                    interfaces: List[Interface], routes: List[Route], rules: List[Rule],
                    resolvers: List[Resolver], shared: List[SharedConnection]) -> None:
    match = _as_map(conf.get("match"), conf.where.get("match", where), "match")
    name = str(conf.get("set-name") or "")
    if not name and match.get("name") and not any(c in str(match["name"]) for c in "*?["):
        name = str(match["name"])
    name = name or dev_id
    why: List[Tuple[str, str]] = [("netplan", section)]
    kind = base_kind
    if section == "ethernets":
        driver = match.get("driver")
        drivers = driver if isinstance(driver, list) else [driver] if driver else []
        hinted = [_DRIVER_KINDS[d] for d in drivers if d in _DRIVER_KINDS]
        if hinted:
            kind = hinted[0]
            why.append(("driver", str(drivers[0])))
        else:
            hint, hint_why = kind_from_name(name)
            if hint not in (KIND_ETHERNET, KIND_LOOPBACK):
                kind = hint
                why.extend(hint_why)
    if section == "tunnels":
        why.append(("mode", str(conf.get("mode", ""))))
    if section == "nm-devices":
        nm = _as_map(conf.get("networkmanager"), where, "networkmanager")
        passthrough = _as_map(nm.get("passthrough"), where, "passthrough")
        ptype = str(passthrough.get("connection.type", ""))
        kind = _NM_TYPES.get(ptype, KIND_OTHER)
        why.append(("connection.type", ptype))
    addresses: List[Address] = []
    raw_addrs = _as_seq(conf.get("addresses"), conf.where.get("addresses", where), "addresses")
    for i, item in enumerate(raw_addrs):
        text = next(iter(item)) if isinstance(item, dict) else str(item)
        addr = _address(text)
        if addr is None:
            raise ConfigError(raw_addrs.where[i], f"not an address: {text}")
        addresses.append(addr)
        link = connected_route(addr, name, raw_addrs.where[i])
        if link:
            routes.append(link)
    dhcp = False
    for fam, key in ((4, "dhcp4"), (6, "dhcp6")):
        if _truthy(conf.get(key, False)):
            dhcp = True
            overrides = _as_map(conf.get(f"{key}-overrides"), where, f"{key}-overrides")
            if fam == 4 and "use-routes" in overrides and not _truthy(overrides["use-routes"]):
                continue
            metric = overrides.get("route-metric")
            routes.append(dhcp_default(fam, name, conf.where[key], int(metric) if metric is not None else None,
                                       "dhcp" if fam == 4 else "ra"))
    if _truthy(conf.get("accept-ra", False)) and not _truthy(conf.get("dhcp6", False)):
        routes.append(dhcp_default(6, name, conf.where["accept-ra"], how="ra"))
    for key, default_dst in (("gateway4", DEFAULT4), ("gateway6", DEFAULT6)):
        if conf.get(key):
            routes.append(Route(dst=default_dst, gateway=str(conf[key]), dev=name, protocol="static",
                                source=conf.where[key], configured=True))
    raw_routes = _as_seq(conf.get("routes"), conf.where.get("routes", where), "routes")
    for i, r in enumerate(raw_routes):
        if not isinstance(r, dict):
            raise ConfigError(raw_routes.where[i], "a route must be a mapping")
        to = str(r.get("to", ""))
        via = str(r.get("via", "")) if r.get("via") is not None else ""
        dst = _network(to)
        if dst is None:
            raise ConfigError(raw_routes.where[i], f"not a destination: {to}")
        if to in ("default", "::/0") and ":" in via:
            dst = DEFAULT6
        table, table_id = _table(r.get("table", 254))
        rtype = str(r.get("type", "unicast"))
        metric = r.get("metric")
        routes.append(Route(dst=dst, type=rtype, gateway=via, dev=name, table=table, table_id=table_id,
                            protocol="static", metric=int(metric) if metric is not None else None,
                            source=raw_routes.where[i], configured=True))
    raw_rules = _as_seq(conf.get("routing-policy"), conf.where.get("routing-policy", where), "routing-policy")
    for i, r in enumerate(raw_rules):
        if not isinstance(r, dict):
            raise ConfigError(raw_rules.where[i], "a routing-policy entry must be a mapping")
        table, table_id = _table(r.get("table", 254))
        sel = ["from", str(r.get("from", "all"))]
        if r.get("to"):
            sel += ["to", str(r["to"])]
        if r.get("mark") is not None:
            sel += ["fwmark", hex(int(r["mark"]))]
        family = 6 if ":" in str(r.get("from", "")) + str(r.get("to", "")) else 4
        rules.append(Rule(priority=int(r.get("priority", 0)), action="table", table=table, table_id=table_id,
                          selector=" ".join(sel), family=family, raw=raw_rules.where[i]))
    ns = _as_map(conf.get("nameservers"), conf.where.get("nameservers", where), "nameservers")
    servers = _as_seq(ns.get("addresses"), ns.where.get("addresses", where), "nameservers.addresses")
    for i, s in enumerate(servers):
        resolvers.append(Resolver(address=str(s), source=servers.where[i], interface=name))
    ports: Tuple[str, ...] = ()
    if section in ("bridges", "bonds"):
        ports = tuple(str(p) for p in _as_seq(conf.get("interfaces"), where, "interfaces"))
    mac = str(match.get("macaddress") or conf.get("macaddress") or "").lower()
    interfaces.append(Interface(name=name, kind=kind, mac=mac, up=None, addresses=tuple(addresses),
                                ports=ports, why=tuple(why), source=where, configured=True, dhcp=dhcp))
    if section == "wifis":
        aps = _as_map(conf.get("access-points"), conf.where.get("access-points", where), "access-points")
        for ssid, ap in aps.items():
            if isinstance(ap, dict) and str(ap.get("mode", "infrastructure")) == "ap":
                shared.append(SharedConnection(name=str(ssid), how="wifi mode=ap", interface=name,
                                               source=aps.where[ssid]))


# --- NetworkManager keyfiles -------------------------------------------------------------------

_NM_TYPES = {
    "ethernet": KIND_ETHERNET, "802-3-ethernet": KIND_ETHERNET, "wifi": KIND_WIRELESS,
    "802-11-wireless": KIND_WIRELESS, "wifi-p2p": KIND_WIRELESS, "802-11-olpc-mesh": KIND_WIRELESS,
    "gsm": KIND_CELLULAR, "cdma": KIND_CELLULAR, "vpn": KIND_VPN, "wireguard": KIND_VPN, "tun": KIND_VPN,
    "ip-tunnel": KIND_VPN, "vxlan": KIND_VPN, "bridge": KIND_BRIDGE, "bond": KIND_BOND, "team": KIND_BOND,
    "vlan": KIND_VLAN, "pppoe": KIND_PPP, "adsl": KIND_PPP, "dummy": KIND_DUMMY, "veth": KIND_VETH,
    "macvlan": KIND_MACVLAN, "loopback": KIND_LOOPBACK, "bluetooth": KIND_USB_TETHER,
}
# Types whose default route comes from the peer (ppp, VPN server) rather than from DHCP.
_NM_PEER_TYPES = {"gsm", "cdma", "pppoe", "adsl", "vpn"}
_NM_NO_IP_TYPES = {"bridge-slave"}
_NM_IGNORED_SUFFIXES = (".bak", ".orig", ".rej", ".swp", ".tmp", ".dpkg-dist", ".dpkg-new", ".dpkg-old",
                        ".dpkg-bak", ".dpkg-tmp", ".rpmnew", ".rpmorig", ".rpmsave", ".ucf-dist", ".ucf-new",
                        ".ucf-old", ".pacsave", ".pacnew")


@dataclass(frozen=True)
class KeyFile:
    """A GKeyFile: section -> key -> (value, line). Keys are case sensitive."""

    path: str
    sections: Mapping[str, Mapping[str, Tuple[str, int]]]
    section_lines: Mapping[str, int] = field(default_factory=dict)

    def get(self, section: str, key: str, default: str = "") -> str:
        return self.sections.get(section, {}).get(key, (default, 0))[0]

    def where(self, section: str, key: str) -> str:
        line = self.sections.get(section, {}).get(key, ("", 0))[1] or self.section_lines.get(section, 0)
        return _src(self.path, line)

    def has(self, section: str, key: str) -> bool:
        return key in self.sections.get(section, {})


def parse_keyfile(path: str, text: str, comment: str = "#") -> KeyFile:
    """GKeyFile / systemd unit-style INI: ``[section]`` then ``key=value``; lines of ``comment`` ignored."""
    sections: Dict[str, Dict[str, Tuple[str, int]]] = {}
    section_lines: Dict[str, int] = {}
    current: Optional[Dict[str, Tuple[str, int]]] = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in comment:
            continue
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1].strip()
            current = sections.setdefault(name, {})
            section_lines.setdefault(name, n)
            continue
        if "=" not in line or current is None:
            raise ConfigError(_src(path, n), "expected [section] or key=value")
        key, _, value = line.partition("=")
        current[key.strip()] = (value.strip(), n)
    return KeyFile(path, sections, section_lines)


def nm_keyfile_wanted(name: str, require_extension: bool) -> bool:
    """NetworkManager's own filter: hidden, editor-backup and package-manager files are ignored."""
    if name.startswith(".") or name.endswith("~") or name.endswith(_NM_IGNORED_SUFFIXES):
        return False
    if re.search(r"\.[A-Za-z0-9]{6}$", name) and not name.endswith(".nmconnection"):
        return False  # g_file_set_contents() temporary files
    return name.endswith(".nmconnection") or not require_extension


def _nm_list(value: str) -> List[str]:
    return [v.strip() for v in re.split(r"[;,]", value) if v.strip()]


def parse_nm_profiles(keyfiles: Sequence[KeyFile]) -> NetConfig:
    """NetworkManager keyfile profiles (nm-settings-keyfile(5)); bridge ports are linked to their bridge."""
    by_uuid = {kf.get("connection", "uuid"): kf for kf in keyfiles if kf.get("connection", "uuid")}
    configs = [_nm_profile(kf, by_uuid) for kf in keyfiles]
    merged = merge(configs)
    return replace(merged, interfaces=_with_masters(merged.interfaces))


def _nm_iface_name(kf: KeyFile) -> str:
    return kf.get("connection", "interface-name") or kf.get("connection", "id") or os.path.basename(kf.path)


def _nm_profile(kf: KeyFile, by_uuid: Mapping[str, KeyFile]) -> NetConfig:
    if "connection" not in kf.sections:
        raise ConfigError(kf.path, "no [connection] section")
    ctype = kf.get("connection", "type")
    profile_id = kf.get("connection", "id") or os.path.basename(kf.path)
    name = _nm_iface_name(kf)
    kind = _NM_TYPES.get(ctype, KIND_OTHER)
    why: List[Tuple[str, str]] = [("connection.type", ctype), ("connection.id", profile_id)]
    if ctype == "bluetooth":
        bt = kf.get("bluetooth", "type", "panu")
        why.append(("bluetooth.type", bt))
        if bt == "dun":
            kind = KIND_CELLULAR
    master = kf.get("connection", "controller") or kf.get("connection", "master")
    port_type = kf.get("connection", "port-type") or kf.get("connection", "slave-type")
    if master in by_uuid:
        master = _nm_iface_name(by_uuid[master])
    interfaces: List[Interface] = []
    routes: List[Route] = []
    rules: List[Rule] = []
    resolvers: List[Resolver] = []
    shared: List[SharedConnection] = []
    addresses: List[Address] = []
    dhcp = False
    is_port = bool(master) and bool(port_type)
    wifi = "wifi" if "wifi" in kf.sections else "802-11-wireless"
    sharing: List[Tuple[str, str]] = []  # (how, source): one SharedConnection per profile
    if kind == KIND_WIRELESS and kf.get(wifi, "mode") == "ap":
        sharing.append(("wifi mode=ap", kf.where(wifi, "mode")))
    if ctype == "bluetooth" and kf.get("bluetooth", "type") == "nap":
        sharing.append(("bluetooth type=nap", kf.where("bluetooth", "type")))
    if not is_port and ctype not in _NM_NO_IP_TYPES:
        for fam, sect in ((4, "ipv4"), (6, "ipv6")):
            default_method = "disabled" if ctype == "wireguard" else "auto"
            method = kf.get(sect, "method", default_method)
            never_default = _truthy(kf.get(sect, "never-default", "false"))
            ignore_auto = _truthy(kf.get(sect, "ignore-auto-routes", "false"))
            route_table = kf.get(sect, "route-table", "0")
            table, table_id = _table(route_table if route_table not in ("", "0") else 254)
            if method == "shared":
                sharing.append((f"{sect}.method=shared", kf.where(sect, "method")))
            if method in ("auto", "dhcp"):
                dhcp = True
                if not never_default and not ignore_auto:
                    how = "peer" if ctype in _NM_PEER_TYPES else ("dhcp" if fam == 4 else "ra")
                    where = kf.where(sect, "method") if kf.has(sect, "method") else kf.where("connection", "type")
                    routes.append(replace(dhcp_default(fam, name, where, how=how), table=table, table_id=table_id))
            keys = sorted(kf.sections.get(sect, {}), key=lambda k: (re.sub(r"\d+$", "", k), _num_suffix(k)))
            gateway = kf.get(sect, "gateway")
            gateway_where = kf.where(sect, "gateway")
            for key in keys:
                value = kf.get(sect, key)
                if re.fullmatch(r"address(es)?\d*", key):
                    legacy = re.fullmatch(r"([^;,/]+);(\d+);([^;]*);?", value)  # NM 0.9: ip;prefix;gateway;
                    if legacy:
                        value = f"{legacy.group(1)}/{legacy.group(2)},{legacy.group(3)}"
                    for part in value.split(";"):
                        if not part.strip():
                            continue
                        bits = part.split(",")
                        addr = _address(bits[0])
                        if addr is None:
                            raise ConfigError(kf.where(sect, key), f"not an address: {bits[0]}")
                        addresses.append(addr)
                        link = connected_route(addr, name, kf.where(sect, key))
                        if link:
                            routes.append(replace(link, table=table, table_id=table_id))
                        if len(bits) > 1 and bits[1].strip() and not gateway:
                            gateway, gateway_where = bits[1].strip(), kf.where(sect, key)
                elif re.fullmatch(r"routes?\d*", key):
                    legacy = re.fullmatch(r"([^;,/]+);(\d+);([^;]*);(\d*);?", value)  # NM 0.9: dst;prefix;gw;metric;
                    if legacy:
                        value = f"{legacy.group(1)}/{legacy.group(2)},{legacy.group(3)},{legacy.group(4)}"
                    for part in value.split(";"):
                        if not part.strip():
                            continue
                        bits = [b.strip() for b in part.split(",")]
                        dst = _network(bits[0])
                        if dst is None:
                            raise ConfigError(kf.where(sect, key), f"not a destination: {bits[0]}")
                        opts = dict(o.split("=", 1) for o in _nm_list(kf.get(sect, f"{key}_options")) if "=" in o)
                        rt, rt_id = _table(opts["table"]) if "table" in opts else (table, table_id)
                        gw = bits[1] if len(bits) > 1 and bits[1] not in ("", "0.0.0.0", "::") else ""
                        metric = int(bits[2]) if len(bits) > 2 and bits[2].isdigit() else None
                        routes.append(Route(dst=dst, gateway=gw, dev=name, table=rt, table_id=rt_id,
                                            protocol="static", metric=metric, source=kf.where(sect, key),
                                            configured=True))
                elif re.fullmatch(r"routing-rule\d*", key):
                    rules.append(_ip_rule(value.split(), fam, kf.where(sect, key)))
                elif key == "dns":
                    for server in _nm_list(value):
                        resolvers.append(Resolver(address=server, source=kf.where(sect, key), interface=name))
            if gateway and method == "manual" and not never_default:
                routes.append(Route(dst=DEFAULT4 if fam == 4 else DEFAULT6, gateway=gateway, dev=name,
                                    table=table, table_id=table_id, protocol="static", source=gateway_where,
                                    configured=True))
    if ctype == "wireguard":
        for sect in kf.sections:
            if sect.startswith("wireguard-peer."):
                for allowed in _nm_list(kf.get(sect, "allowed-ips")):
                    dst = _network(allowed)
                    if dst is not None:
                        routes.append(Route(dst=dst, dev=name, protocol="static", source=kf.where(sect, "allowed-ips"),
                                            configured=True))
    if ctype == "vpn":
        why.append(("vpn.service-type", kf.get("vpn", "service-type")))
    if sharing:
        shared.append(SharedConnection(name=profile_id, how=", ".join(h for h, _s in sharing), interface=name,
                                       source=sharing[0][1]))
    mac = (kf.get("ethernet", "mac-address") or kf.get("802-3-ethernet", "mac-address")
           or kf.get(wifi, "mac-address")).lower()
    interfaces.append(Interface(name=name, kind=kind, mac=mac, up=None, addresses=tuple(addresses),
                                master=master if is_port else "", why=tuple(why),
                                source=kf.where("connection", "type"), configured=True, dhcp=dhcp))
    return NetConfig(interfaces=tuple(interfaces), routes=tuple(routes), rules=tuple(rules),
                     resolvers=tuple(resolvers), shared=tuple(shared))


def _num_suffix(key: str) -> int:
    m = re.search(r"(\d+)$", key)
    return int(m.group(1)) if m else 0


def _ip_rule(words: Sequence[str], family: int, source: str) -> Rule:
    """``[priority N] [from X] [to Y] [fwmark M] (table T | blackhole | …)`` as ip-rule(8) writes it."""
    priority = 0
    action = "table"
    table, table_id = "main", 254
    sel: List[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w in ("priority", "pref", "preference", "prio"):
            if not nxt.isdigit():
                raise ConfigError(source, f"not a rule priority: {nxt!r}")
            priority = int(nxt)
            i += 2
        elif w in ("table", "lookup"):
            table, table_id = _table(nxt)
            i += 2
        elif w in ("blackhole", "unreachable", "prohibit", "nop"):
            action = w
            i += 1
        elif w == "goto":
            action = "goto"
            i += 2
        elif w in ("from", "to", "fwmark", "iif", "oif", "tos", "dsfield", "uidrange", "ipproto", "sport",
                   "dport", "tun_id", "dscp", "flowlabel"):
            sel += [w, nxt]
            if ":" in nxt and w in ("from", "to"):
                family = 6
            i += 2
        elif w in ("not", "l3mdev"):
            sel.append(w)
            i += 1
        else:
            i += 1
    if not sel or sel[0] != "from":
        sel = ["from", "all"] + sel
    return Rule(priority=priority, action=action, table=table if action == "table" else "",
                table_id=table_id if action == "table" else None, selector=" ".join(sel), family=family,
                raw=source)


# --- shell command lines (ifupdown up/post-up, rc.local) ---------------------------------------

_FORWARD_KEY = re.compile(r"^net\.ipv([46])\.(?:(ip_forward)|conf\.([^.]+(?:\.[^.]+)*?)\.forwarding)$")


def forwarding_key(key: str) -> Optional[Tuple[int, str]]:
    """(family, scope) for a forwarding sysctl in dot or slash form; None for any other key."""
    key = key.strip().lstrip("-")
    seps = [i for i in (key.find("."), key.find("/")) if i >= 0]
    if seps and key[min(seps)] == "/":
        key = key.replace(".", "\0").replace("/", ".").replace("\0", "/")  # sysctl.d(5): the first separator rules
    key = key.strip(".")
    m = _FORWARD_KEY.match(key)
    if not m:
        return None
    family = int(m.group(1))
    scope = "all" if m.group(2) else m.group(3).replace("/", ".")
    return family, scope


def parse_commands(path: str, lines: Sequence[Tuple[int, str]], default_dev: str = "") -> NetConfig:
    """Network-changing shell commands: ``ip route/rule add``, ``route add``, ``sysctl -w``,
    ``echo 1 > /proc/sys/…/forwarding``, and ``iptables -t nat … -j MASQUERADE|SNAT|DNAT``."""
    routes: List[Route] = []
    rules: List[Rule] = []
    nat: List[NatRule] = []
    fwd: List[ForwardingSetting] = []
    rule_files: List[Tuple[str, str]] = []
    for n, text in lines:
        for cmd in re.split(r"\s*(?:&&|\|\||;)\s*", text):
            source = _src(path, n)
            try:
                words = shlex.split(cmd, comments=True)
            except ValueError:
                words = cmd.split()
            if not words:
                continue
            prog = os.path.basename(words[0])
            if prog == "ip":
                args = [w for w in words[1:]]
                family = 4
                while args and args[0].startswith("-"):
                    if args[0] == "-6":
                        family = 6
                    args = args[1:]
                if len(args) >= 3 and args[0] in ("route", "r", "ro") and args[1] in ("add", "replace", "append",
                                                                                     "change"):
                    route = _ip_route(args[2:], family, default_dev, source)
                    if route:
                        routes.append(route)
                elif len(args) >= 2 and args[0] in ("rule", "ru") and args[1] == "add":
                    rules.append(_ip_rule(args[2:], family, source))
            elif prog == "route" and "add" in words:
                route = _net_tools_route(words[words.index("add") + 1:], default_dev, source)
                if route:
                    routes.append(route)
            elif re.fullmatch(r"ip6?tables(-legacy|-nft)?-restore", prog.split("<")[0]):
                m = re.search(r"<\s*(\S+)", cmd)
                args = [w for w in words[1:] if not w.startswith("-") and w != "<"]
                target_file = m.group(1) if m else (args[0] if args else "")
                if target_file.startswith("/"):
                    rule_files.append(("iptables", target_file))
            elif prog == "nft" and ("-f" in words or "--file" in words):
                target_file = _after(words, ("-f", "--file"))
                if target_file.startswith("/"):
                    rule_files.append(("nft", target_file))
            elif prog in ("iptables", "ip6tables", "iptables-legacy", "iptables-nft"):
                if "-t" in words and words[words.index("-t") + 1:][:1] == ["nat"]:
                    kind = _nat_kind(words)
                    if kind and ("-A" in words or "-I" in words or "--append" in words or "--insert" in words):
                        chain = _after(words, ("-A", "-I", "--append", "--insert"))
                        nat.append(NatRule(text=redact(cmd.strip()), table="nat", chain=chain, kind=kind,
                                           source=source))
            elif prog == "sysctl":
                for w in words[1:]:
                    if "=" in w:
                        key, _, value = w.partition("=")
                        fk = forwarding_key(key)
                        if fk:
                            fwd.append(ForwardingSetting(fk[0], fk[1], value.strip() not in ("0", ""), source))
            elif prog == "echo":
                m = re.search(r"echo\s+(?:-n\s+)?['\"]?(\d)['\"]?\s*>\s*/proc/sys/(\S+)", cmd)
                if m:
                    fk = forwarding_key(m.group(2).replace("/", "."))
                    if fk:
                        fwd.append(ForwardingSetting(fk[0], fk[1], m.group(1) != "0", source))
    return NetConfig(routes=tuple(routes), rules=tuple(rules), nat=tuple(nat), forwarding=tuple(fwd),
                     rule_files=tuple(rule_files))


def _after(words: Sequence[str], flags: Sequence[str]) -> str:
    for f in flags:
        if f in words and words.index(f) + 1 < len(words):
            return words[words.index(f) + 1]
    return ""


def _nat_kind(words: Sequence[str]) -> str:
    target = _after(words, ("-j", "--jump")).upper()
    return {"MASQUERADE": "masquerade", "SNAT": "snat", "DNAT": "dnat", "NETMAP": "snat"}.get(target, "")


def _ip_route(args: Sequence[str], family: int, default_dev: str, source: str) -> Optional[Route]:
    args = list(args)
    rtype = "unicast"
    if args and args[0] in ("unicast", "blackhole", "unreachable", "prohibit", "throw", "local"):
        rtype = args.pop(0)
    if not args:
        return None
    dst = _network(args[0])
    if dst is None:
        return None
    if args[0] == "default" and family == 6:
        dst = DEFAULT6
    opts = {k: args[i + 1] for i, k in enumerate(args[1:-1], 1)
            if k in ("via", "dev", "table", "metric", "preference", "proto")}
    table, table_id = _table(opts.get("table", "main"))
    metric = opts.get("metric") or opts.get("preference")
    return Route(dst=dst, type=rtype, gateway=opts.get("via", ""), dev=opts.get("dev", default_dev),
                 table=table, table_id=table_id, protocol="static",
                 metric=int(metric) if metric and metric.isdigit() else None, source=source, configured=True)


def _net_tools_route(args: Sequence[str], default_dev: str, source: str) -> Optional[Route]:
    args = list(args)
    opts: Dict[str, str] = {}
    target = ""
    i = 0
    while i < len(args):
        w = args[i]
        if w in ("-net", "-host", "-A"):
            i += 1 if w != "-A" else 2
            continue
        if w in ("netmask", "gw", "dev", "metric") and i + 1 < len(args):
            opts[w] = args[i + 1]
            i += 2
            continue
        if not target:
            target = w
        elif w and "dev" not in opts:
            opts["dev"] = w
        i += 1
    if not target:
        return None
    dst = _network(target if "netmask" not in opts else f"{target}/{opts['netmask']}")
    if dst is None:
        return None
    metric = opts.get("metric")
    return Route(dst=dst, gateway=opts.get("gw", ""), dev=opts.get("dev", default_dev), protocol="static",
                 metric=int(metric) if metric and metric.isdigit() else None, source=source, configured=True)


# --- ifupdown ------------------------------------------------------------------------------------

_IFUPDOWN_STANZAS = ("iface", "mapping", "auto", "source", "source-directory", "rename", "no-auto-down",
                     "no-scripts")
_IFUPDOWN_CMDS = ("up", "pre-up", "post-up", "down", "pre-down", "post-down")


@dataclass(frozen=True)
class Include:
    kind: str  # "source" (glob) or "source-directory"
    pattern: str  # absolute path inside the image


def _logical_lines(text: str) -> Iterator[Tuple[int, str]]:
    """Lines with backslash continuations joined; comments only at line start (interfaces(5))."""
    buf, start = "", 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not buf:
            start = n
            if line.lstrip().startswith("#"):
                continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        if buf.strip():
            yield start, buf.strip()
        buf = ""
    if buf.strip():
        yield start, buf.strip()


def parse_ifupdown(path: str, text: str) -> Tuple[NetConfig, Tuple[Include, ...]]:
    """One interfaces(5) file: its stanzas, and the files it sources (for the collector to follow)."""
    includes: List[Include] = []
    stanzas: List[Tuple[int, List[str], List[Tuple[int, List[str], str]]]] = []
    base = os.path.dirname(path)
    for n, line in _logical_lines(text):
        words = line.split()
        first = words[0]
        if first in ("source", "source-directory"):
            for pattern in words[1:]:
                full = pattern if pattern.startswith("/") else os.path.normpath(os.path.join(base, pattern))
                includes.append(Include(first, full))
            stanzas.append((n, ["-"], []))
        elif first == "iface":
            if len(words) < 4:
                raise ConfigError(_src(path, n), "expected 'iface NAME FAMILY METHOD'")
            stanzas.append((n, words, []))
        elif first in _IFUPDOWN_STANZAS or first.startswith("allow-"):
            stanzas.append((n, ["-"], []))
        elif stanzas and stanzas[-1][1][0] == "iface":
            stanzas[-1][2].append((n, [first], line[len(first):].strip()))
        elif stanzas and stanzas[-1][1][0] == "-" and first in ("script", "map"):
            continue  # mapping options
        else:
            raise ConfigError(_src(path, n), f"option outside an iface stanza: {first}")
    configs: List[NetConfig] = []
    for n, head, options in stanzas:
        if head[0] != "iface":
            continue
        configs.append(_ifupdown_iface(path, n, head, options))
    merged = merge(configs)
    return replace(merged, interfaces=_with_masters(_merge_same_name(merged.interfaces))), tuple(includes)


def _merge_same_name(interfaces: Sequence[Interface]) -> Tuple[Interface, ...]:
    """``iface eth0 inet …`` and ``iface eth0 inet6 …`` describe one interface."""
    out: Dict[str, Interface] = {}
    for i in interfaces:
        prev = out.get(i.name)
        if prev is None:
            out[i.name] = i
            continue
        kind = prev.kind if prev.kind != KIND_ETHERNET else i.kind
        out[i.name] = replace(prev, kind=kind, addresses=prev.addresses + i.addresses, dhcp=prev.dhcp or i.dhcp,
                              ports=prev.ports or i.ports, why=prev.why + tuple(w for w in i.why if w not in prev.why))
    return tuple(out.values())


def _ifupdown_iface(path: str, n: int, head: Sequence[str], options: Sequence[Tuple[int, List[str], str]]) -> NetConfig:
    name, family_word, method = head[1], head[2], head[3]
    family = 6 if family_word == "inet6" else 4
    source = _src(path, n)
    opts: Dict[str, Tuple[str, int]] = {}  # the first value of each option
    every: Dict[str, List[Tuple[str, int]]] = {}  # address and dns-* may repeat
    cmds: List[Tuple[int, str]] = []
    for line_no, (key,), value in options:
        if key in _IFUPDOWN_CMDS:
            cmds.append((line_no, value))
        else:
            opts.setdefault(key.replace("_", "-"), (value, line_no))
            every.setdefault(key.replace("_", "-"), []).append((value, line_no))
    kind, why_t = kind_from_name(name)
    why = list(why_t)
    if method == "loopback":
        kind, why = KIND_LOOPBACK, [("method", "loopback")]
    elif method in ("ppp", "wvdial") or "provider" in opts:
        kind, why = KIND_PPP, [("method", method)]
    elif method in ("tunnel", "v4tunnel", "6to4") or "openvpn" in opts:
        kind, why = KIND_VPN, [("method", method)]
    elif any(k.startswith(("wpa-", "wireless-")) for k in opts):
        kind, why = KIND_WIRELESS, [("option", next(k for k in opts if k.startswith(("wpa-", "wireless-"))))]
    elif "bridge-ports" in opts:
        kind, why = KIND_BRIDGE, [("option", "bridge_ports")]
    elif "bond-slaves" in opts or "slaves" in opts:
        kind, why = KIND_BOND, [("option", "bond-slaves")]
    elif "vlan-raw-device" in opts:
        kind, why = KIND_VLAN, [("option", "vlan-raw-device")]
    why.append(("ifupdown", f"{family_word} {method}"))
    addresses: List[Address] = []
    routes: List[Route] = []
    resolvers: List[Resolver] = []
    for value, line_no in every.get("address", []):
        netmask = opts.get("netmask", ("", 0))[0]
        addr = _address(value, netmask)
        if addr is None:
            raise ConfigError(_src(path, line_no), f"not an address: {value}")
        addresses.append(addr)
        link = connected_route(addr, name, _src(path, line_no))
        if link:
            routes.append(link)
    if "gateway" in opts:
        value, line_no = opts["gateway"]
        routes.append(Route(dst=DEFAULT6 if family == 6 else DEFAULT4, gateway=value, dev=name, protocol="static",
                            metric=int(opts["metric"][0]) if opts.get("metric", ("",))[0].isdigit() else None,
                            source=_src(path, line_no), configured=True))
    dhcp = method in ("dhcp", "bootp") or (family == 6 and method == "auto")
    if dhcp:
        routes.append(dhcp_default(family, name, source, how="dhcp" if family == 4 else "ra"))
    for key in ("dns-nameservers", "dns-nameserver"):
        for value, line_no in every.get(key, []):
            for server in value.split():
                resolvers.append(Resolver(address=server, source=_src(path, line_no), interface=name))
    ports: Tuple[str, ...] = ()
    if "bridge-ports" in opts:
        ports = tuple(p for p in opts["bridge-ports"][0].split() if p != "none")
    elif "bond-slaves" in opts or "slaves" in opts:
        ports = tuple(p for p in (opts.get("bond-slaves") or opts["slaves"])[0].split() if p != "none")
    cmd_conf = parse_commands(path, cmds, default_dev=name)
    iface = Interface(name=name, kind=kind, mac=(opts.get("hwaddress", ("", 0))[0].split()[-1:] or [""])[0].lower(),
                      up=None, addresses=tuple(addresses), ports=ports, why=tuple(why), source=source,
                      configured=True, dhcp=dhcp)
    return replace(cmd_conf, interfaces=(iface,), routes=tuple(routes) + cmd_conf.routes,
                   resolvers=tuple(resolvers))


# --- systemd-networkd ----------------------------------------------------------------------------

_NETDEV_KINDS = {
    "bridge": KIND_BRIDGE, "bond": KIND_BOND, "vlan": KIND_VLAN, "wireguard": KIND_VPN, "tun": KIND_VPN,
    "tap": KIND_VPN, "gre": KIND_VPN, "gretap": KIND_VPN, "ipip": KIND_VPN, "sit": KIND_VPN, "vti": KIND_VPN,
    "ip6gre": KIND_VPN, "ip6tnl": KIND_VPN, "vxlan": KIND_VPN, "geneve": KIND_VPN, "l2tp": KIND_VPN,
    "fou": KIND_VPN, "erspan": KIND_VPN, "veth": KIND_VETH, "dummy": KIND_DUMMY, "macvlan": KIND_MACVLAN,
    "macvtap": KIND_MACVLAN, "ipvlan": KIND_MACVLAN, "vrf": KIND_OTHER,
}
_NETWORKD_TYPES = {"wlan": KIND_WIRELESS, "wwan": KIND_CELLULAR, "ether": KIND_ETHERNET, "ppp": KIND_PPP,
                   "bridge": KIND_BRIDGE, "bond": KIND_BOND, "vlan": KIND_VLAN, "wireguard": KIND_VPN,
                   "none": KIND_VPN, "loopback": KIND_LOOPBACK}


def _unit_sections(path: str, text: str) -> List[Tuple[str, List[Tuple[str, str, int]]]]:
    """systemd unit files allow repeated sections ([Route] twice); keep them apart, in order."""
    out: List[Tuple[str, List[Tuple[str, str, int]]]] = []
    for n, line in _logical_lines(text.replace("\r", "")):
        if line.startswith(";"):
            continue
        if line.startswith("[") and line.endswith("]"):
            out.append((line[1:-1], []))
            continue
        if "=" not in line or not out:
            raise ConfigError(_src(path, n), "expected [Section] or Key=value")
        key, _, value = line.partition("=")
        out[-1][1].append((key.strip(), value.strip(), n))
    return out


def parse_networkd_netdev(path: str, text: str) -> NetConfig:
    for section, items in _unit_sections(path, text):
        if section == "NetDev":
            values = {k: (v, n) for k, v, n in items}
            if "Name" in values:
                kind_word = values.get("Kind", ("", 0))[0]
                return NetConfig(interfaces=(Interface(
                    name=values["Name"][0], kind=_NETDEV_KINDS.get(kind_word, KIND_OTHER), up=None,
                    why=(("netdev Kind", kind_word),), source=_src(path, values["Name"][1]), configured=True),))
    return NetConfig()


# Devices that exist only when something creates them at runtime (nspawn/VM hosts, tunnels):
# a .network file matching only those applies to nothing unless a .netdev in the image creates one.
_RUNTIME_DRIVERS = {"veth", "tun", "bridge", "dummy", "vxlan", "wireguard"}
_RUNTIME_TYPES = {"sit", "gre", "ipip", "ip6tnl", "vti", "bridge", "wireguard", "none", "tunnel6"}


def networkd_applies(path: str, text: str, netdevs: Sequence[Interface]) -> bool:
    """Whether a .network file can match a link of this (physical) terminal.

    systemd ships units for containers and VM hosts (``80-container-host0.network`` needs
    ``Virtualization=container``; ``80-container-ve.network`` matches the ``ve-*`` veth of a
    running nspawn container and masquerades it). Counting them would report NAT on every
    image that has networkd. A unit needing virtualization is skipped; one matching only a
    runtime-created virtual device counts when a .netdev of the image creates a matching device.
    """
    match: Dict[str, List[str]] = {}
    for section, items in _unit_sections(path, text):
        if section == "Match":
            for k, v, _n in items:
                match.setdefault(k, []).extend(v.split())
    virt = [v for v in match.get("Virtualization", []) if v.lower() not in ("no", "false", "0", "off")]
    if virt and not all(v.startswith("!") for v in virt):
        return False
    drivers = set(match.get("Driver", [])) | set(match.get("Kind", []))
    types = set(match.get("Type", []))
    if (drivers and drivers <= _RUNTIME_DRIVERS) or (types and types <= _RUNTIME_TYPES):
        names = match.get("Name", ["*"])
        return any(fnmatch.fnmatchcase(d.name, pat) for d in netdevs for pat in names)
    return True


def parse_networkd_network(path: str, text: str) -> NetConfig:
    """A .network file: the interface(s) it matches, addresses, gateways, DHCP, DNS, routes, rules,
    IPForward=/IPv4Forwarding=, IPMasquerade= and DHCPServer=."""
    sections = _unit_sections(path, text)
    names: List[str] = []
    kind = ""
    why: List[Tuple[str, str]] = []
    match_line = 0
    for section, items in sections:
        if section == "Match":
            for k, v, n in items:
                match_line = match_line or n
                if k == "Name":
                    names.extend(v.split())
                elif k == "Type":
                    kind = _NETWORKD_TYPES.get(v.split()[0], "")
                    why.append(("Type", v))
                elif k == "WLANInterfaceType":
                    kind = KIND_WIRELESS
                    why.append((k, v))
    name = " ".join(names) if names else os.path.basename(path)
    if not kind:
        kind, hint = kind_from_name(names[0]) if len(names) == 1 else (KIND_ETHERNET, ())
        why.extend(hint)
    addresses: List[Address] = []
    routes: List[Route] = []
    rules: List[Rule] = []
    resolvers: List[Resolver] = []
    shared: List[SharedConnection] = []
    nat: List[NatRule] = []
    fwd: List[ForwardingSetting] = []
    dhcp = False
    use_routes = True
    dhcp_where = ""
    dhcp_mode = "no"
    master = ""
    for section, items in sections:
        if section == "DHCPv4":
            for k, v, _n in items:
                if k == "UseRoutes" and not _truthy(v):
                    use_routes = False
        if section == "Network":
            for k, v, n in items:
                src = _src(path, n)
                if k == "Address":
                    addr = _address(v)
                    if addr is None:
                        raise ConfigError(src, f"not an address: {v}")
                    if addr.ip.is_unspecified:
                        continue  # 0.0.0.0/N: networkd picks a free range from its private pool
                    addresses.append(addr)
                    link = connected_route(addr, name, src)
                    if link:
                        routes.append(link)
                elif k == "Gateway":
                    routes.append(Route(dst=DEFAULT6 if ":" in v else DEFAULT4, gateway=v, dev=name, protocol="static", source=src, configured=True))
                elif k == "DHCP":
                    dhcp_mode, dhcp_where = v.lower(), src
                elif k == "DNS":
                    for server in v.split():
                        resolvers.append(Resolver(address=server.split("#")[0], source=src, interface=name))
                elif k in ("IPForward", "IPv4Forwarding", "IPv6Forwarding"):
                    fams = {"IPv4Forwarding": (4,), "IPv6Forwarding": (6,)}.get(
                        k, {"ipv4": (4,), "ipv6": (6,)}.get(v.lower(), (4, 6)))
                    for fam in fams:
                        fwd.append(ForwardingSetting(fam, "all", _truthy(v) or v.lower() in ("ipv4", "ipv6"), src))
                elif k == "IPMasquerade" and v.lower() not in ("no", "false", "0", "off", ""):
                    nat.append(NatRule(text=f"IPMasquerade={v}", table="systemd-networkd", chain=name,
                                       kind="masquerade", source=src))
                    for fam in {"ipv4": (4,), "ipv6": (6,)}.get(v.lower(), (4, 6) if v.lower() == "both" else (4,)):
                        fwd.append(ForwardingSetting(fam, "all", True, f"{src} (IPMasquerade= enables forwarding)"))
                elif k in ("Bridge", "Bond"):
                    master = v
                elif k == "DHCPServer" and _truthy(v):
                    shared.append(SharedConnection(name=name, how="DHCPServer=yes", interface=name, source=src))
                elif k == "ConfigureWithoutCarrier":
                    continue
        elif section == "Route":
            opts = {k: (v, n) for k, v, n in items}
            first = min((n for _k, _v, n in items), default=0)
            dest = opts.get("Destination", ("0.0.0.0/0" if ":" not in opts.get("Gateway", ("",))[0] else "::/0", 0))[0]
            dst = _network(dest)
            if dst is None:
                raise ConfigError(_src(path, first), f"not a destination: {dest}")
            table, table_id = _table(opts.get("Table", ("main", 0))[0])
            metric = opts.get("Metric", ("", 0))[0]
            routes.append(Route(dst=dst, type=opts.get("Type", ("unicast", 0))[0], gateway=opts.get("Gateway", ("", 0))[0],
                                dev=name, table=table, table_id=table_id, protocol="static",
                                metric=int(metric) if metric.isdigit() else None, source=_src(path, first),
                                configured=True))
        elif section == "RoutingPolicyRule":
            opts = {k: (v, n) for k, v, n in items}
            first = min((n for _k, _v, n in items), default=0)
            words: List[str] = []
            for key, word in (("Priority", "priority"), ("From", "from"), ("To", "to"), ("Table", "table"),
                              ("FirewallMark", "fwmark"), ("IncomingInterface", "iif")):
                if key in opts:
                    words += [word, opts[key][0]]
            rules.append(_ip_rule(words, 6 if opts.get("Family", ("", 0))[0] == "ipv6" else 4, _src(path, first)))
    if dhcp_mode in ("yes", "true", "ipv4", "both", "1", "on"):
        dhcp = True
        if use_routes:
            routes.append(dhcp_default(4, name, dhcp_where))
    if dhcp_mode in ("yes", "true", "ipv6", "both", "1", "on"):
        dhcp = True
        routes.append(dhcp_default(6, name, dhcp_where, how="ra"))
    # A unit that matches by type alone and gives no address (systemd's 80-wifi-adhoc.network only
    # turns on link-local addressing) is not evidence that such a device is configured.
    interfaces: Tuple[Interface, ...] = ()
    if names or addresses or dhcp or master or any(r.dst.prefixlen == 0 for r in routes):
        interfaces = (Interface(name=name, kind=kind, up=None, addresses=tuple(addresses), master=master,
                                why=tuple(why), source=_src(path, match_line), configured=True, dhcp=dhcp),)
    return NetConfig(interfaces=interfaces, routes=tuple(routes), rules=tuple(rules), resolvers=tuple(resolvers),
                     shared=tuple(shared), nat=tuple(nat), forwarding=tuple(fwd))


# --- wpa_supplicant, hostapd, ppp, WireGuard, OpenVPN -------------------------------------------


def wpa_interface_name(path: str) -> str:
    """wpa_supplicant@IF.service reads wpa_supplicant-IF.conf (also -nl80211-IF, -wired-IF)."""
    base = os.path.basename(path)
    m = re.fullmatch(r"wpa_supplicant-(?:nl80211-|wired-)?(.+)\.conf", base)
    return m.group(1) if m else "wlan (wpa_supplicant)"


def parse_wpa_supplicant(path: str, text: str) -> NetConfig:
    """``network={…}`` blocks: a configured wireless network (mode=2 is an access point)."""
    networks: List[Tuple[int, Dict[str, str]]] = []
    current: Optional[Dict[str, str]] = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if re.fullmatch(r"network\s*=\s*\{", line):
            current = {}
            networks.append((n, current))
        elif line == "}":
            if current is None:
                raise ConfigError(_src(path, n), "'}' without network={")
            current = None
        elif current is not None and "=" in line:
            key, _, value = line.partition("=")
            if not _SECRET_KEYS.fullmatch(key.strip()):
                current[key.strip()] = value.strip()
    if current is not None:
        raise ConfigError(path, "network={ block is not closed")
    if not networks or os.path.basename(path).startswith("wpa_supplicant-wired-"):
        return NetConfig()
    name = wpa_interface_name(path)
    ssids = [net.get("ssid", "").strip('"') for _n, net in networks]
    iface = Interface(name=name, kind=KIND_WIRELESS, up=None,
                      why=(("wpa_supplicant", f"{len(networks)} network(s): {', '.join(s for s in ssids if s)}"),),
                      source=_src(path, networks[0][0]), configured=True)
    shared = tuple(SharedConnection(name=net.get("ssid", "").strip('"') or name, how="wpa_supplicant mode=2 (AP)",
                                    interface=name, source=_src(path, n))
                   for n, net in networks if net.get("mode") == "2")
    return NetConfig(interfaces=(iface,), shared=shared)


# --- ifcfg-rh (RHEL/CentOS, Kylin, openEuler: /etc/sysconfig/network-scripts) --------------------

IFCFG_DIR = "/etc/sysconfig/network-scripts"
# What initscripts and NetworkManager's ifcfg-rh plugin skip: editor and package-manager leftovers.
IFCFG_IGNORED = (".bak", ".old", ".orig", ".rpmnew", ".rpmorig", ".rpmsave", "~")
_IFCFG_KINDS = {"wireless": KIND_WIRELESS, "bridge": KIND_BRIDGE, "bond": KIND_BOND, "vlan": KIND_VLAN,
                "xdsl": KIND_PPP, "modem": KIND_PPP}


def parse_shell_vars(path: str, text: str) -> Dict[str, Tuple[str, int]]:
    """``KEY=value`` lines of a sourced shell file (quotes removed) -> {KEY: (value, line)}."""
    out: Dict[str, Tuple[str, int]] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key.strip()):
            continue
        try:
            words = shlex.split(value, comments=True)
        except ValueError as exc:
            raise ConfigError(_src(path, n), f"{key.strip()}: {exc}") from None
        out[key.strip()] = (" ".join(words), n)
    return out


def ifcfg_wanted(name: str) -> bool:
    return name.startswith("ifcfg-") and name != "ifcfg-lo" and not name.endswith(IFCFG_IGNORED)


def parse_ifcfg(path: str, text: str) -> NetConfig:
    """One ifcfg-<name> profile: the interface, its addresses, gateway, DNS and access-point mode."""
    v = parse_shell_vars(path, text)

    def get(key: str, default: str = "") -> str:
        return v[key][0] if key in v else default

    name = get("DEVICE") or os.path.basename(path)[len("ifcfg-"):]
    if name == "lo":
        return NetConfig()
    type_ = get("TYPE").lower()
    why: Tuple[Tuple[str, str], ...]
    if type_ in _IFCFG_KINDS:
        kind, why = _IFCFG_KINDS[type_], (("TYPE", get("TYPE")),)
    else:
        kind, why = kind_from_name(name)
    addrs: List[Address] = []
    for key in sorted((k for k in v if re.fullmatch(r"IPADDR\d*", k)), key=_num_suffix):
        suffix = key[len("IPADDR"):]
        a = _address(get(key), get("PREFIX" + suffix) or get("NETMASK" + suffix))
        if a is None:
            raise ConfigError(_src(path, v[key][1]), f"not an address: {get(key)!r}")
        addrs.append(a)
    for text6 in (get("IPV6ADDR") + " " + get("IPV6ADDR_SECONDARIES")).split():
        a = _address(text6)
        if a is None:
            raise ConfigError(path, f"not an IPv6 address: {text6!r}")
        addrs.append(a)
    dhcp = get("BOOTPROTO").lower() in ("dhcp", "bootp")
    source = _src(path, 1)
    routes: List[Route] = [r for r in (connected_route(a, name, source) for a in addrs) if r is not None]
    if get("DEFROUTE").lower() not in ("no", "false", "0"):
        if get("GATEWAY"):
            routes.append(Route(dst=DEFAULT4, gateway=get("GATEWAY"), dev=name, protocol="static",
                                source=_src(path, v["GATEWAY"][1]), configured=True))
        elif dhcp:
            routes.append(dhcp_default(4, name, source))
        if get("IPV6_DEFAULTGW"):
            routes.append(Route(dst=DEFAULT6, gateway=get("IPV6_DEFAULTGW").split("%")[0], dev=name,
                                protocol="static", source=_src(path, v["IPV6_DEFAULTGW"][1]), configured=True))
    resolvers = tuple(Resolver(get(k), _src(path, v[k][1]), name) for k in sorted(v, key=_num_suffix)
                      if re.fullmatch(r"DNS\d+", k) and get(k))
    shared: Tuple[SharedConnection, ...] = ()
    if kind == KIND_WIRELESS and get("MODE").lower() in ("master", "ap"):
        shared = (SharedConnection(name=get("ESSID") or name, how=f"ifcfg MODE={get('MODE')} (AP)", interface=name,
                                   source=_src(path, v["MODE"][1])),)
    iface = Interface(name=name, kind=kind, mac=get("HWADDR").lower(), up=None, addresses=tuple(addrs),
                      master=get("BRIDGE") or get("MASTER"), why=why, source=source, configured=True, dhcp=dhcp)
    return NetConfig(interfaces=(iface,), routes=tuple(routes), resolvers=resolvers, shared=shared)


def parse_ifcfg_routes(path: str, text: str, dev: str, family: int) -> NetConfig:
    """route-<dev> / route6-<dev>: ``ip route`` argument lines, or ADDRESSn/NETMASKn/GATEWAYn."""
    routes: List[Route] = []
    if re.search(r"(?m)^\s*ADDRESS\d+\s*=", text):
        v = parse_shell_vars(path, text)
        for key in sorted((k for k in v if re.fullmatch(r"ADDRESS\d+", k)), key=_num_suffix):
            n = key[len("ADDRESS"):]
            dst = _network(f"{v[key][0]}/{v['NETMASK' + n][0]}" if "NETMASK" + n in v else v[key][0])
            if dst is None:
                raise ConfigError(_src(path, v[key][1]), f"not a network: {v[key][0]!r}")
            gw = v.get("GATEWAY" + n, ("", 0))[0]
            routes.append(Route(dst=dst, gateway=gw, dev=dev, protocol="static", source=_src(path, v[key][1]),
                                configured=True))
        return NetConfig(routes=tuple(routes))
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        route = _ip_route(line.split(), family, dev, _src(path, lineno))
        if route is None:
            raise ConfigError(_src(path, lineno), f"not a route: {line!r}")
        routes.append(route)
    return NetConfig(routes=tuple(routes))


def parse_sysconfig_network(path: str, text: str) -> NetConfig:
    """/etc/sysconfig/network: a host-wide GATEWAY (on GATEWAYDEV) and IPV6_DEFAULTGW."""
    v = parse_shell_vars(path, text)
    dev = v.get("GATEWAYDEV", ("", 0))[0]
    routes = [Route(dst=DEFAULT4 if key == "GATEWAY" else DEFAULT6, gateway=v[key][0].split("%")[0], dev=dev,
                    protocol="static", source=_src(path, v[key][1]), configured=True)
              for key in ("GATEWAY", "IPV6_DEFAULTGW") if v.get(key, ("", 0))[0]]
    return NetConfig(routes=tuple(routes))


def read_ifcfg(target: Target) -> NetConfig:
    configs: List[NetConfig] = []
    text = _read(target, "/etc/sysconfig/network")
    if text is not None:
        configs.append(_checked(parse_sysconfig_network, "/etc/sysconfig/network", text))
    for name in target.listdir(IFCFG_DIR):
        path = f"{IFCFG_DIR}/{name}"
        if target.is_dir(path) or name.endswith(IFCFG_IGNORED):
            continue
        text = None
        if ifcfg_wanted(name):
            text = _read(target, path)
            if text is not None:
                configs.append(_checked(parse_ifcfg, path, text))
        for prefix, family in (("route-", 4), ("route6-", 6)):
            if name.startswith(prefix):
                text = _read(target, path)
                if text is not None:
                    configs.append(_checked(parse_ifcfg_routes, path, text, name[len(prefix):], family))
    return merge(configs)


IWD_DIR = "/var/lib/iwd"
IWD_SUFFIXES = (".psk", ".open", ".8021x")


def iwd_ssid(file_name: str) -> str:
    """iwd names a network file by its SSID, or "=" + hex when the SSID is not plain text."""
    stem = file_name.rsplit(".", 1)[0]
    if stem.startswith("="):
        try:
            return bytes.fromhex(stem[1:]).decode("utf-8", "replace")
        except ValueError:
            return stem
    return stem


def parse_iwd_networks(names: Sequence[str]) -> NetConfig:
    """iwd's known networks (file names only: the files hold secrets): a configured Wi-Fi client."""
    ssids = sorted(iwd_ssid(n) for n in names if n.endswith(IWD_SUFFIXES) and not n.startswith("."))
    if not ssids:
        return NetConfig()
    iface = Interface(name="wlan (iwd)", kind=KIND_WIRELESS, up=None,
                      why=(("iwd", f"{len(ssids)} known network(s): {', '.join(ssids)}"),),
                      source=IWD_DIR, configured=True)
    return NetConfig(interfaces=(iface,))


def parse_hostapd(path: str, text: str) -> NetConfig:
    values: Dict[str, Tuple[str, int]] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), (value.strip(), n))
    if "interface" not in values:
        return NetConfig()
    name, line_no = values["interface"]
    ssid = values.get("ssid", (values.get("ssid2", ("", 0))[0], 0))[0]
    iface = Interface(name=name, kind=KIND_WIRELESS, up=None, master=values.get("bridge", ("", 0))[0],
                      why=(("hostapd", "access point"),), source=_src(path, line_no), configured=True)
    return NetConfig(interfaces=(iface,), shared=(SharedConnection(name=ssid or name, how="hostapd", interface=name,
                                                                   source=_src(path, line_no)),))


def parse_ppp_peer(path: str, text: str) -> NetConfig:
    """pppd(8) options of one peer: a dial-up/PPPoE/PPTP link; ``defaultroute`` adds a default route."""
    peer = os.path.basename(path)
    words: List[Tuple[int, str]] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if line:
            words.extend((n, w) for w in line.split())
    if not words:
        return NetConfig()
    flat = [w for _n, w in words]
    if '"myusername@realisp"' in flat and any("********" in w for w in flat):
        return NetConfig()  # the ppp package's unedited template: no login, no number, it cannot dial
    name = f"ppp (peer {peer})"
    if "ifname" in flat and flat.index("ifname") + 1 < len(flat):
        name = flat[flat.index("ifname") + 1]
    elif "unit" in flat and flat.index("unit") + 1 < len(flat):
        name = f"ppp{flat[flat.index('unit') + 1]}"
    joined = " ".join(flat)
    kind = KIND_VPN if re.search(r"\bpptp\b|\bl2tp", joined) else KIND_PPP
    why = [("ppp peer", peer)]
    device = next((w for w in flat if w.startswith("/dev/")), "")
    if device:
        why.append(("device", device))
    iface = Interface(name=name, kind=kind, up=None, why=tuple(why), source=_src(path, words[0][0]), configured=True)
    routes = tuple(dhcp_default(4, name, _src(path, n), how="peer") for n, w in words
                   if w in ("defaultroute", "replacedefaultroute"))[:1]
    routes += tuple(dhcp_default(6, name, _src(path, n), how="peer") for n, w in words if w == "defaultroute6")[:1]
    return NetConfig(interfaces=(iface,), routes=routes)


def parse_wireguard(path: str, text: str) -> NetConfig:
    """wg-quick(8) configuration: Address=, DNS=, Table=, and AllowedIPs= of every peer (keys never kept)."""
    name = os.path.splitext(os.path.basename(path))[0]
    addresses: List[Address] = []
    routes: List[Route] = []
    rules: List[Rule] = []
    resolvers: List[Resolver] = []
    table_opt = "auto"
    first = 0
    sections = _unit_sections(path, "\n".join(line.split("#", 1)[0] for line in text.splitlines()))
    for section, items in sections:
        if section == "Interface":
            for k, v, n in items:
                first = first or n
                if k == "Address":
                    for a in v.split(","):
                        addr = _address(a)
                        if addr is None:
                            raise ConfigError(_src(path, n), f"not an address: {a.strip()}")
                        addresses.append(addr)
                elif k == "DNS":
                    for s in v.split(","):
                        if _address(s):
                            resolvers.append(Resolver(address=s.strip(), source=_src(path, n), interface=name))
                elif k == "Table":
                    table_opt = v.strip()
    if table_opt == "off":
        pass
    else:
        for section, items in sections:
            if section != "Peer":
                continue
            for k, v, n in items:
                if k != "AllowedIPs":
                    continue
                for a in v.split(","):
                    dst = _network(a)
                    if dst is None:
                        continue
                    if table_opt == "auto" and dst.prefixlen == 0:
                        # wg-quick: default route in table 51820, reached through a fwmark rule.
                        routes.append(Route(dst=dst, dev=name, table="51820", table_id=51820, protocol="static",
                                            source=_src(path, n), configured=True))
                        rules.append(Rule(priority=32765, action="table", table="51820", table_id=51820,
                                          selector="not from all fwmark 0xca6c", family=dst.version,
                                          raw=f"{_src(path, n)} (wg-quick Table=auto)"))
                    else:
                        table, table_id = _table(table_opt if table_opt != "auto" else "main")
                        routes.append(Route(dst=dst, dev=name, table=table, table_id=table_id, protocol="static",
                                            source=_src(path, n), configured=True))
    iface = Interface(name=name, kind=KIND_VPN, up=None, addresses=tuple(addresses), why=(("wg-quick", name),),
                      source=_src(path, first), configured=True)
    return NetConfig(interfaces=(iface,), routes=tuple(routes), rules=tuple(rules), resolvers=tuple(resolvers))


def parse_openvpn(path: str, text: str) -> NetConfig:
    """openvpn(8) config: dev, redirect-gateway, route, dhcp-option DNS, server mode; inline keys skipped."""
    stem = os.path.splitext(os.path.basename(path))[0]
    dev, dev_line = "tun", 0
    routes: List[Route] = []
    resolvers: List[Resolver] = []
    shared: List[SharedConnection] = []
    redirect: List[Tuple[int, List[str]]] = []
    server_line = 0
    inline = False
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if re.fullmatch(r"<[a-z-]+>", line):
            inline = True
            continue
        if re.fullmatch(r"</[a-z-]+>", line):
            inline = False
            continue
        if inline or not line or line[0] in "#;":
            continue
        words = line.split()
        key = words[0].lstrip("-")
        if key == "dev" and len(words) > 1:
            dev, dev_line = words[1], n
        elif key == "redirect-gateway":
            redirect.append((n, words[1:]))
        elif key == "route" and len(words) > 1:
            mask = words[2] if len(words) > 2 and words[2] not in ("default", "vpn_gateway", "net_gateway") else ""
            dst = _network(words[1] if not mask else f"{words[1]}/{mask}")
            if dst is not None:
                routes.append(Route(dst=dst, gateway="vpn", protocol="static", source=_src(path, n), configured=True))
        elif key == "dhcp-option" and len(words) > 2 and words[1].upper() in ("DNS", "DNS6"):
            resolvers.append(Resolver(address=words[2], source=_src(path, n)))
        elif key in ("server", "server-bridge", "mode") and (key != "mode" or words[1:2] == ["server"]):
            server_line = server_line or n
    name = dev if re.search(r"\d$", dev) else f"{dev} (openvpn {stem})"
    for n, flags in redirect:
        fams = [6] if "!ipv4" in flags else [4]
        if "ipv6" in flags:
            fams.append(6)
        for fam in fams:
            if "def1" in flags:
                halves = ("0.0.0.0/1", "128.0.0.0/1") if fam == 4 else ("::/1", "8000::/1")
                for h in halves:
                    routes.append(Route(dst=ipaddress.ip_network(h), gateway="vpn", dev=name, protocol="static",
                                        source=_src(path, n), configured=True))
            else:
                routes.append(dhcp_default(fam, name, _src(path, n), how="vpn"))
    routes = [replace(r, dev=name) if not r.dev else r for r in routes]
    resolvers = [replace(r, interface=name) for r in resolvers]
    if server_line:
        shared.append(SharedConnection(name=stem, how="openvpn server", interface=name, source=_src(path, server_line)))
    iface = Interface(name=name, kind=KIND_VPN, up=None, why=(("openvpn", stem),),
                      source=_src(path, dev_line or 1), configured=True)
    return NetConfig(interfaces=(iface,), routes=tuple(routes), resolvers=tuple(resolvers), shared=tuple(shared))


# --- resolvers -----------------------------------------------------------------------------------


def parse_resolved_conf(files: Sequence[Tuple[str, str]]) -> Tuple[Resolver, ...]:
    """resolved.conf and its drop-ins in order: DNS=/FallbackDNS= lists; an empty assignment resets."""
    lists: Dict[str, List[Resolver]] = {"DNS": [], "FallbackDNS": []}
    for path, text in files:
        for section, items in _unit_sections(path, text):
            if section != "Resolve":
                continue
            for k, v, n in items:
                if k in lists:
                    if not v:
                        lists[k] = []
                    for server in v.split():
                        address = server.split("#")[0]
                        if address.startswith("[") and "]" in address:
                            address = address[1:address.index("]")]
                        elif address.count(":") == 1:
                            address = address.split(":")[0]
                        if "%" in address:
                            address = address.split("%")[0]
                        lists[k].append(Resolver(address=address, source=_src(path, n)))
    return tuple(lists["DNS"] + lists["FallbackDNS"])


# --- forwarding ------------------------------------------------------------------------------------


def parse_sysctl(path: str, text: str) -> Tuple[ForwardingSetting, ...]:
    """Forwarding assignments of one sysctl.conf(5) file, in file order."""
    out: List[ForwardingSetting] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;" or "=" not in line:
            continue
        key, _, value = line.partition("=")
        fk = forwarding_key(key)
        if fk:
            out.append(ForwardingSetting(fk[0], fk[1], value.strip() not in ("0", ""), _src(path, n)))
    return tuple(out)


def effective_forwarding(assignments: Sequence[ForwardingSetting]) -> Forwarding:
    """The last assignment of each (family, scope) wins; unset "all" is the kernel default (off)."""
    last: Dict[Tuple[int, str], ForwardingSetting] = {}
    for s in assignments:
        last[(s.family, s.scope)] = s
    for fam in (4, 6):
        last.setdefault((fam, "all"), ForwardingSetting(fam, "all", False, "kernel default"))
    return Forwarding(tuple(last[k] for k in sorted(last, key=lambda k: (k[0], k[1] != "all", k[1]))))


# --- NAT -----------------------------------------------------------------------------------------


def parse_iptables_save(path: str, text: str) -> Tuple[NatRule, ...]:
    """iptables-save / iptables-restore format (also ufw's before.rules): rules of the ``*nat`` table."""
    out: List[NatRule] = []
    table = ""
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("*"):
            table = line[1:].strip()
            continue
        if line == "COMMIT":
            table = ""
            continue
        if table != "nat" or not line.startswith(("-A", "-I")):
            continue
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        kind = _nat_kind(words)
        if kind:
            out.append(NatRule(text=line, table="nat", chain=words[1] if len(words) > 1 else "", kind=kind,
                               source=_src(path, n)))
    return tuple(out)


_NFT_NAT = re.compile(r"(?<!status )\b(masquerade|snat|dnat)\b")


def parse_nftables(path: str, text: str) -> Tuple[Tuple[NatRule, ...], Tuple[str, ...]]:
    """An nft script: NAT statements (with their table and chain) and the include patterns it names."""
    out: List[NatRule] = []
    includes: List[str] = []
    stack: List[Tuple[str, str]] = []  # open blocks: ("table", "ip nat"), ("chain", "postrouting"), ("", "")
    for n, raw in enumerate(text.splitlines(), 1):
        line = _strip_nft_comment(raw).strip()
        if not line:
            continue
        m = re.match(r'include\s+"([^"]+)"', line)
        if m:
            includes.append(m.group(1))
            continue
        for statement in [s.strip() for s in line.split(";")]:
            if not statement:
                continue
            words = statement.split()
            kind = _nft_kind(statement)
            if kind and words[0] in ("add", "insert") and words[1:2] == ["rule"] and len(words) >= 5:
                fam = words[2] in ("ip", "ip6", "inet", "arp", "bridge", "netdev")
                table = " ".join(words[2:4]) if fam else words[2]
                chain = words[4] if fam else words[3]
                out.append(NatRule(text=redact(statement), table=table, chain=chain, kind=kind, source=_src(path, n)))
            elif kind:
                table = next((name for k, name in reversed(stack) if k == "table"), "")
                chain = next((name for k, name in reversed(stack) if k == "chain"), "")
                out.append(NatRule(text=redact(statement.strip("{} ")), table=table, chain=chain, kind=kind,
                                   source=_src(path, n)))
            head = re.match(r"(?:add\s+|create\s+)?(table|chain)\s+([^{]+?)\s*\{", statement)
            first_open = True
            for ch in statement:
                if ch == "{":
                    stack.append((head.group(1), head.group(2)) if head and first_open else ("", ""))
                    first_open = False
                elif ch == "}" and stack:
                    stack.pop()
    return tuple(out), tuple(includes)


def _strip_nft_comment(line: str) -> str:
    out, quoted = [], False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        if ch == "#" and not quoted:
            break
        out.append(ch)
    return "".join(out)


def _nft_kind(statement: str) -> str:
    m = _NFT_NAT.search(re.sub(r'"[^"]*"', '""', statement))
    return m.group(1) if m else ""


def parse_firewalld_zone(path: str, text: str) -> Tuple[NatRule, ...]:
    """firewalld zone XML (``<masquerade/>``, ``<forward-port … to-addr=…>``) and direct.xml NAT rules."""
    out: List[NatRule] = []
    for n, raw in enumerate(text.splitlines(), 1):
        direct = re.search(r'<rule\b[^>]*\btable="nat"[^>]*>([^<]*)</rule>', raw)
        if direct:
            chain = re.search(r'\bchain="([^"]*)"', raw)
            kind = _nat_kind(direct.group(1).split())
            if kind:
                out.append(NatRule(text=raw.strip(), table="nat", chain=chain.group(1) if chain else "", kind=kind,
                                   source=_src(path, n)))
            continue
        if re.search(r"<masquerade\s*/>", raw):
            out.append(NatRule(text=raw.strip(), table="firewalld", chain=os.path.basename(path), kind="masquerade",
                               source=_src(path, n)))
        elif re.search(r"<forward-port\b[^>]*\bto-addr=", raw):
            out.append(NatRule(text=raw.strip(), table="firewalld", chain=os.path.basename(path), kind="dnat",
                               source=_src(path, n)))
    return tuple(out)


# --- collectors (read through the target, then parse) ------------------------------------------


def _read(target: Target, path: str) -> Optional[str]:
    if target.is_masked(path):
        return ""  # masked with a link to /dev/null: it contributes nothing and hides its namesakes
    try:
        return target.read_text_optional(path)
    except IsADirectoryError:
        return None


def _files(target: Target, pattern: str) -> List[str]:
    """Regular files (after links) matching a glob inside the image, sorted by path; like glob(3),
    a wildcard does not match a leading dot."""
    hidden_ok = os.path.basename(pattern).startswith(".")
    return [p for p in target.glob(pattern)
            if not target.is_dir(p) and (hidden_ok or not os.path.basename(p).startswith("."))]


def _dropins(target: Target, dirs: Sequence[str], suffix: str) -> List[str]:
    """systemd drop-in order: a file name in an earlier dir masks the same name in later dirs;
    the survivors apply in file-name order (sysctl.d(5), systemd.network(5), resolved.conf(5))."""
    chosen: Dict[str, str] = {}
    for d in dirs:
        for name in target.listdir(d):
            if name.endswith(suffix) and name not in chosen and not name.startswith("."):
                full = os.path.join(d, name)
                if not target.is_dir(full):
                    chosen[name] = full
    return [chosen[name] for name in sorted(chosen)]


def _checked(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a parser; anything it rejects becomes a located, translatable error (never an empty result)."""
    try:
        return fn(*args)
    except ConfigError as exc:
        raise FactError("netconfig.bad_file", path=exc.path, problem=exc.problem) from None
    except (ValueError, TypeError) as exc:  # a number that is not one, a list where a scalar belongs …
        where = args[0] if isinstance(args[0], str) else ", ".join(p for p, _t in args[0])
        raise FactError("netconfig.bad_file", path=where, problem=f"{type(exc).__name__}: {exc}") from None


def read_netplan(target: Target) -> NetConfig:
    # netplan(5): files in /run, /etc and /lib|/usr/lib; same name: /run over /etc over /lib.
    chosen: Dict[str, str] = {}
    for d in ("/run/netplan", "/etc/netplan", "/lib/netplan", "/usr/lib/netplan"):
        for name in target.listdir(d):
            if name.endswith(".yaml") and name not in chosen:
                chosen[name] = os.path.join(d, name)
    files = []
    for name in sorted(chosen):
        text = _read(target, chosen[name])
        if text is not None:
            files.append((chosen[name], text))
    return _checked(parse_netplan, files)


def read_nm(target: Target) -> NetConfig:
    keyfiles: Dict[str, KeyFile] = {}
    seen_uuid: set = set()
    for d, need_ext in (("/run/NetworkManager/system-connections", True),
                        ("/etc/NetworkManager/system-connections", False),
                        ("/usr/lib/NetworkManager/system-connections", True)):
        for name in target.listdir(d):
            path = os.path.join(d, name)
            if not nm_keyfile_wanted(name, need_ext) or target.is_dir(path):
                continue
            text = _read(target, path)
            if text is None:
                continue
            kf = _checked(parse_keyfile, path, text)
            uuid = kf.get("connection", "uuid")
            if uuid and uuid in seen_uuid:
                continue  # shadowed by the same profile in a higher-priority directory
            seen_uuid.add(uuid)
            keyfiles[path] = kf
    return _checked(parse_nm_profiles, list(keyfiles.values()))


def read_ifupdown(target: Target) -> NetConfig:
    configs: List[NetConfig] = []
    seen: set = set()

    def visit(path: str, depth: int) -> None:
        if depth > 16 or path in seen:
            return
        seen.add(path)
        text = _read(target, path)
        if text is None:
            return
        conf, includes = _checked(parse_ifupdown, path, text)
        configs.append(conf)
        for inc in includes:
            if inc.kind == "source-directory":
                for name in target.listdir(inc.pattern):
                    if re.fullmatch(r"[A-Za-z0-9_-]+", name):
                        full = os.path.join(inc.pattern, name)
                        if not target.is_dir(full):
                            visit(full, depth + 1)
            else:
                for full in _files(target, inc.pattern):
                    visit(full, depth + 1)

    visit("/etc/network/interfaces", 0)
    merged = merge(configs)
    return replace(merged, interfaces=_with_masters(_merge_same_name(merged.interfaces)))


def read_networkd(target: Target) -> NetConfig:
    dirs = ("/etc/systemd/network", "/run/systemd/network", "/usr/local/lib/systemd/network",
            "/usr/lib/systemd/network", "/lib/systemd/network")
    configs: List[NetConfig] = []
    for path in _dropins(target, dirs, ".netdev"):
        text = _read(target, path)
        if text:
            configs.append(_checked(parse_networkd_netdev, path, text))
    netdevs = merge(configs).interfaces
    for path in _dropins(target, dirs, ".network"):
        text = _read(target, path)
        if text and _checked(networkd_applies, path, text, netdevs):
            configs.append(_checked(parse_networkd_network, path, text))
    return merge(configs)


def _per_file(target: Target, pattern: str, parser: Callable[[str, str], NetConfig]) -> NetConfig:
    configs = []
    for path in _files(target, pattern):
        text = _read(target, path)
        if text is not None:
            configs.append(_checked(parser, path, text))
    return merge(configs)


def read_wireless_and_links(target: Target) -> NetConfig:
    openvpn = [p for d in ("/etc/openvpn/*.conf", "/etc/openvpn/client/*.conf", "/etc/openvpn/server/*.conf")
               for p in _files(target, d)]
    ovpn_configs = []
    for path in openvpn:
        text = _read(target, path)
        if text is not None:
            ovpn_configs.append(_checked(parse_openvpn, path, text))
    peers = [p for p in _files(target, "/etc/ppp/peers/*") if not os.path.basename(p).startswith(".")
             and not p.endswith("~")]
    peer_configs = []
    for path in peers:
        text = _read(target, path)
        if text is not None:
            peer_configs.append(_checked(parse_ppp_peer, path, text))
    return merge([
        _per_file(target, "/etc/wpa_supplicant/*.conf", parse_wpa_supplicant),
        parse_iwd_networks([n for n in target.listdir(IWD_DIR) if not target.is_dir(f"{IWD_DIR}/{n}")]),
        _per_file(target, "/etc/hostapd/*.conf", parse_hostapd),
        _per_file(target, "/etc/wireguard/*.conf", parse_wireguard),
        *ovpn_configs,
        *peer_configs,
    ])


def read_rc_local(target: Target) -> NetConfig:
    text = _read(target, "/etc/rc.local")
    if text is None:
        return NetConfig()
    return parse_commands("/etc/rc.local", list(_logical_lines(text)))


def saved_config(target: Target) -> NetConfig:
    """All interface/route/resolver/shared configuration of the image, in a stable order."""
    conf = merge([read_netplan(target), read_nm(target), read_ifupdown(target), read_networkd(target),
                  read_ifcfg(target), read_wireless_and_links(target), read_rc_local(target)])
    return replace(conf, interfaces=merge_devices(link_ports(conf.interfaces)))


# One read of the image's configuration per scan: five facts share it. Keyed weakly by the scan's
# FactSet, so the next scan (a watch loop, another image) reads the files again. Failures are not
# cached: each fact that needs the configuration raises the same error again.
_PER_SCAN: weakref.WeakKeyDictionary[Any, NetConfig] = weakref.WeakKeyDictionary()


def _saved(ctx: CollectContext) -> NetConfig:
    conf = _PER_SCAN.get(ctx.facts)
    if conf is None:
        conf = saved_config(ctx.target)
        _PER_SCAN[ctx.facts] = conf
    return conf


def _kernel_rules() -> Tuple[Rule, ...]:
    """The rules every Linux kernel starts with; saved configuration only adds to them."""
    return (
        Rule(0, "table", "local", 255, "from all", 4, "kernel default"),
        Rule(32766, "table", "main", 254, "from all", 4, "kernel default"),
        Rule(32767, "table", "default", 253, "from all", 4, "kernel default"),
        Rule(0, "table", "local", 255, "from all", 6, "kernel default"),
        Rule(32766, "table", "main", 254, "from all", 6, "kernel default"),
    )


def collect_interfaces_offline(ctx: CollectContext) -> Tuple[Interface, ...]:
    return _saved(ctx).interfaces


def collect_routing_offline(ctx: CollectContext) -> Routing:
    conf = _saved(ctx)
    rules = tuple(sorted(_kernel_rules() + conf.rules, key=lambda r: (r.family, r.priority)))
    return Routing(routes=conf.routes, rules=rules, source=ROUTING_SOURCE)


def collect_shared_offline(ctx: CollectContext) -> Tuple[SharedConnection, ...]:
    return _saved(ctx).shared


def _inside(target: Target, path: str) -> str:
    """The path inside the image that ``path`` resolves to (links followed inside the image)."""
    rel = os.path.relpath(target.host_path(path), target.root)
    return "/" if rel == "." else "/" + rel


def collect_resolvers_offline(ctx: CollectContext) -> Tuple[Resolver, ...]:
    target = ctx.target
    out: List[Resolver] = []
    resolved_path = _inside(target, "/etc/resolv.conf")
    text = _read(target, "/etc/resolv.conf")
    if text is not None:
        label = "/etc/resolv.conf" if resolved_path == "/etc/resolv.conf" else f"/etc/resolv.conf -> {resolved_path}"
        out.extend(parse_resolv_conf(text, label))
    else:
        try:
            is_link = os.path.islink(os.path.join(target.host_path("/etc"), "resolv.conf"))
        except OSError:
            is_link = False
        if is_link and not resolved_path.startswith("/run/"):
            # A link to a file the image does not hold, outside the boot-time /run: nothing says
            # what the resolver will be. Not knowing is not "no resolver".
            raise FactError("netconfig.resolv_dangling", link=resolved_path)
        # Missing, or a link into /run (tmpfs, rebuilt at boot by systemd-resolved, NetworkManager
        # or resolvconf from the configuration read below): the sources below are what it holds.
    resolved_files = []
    main = _read(target, "/etc/systemd/resolved.conf")
    if main is not None:
        resolved_files.append(("/etc/systemd/resolved.conf", main))
    for path in _dropins(target, ("/etc/systemd/resolved.conf.d", "/run/systemd/resolved.conf.d",
                                  "/usr/local/lib/systemd/resolved.conf.d", "/usr/lib/systemd/resolved.conf.d"),
                         ".conf"):
        body = _read(target, path)
        if body is not None:
            resolved_files.append((path, body))
    out.extend(_checked(parse_resolved_conf, resolved_files))
    # dnsmasq forwards to its upstreams whatever resolv.conf says (it may itself be resolv.conf's 127.0.0.1).
    for path in ["/etc/dnsmasq.conf"] + _files(target, "/etc/dnsmasq.d/*") \
            + _files(target, "/etc/NetworkManager/dnsmasq.d/*") + _files(target, "/etc/NetworkManager/dnsmasq-shared.d/*"):
        body = _read(target, path)
        if body is not None:
            out.extend(parse_dnsmasq_servers(body, path))
    # resolvconf(8) writes head, the interfaces' dns-* lines, base and tail into /run/resolvconf.
    for part in ("head", "base", "tail"):
        path = f"/etc/resolvconf/resolv.conf.d/{part}"
        body = _read(target, path)
        if body is not None:
            out.extend(parse_resolv_conf(body, path))
    out.extend(_saved(ctx).resolvers)
    return tuple(out)


def collect_forwarding_offline(ctx: CollectContext) -> Forwarding:
    target = ctx.target
    assignments: List[ForwardingSetting] = []
    seen_hosts: set = set()
    paths = _dropins(target, ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
                              "/lib/sysctl.d"), ".conf")
    paths.append("/etc/sysctl.conf")  # procps `sysctl --system` reads it last (Debian links 99-sysctl.conf to it)
    ufw_enabled = re.search(r"(?m)^\s*ENABLED\s*=\s*yes", _read(target, "/etc/ufw/ufw.conf") or "")
    if ufw_enabled:
        paths.append("/etc/ufw/sysctl.conf")  # ufw applies it when it starts, after systemd-sysctl
    for path in paths:
        host = target.host_path(path)
        if host in seen_hosts:
            continue
        seen_hosts.add(host)
        text = _read(target, path)
        if text is not None:
            assignments.extend(parse_sysctl(path, text))
    conf = _saved(ctx)  # ifupdown up-commands, rc.local and networkd run after sysctl
    assignments.extend(conf.forwarding)
    return effective_forwarding(assignments)


_IPTABLES_SAVED = ("/etc/iptables/rules.v4", "/etc/iptables/rules.v6", "/etc/sysconfig/iptables",
                   "/etc/sysconfig/ip6tables", "/etc/ufw/before.rules", "/etc/ufw/before6.rules",
                   "/etc/ufw/after.rules", "/etc/ufw/after6.rules", "/etc/ufw/user.rules", "/etc/ufw/user6.rules")


def collect_nat_offline(ctx: CollectContext) -> Tuple[NatRule, ...]:
    """Saved rules are reported whether or not the service that loads them is enabled: they are
    one command away from being live, and an image is audited for what it carries."""
    target = ctx.target
    saved = _saved(ctx)
    out: List[NatRule] = []
    seen: set = set()  # a file loaded twice (a hook restoring rules.v4) is reported once
    iptables_files = list(_IPTABLES_SAVED) + [p for k, p in saved.rule_files if k == "iptables"]
    for path in iptables_files:
        if path in seen:
            continue
        seen.add(path)
        text = _read(target, path)
        if text is not None:
            out.extend(parse_iptables_save(path, text))
    nft_files = ["/etc/nftables.conf", "/etc/sysconfig/nftables.conf"] + [p for k, p in saved.rule_files if k == "nft"]
    for path in nft_files:
        out.extend(_read_nft(target, path, seen, 0))
    for path in _files(target, "/etc/firewalld/zones/*.xml") + _files(target, "/etc/firewalld/direct.xml"):
        text = _read(target, path)
        if text is not None:
            out.extend(parse_firewalld_zone(path, text))
    out.extend(saved.nat)
    return tuple(out)


def _read_nft(target: Target, path: str, seen: set, depth: int) -> List[NatRule]:
    if path in seen or depth > 16:
        return []
    seen.add(path)
    if target.is_dir(path):
        found: List[NatRule] = []
        for name in target.listdir(path):
            if not name.startswith("."):
                found.extend(_read_nft(target, os.path.join(path, name), seen, depth + 1))
        return found
    text = _read(target, path)
    if text is None:
        return []
    rules, includes = parse_nftables(path, text)
    out = list(rules)
    for inc in includes:
        # nft(8): absolute as given; "./x" relative to the working directory (/ for the service);
        # a bare name is looked up in the include path (/etc on Debian and RHEL builds).
        full = inc if inc.startswith("/") else os.path.normpath("/" + inc) if inc.startswith("./") \
            else os.path.join("/etc", inc)
        matches = target.glob(full) if any(c in full for c in "*?[") else [full]
        for m in matches:
            if not os.path.basename(m).startswith("."):
                out.extend(_read_nft(target, m, seen, depth + 1))
    return out


OFFLINE: Dict[str, Collector] = {
    "network.interfaces": collect_interfaces_offline,
    "network.routing": collect_routing_offline,
    "network.forwarding": collect_forwarding_offline,
    "network.nat": collect_nat_offline,
    "network.shared": collect_shared_offline,
    "network.resolvers": collect_resolvers_offline,
}


def for_target(live_fn: Collector, offline_fn: Collector) -> Collector:
    """One collector for a fact key: the live one on a live host, saved configuration on an image."""

    def collect(ctx: CollectContext) -> Any:
        return live_fn(ctx) if ctx.target.is_live else offline_fn(ctx)

    collect.__name__ = f"for_target({getattr(live_fn, '__name__', 'live')}, {getattr(offline_fn, '__name__', 'offline')})"
    return collect
