"""Collectors of the network area on a live Linux host.

Interfaces, routes and rules come from iproute2's JSON (one ``ip`` run per question: it is
faster than pyroute2's import and speaks the kernel's netlink for us); what an interface *is*
comes from sysfs, read through the Target so the classification can be tested on fixture
trees laid out like the kernel's. Forwarding comes from /proc/sys, NAT from ``nft -j`` and,
when legacy xtables tables exist, ``iptables-legacy-save``. DNS and proxy settings are
files, read through the Target, so they also work on an offline root.

Every reader raises when it could not read (fail closed); only a thing that is genuinely
absent (no resolv.conf, no proxy file) yields "nothing".
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ..facts.network import (
    FORWARDING,
    INTERFACES,
    NAT,
    PROXIES,
    RESOLVERS,
    ROUTING,
    SHARED,
    Address,
    Forwarding,
    ForwardingSetting,
    Interface,
    InterfaceKind,
    IPNetwork,
    NatRule,
    Resolver,
    Route,
    Routing,
    Rule,
    SharedConnection,
)
from ..target.interface import Target, ToolMissing
from .interface import CollectContext, Collector, FactError, PartialFact
from .netconfig import proxies
from .netconfig.firewall import iptables_nat
from .netconfig.networkmanager import nm_profiles, nm_shared, resolvers_from_keyfile
from .netconfig.resolvers import (
    STUB_RESOLVERS,
    forwarder_upstreams,
    is_loopback,
    parse_resolv_conf,
    parse_resolved_link_state,
)

# /proc/sys and sysfs allocate a kernel buffer of the size asked for: ask for little.
SMALL = 4096

# --- interfaces -----------------------------------------------------------------------------

ARPHRD_ETHER = 1
ARPHRD_PPP = 512
ARPHRD_RAWIP = 519
ARPHRD_LOOPBACK = 772
ARPHRD_NONE = 65534
ARPHRD_TUNNELS = frozenset({768, 769, 776, 778, 823})  # ipip, ip6tnl, sit, ipgre, ip6gre

USB_TETHER_DRIVERS = frozenset({"rndis_host", "cdc_ether", "cdc_ncm", "ipheth", "cdc_eem", "cdc_subset", "rndis_wlan"})
CELLULAR_DRIVERS = frozenset({"qmi_wwan", "cdc_mbim", "huawei_cdc_ncm", "sierra_net", "option", "mhi_net",
                              "mhi_wwan_mbim", "mhi_wwan_ctrl", "ipa", "rmnet", "t7xx", "iosm"})
VPN_INFO_KINDS = frozenset({"tun", "wireguard", "ipip", "gre", "gretap", "ip6gre", "ip6gretap", "sit", "ip6tnl",
                            "vti", "vti6", "xfrm", "vxlan", "geneve", "l2tp", "ppp"})
VIRTUAL_KINDS = {
    "veth": InterfaceKind.VETH, "macvlan": InterfaceKind.MACVLAN, "macvtap": InterfaceKind.MACVLAN,
    "ipvlan": InterfaceKind.MACVLAN, "vlan": InterfaceKind.VLAN, "bond": InterfaceKind.BOND,
    "dummy": InterfaceKind.DUMMY, "bridge": InterfaceKind.BRIDGE,
}


@dataclass(frozen=True)
class LinkRecord:
    """One link as ``ip -json -d addr show`` reports it, before sysfs tells us what it is."""

    name: str
    ifindex: int
    mac: str
    up: bool
    link_type: str
    info_kind: str
    info_data_type: str  # "tun" / "tap" for tun devices
    master: str
    addresses: Tuple[Address, ...]
    flags: Tuple[str, ...]


@dataclass(frozen=True)
class SysfsNet:
    """What /sys/class/net/NAME says about a device (only the parts that decide its kind)."""

    name: str
    arphrd: Optional[int] = None
    devtype: str = ""
    wireless: bool = False  # wireless/ or phy80211 present
    bridge: bool = False  # bridge/ present: this is a bridge
    brport: bool = False  # brport/ present: this is a bridge port
    tun_flags: str = ""
    driver: str = ""  # basename of device/driver
    bus: str = ""  # basename of device/subsystem
    master: str = ""  # basename of master
    source: str = ""


def parse_ip_link_json(data: Sequence[Mapping[str, Any]]) -> Tuple[LinkRecord, ...]:
    """Links (and their addresses) from ``ip -json -d addr show`` (or ``ip -json -d link show``)."""
    out: List[LinkRecord] = []
    for item in data:
        linkinfo = item.get("linkinfo") or {}
        info_data = linkinfo.get("info_data") or {}
        addrs: List[Address] = []
        for a in item.get("addr_info") or ():
            local = a.get("local")
            if not local or a.get("family") not in ("inet", "inet6"):
                continue
            addrs.append(Address(ipaddress.ip_address(local.split("%", 1)[0]), int(a.get("prefixlen", 0))))
        flags = tuple(item.get("flags") or ())
        mac = str(item.get("address") or "").lower() if item.get("link_type") != "none" else ""
        out.append(LinkRecord(
            name=str(item["ifname"]), ifindex=int(item.get("ifindex", 0)), mac=mac, up="UP" in flags,
            link_type=str(item.get("link_type", "")), info_kind=str(linkinfo.get("info_kind", "")),
            info_data_type=str(info_data.get("type", "")) if isinstance(info_data, dict) else "",
            master=str(item.get("master", "")), addresses=tuple(addrs), flags=flags,
        ))
    return tuple(out)


def parse_uevent(text: str) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def _readlink_base(target: Target, directory: str, name: str) -> str:
    """Basename of the symlink ``directory/name`` inside the target ("" when it is not a link)."""
    try:
        return os.path.basename(os.readlink(os.path.join(target.host_path(directory), name)))
    except (FileNotFoundError, NotADirectoryError, OSError):
        return ""


def read_sysfs_net(target: Target, name: str) -> SysfsNet:
    """Read the few sysfs entries that say what ``name`` is. One listdir answers most of it."""
    base = f"/sys/class/net/{name}"
    entries = set(target.listdir(base))
    if not entries:
        raise FileNotFoundError(2, "no such network device in sysfs", base)
    arphrd: Optional[int] = None
    if "type" in entries:
        text = target.read_text(f"{base}/type", SMALL).strip()
        arphrd = int(text) if text.isdigit() else None
    uevent = parse_uevent(target.read_text(f"{base}/uevent", SMALL)) if "uevent" in entries else {}
    tun_flags = target.read_text(f"{base}/tun_flags", SMALL).strip() if "tun_flags" in entries else ""
    driver = bus = ""
    if "device" in entries:
        driver = _readlink_base(target, f"{base}/device", "driver")
        bus = _readlink_base(target, f"{base}/device", "subsystem")
    master = _readlink_base(target, base, "master") if "master" in entries else ""
    return SysfsNet(
        name=name, arphrd=arphrd, devtype=uevent.get("DEVTYPE", ""),
        wireless="wireless" in entries or "phy80211" in entries, bridge="bridge" in entries,
        brport="brport" in entries, tun_flags=tun_flags, driver=driver, bus=bus, master=master,
        source=f"sysfs {base}",
    )


def classify_kind(sys: SysfsNet, info_kind: str = "") -> Tuple[str, Tuple[Tuple[str, str], ...]]:
    """The interface kind from what the kernel says, and the facts that decided it.

    Order matters: a USB Wi-Fi stick is wireless before it is "usb"; a tap device looks like
    Ethernet (ARPHRD 1) but is a tunnel.
    """
    why: List[Tuple[str, str]] = []
    if sys.arphrd == ARPHRD_LOOPBACK:
        return InterfaceKind.LOOPBACK, (("type", str(ARPHRD_LOOPBACK)),)
    if sys.wireless or sys.devtype == "wlan":
        if sys.devtype == "wlan":
            why.append(("DEVTYPE", "wlan"))
        if sys.wireless:
            why.append(("sysfs", "wireless/ or phy80211"))
        return InterfaceKind.WIRELESS, tuple(why)
    if sys.devtype == "wwan" or sys.driver in CELLULAR_DRIVERS or sys.arphrd == ARPHRD_RAWIP:
        if sys.devtype == "wwan":
            why.append(("DEVTYPE", "wwan"))
        if sys.driver in CELLULAR_DRIVERS:
            why.append(("driver", sys.driver))
        if sys.arphrd == ARPHRD_RAWIP:
            why.append(("type", str(ARPHRD_RAWIP)))
        return InterfaceKind.CELLULAR, tuple(why)
    if sys.arphrd == ARPHRD_PPP or info_kind == "ppp":
        return InterfaceKind.PPP, (("type", str(sys.arphrd)),) if sys.arphrd == ARPHRD_PPP else (("linkinfo", "ppp"),)
    if sys.driver in USB_TETHER_DRIVERS and sys.bus == "usb":
        return InterfaceKind.USB_TETHER, (("driver", sys.driver), ("bus", "usb"))
    if (info_kind in VPN_INFO_KINDS or sys.tun_flags or sys.devtype == "wireguard" or sys.arphrd == ARPHRD_NONE
            or (sys.arphrd in ARPHRD_TUNNELS)):
        if info_kind:
            why.append(("linkinfo", info_kind))
        if sys.tun_flags:
            why.append(("tun_flags", sys.tun_flags))
        if sys.devtype == "wireguard":
            why.append(("DEVTYPE", "wireguard"))
        if sys.arphrd is not None and (sys.arphrd == ARPHRD_NONE or sys.arphrd in ARPHRD_TUNNELS):
            why.append(("type", str(sys.arphrd)))
        return InterfaceKind.VPN, tuple(why)
    if sys.bridge or sys.devtype == "bridge" or info_kind == "bridge":
        return InterfaceKind.BRIDGE, (("sysfs", "bridge/") if sys.bridge else ("linkinfo", "bridge"),)
    if info_kind in VIRTUAL_KINDS:
        return VIRTUAL_KINDS[info_kind], (("linkinfo", info_kind),)
    if sys.devtype in ("vlan", "bond"):
        return VIRTUAL_KINDS[sys.devtype], (("DEVTYPE", sys.devtype),)
    if sys.arphrd == ARPHRD_ETHER:
        why.append(("type", "1"))
        if sys.driver:
            why.append(("driver", sys.driver))
        if sys.bus:
            why.append(("bus", sys.bus))
        return InterfaceKind.ETHERNET, tuple(why)
    return InterfaceKind.OTHER, (("type", str(sys.arphrd)),) if sys.arphrd is not None else ()


def interface_from(link: LinkRecord, sys: SysfsNet, ports: Tuple[str, ...] = ()) -> Interface:
    kind, why = classify_kind(sys, link.info_kind)
    return Interface(
        name=link.name, kind=kind, mac=link.mac, up=link.up, addresses=link.addresses, driver=sys.driver,
        bus=sys.bus, master=link.master or sys.master, ports=ports, why=why,
        source=f"ip -json -d addr show; {sys.source}",
    )


def _ip_json(ctx: CollectContext, *args: str) -> Any:
    text = ctx.target.run(["ip", "-json", *args])
    return json.loads(text) if text.strip() else []


def collect_interfaces_live(ctx: CollectContext) -> Tuple[Interface, ...]:
    links = parse_ip_link_json(_ip_json(ctx, "-d", "addr", "show"))
    ports: Dict[str, List[str]] = {}
    for link in links:
        if link.master:
            ports.setdefault(link.master, []).append(link.name)
    out: List[Interface] = []
    for link in links:
        try:
            sysfs = read_sysfs_net(ctx.target, link.name)
        except FileNotFoundError:
            # A container stopping can delete a veth between the two reads; skip it only when
            # the kernel confirms it is gone, otherwise the fact is unreadable (fail closed).
            still = {item.get("ifname") for item in _ip_json(ctx, "link", "show")}
            if link.name in still:
                raise
            continue
        out.append(interface_from(link, sysfs, tuple(ports.get(link.name, ()))))
    return tuple(out)


# --- routing --------------------------------------------------------------------------------

TABLE_IDS = {"unspec": 0, "default": 253, "main": 254, "local": 255}
ROUTE_SOURCE = "ip -json route show table all"


def parse_rt_tables(text: str) -> Dict[str, int]:
    """``/etc/iproute2/rt_tables`` lines ``100 isp2`` -> {"isp2": 100}."""
    out: Dict[str, int] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit():
            out[parts[1]] = int(parts[0])
    return out


def _table_id(name: str, names: Mapping[str, int]) -> int:
    if name.isdigit():
        return int(name)
    return TABLE_IDS.get(name, names.get(name, -1))


_DEFAULT_NETS = {4: ipaddress.ip_network("0.0.0.0/0"), 6: ipaddress.ip_network("::/0")}


def _net(dst: str, family: int) -> IPNetwork:
    """Parse a route destination; inet_pton is ~5x faster than ipaddress's own parser, which
    matters with thousands of routes."""
    if dst == "default":
        return _DEFAULT_NETS[family]
    addr, _, plen = dst.partition("/")
    try:
        if family == 4:
            value = int.from_bytes(socket.inet_pton(socket.AF_INET, addr), "big")
            return ipaddress.IPv4Network((value, int(plen) if plen else 32), strict=False)
        value = int.from_bytes(socket.inet_pton(socket.AF_INET6, addr.split("%", 1)[0]), "big")
        return ipaddress.IPv6Network((value, int(plen) if plen else 128), strict=False)
    except (OSError, ValueError):
        return ipaddress.ip_network(dst, strict=False)  # raises a clear ValueError when it is garbage


def parse_ip_route_json(data: Sequence[Mapping[str, Any]], family: int,
                        table_names: Optional[Mapping[str, int]] = None) -> Tuple[Route, ...]:
    """Routes from ``ip -4|-6 -json route show table all``. Multipath routes become one Route per hop."""
    names = table_names or {}
    out: List[Route] = []
    source = f"ip -{family} -json route show table all"
    for r in data:
        dst = _net(str(r["dst"]), family)
        table = str(r.get("table", "main"))
        hops = r.get("nexthops") or [r]
        for hop in hops:
            gateway = hop.get("gateway", "")
            via = hop.get("via")
            if not gateway and isinstance(via, dict):
                gateway = via.get("host", "")
            out.append(Route(
                dst=dst, type=str(r.get("type", "unicast")), gateway=str(gateway), dev=str(hop.get("dev", r.get("dev", ""))),
                table=table, table_id=_table_id(table, names), protocol=str(r.get("protocol", "")),
                metric=r.get("metric"), source=source,
            ))
    return tuple(out)


RULE_SELECTORS = ("tos", "fwmark", "iif", "oif", "l3mdev", "uidrange", "ipproto", "sport", "dport", "realms",
                  "tun_id")
# Selectors ``ip -json rule`` prints as two keys: (first key, second key, how ip-rule(8) writes them).
RULE_RANGE_SELECTORS = {
    "uidrange": ("uid_start", "uid_end", "uidrange {}-{}"),
    "sport": ("sport_start", "sport_end", "sport {}-{}"),
    "dport": ("dport_start", "dport_end", "dport {}-{}"),
}
# Keys of ``ip -json rule`` that are not selectors, or that the code above already renders.
RULE_KNOWN_KEYS = frozenset(
    {"priority", "src", "srclen", "dst", "dstlen", "not", "action", "table", "goto", "suppress_prefixlen",
     "suppress_ifgroup", "protocol", "unresolved", "fwmask", "iif_detached", "oif_detached", "flags",
     "flow_from", "flow_to"}  # realms only tag the result; a realms rule still catches every packet
    | set(RULE_SELECTORS) | {k for pair in RULE_RANGE_SELECTORS.values() for k in pair[:2]})


def parse_ip_rule_json(data: Sequence[Mapping[str, Any]], family: int,
                       table_names: Optional[Mapping[str, int]] = None) -> Tuple[Rule, ...]:
    """Policy-routing rules from ``ip -4|-6 -json rule show``; ``selector`` is "from all" only when
    the rule matches every packet (what the reachability walk needs to know)."""
    names = table_names or {}
    out: List[Rule] = []
    for r in data:
        sel: List[str] = []
        if "not" in r:
            sel.append("not")
        src = str(r.get("src", "all"))
        sel.append("from " + (f"{src}/{r['srclen']}" if "srclen" in r else src))
        if "dst" in r:
            sel.append("to " + (f"{r['dst']}/{r['dstlen']}" if "dstlen" in r else str(r["dst"])))
        for key in RULE_SELECTORS:
            if key in r:
                value = r[key]
                sel.append(key if value is None else f"{key} {value}")
        for first, last, fmt in RULE_RANGE_SELECTORS.values():
            if first in r or last in r:
                sel.append(fmt.format(r.get(first, "?"), r.get(last, "?")))
        # Fail closed: a key this parser does not know may be a selector (newer iproute2), and
        # calling such a rule "from all" would let a partial blackhole hide every table below it.
        sel += [f"{key} {r[key]}" for key in sorted(r) if key not in RULE_KNOWN_KEYS]
        action = str(r.get("action", ""))
        table = ""
        if "table" in r:
            action, table = "table", str(r["table"])
        elif "goto" in r:
            action = "goto"
        elif not action:
            action = "nop"
        extra = f" suppress_prefixlength {r['suppress_prefixlen']}" if "suppress_prefixlen" in r else ""
        selector = " ".join(sel)
        what = f"lookup {table}" if action == "table" else (f"goto {r.get('goto')}" if action == "goto" else action)
        out.append(Rule(
            priority=int(r.get("priority", 0)), action=action, table=table,
            table_id=_table_id(table, names) if table else None, selector=selector, family=family,
            raw=f"{r.get('priority', 0)}: {selector} {what}{extra}",
        ))
    return tuple(out)


def read_table_names(target: Target) -> Dict[str, int]:
    names: Dict[str, int] = {}
    for path in ("/usr/share/iproute2/rt_tables", "/etc/iproute2/rt_tables", "/usr/lib/iproute2/rt_tables"):
        text = target.read_text_optional(path)
        if text:
            names.update(parse_rt_tables(text))
    for directory in ("/usr/share/iproute2/rt_tables.d", "/etc/iproute2/rt_tables.d"):
        for entry in target.listdir(directory):
            if entry.endswith(".conf"):
                names.update(parse_rt_tables(target.read_text(f"{directory}/{entry}")))
    return names


def collect_routing_live(ctx: CollectContext) -> Routing:
    names = read_table_names(ctx.target)
    routes = parse_ip_route_json(_ip_json(ctx, "-4", "route", "show", "table", "all"), 4, names)
    rules = parse_ip_rule_json(_ip_json(ctx, "-4", "rule", "show"), 4, names)
    if ctx.target.exists("/proc/net/if_inet6"):  # absent only when the kernel has no IPv6 at all
        routes += parse_ip_route_json(_ip_json(ctx, "-6", "route", "show", "table", "all"), 6, names)
        rules += parse_ip_rule_json(_ip_json(ctx, "-6", "rule", "show"), 6, names)
    return Routing(routes=routes, rules=rules, source=ROUTE_SOURCE)


# --- forwarding -----------------------------------------------------------------------------


def collect_forwarding_live(ctx: CollectContext) -> Forwarding:
    """IPv4: the global switch and every per-interface one (IPv4 forwards per input device).
    IPv6: ``all`` decides; per-interface values are kept as evidence."""
    target = ctx.target
    settings: List[ForwardingSetting] = []
    path = "/proc/sys/net/ipv4/ip_forward"
    settings.append(ForwardingSetting(4, "all", target.read_text(path, SMALL).strip() == "1", path))
    for family, base in ((4, "/proc/sys/net/ipv4/conf"), (6, "/proc/sys/net/ipv6/conf")):
        entries = target.listdir(base)
        if not entries:
            if family == 6 and not target.exists("/proc/sys/net/ipv6"):
                continue  # IPv6 disabled in this kernel: nothing can be forwarded
            raise FileNotFoundError(2, "cannot list", base)
        for scope in entries:
            if family == 4 and scope == "all":
                continue  # same value as ip_forward
            p = f"{base}/{scope}/forwarding"
            settings.append(ForwardingSetting(family, scope, target.read_text(p, SMALL).strip() == "1", p))
    return Forwarding(settings=tuple(settings))


# --- NAT ------------------------------------------------------------------------------------

NAT_STATEMENTS = {"masquerade": "masquerade", "snat": "snat", "dnat": "dnat"}
NAT_XT_TARGETS = {"MASQUERADE": "masquerade", "SNAT": "snat", "DNAT": "dnat", "NETMAP": "snat"}


def _render_expr(expr: Any) -> str:
    """A short, readable rendering of one nft JSON expression (for the evidence, not for nft)."""
    if not isinstance(expr, dict) or not expr:
        return str(expr)
    key, value = next(iter(expr.items()))
    if key == "match" and isinstance(value, dict):
        return f"{_render_value(value.get('left'))} {value.get('op', '==')} {_render_value(value.get('right'))}"
    if key == "xt" and isinstance(value, dict):
        return f"xt {value.get('type', '')} {value.get('name', '')}".strip()
    if key in ("snat", "dnat") and isinstance(value, dict):
        to = _render_value(value.get("addr", ""))
        if "port" in value:
            to += f":{_render_value(value['port'])}"
        return f"{key} to {to}"
    if value is None or value == {}:
        return str(key)
    return f"{key} {_render_value(value)}"


def _render_value(value: Any) -> str:
    if isinstance(value, dict):
        if "meta" in value:
            return str(value["meta"].get("key", ""))
        if "payload" in value:
            p = value["payload"]
            return f"{p.get('protocol', '')} {p.get('field', '')}".strip()
        if "prefix" in value:
            return f"{value['prefix'].get('addr')}/{value['prefix'].get('len')}"
        if "set" in value:
            return "{ " + ", ".join(_render_value(v) for v in value["set"]) + " }"
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, list):
        return ", ".join(_render_value(v) for v in value)
    return str(value)


def parse_nft_json(data: Mapping[str, Any]) -> Tuple[NatRule, ...]:
    """NAT statements in ``nft -j list ruleset`` — native ones and iptables-nft's xt targets."""
    out: List[NatRule] = []
    for item in data.get("nftables", ()):
        rule = item.get("rule") if isinstance(item, dict) else None
        if not rule:
            continue
        exprs = rule.get("expr") or ()
        kinds = []
        for e in exprs:
            if not isinstance(e, dict):
                continue
            for key, value in e.items():
                if key in NAT_STATEMENTS:
                    kinds.append(NAT_STATEMENTS[key])
                elif key == "xt" and isinstance(value, dict) and value.get("name") in NAT_XT_TARGETS:
                    kinds.append(NAT_XT_TARGETS[value["name"]])
        if not kinds:
            continue
        body = " ".join(_render_expr(e) for e in exprs if not (isinstance(e, dict) and "counter" in e))
        table = f"{rule.get('family', '')} {rule.get('table', '')}"
        out.append(NatRule(text=f"nft {table} {rule.get('chain', '')}: {body}", table=table, chain=str(rule.get("chain", "")),
                           kind=kinds[0], source="nft -j list ruleset"))
    return tuple(out)


def parse_iptables_save(text: str, source: str = "iptables-save") -> Tuple[NatRule, ...]:
    """NAT rules in ``iptables-save`` / ``ip6tables-save`` output: the one iptables-save reader."""
    return iptables_nat(text, lambda _line: source)


NETFILTER_TRACES = ("/sys/module/nf_tables", "/sys/module/nf_conntrack", "/sys/module/x_tables",
                    "/proc/sys/net/netfilter", "/proc/net/ip_tables_names")


def _legacy_tables(target: Target, path: str) -> Tuple[str, ...]:
    text = target.read_text_optional(path, SMALL)
    return tuple(text.split()) if text else ()


def collect_nat_live(ctx: CollectContext) -> Tuple[NatRule, ...]:
    """Read-only: ``nft -j list ruleset`` creates nothing, and legacy tables are only dumped when
    /proc/net/ip*_tables_names already lists ``nat`` (dumping one would otherwise load it)."""
    target = ctx.target
    target.require_live()
    rules: List[NatRule] = []
    try:
        rules.extend(parse_nft_json(json.loads(target.run(["nft", "-j", "list", "ruleset"]))))
    except ToolMissing:
        if any(target.exists(p) for p in NETFILTER_TRACES):
            raise  # netfilter is there, we just cannot read it: fail closed
    for names_path, tool in (("/proc/net/ip_tables_names", "iptables-legacy-save"),
                             ("/proc/net/ip6_tables_names", "ip6tables-legacy-save")):
        if "nat" not in _legacy_tables(target, names_path):
            continue
        try:
            text = target.run([tool, "-t", "nat"])
        except ToolMissing:
            plain = tool.replace("-legacy", "")
            text = target.run([plain, "-t", "nat"])
            if "(nf_tables)" in text.split("\n", 1)[0]:
                raise FactError("network.reason.no_legacy_tool", tool=tool) from None
            tool = plain
        rules.extend(parse_iptables_save(text, source=f"{tool} -t nat"))
    return tuple(rules)


# --- shared connections ---------------------------------------------------------------------


AP_PROCESSES = frozenset({"hostapd", "create_ap"})


def read_nm_shared(target: Target) -> Tuple[SharedConnection, ...]:
    """Shared / access-point NetworkManager profiles: the profiles NetworkManager loads, read by the
    same reader as on an image. A profile it refuses raises PartialFact with the others' answer."""
    profiles, refused = nm_profiles(target)
    found = tuple(s for kf in profiles for s in nm_shared(kf))
    if refused:
        raise PartialFact(found, [FactError("netconfig.bad_file", path=r.path, problem=r.problem) for r in refused])
    return found


def access_point_processes(target: Target) -> Tuple[SharedConnection, ...]:
    """Running access-point daemons in the scanner's own network namespace (a daemon in another
    namespace serves another network stack, not this one)."""
    own = target.own_net_namespace()
    out: List[SharedConnection] = []
    for proc in target.processes():
        if proc.name not in AP_PROCESSES:
            continue
        ns = target.net_namespace(proc.pid)
        if ns is None or (own and ns != own):
            continue  # exited meanwhile, or serves another network stack
        out.append(SharedConnection(proc.name, "hostapd", "", f"process {proc.name} (pid {proc.pid})"))
    return tuple(out)


def collect_shared_live(ctx: CollectContext) -> Tuple[SharedConnection, ...]:
    """NetworkManager shared / access-point profiles, and a running access-point daemon."""
    ctx.target.require_live()
    from .software import require_visible_processes

    require_visible_processes(ctx.target)  # a hidden hostapd must not read as "none running"
    return read_nm_shared(ctx.target) + access_point_processes(ctx.target)


# --- DNS ------------------------------------------------------------------------------------

def collect_resolvers(ctx: CollectContext) -> Tuple[Resolver, ...]:
    """resolv.conf; when it points at a local stub or forwarder, its upstreams (systemd-resolved,
    NetworkManager, dnsmasq, unbound, BIND) — read from their state and configuration files, never
    by asking the daemons; and the DNS servers of NetworkManager's profiles."""
    target = ctx.target
    out: List[Resolver] = []
    text = target.read_text_optional("/etc/resolv.conf")
    if text is not None:
        out.extend(parse_resolv_conf(text, "/etc/resolv.conf"))
    if any(r.address in STUB_RESOLVERS for r in out):
        for path in ("/run/systemd/resolve/resolv.conf",):
            upstream = target.read_text_optional(path)
            if upstream is not None:
                out.extend(parse_resolv_conf(upstream, path))
        for entry in target.listdir("/run/systemd/resolve/netif"):
            path = f"/run/systemd/resolve/netif/{entry}"
            out.extend(parse_resolved_link_state(target.read_text(path), path, _ifname(target, entry)))
    if any(is_loopback(r.address) and r.address not in STUB_RESOLVERS for r in out):
        upstream = target.read_text_optional("/run/NetworkManager/no-stub-resolv.conf")
        if upstream is not None:
            out.extend(parse_resolv_conf(upstream, "/run/NetworkManager/no-stub-resolv.conf"))
        out.extend(forwarder_upstreams(target, recursion=True))
    profiles, refused = nm_profiles(target)
    out.extend(r for kf in profiles for r in resolvers_from_keyfile(kf))
    if refused:
        raise PartialFact(tuple(out), [FactError("netconfig.bad_file", path=r.path, problem=r.problem)
                                       for r in refused])
    return tuple(out)


def _ifname(target: Target, ifindex: str) -> str:
    for name in target.listdir("/sys/class/net"):
        text = target.read_text_optional(f"/sys/class/net/{name}/ifindex", SMALL)
        if text is not None and text.strip() == ifindex:
            return name
    return ""


LINUX: Dict[str, Collector] = {
    INTERFACES: collect_interfaces_live,
    ROUTING: collect_routing_live,
    FORWARDING: collect_forwarding_live,
    NAT: collect_nat_live,
    SHARED: collect_shared_live,
    RESOLVERS: collect_resolvers,
    PROXIES: proxies.collect_proxies,
}
