"""Checks of the network area: is there a path from this terminal to the Internet, or a way
for it to extend the 医保 network outward?

The checks read only fact records, so they judge a live host (``configured=False``,
``up`` known) and an offline image (``configured=True``, ``up=None``) alike: a saved Wi-Fi
profile is a forbidden interface, a saved route is a path, and with no policy rules the
kernel's default ones (local, main, default) apply.
"""

from __future__ import annotations

import bisect
import ipaddress
from typing import Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from ..facts.network import (
    KIND_BRIDGE,
    KIND_LOOPBACK,
    Forwarding,
    Interface,
    IPNetwork,
    NatRule,
    Proxy,
    Resolver,
    Route,
    Routing,
    Rule,
    SharedConnection,
    Socket,
)
from ..models import Evidence, Severity
from ..policy.schema import Policy
from . import rules as clauses
from .interface import AnyEvidence, Check, Facts, Msg, Result, Said, Words, error, fail, msg, not_applicable

# --- globally routable space ----------------------------------------------------------------

# IANA special-purpose ranges that no Internet path can use (RFC 6890 and successors). What is
# not in here is treated as globally routable: a route covering it could reach the Internet.
NON_GLOBAL_V4 = (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
)
# IPv6: only 2000::/3 is allocated global unicast (plus NAT64's 64:ff9b::/96, which reaches the
# IPv4 Internet); inside it, documentation and benchmarking ranges are not routable.
NON_GLOBAL_V6 = (
    "::/3", "4000::/2", "8000::/1", "2001:2::/48", "2001:10::/28", "2001:db8::/32", "3fff::/20",
)
GLOBAL_EXCEPTIONS_V6 = ("64:ff9b::/96",)

Interval = Tuple[int, int]


def _interval(net: IPNetwork) -> Interval:
    start = int(net.network_address)
    return start, start + (1 << (net.max_prefixlen - net.prefixlen)) - 1


def _merge(intervals: Iterable[Interval]) -> Tuple[List[int], List[int]]:
    """Sorted, merged (touching ones joined) intervals as parallel start/end lists for bisect."""
    starts: List[int] = []
    ends: List[int] = []
    for s, e in sorted(intervals):
        if ends and s <= ends[-1] + 1:
            ends[-1] = max(ends[-1], e)
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


class Space:
    """The address space a host may use without a path to the Internet: the non-global ranges
    plus ``allowed_networks``. ``outside(net)`` returns an address of ``net`` that is global and
    not allowed — a witness that a route for ``net`` leads out — or None."""

    def __init__(self, allowed: Sequence[IPNetwork]) -> None:
        self._sets: Dict[int, Tuple[List[int], List[int]]] = {}
        for family, fixed in ((4, NON_GLOBAL_V4), (6, NON_GLOBAL_V6)):
            covered = [_interval(ipaddress.ip_network(n)) for n in fixed]
            if family == 6:
                covered = _subtract(covered, [_interval(ipaddress.ip_network(n)) for n in GLOBAL_EXCEPTIONS_V6])
            covered += [_interval(n) for n in allowed if n.version == family]
            self._sets[family] = _merge(covered)

    def gaps(self, net: IPNetwork) -> List[Interval]:
        """The parts of ``net`` that are global and not allowed."""
        starts, ends = self._sets[net.version]
        s, e = _interval(net)
        out: List[Interval] = []
        i = max(bisect.bisect_right(starts, s) - 1, 0)
        cur = s
        while cur <= e:
            if i < len(starts) and starts[i] <= cur <= ends[i]:
                cur = ends[i] + 1
                i += 1
                continue
            if i < len(starts) and starts[i] < cur:
                i += 1
                continue
            nxt = starts[i] if i < len(starts) else e + 1
            out.append((cur, min(nxt - 1, e)))
            cur = nxt
        return out

    def outside(self, net: IPNetwork) -> Optional[str]:
        gaps = self.gaps(net)
        if not gaps:
            return None
        start = max(gaps, key=lambda g: g[1] - g[0])[0]  # the largest gap makes the clearest witness
        return str(ipaddress.IPv4Address(start) if net.version == 4 else ipaddress.IPv6Address(start))


def _subtract(intervals: List[Interval], holes: List[Interval]) -> List[Interval]:
    out = intervals
    for hs, he in holes:
        nxt: List[Interval] = []
        for s, e in out:
            if he < s or hs > e:
                nxt.append((s, e))
                continue
            if s < hs:
                nxt.append((s, hs - 1))
            if e > he:
                nxt.append((he + 1, e))
        out = nxt
    return out


def _in_allowed(ip: Union[ipaddress.IPv4Address, ipaddress.IPv6Address], allowed: Sequence[IPNetwork]) -> bool:
    return any(ip.version == n.version and ip in n for n in allowed)


def _net_in_allowed(net: IPNetwork, allowed: Sequence[IPNetwork]) -> bool:
    return any(net.version == n.version and net.subnet_of(n) for n in allowed)  # type: ignore[arg-type]


# --- policy routing -------------------------------------------------------------------------

STOP_ACTIONS = frozenset({"blackhole", "unreachable", "prohibit"})
KERNEL_DEFAULT_TABLES = ("local", "main", "default")
ALL_TABLES = "*"


KNOWN_TABLES = {"local": "255", "main": "254", "default": "253"}


def _table_key(name: str, table_id: Optional[int]) -> str:
    """One key per table however it was named: the number when the name is (or maps to) one."""
    if name.isdigit():
        return str(int(name))
    if name in KNOWN_TABLES:
        return KNOWN_TABLES[name]
    if table_id is not None and table_id >= 0:
        return str(table_id)
    return name


def reachable_tables(rules: Sequence[Rule], family: int) -> Dict[str, List[Rule]]:
    """Table key -> the rules that lead to it, walking rules by priority.

    A lookup only falls through when the table has no match, so every table named by a lookup
    ahead of a catch-all ``blackhole``/``unreachable``/``prohibit`` is reachable; after such a
    rule nothing is. No rules at all (an offline image) means the kernel's defaults. An
    ``l3mdev`` rule reaches every VRF table: then all tables count (``ALL_TABLES``).
    """
    fam = sorted((r for r in rules if r.family == family), key=lambda r: r.priority)
    if not fam:
        return {_table_key(t, None): [] for t in KERNEL_DEFAULT_TABLES}
    reach: Dict[str, List[Rule]] = {}
    for r in fam:
        if "l3mdev" in r.selector.split():
            reach.setdefault(ALL_TABLES, []).append(r)
        if r.action == "table" and r.table:
            reach.setdefault(_table_key(r.table, r.table_id), []).append(r)
        elif r.action in STOP_ACTIONS and r.selector == "from all":
            break
    return reach


def reachable_routes(routing: Routing) -> Iterator[Tuple[Route, List[Rule]]]:
    """Unicast routes of tables some rule reaches, with those rules."""
    reach = {4: reachable_tables(routing.rules, 4), 6: reachable_tables(routing.rules, 6)}
    for route in routing.routes:
        if route.type != "unicast":
            continue
        tables = reach[route.family]
        key = _table_key(route.table, route.table_id)
        if key in tables:
            yield route, tables[key]
        elif ALL_TABLES in tables:
            yield route, tables[ALL_TABLES]


def _route_evidence(route: Route, via: List[Rule]) -> Tuple[AnyEvidence, ...]:
    source = route.source or "routing"
    ev: List[AnyEvidence] = [Said(source, (route.describe(), msg("ev.configured")) if route.configured
                                  else route.describe())]
    if via:
        ev.append(Evidence(f"ip -{route.family} rule", "; ".join(r.raw or f"{r.priority}: {r.selector}" for r in via)))
    else:
        ev.append(Said(f"ip -{route.family} rule", msg("ev.no_policy_rules")))
    return tuple(ev)


def check_public_route(facts: Facts, policy: Policy) -> Iterable[Result]:
    routing: Routing = facts["network.routing"]
    space = Space(policy.network.allowed_networks)
    seen: Dict[str, Result] = {}
    for route, via in reachable_routes(routing):
        witness = space.outside(route.dst)
        if witness is None:
            continue
        subject = route.describe()
        if subject in seen:
            continue
        seen[subject] = fail(subject, msg("network.public-route.found", route=subject, witness=witness), *_route_evidence(route, via))
    return list(seen.values()) + unread_errors(routing)


def check_default_route(facts: Facts, policy: Policy) -> Iterable[Result]:
    if not policy.network.forbid_default_route:
        return [not_applicable("host", msg("network.default-route.allowed"))]
    routing: Routing = facts["network.routing"]
    seen: Dict[str, Result] = {}
    for route, via in reachable_routes(routing):
        if route.dst.prefixlen != 0:
            continue
        subject = route.describe()
        if subject not in seen:
            seen[subject] = fail(subject, msg("network.default-route.found", route=subject),
                                 *_route_evidence(route, via))
    return list(seen.values()) + unread_errors(routing)


def unread_errors(routing: Routing) -> List[Result]:
    """Partial facts: one error per source that could not be read, beside the proven fails (and
    instead of a pass: with a source missing, the absence of a violation is not proven)."""
    return [error(u.source, msg("network.partial", source=u.source, reason=Msg(u.key, u.args)),
                  Evidence(u.source, "not read")) for u in routing.unreadable]


# --- interfaces -----------------------------------------------------------------------------


def _leased(policy: Policy) -> FrozenSet[str]:
    return frozenset(x.strip().lower() for x in policy.network.leased_line.interfaces)


def is_leased(iface: Interface, leased: FrozenSet[str]) -> bool:
    return iface.name.lower() in leased or (bool(iface.mac) and iface.mac.lower() in leased)


def _iface_evidence(iface: Interface) -> Said:
    parts: List[Union[str, Msg]] = [msg("ev.kind", kind=iface.kind)]
    if iface.why:
        parts.append(msg("ev.because", why=", ".join(f"{k}={v}" for k, v in iface.why)))
    if iface.mac:
        parts.append(f"mac={iface.mac}")
    if iface.driver:
        parts.append(f"driver={iface.driver}")
    if iface.bus:
        parts.append(f"bus={iface.bus}")
    parts.append(msg("ev.state.unknown" if iface.up is None else ("ev.state.up" if iface.up else "ev.state.down")))
    if iface.addresses:
        parts.append(msg("ev.addresses", addresses=",".join(str(a) for a in iface.addresses)))
    if iface.dhcp:
        parts.append("dhcp")
    source: Words = iface.source or msg("ev.src.configuration" if iface.configured else "ev.src.kernel")
    return Said(source, tuple(parts))


def _active(iface: Interface) -> bool:
    """Up with an address now, or (saved configuration) set to take one when it comes up."""
    if iface.up is True:
        return bool(iface.addresses)
    if iface.up is None:
        return bool(iface.addresses) or iface.dhcp
    return False


def check_forbidden_interface(facts: Facts, policy: Policy) -> Iterable[Result]:
    interfaces: Tuple[Interface, ...] = facts["network.interfaces"]
    forbidden = set(policy.network.forbidden_interface_kinds)
    out: List[Result] = []
    for iface in interfaces:
        if iface.kind not in forbidden or iface.kind == KIND_LOOPBACK:
            continue
        if _active(iface):
            key = "network.forbidden-interface.configured" if iface.up is None else "network.forbidden-interface.active"
            out.append(fail(iface.name, msg(key, name=iface.name, kind=iface.kind),
                            _iface_evidence(iface)))
        else:
            out.append(fail(iface.name, msg("network.forbidden-interface.present", name=iface.name, kind=iface.kind),
                            _iface_evidence(iface), severity=Severity.MEDIUM))
    return out


def _outside_addresses(iface: Interface, allowed: Sequence[IPNetwork]) -> List[str]:
    out = []
    for a in iface.addresses:
        if a.ip.is_link_local or a.ip.is_loopback:
            continue
        if not _net_in_allowed(a.network, allowed):
            out.append(str(a))
    return out


def check_dual_homed(facts: Facts, policy: Policy) -> Iterable[Result]:
    interfaces: Tuple[Interface, ...] = facts["network.interfaces"]
    leased = _leased(policy)
    allowed = policy.network.allowed_networks
    out: List[Result] = []
    for iface in interfaces:
        if iface.kind == KIND_LOOPBACK or is_leased(iface, leased) or not _active(iface):
            continue
        outside = _outside_addresses(iface, allowed)
        if outside:
            key = "network.dual-homed.configured" if iface.up is None else "network.dual-homed.address"
            out.append(fail(iface.name, msg(key, name=iface.name, addresses=", ".join(outside)),
                            _iface_evidence(iface)))
        elif iface.up is None and iface.dhcp and not iface.addresses:
            out.append(fail(iface.name, msg("network.dual-homed.dhcp", name=iface.name), _iface_evidence(iface)))
    return out


def check_bridge_leased_line(facts: Facts, policy: Policy) -> Iterable[Result]:
    interfaces: Tuple[Interface, ...] = facts["network.interfaces"]
    leased = _leased(policy)
    by_name = {i.name: i for i in interfaces}
    found: Dict[str, List[str]] = {}
    for iface in interfaces:
        if iface.kind == KIND_BRIDGE:
            for port in iface.ports:
                p = by_name.get(port)
                if port.lower() in leased or (p is not None and is_leased(p, leased)):
                    found.setdefault(iface.name, []).append(port)
    for iface in interfaces:
        master = by_name.get(iface.master) if iface.master else None
        if master is not None and master.kind == KIND_BRIDGE and is_leased(iface, leased):
            ports = found.setdefault(master.name, [])
            if iface.name not in ports:
                ports.append(iface.name)
    return [fail(bridge, msg("network.bridge-leased-line.found", bridge=bridge, nic=", ".join(ports)),
                 _iface_evidence(by_name[bridge]))
            for bridge, ports in sorted(found.items())]


# --- extension of the 医保 network ----------------------------------------------------------


def forwarding_subject(family: int, scope: str) -> str:
    if family == 4 and scope == "all":
        return "net.ipv4.ip_forward"
    return f"net.ipv{family}.conf.{scope}.forwarding"


def check_ip_forwarding(facts: Facts, policy: Policy) -> Iterable[Result]:
    if policy.network.allow_ip_forwarding:
        return [not_applicable("host", msg("network.ip-forwarding.allowed"))]
    fwd: Forwarding = facts["network.forwarding"]
    out: List[Result] = []
    for family in (4, 6):
        enabled = [s for s in fwd.enabled() if s.family == family]
        global_on = [s for s in enabled if s.scope == "all"]
        if global_on:
            per_if = sorted(s.scope for s in enabled if s.scope != "all")
            ev = [Evidence(s.source, "1") for s in global_on]
            if per_if:
                ev.append(Evidence(f"net.ipv{family}.conf.*.forwarding", ", ".join(per_if)))
            out.append(fail(forwarding_subject(family, "all"), msg("network.ip-forwarding.global", family=family), *ev))
        elif family == 4:
            # IPv4 forwards per input device; IPv6 only when "all" is on.
            for s in enabled:
                if s.scope == "lo":
                    continue
                out.append(fail(forwarding_subject(4, s.scope),
                                msg("network.ip-forwarding.interface", family=4, scope=s.scope),
                                Evidence(s.source, "1")))
    return out


def check_nat(facts: Facts, policy: Policy) -> Iterable[Result]:
    nat: Tuple[NatRule, ...] = facts["network.nat"]
    seen: Dict[str, Result] = {}
    for rule in nat:
        if rule.text not in seen:
            seen[rule.text] = fail(rule.text, msg("network.nat.found", kind=rule.kind, table=rule.table, chain=rule.chain),
                                   Evidence(rule.source, rule.text))
    return list(seen.values())


def check_shared(facts: Facts, policy: Policy) -> Iterable[Result]:
    shared: Tuple[SharedConnection, ...] = facts["network.shared"]
    return [fail(s.name, msg("network.shared-connection.found", name=s.name, how=s.how),
                 Evidence(s.source, f"{s.how}" + (f" interface={s.interface}" if s.interface else "")))
            for s in shared]


# --- DNS and proxies ------------------------------------------------------------------------

PUBLIC_RESOLVERS: Mapping[str, str] = {
    "114.114.114.114": "114DNS", "114.114.115.115": "114DNS",
    "223.5.5.5": "AliDNS", "223.6.6.6": "AliDNS", "2400:3200::1": "AliDNS", "2400:3200:baba::1": "AliDNS",
    "119.29.29.29": "DNSPod", "119.28.28.28": "DNSPod", "2402:4e00::": "DNSPod",
    "180.76.76.76": "Baidu DNS", "2400:da00::6666": "Baidu DNS",
    "1.2.4.8": "CNNIC SDNS", "210.2.4.8": "CNNIC SDNS",
    "117.50.10.10": "OneDNS", "52.80.52.52": "OneDNS",
    "101.226.4.6": "360 DNS", "218.30.118.6": "360 DNS", "123.125.81.6": "360 DNS",
    "8.8.8.8": "Google Public DNS", "8.8.4.4": "Google Public DNS", "2001:4860:4860::8888": "Google Public DNS",
    "2001:4860:4860::8844": "Google Public DNS",
    "1.1.1.1": "Cloudflare", "1.0.0.1": "Cloudflare", "2606:4700:4700::1111": "Cloudflare",
    "9.9.9.9": "Quad9", "149.112.112.112": "Quad9", "2620:fe::fe": "Quad9",
    "208.67.222.222": "OpenDNS", "208.67.220.220": "OpenDNS",
}


def _canonical_ip(text: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def check_dns(facts: Facts, policy: Policy) -> Iterable[Result]:
    resolvers: Tuple[Resolver, ...] = facts["network.resolvers"]
    allowed = set(policy.network.allowed_dns)
    bad: Dict[str, List[Resolver]] = {}
    for r in resolvers:
        ip = _canonical_ip(r.address)
        if ip is not None and (ip.is_loopback or ip in allowed):
            continue
        bad.setdefault(str(ip) if ip is not None else r.address, []).append(r)
    out: List[Result] = []
    for address, found in bad.items():
        ev = [Said(r.source, (r.address, msg("ev.link", interface=r.interface)) if r.interface else r.address)
              for r in found]
        name = PUBLIC_RESOLVERS.get(address)
        if name:
            out.append(fail(address, msg("network.dns.public", address=address, name=name), *ev))
        else:
            out.append(fail(address, msg("network.dns.not_allowed", address=address), *ev))
    return out


def proxy_subject(p: Proxy) -> str:
    return f"{p.setting} @ {p.source}"


def check_proxy(facts: Facts, policy: Policy) -> Iterable[Result]:
    if policy.network.allow_proxy:
        return [not_applicable("host", msg("network.proxy.allowed"))]
    proxies: Tuple[Proxy, ...] = facts["network.proxies"]
    return [fail(proxy_subject(p), msg("network.proxy.found", setting=p.setting, value=p.value, source=p.source),
                 Evidence(p.source, f"{p.setting}={p.value}"))
            for p in proxies]


# --- sockets --------------------------------------------------------------------------------


def socket_subject(s: Socket) -> str:
    proc = s.process or "?"
    pid = "?" if s.pid is None else str(s.pid)
    peer = f"[{s.raddr}]:{s.rport}" if ":" in s.raddr else f"{s.raddr}:{s.rport}"
    return f"{proc} (pid {pid}) -> {peer}"


def check_sockets(facts: Facts, policy: Policy) -> Iterable[Result]:
    sockets: Tuple[Socket, ...] = facts["network.sockets"]
    allowed = policy.network.allowed_networks
    grouped: Dict[str, List[Socket]] = {}
    for s in sockets:
        ip = _canonical_ip(s.raddr)
        if ip is None or ip.is_loopback or _in_allowed(ip, allowed):
            continue
        grouped.setdefault(socket_subject(s), []).append(s)
    out: List[Result] = []
    for subject, socks in grouped.items():
        s = socks[0]
        ev = [Evidence("psutil.net_connections",
                       f"{x.proto} {x.laddr}:{x.lport} -> {x.raddr}:{x.rport} {x.status}"
                       + (f" user={x.user}" if x.user else "") + (f" exe={x.exe}" if x.exe else ""))
              for x in socks]
        out.append(fail(subject, msg("network.sockets.found", process=s.process or "?",
                                     pid="?" if s.pid is None else s.pid, peer=subject.split(" -> ", 1)[1],
                                     proto=s.proto), *ev))
    return out


CHECKS: Tuple[Check, ...] = (
    Check("network.public-route", Severity.CRITICAL, clauses.ISOLATION, ("network.routing",), check_public_route),
    Check("network.default-route", Severity.HIGH, clauses.ISOLATION, ("network.routing",), check_default_route),
    Check("network.forbidden-interface", Severity.CRITICAL, clauses.ISOLATION, ("network.interfaces",),
          check_forbidden_interface),
    Check("network.dual-homed", Severity.HIGH, clauses.ISOLATION, ("network.interfaces",), check_dual_homed),
    Check("network.ip-forwarding", Severity.HIGH, clauses.NO_EXTENSION, ("network.forwarding",), check_ip_forwarding),
    Check("network.nat", Severity.CRITICAL, clauses.NO_EXTENSION, ("network.nat",), check_nat),
    Check("network.bridge-leased-line", Severity.CRITICAL, clauses.NO_EXTENSION, ("network.interfaces",),
          check_bridge_leased_line),
    Check("network.shared-connection", Severity.CRITICAL, clauses.NO_EXTENSION, ("network.shared",), check_shared),
    Check("network.dns", Severity.HIGH, clauses.ISOLATION, ("network.resolvers",), check_dns),
    Check("network.proxy", Severity.HIGH, clauses.ISOLATION, ("network.proxies",), check_proxy),
    Check("network.sockets", Severity.CRITICAL, clauses.ISOLATION, ("network.sockets",), check_sockets),
)
