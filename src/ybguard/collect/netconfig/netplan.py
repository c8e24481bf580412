"""netplan(5): the YAML files netplan merges into one configuration, read as netplan does."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Sequence, Tuple

from ...facts.network import Address, Interface, InterfaceKind, Resolver, Route, Rule, SharedConnection
from ...target.interface import Target
from .model import (
    DEFAULT4,
    DEFAULT6,
    DRIVER_KINDS,
    ConfigError,
    NetConfig,
    connected_route,
    dhcp_default,
    kind_from_name,
    parse_address,
    parse_file,
    parse_network,
    parse_table,
    read_file,
    truthy,
    with_masters,
)
from .networkmanager import NM_TYPES


class _Lines(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers "path:line" of each key."""

    where: Dict[Any, str]


class _ListLines(list):  # type: ignore[type-arg]
    where: List[str]


def _netplan_loader(text: str, path: str) -> Any:
    """The one place netplan YAML is loaded (a YAML alias-bomb guard belongs here)."""
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
    from ... import safeyaml  # alias bombs are refused before anything is constructed

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
    "ethernets": InterfaceKind.ETHERNET, "wifis": InterfaceKind.WIRELESS, "modems": InterfaceKind.CELLULAR,
    "bridges": InterfaceKind.BRIDGE,
    "bonds": InterfaceKind.BOND, "vlans": InterfaceKind.VLAN, "tunnels": InterfaceKind.VPN,
    "vrfs": InterfaceKind.OTHER,
    "dummy-devices": InterfaceKind.DUMMY, "virtual-ethernets": InterfaceKind.VETH,
    "nm-devices": InterfaceKind.OTHER,
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
    return NetConfig(interfaces=with_masters(interfaces), routes=tuple(routes), rules=tuple(rules),
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
        hinted = [DRIVER_KINDS[d] for d in drivers if d in DRIVER_KINDS]
        if hinted:
            kind = hinted[0]
            why.append(("driver", str(drivers[0])))
        else:
            hint, hint_why = kind_from_name(name)
            if hint != InterfaceKind.ETHERNET:  # "lo" too: a /32 service address on loopback is no path out
                kind = hint
                why.extend(hint_why)
    if section == "tunnels":
        why.append(("mode", str(conf.get("mode", ""))))
    if section == "nm-devices":
        nm = _as_map(conf.get("networkmanager"), where, "networkmanager")
        passthrough = _as_map(nm.get("passthrough"), where, "passthrough")
        ptype = str(passthrough.get("connection.type", ""))
        kind = NM_TYPES.get(ptype, InterfaceKind.OTHER)
        why.append(("connection.type", ptype))
    addresses: List[Address] = []
    raw_addrs = _as_seq(conf.get("addresses"), conf.where.get("addresses", where), "addresses")
    for i, item in enumerate(raw_addrs):
        text = next(iter(item)) if isinstance(item, dict) else str(item)
        addr = parse_address(text)
        if addr is None:
            raise ConfigError(raw_addrs.where[i], f"not an address: {text}")
        addresses.append(addr)
        link = connected_route(addr, name, raw_addrs.where[i])
        if link:
            routes.append(link)
    dhcp = False
    for fam, key in ((4, "dhcp4"), (6, "dhcp6")):
        if truthy(conf.get(key, False)):
            dhcp = True
            overrides = _as_map(conf.get(f"{key}-overrides"), where, f"{key}-overrides")
            if fam == 4 and "use-routes" in overrides and not truthy(overrides["use-routes"]):
                continue
            metric = overrides.get("route-metric")
            routes.append(dhcp_default(fam, name, conf.where[key], int(metric) if metric is not None else None,
                                       "dhcp" if fam == 4 else "ra"))
    if truthy(conf.get("accept-ra", False)) and not truthy(conf.get("dhcp6", False)):
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
        dst = parse_network(to)
        if dst is None:
            raise ConfigError(raw_routes.where[i], f"not a destination: {to}")
        if to in ("default", "::/0") and ":" in via:
            dst = DEFAULT6
        table, table_id = parse_table(r.get("table", 254))
        rtype = str(r.get("type", "unicast"))
        metric = r.get("metric")
        routes.append(Route(dst=dst, type=rtype, gateway=via, dev=name, table=table, table_id=table_id,
                            protocol="static", metric=int(metric) if metric is not None else None,
                            source=raw_routes.where[i], configured=True))
    raw_rules = _as_seq(conf.get("routing-policy"), conf.where.get("routing-policy", where), "routing-policy")
    for i, r in enumerate(raw_rules):
        if not isinstance(r, dict):
            raise ConfigError(raw_rules.where[i], "a routing-policy entry must be a mapping")
        table, table_id = parse_table(r.get("table", 254))
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


def read_netplan(target: Target) -> NetConfig:
    # netplan(5): files in /run, /etc and /lib|/usr/lib; same name: /run over /etc over /lib.
    chosen: Dict[str, str] = {}
    for d in ("/run/netplan", "/etc/netplan", "/lib/netplan", "/usr/lib/netplan"):
        for name in target.listdir(d):
            if name.endswith(".yaml") and name not in chosen:
                chosen[name] = os.path.join(d, name)
    files = []
    for name in sorted(chosen):
        text = read_file(target, chosen[name])
        if text is not None:
            files.append((chosen[name], text))
    # netplan generate refuses the whole configuration when one file is wrong: so do we.
    return parse_file(", ".join(p for p, _t in files), parse_netplan, files)
