"""systemd-networkd: .netdev and .network files (systemd.network(5)) with their drop-ins."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import replace
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ...facts.network import (
    Address,
    ForwardingSetting,
    Interface,
    InterfaceKind,
    NatRule,
    Resolver,
    Route,
    Rule,
    SharedConnection,
)
from ...target.interface import Target
from ..syntax.dropins import dropin_paths, systemd_dirs, unit_dropin_dirs
from ..syntax.errors import Ignored
from ..syntax.ini import Dialect, IniFile, Section, parse_ini
from .commands import ip_rule
from .model import (
    DEFAULT4,
    DEFAULT6,
    NetConfig,
    connected_route,
    dhcp_default,
    kind_from_name,
    merge,
    parse_address,
    parse_file,
    parse_network,
    parse_table,
    read_file,
    rejection,
    truthy,
)

_NETDEV_KINDS = {
    "bridge": InterfaceKind.BRIDGE, "bond": InterfaceKind.BOND, "vlan": InterfaceKind.VLAN,
    "wireguard": InterfaceKind.VPN, "tun": InterfaceKind.VPN,
    "tap": InterfaceKind.VPN, "gre": InterfaceKind.VPN, "gretap": InterfaceKind.VPN,
    "ipip": InterfaceKind.VPN, "sit": InterfaceKind.VPN, "vti": InterfaceKind.VPN,
    "ip6gre": InterfaceKind.VPN, "ip6tnl": InterfaceKind.VPN, "vxlan": InterfaceKind.VPN,
    "geneve": InterfaceKind.VPN, "l2tp": InterfaceKind.VPN,
    "fou": InterfaceKind.VPN, "erspan": InterfaceKind.VPN, "veth": InterfaceKind.VETH,
    "dummy": InterfaceKind.DUMMY, "macvlan": InterfaceKind.MACVLAN,
    "macvtap": InterfaceKind.MACVLAN, "ipvlan": InterfaceKind.MACVLAN, "vrf": InterfaceKind.OTHER,
}
_NETWORKD_TYPES = {
    "wlan": InterfaceKind.WIRELESS, "wwan": InterfaceKind.CELLULAR, "ether": InterfaceKind.ETHERNET,
    "ppp": InterfaceKind.PPP, "bridge": InterfaceKind.BRIDGE, "bond": InterfaceKind.BOND,
    "vlan": InterfaceKind.VLAN, "wireguard": InterfaceKind.VPN, "none": InterfaceKind.VPN,
    "loopback": InterfaceKind.LOOPBACK,
}


Files = Sequence[Tuple[str, str]]  # (path inside the image, text): a unit, then its drop-ins in order


def _sections(files: Files) -> Tuple[List[Tuple[Section, IniFile]], Tuple[Ignored, ...]]:
    """Sections of a unit and its drop-ins, as systemd reads them: one stream, the drop-ins'
    sections after the unit's (a later scalar assignment wins, list settings and [Route]
    sections add up); each section with the file it came from."""
    out: List[Tuple[Section, IniFile]] = []
    notes: List[Ignored] = []
    for path, text in files:
        ini = parse_ini(path, text, Dialect.SYSTEMD)
        out.extend((s, ini) for s in ini.sections)
        notes.extend(ini.ignored)
    return out, tuple(notes)


def parse_networkd_netdev(path: str, text: str, dropins: Files = ()) -> NetConfig:
    sections, notes = _sections([(path, text), *dropins])
    values: Dict[str, Tuple[str, str]] = {}
    for s, ini in sections:
        if s.name == "NetDev":
            values.update({e.key: (e.value, ini.where(e.line)) for e in s.entries})
    if "Name" not in values:
        return NetConfig(notes=notes)
    kind_word = values.get("Kind", ("", ""))[0]
    return NetConfig(interfaces=(Interface(
        name=values["Name"][0], kind=_NETDEV_KINDS.get(kind_word, InterfaceKind.OTHER), up=None,
        why=(("netdev Kind", kind_word),), source=values["Name"][1], configured=True),), notes=notes)


# Devices that exist only when something creates them at runtime (nspawn/VM hosts, tunnels):
# a .network file matching only those applies to nothing unless a .netdev in the image creates one.
_RUNTIME_DRIVERS = {"veth", "tun", "bridge", "dummy", "vxlan", "wireguard"}
_RUNTIME_TYPES = {"sit", "gre", "ipip", "ip6tnl", "vti", "bridge", "wireguard", "none", "tunnel6"}


def networkd_applies(path: str, text: str, netdevs: Sequence[Interface], dropins: Files = ()) -> bool:
    """Whether a .network file can match a link of this (physical) terminal.

    systemd ships units for containers and VM hosts (``80-container-host0.network`` needs
    ``Virtualization=container``; ``80-container-ve.network`` matches the ``ve-*`` veth of a
    running nspawn container and masquerades it). Counting them would report NAT on every
    image that has networkd. A unit needing virtualization is skipped; one matching only a
    runtime-created virtual device counts when a .netdev of the image creates a matching device.
    """
    match: Dict[str, List[str]] = {}
    for s, _ini in _sections([(path, text), *dropins])[0]:
        if s.name == "Match":
            for e in s.entries:
                match.setdefault(e.key, []).extend(e.value.split())
    virt = [v for v in match.get("Virtualization", []) if v.lower() not in ("no", "false", "0", "off")]
    if virt and not all(v.startswith("!") for v in virt):
        return False
    drivers = set(match.get("Driver", [])) | set(match.get("Kind", []))
    types = set(match.get("Type", []))
    if (drivers and drivers <= _RUNTIME_DRIVERS) or (types and types <= _RUNTIME_TYPES):
        names = match.get("Name", ["*"])
        return any(fnmatch.fnmatchcase(d.name, pat) for d in netdevs for pat in names)
    return True


def _ra_table(values: Mapping[str, Mapping[str, Tuple[str, str]]], section: str) -> Optional[Tuple[str, int]]:
    value = values.get(section, {}).get("RouteTable")
    return parse_table(value[0]) if value and value[0] else None


def parse_networkd_network(path: str, text: str, dropins: Files = ()) -> NetConfig:
    """A .network file with its drop-ins: the interface(s) it matches, addresses, gateways, DHCP
    and router advertisements (with ``RouteTable=``), DNS, routes, rules, IPForward=/IPv4Forwarding=,
    IPMasquerade= and DHCPServer=.

    As lenient as networkd: a value it cannot parse is ignored with a warning (an ``Ignored``
    note here); an ignored ``Destination=`` leaves the route a default route, as in networkd.
    """
    sections, ini_notes = _sections([(path, text), *dropins])
    notes: List[Ignored] = list(ini_notes)
    names: List[str] = []
    kind = ""
    why: List[Tuple[str, str]] = []
    match_where = ""
    # The last assignment of each key of the single-valued sections ([DHCPv4], [IPv6AcceptRA] …).
    last: Dict[str, Dict[str, Tuple[str, str]]] = {}
    for s, ini in sections:
        if s.name in ("DHCPv4", "DHCPv6", "IPv6AcceptRA", "Network"):
            last.setdefault(s.name, {}).update({e.key: (e.value, ini.where(e.line)) for e in s.entries})
        if s.name == "Match":
            for e in s.entries:
                match_where = match_where or ini.where(e.line)
                if e.key == "Name":
                    names.extend(e.value.split())
                elif e.key == "Type" and e.value.split():
                    kind = _NETWORKD_TYPES.get(e.value.split()[0], "")
                    why.append(("Type", e.value))
                elif e.key == "WLANInterfaceType":
                    kind = InterfaceKind.WIRELESS
                    why.append((e.key, e.value))
    name = " ".join(names) if names else os.path.basename(path)
    if not kind:
        kind, hint = kind_from_name(names[0]) if len(names) == 1 else (InterfaceKind.ETHERNET, ())
        why.extend(hint)
    addresses: List[Address] = []
    routes: List[Route] = []
    rules: List[Rule] = []
    resolvers: List[Resolver] = []
    shared: List[SharedConnection] = []
    nat: List[NatRule] = []
    fwd: List[ForwardingSetting] = []
    master = ""
    for s, ini in sections:
        if s.name == "Network":
            for e in s.entries:
                k, v, src = e.key, e.value, ini.where(e.line)
                if k == "Address":
                    addr = parse_address(v)
                    if addr is None:
                        notes.append(Ignored(src, f"Address={v}: not an address, networkd ignores it"))
                        continue
                    if addr.ip.is_unspecified:
                        continue  # 0.0.0.0/N: networkd picks a free range from its private pool
                    addresses.append(addr)
                    link = connected_route(addr, name, src)
                    if link:
                        routes.append(link)
                elif k == "Gateway":
                    if v in ("_dhcp4", "_ipv6ra"):
                        routes.append(dhcp_default(4 if v == "_dhcp4" else 6, name, src,
                                                   how="dhcp" if v == "_dhcp4" else "ra"))
                        continue
                    if parse_network(v) is None:
                        notes.append(Ignored(src, f"Gateway={v}: not an address, networkd ignores it"))
                        continue
                    routes.append(Route(dst=DEFAULT6 if ":" in v else DEFAULT4, gateway=v, dev=name,
                                        protocol="static", source=src, configured=True))
                elif k == "DNS":
                    for server in v.split():
                        resolvers.append(Resolver(address=server.split("#")[0], source=src, interface=name))
                elif k in ("IPForward", "IPv4Forwarding", "IPv6Forwarding"):
                    fams = {"IPv4Forwarding": (4,), "IPv6Forwarding": (6,)}.get(
                        k, {"ipv4": (4,), "ipv6": (6,)}.get(v.lower(), (4, 6)))
                    for fam in fams:
                        fwd.append(ForwardingSetting(fam, "all", truthy(v) or v.lower() in ("ipv4", "ipv6"), src))
                elif k == "IPMasquerade" and v.lower() not in ("no", "false", "0", "off", ""):
                    nat.append(NatRule(text=f"IPMasquerade={v}", table="systemd-networkd", chain=name,
                                       kind="masquerade", source=src))
                    for fam in {"ipv4": (4,), "ipv6": (6,)}.get(v.lower(), (4, 6) if v.lower() == "both" else (4,)):
                        fwd.append(ForwardingSetting(fam, "all", True, f"{src} (IPMasquerade= enables forwarding)"))
                elif k in ("Bridge", "Bond"):
                    master = v
                elif k == "DHCPServer" and truthy(v):
                    shared.append(SharedConnection(name=name, how="DHCPServer=yes", interface=name, source=src))
        elif s.name == "Route":
            opts = {e.key: e.value for e in s.entries}
            first = ini.where(min((e.line for e in s.entries), default=0))
            gateway = opts.get("Gateway", "")
            dest = opts.get("Destination", "")
            dst = parse_network(dest) if dest else None
            if dest and dst is None:
                notes.append(Ignored(first, f"Destination={dest}: networkd ignores it (the route is a default route)"))
            if dst is None:
                dst = DEFAULT6 if ":" in gateway or opts.get("Family", "") == "ipv6" else DEFAULT4
            table, table_id = parse_table(opts.get("Table", "main"))
            metric = opts.get("Metric", "")
            routes.append(Route(dst=dst, type=opts.get("Type", "unicast"), gateway=gateway, dev=name, table=table,
                                table_id=table_id, protocol="static",
                                metric=int(metric) if metric.isdigit() else None, source=first, configured=True))
        elif s.name == "RoutingPolicyRule":
            opts = {e.key: e.value for e in s.entries}
            first = ini.where(min((e.line for e in s.entries), default=0))
            words: List[str] = []
            for key, word in (("Priority", "priority"), ("From", "from"), ("To", "to"), ("Table", "table"),
                              ("FirewallMark", "fwmark"), ("IncomingInterface", "iif"),
                              ("OutgoingInterface", "oif")):
                if key in opts:
                    words += [word, opts[key]]
            if opts.get("Type", "table") != "table":
                words.append(opts["Type"])
            if truthy(opts.get("Invert", "no")):
                words.insert(0, "not")
            rules.append(ip_rule(words, 6 if opts.get("Family", "") == "ipv6" else 4, first))
    dhcp = False
    dhcp_mode, dhcp_where = last.get("Network", {}).get("DHCP", ("no", ""))
    dhcp_mode = dhcp_mode.lower()
    v4 = last.get("DHCPv4", {})
    use_routes = truthy(v4.get("UseRoutes", ("yes", ""))[0])
    use_gateway = truthy(v4.get("UseGateway", ("yes" if use_routes else "no", ""))[0])
    if dhcp_mode in ("yes", "true", "ipv4", "both", "1", "on"):
        dhcp = True
        if use_gateway:
            t4 = _ra_table(last, "DHCPv4") or ("main", 254)
            routes.append(replace(dhcp_default(4, name, dhcp_where), table=t4[0], table_id=t4[1]))
    ra_set = last.get("Network", {}).get("IPv6AcceptRA")
    ra = last.get("IPv6AcceptRA", {})
    ra_gateway = truthy(ra.get("UseGateway", ("yes", ""))[0])
    dhcp6 = dhcp_mode in ("yes", "true", "ipv6", "both", "1", "on")
    dhcp = dhcp or dhcp6
    # Router advertisements (not DHCPv6) carry the IPv6 default route: asked for with
    # IPv6AcceptRA=yes, or implied by DHCP=ipv6 unless IPv6AcceptRA=no.
    if ra_gateway and ((ra_set and truthy(ra_set[0])) or (dhcp6 and not (ra_set and not truthy(ra_set[0])))):
        t6 = _ra_table(last, "IPv6AcceptRA") or _ra_table(last, "DHCPv6") or ("main", 254)
        source = ra_set[1] if ra_set and truthy(ra_set[0]) else dhcp_where
        routes.append(replace(dhcp_default(6, name, source, how="ra"), table=t6[0], table_id=t6[1]))
    # A unit that matches by type alone and gives no address (systemd's 80-wifi-adhoc.network only
    # turns on link-local addressing) is not evidence that such a device is configured.
    interfaces: Tuple[Interface, ...] = ()
    if names or addresses or dhcp or master or any(r.dst.prefixlen == 0 for r in routes):
        interfaces = (Interface(name=name, kind=kind, up=None, addresses=tuple(addresses), master=master,
                                why=tuple(why), source=match_where or path, configured=True, dhcp=dhcp),)
    return NetConfig(interfaces=interfaces, routes=tuple(routes), rules=tuple(rules), resolvers=tuple(resolvers),
                     shared=tuple(shared), nat=tuple(nat), forwarding=tuple(fwd), notes=tuple(notes))


NETWORKD_DIRS = systemd_dirs("systemd/network")


def _with_dropins(target: Target, path: str) -> List[Tuple[str, str]]:
    """``foo.network.d/*.conf`` beside every directory of the search path, masked by name."""
    out = []
    for dropin in dropin_paths(target, unit_dropin_dirs(NETWORKD_DIRS, os.path.basename(path)), ".conf"):
        text = read_file(target, dropin)
        if text:
            out.append((dropin, text))
    return out


def read_networkd(target: Target) -> NetConfig:
    configs: List[NetConfig] = []
    for path in dropin_paths(target, NETWORKD_DIRS, ".netdev"):
        text = read_file(target, path)
        if text:
            configs.append(parse_file(path, parse_networkd_netdev, path, text, _with_dropins(target, path)))
    netdevs = merge(configs).interfaces
    for path in dropin_paths(target, NETWORKD_DIRS, ".network"):
        text = read_file(target, path)
        if not text:
            continue
        dropins = _with_dropins(target, path)
        try:
            applies = networkd_applies(path, text, netdevs, dropins)
        except (ValueError, TypeError) as exc:
            configs.append(NetConfig(rejected=(rejection(exc, path),)))
            continue
        if applies:
            configs.append(parse_file(path, parse_networkd_network, path, text, dropins))
    return merge(configs)
