"""ifcfg-rh (RHEL/CentOS, Kylin, openEuler: /etc/sysconfig/network-scripts)."""

from __future__ import annotations

import os
import re
from typing import List, Tuple

from ...facts.network import Address, Interface, InterfaceKind, Resolver, Route, SharedConnection
from ...target.interface import Target
from ..syntax.errors import where
from ..syntax.lines import parse_shell_vars
from .commands import ip_route
from .model import (
    DEFAULT4,
    DEFAULT6,
    ConfigError,
    NetConfig,
    connected_route,
    dhcp_default,
    kind_from_name,
    merge,
    num_suffix,
    parse_address,
    parse_file,
    parse_network,
    read_file,
)

IFCFG_DIR = "/etc/sysconfig/network-scripts"
# What initscripts and NetworkManager's ifcfg-rh plugin skip: editor and package-manager leftovers.
IFCFG_IGNORED = (".bak", ".old", ".orig", ".rpmnew", ".rpmorig", ".rpmsave", "~")
_IFCFG_KINDS = {
    "wireless": InterfaceKind.WIRELESS, "bridge": InterfaceKind.BRIDGE, "bond": InterfaceKind.BOND,
    "vlan": InterfaceKind.VLAN, "xdsl": InterfaceKind.PPP, "modem": InterfaceKind.PPP,
}


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
    for key in sorted((k for k in v if re.fullmatch(r"IPADDR\d*", k)), key=num_suffix):
        suffix = key[len("IPADDR"):]
        a = parse_address(get(key), get("PREFIX" + suffix) or get("NETMASK" + suffix))
        if a is None:
            raise ConfigError(where(path, v[key][1]), f"not an address: {get(key)!r}")
        addrs.append(a)
    for text6 in (get("IPV6ADDR") + " " + get("IPV6ADDR_SECONDARIES")).split():
        a = parse_address(text6)
        if a is None:
            raise ConfigError(path, f"not an IPv6 address: {text6!r}")
        addrs.append(a)
    dhcp = get("BOOTPROTO").lower() in ("dhcp", "bootp")
    source = where(path, 1)
    routes: List[Route] = [r for r in (connected_route(a, name, source) for a in addrs) if r is not None]
    if get("DEFROUTE").lower() not in ("no", "false", "0"):
        if get("GATEWAY"):
            routes.append(Route(dst=DEFAULT4, gateway=get("GATEWAY"), dev=name, protocol="static",
                                source=where(path, v["GATEWAY"][1]), configured=True))
        elif dhcp:
            routes.append(dhcp_default(4, name, source))
        if get("IPV6_DEFAULTGW"):
            routes.append(Route(dst=DEFAULT6, gateway=get("IPV6_DEFAULTGW").split("%")[0], dev=name,
                                protocol="static", source=where(path, v["IPV6_DEFAULTGW"][1]), configured=True))
    resolvers = tuple(Resolver(get(k), where(path, v[k][1]), name) for k in sorted(v, key=num_suffix)
                      if re.fullmatch(r"DNS\d+", k) and get(k))
    shared: Tuple[SharedConnection, ...] = ()
    if kind == InterfaceKind.WIRELESS and get("MODE").lower() in ("master", "ap"):
        shared = (SharedConnection(name=get("ESSID") or name, how=f"ifcfg MODE={get('MODE')} (AP)", interface=name,
                                   source=where(path, v["MODE"][1])),)
    iface = Interface(name=name, kind=kind, mac=get("HWADDR").lower(), up=None, addresses=tuple(addrs),
                      master=get("BRIDGE") or get("MASTER"), why=why, source=source, configured=True, dhcp=dhcp)
    return NetConfig(interfaces=(iface,), routes=tuple(routes), resolvers=resolvers, shared=shared)


def parse_ifcfg_routes(path: str, text: str, dev: str, family: int) -> NetConfig:
    """route-<dev> / route6-<dev>: ``ip route`` argument lines, or ADDRESSn/NETMASKn/GATEWAYn."""
    routes: List[Route] = []
    if re.search(r"(?m)^\s*ADDRESS\d+\s*=", text):
        v = parse_shell_vars(path, text)
        for key in sorted((k for k in v if re.fullmatch(r"ADDRESS\d+", k)), key=num_suffix):
            n = key[len("ADDRESS"):]
            dst = parse_network(f"{v[key][0]}/{v['NETMASK' + n][0]}" if "NETMASK" + n in v else v[key][0])
            if dst is None:
                raise ConfigError(where(path, v[key][1]), f"not a network: {v[key][0]!r}")
            gw = v.get("GATEWAY" + n, ("", 0))[0]
            routes.append(Route(dst=dst, gateway=gw, dev=dev, protocol="static", source=where(path, v[key][1]),
                                configured=True))
        return NetConfig(routes=tuple(routes))
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        route = ip_route(line.split(), family, dev, where(path, lineno))
        if route is None:
            raise ConfigError(where(path, lineno), f"not a route: {line!r}")
        routes.append(route)
    return NetConfig(routes=tuple(routes))


def parse_sysconfig_network(path: str, text: str) -> NetConfig:
    """/etc/sysconfig/network: a host-wide GATEWAY (on GATEWAYDEV) and IPV6_DEFAULTGW."""
    v = parse_shell_vars(path, text)
    dev = v.get("GATEWAYDEV", ("", 0))[0]
    routes = [Route(dst=DEFAULT4 if key == "GATEWAY" else DEFAULT6, gateway=v[key][0].split("%")[0], dev=dev,
                    protocol="static", source=where(path, v[key][1]), configured=True)
              for key in ("GATEWAY", "IPV6_DEFAULTGW") if v.get(key, ("", 0))[0]]
    return NetConfig(routes=tuple(routes))


def read_ifcfg(target: Target) -> NetConfig:
    configs: List[NetConfig] = []
    text = read_file(target, "/etc/sysconfig/network")
    if text is not None:
        configs.append(parse_file("/etc/sysconfig/network", parse_sysconfig_network, "/etc/sysconfig/network", text))
    for name in target.listdir(IFCFG_DIR):
        path = f"{IFCFG_DIR}/{name}"
        if target.is_dir(path) or name.endswith(IFCFG_IGNORED):
            continue
        text = None
        if ifcfg_wanted(name):
            text = read_file(target, path)
            if text is not None:
                configs.append(parse_file(path, parse_ifcfg, path, text))
        for prefix, family in (("route-", 4), ("route6-", 6)):
            if name.startswith(prefix):
                text = read_file(target, path)
                if text is not None:
                    configs.append(parse_file(path, parse_ifcfg_routes, path, text, name[len(prefix):], family))
    return merge(configs)
