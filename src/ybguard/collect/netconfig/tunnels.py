"""Dial-up and tunnels: ppp peers, WireGuard (wg-quick), OpenVPN."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import replace
from typing import List, Tuple

from ...facts.network import Address, Interface, InterfaceKind, Resolver, Route, Rule, SharedConnection
from ...target.interface import Target
from ..syntax.errors import where
from ..syntax.ini import Dialect, parse_ini
from .model import (
    ConfigError,
    NetConfig,
    dhcp_default,
    list_files,
    merge,
    parse_address,
    parse_file,
    parse_network,
    parse_table,
    per_file,
    read_file,
)


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
    kind = InterfaceKind.VPN if re.search(r"\bpptp\b|\bl2tp", joined) else InterfaceKind.PPP
    why = [("ppp peer", peer)]
    device = next((w for w in flat if w.startswith("/dev/")), "")
    if device:
        why.append(("device", device))
    iface = Interface(name=name, kind=kind, up=None, why=tuple(why), source=where(path, words[0][0]), configured=True)
    routes = tuple(dhcp_default(4, name, where(path, n), how="peer") for n, w in words
                   if w in ("defaultroute", "replacedefaultroute"))[:1]
    routes += tuple(dhcp_default(6, name, where(path, n), how="peer") for n, w in words if w == "defaultroute6")[:1]
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
    sections = [(sect.name, [(e.key, e.value, e.line) for e in sect.entries])
                for sect in parse_ini(path, text, Dialect.WG).sections]
    for section, items in sections:
        if section == "Interface":
            for k, v, n in items:
                first = first or n
                if k == "Address":
                    for a in v.split(","):
                        addr = parse_address(a)
                        if addr is None:
                            raise ConfigError(where(path, n), f"not an address: {a.strip()}")
                        addresses.append(addr)
                elif k == "DNS":
                    for s in v.split(","):
                        if parse_address(s):
                            resolvers.append(Resolver(address=s.strip(), source=where(path, n), interface=name))
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
                    dst = parse_network(a)
                    if dst is None:
                        continue
                    if table_opt == "auto" and dst.prefixlen == 0:
                        # wg-quick: default route in table 51820, reached through a fwmark rule.
                        routes.append(Route(dst=dst, dev=name, table="51820", table_id=51820, protocol="static",
                                            source=where(path, n), configured=True))
                        rules.append(Rule(priority=32765, action="table", table="51820", table_id=51820,
                                          selector="not from all fwmark 0xca6c", family=dst.version,
                                          raw=f"{where(path, n)} (wg-quick Table=auto)"))
                    else:
                        table, table_id = parse_table(table_opt if table_opt != "auto" else "main")
                        routes.append(Route(dst=dst, dev=name, table=table, table_id=table_id, protocol="static",
                                            source=where(path, n), configured=True))
    iface = Interface(name=name, kind=InterfaceKind.VPN, up=None, addresses=tuple(addresses), why=(("wg-quick", name),),
                      source=where(path, first), configured=True)
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
            dst = parse_network(words[1] if not mask else f"{words[1]}/{mask}")
            if dst is not None:
                routes.append(Route(dst=dst, gateway="vpn", protocol="static", source=where(path, n), configured=True))
        elif key == "dhcp-option" and len(words) > 2 and words[1].upper() in ("DNS", "DNS6"):
            resolvers.append(Resolver(address=words[2], source=where(path, n)))
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
                                        source=where(path, n), configured=True))
            else:
                routes.append(dhcp_default(fam, name, where(path, n), how="vpn"))
    routes = [replace(r, dev=name) if not r.dev else r for r in routes]
    resolvers = [replace(r, interface=name) for r in resolvers]
    if server_line:
        shared.append(SharedConnection(name=stem, how="openvpn server", interface=name, source=where(path, server_line)))
    iface = Interface(name=name, kind=InterfaceKind.VPN, up=None, why=(("openvpn", stem),),
                      source=where(path, dev_line or 1), configured=True)
    return NetConfig(interfaces=(iface,), routes=tuple(routes), resolvers=tuple(resolvers), shared=tuple(shared))


def read_tunnels(target: Target) -> NetConfig:
    openvpn = [p for d in ("/etc/openvpn/*.conf", "/etc/openvpn/client/*.conf", "/etc/openvpn/server/*.conf")
               for p in list_files(target, d)]
    peers = [p for p in list_files(target, "/etc/ppp/peers/*") if not os.path.basename(p).startswith(".")
             and not p.endswith("~")]
    configs = [per_file(target, "/etc/wireguard/*.conf", parse_wireguard,
                        affects=("interfaces", "routes", "rules", "resolvers"))]
    for paths, parser, affects in ((openvpn, parse_openvpn, ("interfaces", "routes", "resolvers", "shared")),
                                   (peers, parse_ppp_peer, ("interfaces", "routes"))):
        for path in paths:
            text = read_file(target, path)
            if text is not None:
                configs.append(parse_file(path, parser, path, text, affects=affects))
    return merge(configs)
