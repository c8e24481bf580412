"""ifupdown's interfaces(5): the main file and what it sources."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from typing import Dict, List, Sequence, Set, Tuple

from ...facts.network import Address, Interface, InterfaceKind, Resolver, Route
from ...target.interface import Target
from ..syntax.errors import where
from ..syntax.lines import logical_lines
from .commands import follow_scripts, parse_commands
from .model import (
    DEFAULT4,
    DEFAULT6,
    ConfigError,
    NetConfig,
    connected_route,
    dhcp_default,
    kind_from_name,
    list_files,
    merge,
    parse_address,
    read_file,
    rejection,
    with_masters,
)

_IFUPDOWN_STANZAS = ("iface", "mapping", "auto", "source", "source-directory", "rename", "no-auto-down",
                     "no-scripts")
_IFUPDOWN_CMDS = ("up", "pre-up", "post-up", "down", "pre-down", "post-down")


@dataclass(frozen=True)
class Include:
    kind: str  # "source" (glob) or "source-directory"
    pattern: str  # absolute path inside the image


def parse_ifupdown(path: str, text: str) -> Tuple[NetConfig, Tuple[Include, ...]]:
    """One interfaces(5) file: its stanzas, and the files it sources (for the collector to follow)."""
    includes: List[Include] = []
    stanzas: List[Tuple[int, List[str], List[Tuple[int, List[str], str]]]] = []
    base = os.path.dirname(path)
    for n, line in logical_lines(text):
        words = line.split()
        first = words[0]
        if first in ("source", "source-directory"):
            for pattern in words[1:]:
                full = pattern if pattern.startswith("/") else os.path.normpath(os.path.join(base, pattern))
                includes.append(Include(first, full))
            stanzas.append((n, ["-"], []))
        elif first == "iface":
            if len(words) < 4:
                raise ConfigError(where(path, n), "expected 'iface NAME FAMILY METHOD'")
            stanzas.append((n, words, []))
        elif first in _IFUPDOWN_STANZAS or first.startswith("allow-"):
            stanzas.append((n, ["-"], []))
        elif stanzas and stanzas[-1][1][0] == "iface":
            stanzas[-1][2].append((n, [first], line[len(first):].strip()))
        elif stanzas and stanzas[-1][1][0] == "-" and first in ("script", "map"):
            continue  # mapping options
        else:
            raise ConfigError(where(path, n), f"option outside an iface stanza: {first}")
    configs: List[NetConfig] = []
    for n, head, options in stanzas:
        if head[0] != "iface":
            continue
        configs.append(_ifupdown_iface(path, n, head, options))
    merged = merge(configs)
    return replace(merged, interfaces=with_masters(_merge_same_name(merged.interfaces))), tuple(includes)


def _merge_same_name(interfaces: Sequence[Interface]) -> Tuple[Interface, ...]:
    """``iface eth0 inet …`` and ``iface eth0 inet6 …`` describe one interface."""
    out: Dict[str, Interface] = {}
    for i in interfaces:
        prev = out.get(i.name)
        if prev is None:
            out[i.name] = i
            continue
        kind = prev.kind if prev.kind != InterfaceKind.ETHERNET else i.kind
        out[i.name] = replace(prev, kind=kind, addresses=prev.addresses + i.addresses, dhcp=prev.dhcp or i.dhcp,
                              ports=prev.ports or i.ports, why=prev.why + tuple(w for w in i.why if w not in prev.why))
    return tuple(out.values())


def _ifupdown_iface(path: str, n: int, head: Sequence[str], options: Sequence[Tuple[int, List[str], str]]) -> NetConfig:
    name, family_word, method = head[1], head[2], head[3]
    family = 6 if family_word == "inet6" else 4
    source = where(path, n)
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
        kind, why = InterfaceKind.LOOPBACK, [("method", "loopback")]
    elif method in ("ppp", "wvdial") or "provider" in opts:
        kind, why = InterfaceKind.PPP, [("method", method)]
    elif method in ("tunnel", "v4tunnel", "6to4") or "openvpn" in opts:
        kind, why = InterfaceKind.VPN, [("method", method)]
    elif any(k.startswith(("wpa-", "wireless-")) for k in opts):
        kind, why = InterfaceKind.WIRELESS, [("option", next(k for k in opts if k.startswith(("wpa-", "wireless-"))))]
    elif "bridge-ports" in opts:
        kind, why = InterfaceKind.BRIDGE, [("option", "bridge_ports")]
    elif "bond-slaves" in opts or "slaves" in opts:
        kind, why = InterfaceKind.BOND, [("option", "bond-slaves")]
    elif "vlan-raw-device" in opts:
        kind, why = InterfaceKind.VLAN, [("option", "vlan-raw-device")]
    why.append(("ifupdown", f"{family_word} {method}"))
    addresses: List[Address] = []
    routes: List[Route] = []
    resolvers: List[Resolver] = []
    for value, line_no in every.get("address", []):
        netmask = opts.get("netmask", ("", 0))[0]
        addr = parse_address(value, netmask)
        if addr is None:
            raise ConfigError(where(path, line_no), f"not an address: {value}")
        addresses.append(addr)
        link = connected_route(addr, name, where(path, line_no))
        if link:
            routes.append(link)
    if "gateway" in opts:
        value, line_no = opts["gateway"]
        routes.append(Route(dst=DEFAULT6 if family == 6 else DEFAULT4, gateway=value, dev=name, protocol="static",
                            metric=int(opts["metric"][0]) if opts.get("metric", ("",))[0].isdigit() else None,
                            source=where(path, line_no), configured=True))
    dhcp = method in ("dhcp", "bootp") or (family == 6 and method == "auto")
    if dhcp:
        routes.append(dhcp_default(family, name, source, how="dhcp" if family == 4 else "ra"))
    elif family == 6 and opts.get("accept-ra", ("0", 0))[0] in ("1", "2"):
        # interfaces(5) inet6 static/manual: ``accept_ra 1|2`` takes the default route from RAs
        routes.append(dhcp_default(6, name, where(path, opts["accept-ra"][1]), how="ra"))
    for key in ("dns-nameservers", "dns-nameserver"):
        for value, line_no in every.get(key, []):
            for server in value.split():
                resolvers.append(Resolver(address=server, source=where(path, line_no), interface=name))
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


def read_ifupdown(target: Target) -> NetConfig:
    configs: List[NetConfig] = []
    seen: Set[str] = set()

    def visit(path: str, depth: int) -> None:
        if depth > 16 or path in seen:
            return
        seen.add(path)
        text = read_file(target, path)
        if text is None:
            return
        try:
            conf, includes = parse_ifupdown(path, text)
        except (ValueError, TypeError) as exc:  # ifup refuses the file: its stanzas are unknown
            configs.append(NetConfig(rejected=(rejection(exc, path),)))
            return
        configs.append(conf)
        for inc in includes:
            if inc.kind == "source-directory":
                for name in target.listdir(inc.pattern):
                    if re.fullmatch(r"[A-Za-z0-9_-]+", name):
                        full = os.path.join(inc.pattern, name)
                        if not target.is_dir(full):
                            visit(full, depth + 1)
            else:
                for full in list_files(target, inc.pattern):
                    visit(full, depth + 1)

    visit("/etc/network/interfaces", 0)
    merged = merge(configs)
    merged = follow_scripts(target, merged, set())
    return replace(merged, interfaces=with_masters(_merge_same_name(merged.interfaces)))
