"""NetworkManager keyfile profiles (nm-settings-keyfile(5)) and NetworkManager.conf: one reader for
the live host and an image."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from typing import Dict, List, Mapping, Optional, Sequence, Set, Tuple

from ...facts.network import Address, Interface, InterfaceKind, Resolver, Route, Rule, SharedConnection
from ...target.interface import Target
from ..syntax.dropins import dropin_paths
from ..syntax.errors import Ignored, Rejected, where
from ..syntax.ini import KeyFile, parse_keyfile
from .commands import ip_rule
from .model import (
    DEFAULT4,
    DEFAULT6,
    ConfigError,
    NetConfig,
    connected_route,
    dhcp_default,
    merge,
    num_suffix,
    parse_address,
    parse_file,
    parse_network,
    parse_table,
    read_file,
    truthy,
    with_masters,
)

NM_TYPES = {
    "ethernet": InterfaceKind.ETHERNET, "802-3-ethernet": InterfaceKind.ETHERNET,
    "wifi": InterfaceKind.WIRELESS,
    "802-11-wireless": InterfaceKind.WIRELESS, "wifi-p2p": InterfaceKind.WIRELESS,
    "802-11-olpc-mesh": InterfaceKind.WIRELESS,
    "gsm": InterfaceKind.CELLULAR, "cdma": InterfaceKind.CELLULAR, "vpn": InterfaceKind.VPN,
    "wireguard": InterfaceKind.VPN, "tun": InterfaceKind.VPN,
    "ip-tunnel": InterfaceKind.VPN, "vxlan": InterfaceKind.VPN, "bridge": InterfaceKind.BRIDGE,
    "bond": InterfaceKind.BOND, "team": InterfaceKind.BOND,
    "vlan": InterfaceKind.VLAN, "pppoe": InterfaceKind.PPP, "adsl": InterfaceKind.PPP,
    "dummy": InterfaceKind.DUMMY, "veth": InterfaceKind.VETH,
    "macvlan": InterfaceKind.MACVLAN, "loopback": InterfaceKind.LOOPBACK,
    "bluetooth": InterfaceKind.USB_TETHER,
}
# Types whose default route comes from the peer (ppp, VPN server) rather than from DHCP.
_NM_PEER_TYPES = {"gsm", "cdma", "pppoe", "adsl", "vpn"}
_NM_NO_IP_TYPES = {"bridge-slave"}
_NM_IGNORED_SUFFIXES = (".bak", ".orig", ".rej", ".swp", ".tmp", ".dpkg-dist", ".dpkg-new", ".dpkg-old",
                        ".dpkg-bak", ".dpkg-tmp", ".rpmnew", ".rpmorig", ".rpmsave", ".ucf-dist", ".ucf-new",
                        ".ucf-old", ".pacsave", ".pacnew")


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
    return replace(merged, interfaces=with_masters(merged.interfaces))


# Before connection.interface-name existed, NetworkManager kept the name in the type's own
# setting; current NetworkManager still reads it there (libnm's keyfile compatibility).
_LEGACY_NAME_SECTIONS = ("bridge", "bond", "vlan", "team", "infiniband")


def _nm_iface_name(kf: KeyFile) -> str:
    legacy = next((kf.get(s, "interface-name") for s in _LEGACY_NAME_SECTIONS if kf.get(s, "interface-name")), "")
    return (kf.get("connection", "interface-name") or legacy or kf.get("connection", "id")
            or os.path.basename(kf.path))


def _nm_profile(kf: KeyFile, by_uuid: Mapping[str, KeyFile]) -> NetConfig:
    if "connection" not in kf.sections:
        raise ConfigError(kf.path, "no [connection] section")
    ctype = kf.get("connection", "type")
    profile_id = kf.get("connection", "id") or os.path.basename(kf.path)
    name = _nm_iface_name(kf)
    kind = NM_TYPES.get(ctype, InterfaceKind.OTHER)
    why: List[Tuple[str, str]] = [("connection.type", ctype), ("connection.id", profile_id)]
    if ctype == "bluetooth":
        bt = kf.get("bluetooth", "type", "panu")
        why.append(("bluetooth.type", bt))
        if bt == "dun":
            kind = InterfaceKind.CELLULAR
    master = kf.get("connection", "controller") or kf.get("connection", "master")
    port_type = kf.get("connection", "port-type") or kf.get("connection", "slave-type")
    if master in by_uuid:
        master = _nm_iface_name(by_uuid[master])
    notes: List[Ignored] = []
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
    if kind == InterfaceKind.WIRELESS and kf.get(wifi, "mode") == "ap":
        sharing.append(("wifi mode=ap", kf.where(wifi, "mode")))
    if ctype == "bluetooth" and kf.get("bluetooth", "type") == "nap":
        sharing.append(("bluetooth type=nap", kf.where("bluetooth", "type")))
    if not is_port and ctype not in _NM_NO_IP_TYPES:
        for fam, sect in ((4, "ipv4"), (6, "ipv6")):
            default_method = "disabled" if ctype == "wireguard" else "auto"
            method = kf.get(sect, "method", default_method)
            never_default = truthy(kf.get(sect, "never-default", "false"))
            ignore_auto = truthy(kf.get(sect, "ignore-auto-routes", "false"))
            route_table = kf.get(sect, "route-table", "0")
            table, table_id = parse_table(route_table if route_table not in ("", "0") else 254)
            if method == "shared":
                sharing.append((f"{sect}.method=shared", kf.where(sect, "method")))
            if method in ("auto", "dhcp"):
                dhcp = True
                if not never_default and not ignore_auto:
                    how = "peer" if ctype in _NM_PEER_TYPES else ("dhcp" if fam == 4 else "ra")
                    where = kf.where(sect, "method") if kf.has(sect, "method") else kf.where("connection", "type")
                    routes.append(replace(dhcp_default(fam, name, where, how=how), table=table, table_id=table_id))
            keys = sorted(kf.sections.get(sect, {}), key=lambda k: (re.sub(r"\d+$", "", k), num_suffix(k)))
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
                        addr = parse_address(bits[0])
                        if addr is None:  # NetworkManager: "ignoring invalid IPv4 address"
                            notes.append(Ignored(kf.where(sect, key), f"{sect}.{key}: not an address: {bits[0]}"
                                                                      ", NetworkManager ignores it"))
                            continue
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
                        dst = parse_network(bits[0])
                        if dst is None:  # NetworkManager: "ignoring invalid IPv4 route"
                            notes.append(Ignored(kf.where(sect, key), f"{sect}.{key}: not a destination: {bits[0]}"
                                                                      ", NetworkManager ignores the route"))
                            continue
                        opts = dict(o.split("=", 1) for o in _nm_list(kf.get(sect, f"{key}_options")) if "=" in o)
                        rt, rt_id = parse_table(opts["table"]) if "table" in opts else (table, table_id)
                        gw = bits[1] if len(bits) > 1 and bits[1] not in ("", "0.0.0.0", "::") else ""
                        metric = int(bits[2]) if len(bits) > 2 and bits[2].isdigit() else None
                        routes.append(Route(dst=dst, gateway=gw, dev=name, table=rt, table_id=rt_id,
                                            protocol="static", metric=metric, source=kf.where(sect, key),
                                            configured=True))
                elif re.fullmatch(r"routing-rule\d*", key):
                    rules.append(ip_rule(value.split(), fam, kf.where(sect, key)))
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
                    dst = parse_network(allowed)
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
                     resolvers=tuple(resolvers), shared=tuple(shared), notes=tuple(notes))


# --- NetworkManager.conf and the profile directories ---------------------------------------------

NM_CONF = "/etc/NetworkManager/NetworkManager.conf"
NM_CONF_DIRS = ("/etc/NetworkManager/conf.d", "/run/NetworkManager/conf.d", "/usr/lib/NetworkManager/conf.d")
DEFAULT_PROFILE_DIR = "/etc/NetworkManager/system-connections"


@dataclass(frozen=True)
class NmConfig:
    """What NetworkManager.conf and conf.d decide for ybguard's questions."""

    profile_dir: str = DEFAULT_PROFILE_DIR  # [keyfile] path=
    plugins: Tuple[str, ...] = ("keyfile",)  # [main] plugins=
    dns: str = ""  # [main] dns= (default, dnsmasq, systemd-resolved, none)
    resolvers: Tuple[Resolver, ...] = ()  # [global-dns-domain-*] servers=
    rejected: Tuple[Rejected, ...] = ()


def nm_config_files(target: Target) -> List[str]:
    """NetworkManager.conf(5): conf.d of /usr/lib, /run, /etc (same name: /etc over /run over
    /usr/lib) sorted by name, applied after NetworkManager.conf, except that /etc/NetworkManager/
    NetworkManager.conf comes first."""
    return [NM_CONF] + dropin_paths(target, NM_CONF_DIRS, ".conf")


def parse_nm_config(files: Sequence[Tuple[str, str]]) -> NmConfig:
    """Later files override earlier ones key by key; ``key+=`` appends to and ``key-=`` removes
    from a list (NetworkManager.conf(5)). A file glib cannot load is rejected."""
    values: Dict[Tuple[str, str], Tuple[str, str]] = {}
    lists: Dict[Tuple[str, str], List[str]] = {}
    rejected: List[Rejected] = []
    dns_sections: Dict[str, List[Tuple[str, str]]] = {}
    for path, text in files:
        try:
            kf = parse_keyfile(path, text)
        except Rejected as exc:
            rejected.append(exc)
            continue
        for section, keys in kf.sections.items():
            for key, (value, line) in keys.items():
                op = key[-1] if key[-1:] in "+-" else ""
                name = key[:-1] if op else key
                if (section, name) == ("main", "plugins"):
                    items = _nm_list(value)
                    current = lists.get((section, name), [])
                    lists[(section, name)] = (current + [i for i in items if i not in current] if op == "+"
                                              else [i for i in current if i not in items] if op == "-" else items)
                elif section.startswith("global-dns-domain-") and name == "servers":
                    dns_sections[section] = [(v, where(path, line)) for v in _nm_list(value)]
                else:
                    values[(section, name)] = (value, where(path, line))
    plugins = tuple(lists.get(("main", "plugins"), ["keyfile"]))
    if "keyfile" not in plugins:
        plugins += ("keyfile",)  # NetworkManager always loads the keyfile plugin
    resolvers = tuple(Resolver(address=v, source=src) for sect in sorted(dns_sections) for v, src in dns_sections[sect])
    return NmConfig(profile_dir=values.get(("keyfile", "path"), (DEFAULT_PROFILE_DIR, ""))[0].rstrip("/")
                    or DEFAULT_PROFILE_DIR,
                    plugins=plugins, dns=values.get(("main", "dns"), ("", ""))[0], resolvers=resolvers,
                    rejected=tuple(rejected))


def read_nm_config(target: Target) -> NmConfig:
    files = []
    for path in nm_config_files(target):
        text = read_file(target, path)
        if text:
            files.append((path, text))
    return parse_nm_config(files)


def profile_dirs(config: NmConfig) -> Tuple[Tuple[str, bool], ...]:
    """(directory, needs the .nmconnection extension) in NetworkManager's priority order."""
    return (("/run/NetworkManager/system-connections", True), (config.profile_dir, False),
            ("/usr/lib/NetworkManager/system-connections", True))


def nm_profiles(target: Target, config: Optional[NmConfig] = None) -> Tuple[List[KeyFile], List[Rejected]]:
    """The keyfile profiles NetworkManager loads, one per UUID (the highest-priority directory's),
    and the files it refuses. The one reader of profiles, for the live host and for an image."""
    config = config or read_nm_config(target)
    keyfiles: Dict[str, KeyFile] = {}
    rejected: List[Rejected] = []
    seen_uuid: Set[str] = set()
    for d, need_ext in profile_dirs(config):
        for name in target.listdir(d):
            path = os.path.join(d, name)
            if not nm_keyfile_wanted(name, need_ext) or target.is_dir(path):
                continue
            text = read_file(target, path)
            if text is None:
                continue
            try:
                kf = parse_keyfile(path, text)
            except Rejected as exc:
                rejected.append(exc)
                continue
            uuid = kf.get("connection", "uuid")
            if uuid and uuid in seen_uuid:
                continue  # shadowed by the same profile in a higher-priority directory
            seen_uuid.add(uuid)
            keyfiles[path] = kf
    return list(keyfiles.values()), rejected


def read_nm(target: Target) -> NetConfig:
    config = read_nm_config(target)
    keyfiles, rejected = nm_profiles(target, config)
    by_uuid = {kf.get("connection", "uuid"): kf for kf in keyfiles if kf.get("connection", "uuid")}
    merged = merge([parse_file(kf.path, _nm_profile, kf, by_uuid) for kf in keyfiles])
    return replace(merged, interfaces=with_masters(merged.interfaces), resolvers=merged.resolvers + config.resolvers,
                   rejected=merged.rejected + tuple(rejected) + config.rejected)


# --- the records the live collectors keep for a profile ------------------------------------------


def shared_from_keyfile(text: str, source: str) -> Tuple[SharedConnection, ...]:
    """A profile (keyfile text at ``source``) that shares its connection or is an access point."""
    return nm_shared(parse_keyfile(source, text))


def nm_shared(kf: KeyFile) -> Tuple[SharedConnection, ...]:
    """A profile that shares its connection (``method=shared``) or is an access point."""
    name = kf.get("connection", "id") or os.path.basename(kf.path)
    iface = _nm_iface_name(kf) if kf.get("connection", "interface-name") or kf.get("bridge", "interface-name") else ""
    out = []
    for section in ("ipv4", "ipv6"):
        if kf.get(section, "method") == "shared":
            out.append(SharedConnection(name, f"{section}.method=shared", iface, kf.path))
    if kf.get("wifi", "mode") == "ap" or kf.get("802-11-wireless", "mode") == "ap":
        out.append(SharedConnection(name, "wifi mode=ap", iface, kf.path))
    return tuple(out)


def resolvers_from_keyfile(kf: KeyFile) -> Tuple[Resolver, ...]:
    """``dns=`` of a saved profile: used as soon as the profile is activated."""
    iface = kf.get("connection", "interface-name")
    return tuple(Resolver(addr, f"{kf.path} [{section}] dns", iface)
                 for section in ("ipv4", "ipv6") for addr in _nm_list(kf.get(section, "dns")))
