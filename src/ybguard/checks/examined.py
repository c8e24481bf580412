"""What each built-in check examined, for its pass finding.

A pass is only a proof when it says what was looked at: "4 routes in 2 tables reachable by 3
rules, none outside allowed_networks", "884 packages checked against 23 deny patterns". Each
function here reads the same facts its check read (never the host) and returns the pass
message and evidence; ``with_examined`` attaches them to the checks by id, so the check modules
stay as they are. A test requires one for every registered check, and evidence on every pass.

The words are ybguard's (``Said`` with i18n keys ``examined.*``); host strings (interface,
package, file names) are passed as arguments and never translated.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Dict, Iterable, List, Mapping, Sequence, Tuple

from ..facts.accounts import Account
from ..facts.capture import CaptureResult, NotRequested, ProbeResult
from ..facts.network import KIND_LOOPBACK, Interface, Routing
from ..policy.schema import Policy
from .interface import AnyEvidence, Check, Examine, Examined, Facts, Said, msg, said
from .network import reachable_routes, reachable_tables

MAX_LISTED = 8  # names listed in one evidence line before "… and N more"


def _names(names: Iterable[str], limit: int = MAX_LISTED) -> str:
    items = sorted(dict.fromkeys(n for n in names if n))
    if len(items) > limit:
        return ", ".join(items[:limit]) + f", … (+{len(items) - limit})"
    return ", ".join(items) or "-"


def _nets(policy: Policy) -> str:
    return _names((str(n) for n in policy.network.allowed_networks), limit=16)


def _src(key: str, **args: object) -> Said:
    """A source label in ybguard's words, e.g. "policy" / "策略"."""
    return Said(msg(key, **args), "")


def _policy_line(key: str, **args: object) -> Said:
    return said(msg("examined.src.policy"), key, **args)


# --- network --------------------------------------------------------------------------------

def _routing_summary(routing: Routing) -> Tuple[int, int, int, List[AnyEvidence]]:
    reached = list(reachable_routes(routing))
    tables = {r.table for r, _ in reached}
    rules = [r for r in routing.rules]
    ev: List[AnyEvidence] = []
    by_source: Dict[str, int] = {}
    for r, _ in reached:
        by_source[r.source or "routing"] = by_source.get(r.source or "routing", 0) + 1
    for source, n in sorted(by_source.items()):
        ev.append(said(source, "examined.routes_from", n=n))
    for family in (4, 6):
        reach = reachable_tables(routing.rules, family)
        fam_rules = [r for r in routing.rules if r.family == family]
        ev.append(said(f"ip -{family} rule", "examined.rules_reach", n=len(fam_rules), tables=_names(reach)))
    return len(reached), len(tables), len(rules), ev


def examined_public_route(facts: Facts, policy: Policy) -> Examined:
    routes, tables, rules, ev = _routing_summary(facts["network.routing"])
    ev.append(_policy_line("examined.allowed_networks", nets=_nets(policy)))
    return Examined(msg("examined.network.public-route", routes=routes, tables=tables, rules=rules), tuple(ev))


def examined_default_route(facts: Facts, policy: Policy) -> Examined:
    routes, tables, rules, ev = _routing_summary(facts["network.routing"])
    return Examined(msg("examined.network.default-route", routes=routes, tables=tables, rules=rules), tuple(ev))


def _iface_line(i: Interface) -> str:
    addrs = ",".join(str(a) for a in i.addresses)
    state = "?" if i.up is None else ("up" if i.up else "down")
    return f"{i.name} {i.kind} {state}" + (f" {addrs}" if addrs else "") + (" dhcp" if i.dhcp else "")


def _iface_evidence(interfaces: Sequence[Interface]) -> Tuple[AnyEvidence, ...]:
    shown = [i for i in interfaces if i.kind != KIND_LOOPBACK]
    if not shown:
        return (said(msg("examined.src.interfaces"), "examined.no_interfaces"),)
    return tuple(Said(i.source or msg("examined.src.interfaces"), _iface_line(i)) for i in shown[:16])


def examined_forbidden_interface(facts: Facts, policy: Policy) -> Examined:
    interfaces: Tuple[Interface, ...] = facts["network.interfaces"]
    kinds = _names(policy.network.forbidden_interface_kinds)
    n = len([i for i in interfaces if i.kind != KIND_LOOPBACK])
    return Examined(msg("examined.network.forbidden-interface", n=n, kinds=kinds),
                    _iface_evidence(interfaces) + (_policy_line("examined.forbidden_kinds", kinds=kinds),))


def examined_dual_homed(facts: Facts, policy: Policy) -> Examined:
    interfaces: Tuple[Interface, ...] = facts["network.interfaces"]
    n = len([i for i in interfaces if i.kind != KIND_LOOPBACK])
    leased = _names(policy.network.leased_line.interfaces)
    return Examined(msg("examined.network.dual-homed", n=n),
                    _iface_evidence(interfaces) + (_policy_line("examined.allowed_networks", nets=_nets(policy)),
                                                   _policy_line("examined.leased_line", nics=leased)))


def examined_bridge(facts: Facts, policy: Policy) -> Examined:
    interfaces: Tuple[Interface, ...] = facts["network.interfaces"]
    bridges = [i for i in interfaces if i.kind == "bridge"]
    ev: List[AnyEvidence] = [Said(b.source or msg("examined.src.interfaces"),
                                  msg("examined.bridge_ports", bridge=b.name, ports=_names(b.ports)))
                             for b in bridges]
    ev.append(_policy_line("examined.leased_line", nics=_names(policy.network.leased_line.interfaces)))
    return Examined(msg("examined.network.bridge-leased-line", n=len(bridges)), tuple(ev))


def examined_forwarding(facts: Facts, policy: Policy) -> Examined:
    settings = facts["network.forwarding"].settings
    ev = tuple(Said(s.source, f"{'net.ipv4.ip_forward' if (s.family, s.scope) == (4, 'all') else f'net.ipv{s.family}.conf.{s.scope}.forwarding'}"
                    f"={1 if s.enabled else 0}") for s in settings[:24])
    return Examined(msg("examined.network.ip-forwarding", n=len(settings)),
                    ev or (said(msg("examined.src.sysctl"), "examined.no_settings"),))


def examined_nat(facts: Facts, policy: Policy) -> Examined:
    rules = facts["network.nat"]
    return Examined(msg("examined.network.nat", n=len(rules)), (said(msg("examined.src.netfilter"), "examined.nat_none"),))


def examined_shared(facts: Facts, policy: Policy) -> Examined:
    return Examined(msg("examined.network.shared-connection", n=len(facts["network.shared"])),
                    (said(msg("examined.src.sharing"), "examined.shared_none"),))


def examined_dns(facts: Facts, policy: Policy) -> Examined:
    resolvers = facts["network.resolvers"]
    ev: List[AnyEvidence] = [Said(r.source, r.address) for r in resolvers[:16]]
    allowed = _names((str(a) for a in policy.network.allowed_dns), limit=16)
    ev.append(_policy_line("examined.allowed_dns", dns=allowed))
    key = "examined.network.dns" if resolvers else "examined.network.dns_none"
    return Examined(msg(key, n=len(resolvers)), tuple(ev))


def examined_proxy(facts: Facts, policy: Policy) -> Examined:
    return Examined(msg("examined.network.proxy", n=len(facts["network.proxies"])),
                    (said(msg("examined.src.proxy"), "examined.proxy_none"),))


def examined_sockets(facts: Facts, policy: Policy) -> Examined:
    sockets = facts["network.sockets"]
    peers = _names(s.raddr for s in sockets)
    return Examined(msg("examined.network.sockets", n=len(sockets)),
                    (said(msg("examined.src.sockets"), "examined.socket_peers", n=len(sockets), peers=peers),
                     _policy_line("examined.allowed_networks", nets=_nets(policy))))


def examined_live_traffic(facts: Facts, policy: Policy) -> Examined:
    cap = facts["network.capture"]
    if isinstance(cap, NotRequested):  # the check says not_applicable itself; never reached for a pass
        return Examined(msg(cap.reason))
    assert isinstance(cap, CaptureResult)
    return Examined(msg("examined.network.live-traffic", seconds=f"{cap.seconds:g}",
                        ifaces=_names(i.name for i in cap.interfaces)))


def examined_probe(facts: Facts, policy: Policy) -> Examined:
    res = facts["network.probe"]
    if isinstance(res, NotRequested):
        return Examined(msg(res.reason))
    assert isinstance(res, ProbeResult)
    return Examined(msg("examined.network.probe", n=len(res.outcomes)))


def examined_wireless_history(facts: Facts, policy: Policy) -> Examined:
    history = facts["network.history"]
    kinds: Dict[str, int] = {}
    for h in history:
        kinds[h.kind] = kinds.get(h.kind, 0) + 1
    return Examined(msg("examined.network.wireless-history", n=len(history)),
                    (said(msg("examined.src.history"), "examined.history_kinds", n=len(history),
                          kinds=_names(f"{k} {v}" for k, v in kinds.items())),))


# --- removable media ------------------------------------------------------------------------

def examined_storage_attached(facts: Facts, policy: Policy) -> Examined:
    devices = facts["usb.attached"]
    mounts = facts["usb.mounts"]
    kinds = {k: len([d for d in devices if d.kind == k]) for k in ("usb-storage", "optical", "removable-block")}
    return Examined(msg("examined.usb.storage-attached", usb=kinds["usb-storage"], removable=kinds["removable-block"]),
                    (said(msg("examined.src.devices"), "examined.devices_seen", n=len(devices),
                          optical=kinds["optical"], mounts=len(mounts)),))


def examined_storage_driver(facts: Facts, policy: Policy) -> Examined:
    states = facts["usb.driver"]
    return Examined(msg("examined.usb.storage-driver", modules=_names(s.module for s in states)),
                    tuple(Said(s.source or msg("examined.src.driver"), f"{s.module}: {s.how}") for s in states))


def examined_optical(facts: Facts, policy: Policy) -> Examined:
    devices = facts["usb.attached"]
    return Examined(msg("examined.usb.optical", n=len(devices)),
                    (said(msg("examined.src.devices"), "examined.optical_none", n=len(devices)),))


def examined_storage_history(facts: Facts, policy: Policy) -> Examined:
    return Examined(msg("examined.usb.storage-history", n=len(facts["usb.history"])),
                    (said(msg("examined.src.logs"), "examined.history_none"),))


# --- software -------------------------------------------------------------------------------

def examined_installed(facts: Facts, policy: Policy) -> Examined:
    packages = facts["software.packages"]
    sw = policy.software
    managers: Dict[str, int] = {}
    for p in packages:
        managers[p.manager or "?"] = managers.get(p.manager or "?", 0) + 1
    ev: List[AnyEvidence] = [said(m, "examined.packages_of", n=n) for m, n in sorted(managers.items())]
    ev.append(_policy_line("examined.deny_patterns", n=len(sw.deny), patterns=_names(sw.deny, 12)))
    if sw.mode == "allowlist":
        ev.append(_policy_line("examined.allow_patterns", n=len(sw.allow), patterns=_names(sw.allow, 12)))
        return Examined(msg("examined.software.installed.allowlist", n=len(packages), allow=len(sw.allow),
                            deny=len(sw.deny)), tuple(ev))
    return Examined(msg("examined.software.installed.denylist", n=len(packages), deny=len(sw.deny)), tuple(ev))


def examined_processes(facts: Facts, policy: Policy) -> Examined:
    procs = facts["software.processes"]
    deny = policy.software.processes.deny
    return Examined(msg("examined.software.processes", n=len(procs), deny=len(deny)),
                    (said(msg("examined.src.processes"), "examined.processes_seen", n=len(procs)),
                     _policy_line("examined.deny_patterns", n=len(deny), patterns=_names(deny, 12))))


# --- accounts -------------------------------------------------------------------------------

def _policy_sources(facts: Facts) -> Tuple[AnyEvidence, ...]:
    pp = facts["accounts.password_policy"]
    return tuple(Said(s, d) for s, d in pp.sources)


def examined_min_length(facts: Facts, policy: Policy) -> Examined:
    pp = facts["accounts.password_policy"]
    return Examined(msg("accounts.min_length_ok", got=pp.min_length, want=policy.accounts.password_min_length),
                    _policy_sources(facts))


def examined_max_age(facts: Facts, policy: Policy) -> Examined:
    """The check reads ``accounts.max_age`` (per account on Linux, the one account policy on
    Windows); a Windows pass yields nothing of its own and is said here."""
    aging = facts["accounts.max_age"]
    ev = tuple(Said(a.source, f"{a.name} max={a.max_days}") for a in aging.accounts[:30])
    return Examined(msg("examined.accounts.password-max-age", got=aging.default_days,
                        want=policy.accounts.password_max_age_days), ev + tuple(Said(s, d) for s, d in aging.sources))


def _users_line(users: Sequence[Account], login_only: bool = False) -> Said:
    chosen = [u for u in users if u.login] if login_only else list(users)
    sources = _names(u.source for u in chosen) if chosen else "-"
    return Said(sources if chosen else msg("examined.src.accounts"),
                msg("examined.accounts_seen", n=len(chosen), names=_names(u.name for u in chosen)))


def _users_examined(key: str, login_only: bool) -> Examine:
    def examine(facts: Facts, policy: Policy) -> Examined:
        users = facts["accounts.users"]
        n = len([u for u in users if u.login]) if login_only else len(users)
        return Examined(msg(key, n=n, want=policy.accounts.password_max_age_days), (_users_line(users, login_only),))

    return examine


# --- time, backups, integrity ---------------------------------------------------------------

def _time_sources(facts: Facts) -> Tuple[AnyEvidence, ...]:
    return tuple(Said(s, d) for s, d in facts["time.sync"].sources)


def examined_ntp_config(facts: Facts, policy: Policy) -> Examined:
    ts = facts["time.sync"]
    return Examined(msg("examined.time.ntp-config", daemon=ts.daemon or "-", servers=_names(ts.servers)),
                    _time_sources(facts) + (_policy_line("examined.ntp_servers",
                                                         servers=_names(policy.time.ntp_servers)),))


def examined_sync(facts: Facts, policy: Policy) -> Examined:
    ts = facts["time.sync"]
    return Examined(msg("time.synced", daemon=ts.daemon), _time_sources(facts))


def examined_offset(facts: Facts, policy: Policy) -> Examined:
    samples = facts["time.probe"]
    return Examined(msg("examined.time.offset", n=len(samples), limit=policy.time.max_offset_seconds),
                    tuple(Said(f"SNTP {s.server}", f"{s.offset_seconds:+.3f}s" if s.offset_seconds is not None
                               else s.error) for s in samples))


def examined_backups(facts: Facts, policy: Policy) -> Examined:
    sets = facts["backups.files"]
    return Examined(msg("examined.backups.copies", rules=len(policy.backups)),
                    tuple(Said(", ".join(s.patterns), msg("examined.backup_files", n=len(s.copies))) for s in sets))


def _baseline_examined(key: str, count: Callable[[Facts], int]) -> Examine:
    def examine(facts: Facts, policy: Policy) -> Examined:
        base = facts["integrity.baseline"]
        return Examined(msg(key, n=count(facts)),
                        (said(msg("examined.src.baseline"), "examined.baseline_file", path=base.source,
                              created=base.created_at or "-"),))

    return examine


# --- 等保 2.0 controls and traces of past violations ------------------------------------------

def _pairs(sources: Iterable[Tuple[str, str]]) -> Tuple[AnyEvidence, ...]:
    return tuple(Said(s, d) for s, d in list(sources)[:30])


def examined_complexity(facts: Facts, policy: Policy) -> Examined:
    cx = facts["logon.complexity"]
    return Examined(msg("examined.logon.password-complexity", n=len(cx.sources), got=cx.classes,
                        want=policy.djbh.password_min_classes), _pairs(cx.sources))


def examined_lockout(facts: Facts, policy: Policy) -> Examined:
    lo = facts["logon.lockout"]
    return Examined(msg("examined.logon.lockout", n=len(lo.sources), want=policy.djbh.lockout_max_attempts,
                        minutes=policy.djbh.lockout_min_minutes), _pairs(lo.sources))


def examined_idle(facts: Facts, policy: Policy) -> Examined:
    scopes = facts["logon.idle"]
    ev = tuple(Said(s.source, s.detail) for scope in scopes for s in scope.settings)[:30]
    return Examined(msg("examined.logon.idle-lock", n=len(scopes), scopes=_names(sc.name for sc in scopes),
                        limit=policy.djbh.idle_lock_max_minutes * 60), ev)


def examined_default_accounts(facts: Facts, policy: Policy) -> Examined:
    accounts = facts["logon.default_accounts"]
    return Examined(msg("djbh.accounts_examined", n=len(accounts)),
                    tuple(Said(a.source, msg("djbh.account_seen", user=a.name, id=a.ident, role=a.role, extra="",
                                             state=msg("djbh.account_enabled" if a.enabled
                                                       else "djbh.account_disabled")))
                          for a in accounts[:30]))


def examined_remote(facts: Facts, policy: Policy) -> Examined:
    services = facts["logon.remote"]
    return Examined(msg("examined.logon.remote-admin", n=len(services), names=_names(s.name for s in services)),
                    tuple(Said(s.source, s.detail) for s in services[:30]))


def examined_audit_events(facts: Facts, policy: Policy) -> Examined:
    au = facts["audit.events"]
    return Examined(msg("examined.audit.events", service=au.service, n=len(au.sources)), _pairs(au.sources))


def examined_log_storage(facts: Facts, policy: Policy) -> Examined:
    ls = facts["audit.storage"]
    return Examined(msg("examined.audit.log-storage", n=len(ls.stores), want=policy.djbh.audit_log_min_mb),
                    _pairs(ls.sources) + tuple(Said(name, detail) for name, _keeps, detail in ls.stores[:30]))


def examined_services(facts: Facts, policy: Policy) -> Examined:
    ex = facts["hardening.exposure"]
    listeners = ex.listeners or ()
    ev: List[AnyEvidence] = [Said(x.source, f"{x.proto} {x.address}:{x.port} {x.process}".strip())
                             for x in listeners[:10]]
    ev += [Said(s.source, f"{s.name}: {s.what}") for s in ex.services[:10]]
    ev += [Said(source, f"{name}: {detail}") for name, _exposed, detail, source in ex.shares[:10]]
    ev.append(_policy_line("examined.allowed_ports", ports=_names((str(p) for p in policy.djbh.allowed_listen_ports),
                                                                   16)))
    key = "examined.hardening.services" if ex.listeners is not None else "examined.hardening.services_offline"
    return Examined(msg(key, listeners=len(listeners), services=len(ex.services), shares=len(ex.shares)), tuple(ev))


def examined_autorun(facts: Facts, policy: Policy) -> Examined:
    ar = facts["hardening.autorun"]
    return Examined(msg("examined.hardening.autorun", what=ar.automounter or "-", n=len(ar.sources)),
                    _pairs(ar.sources))


def examined_firewall(facts: Facts, policy: Policy) -> Examined:
    fw = facts["hardening.firewall"]
    return Examined(msg("examined.hardening.firewall", n=len(fw.profiles)),
                    tuple(Said(p.source, f"{p.name}: {p.detail}") for p in fw.profiles[:30]) + _pairs(fw.sources))


def examined_malware(facts: Facts, policy: Policy) -> Examined:
    products = facts["malware.products"]
    return Examined(msg("examined.malware.products", n=len(products), names=_names(p.name for p in products),
                        limit=policy.djbh.signature_max_age_days),
                    tuple(Said(p.source, f"{p.name}: {p.detail}") for p in products[:30]))


def examined_updates(facts: Facts, policy: Policy) -> Examined:
    ps = facts["patches.state"]
    return Examined(msg("examined.patches.security-updates", kind=ps.kind, pending=len(ps.pending),
                        limit=policy.djbh.patch_max_age_days), _pairs(ps.sources))


def examined_kernel(facts: Facts, policy: Policy) -> Examined:
    ks = facts["patches.kernel"]
    return Examined(msg("examined.patches.kernel", running=ks.running, newest=ks.newest_installed),
                    _pairs(ks.sources))


def _history_sources(sources: Sequence[str]) -> Tuple[AnyEvidence, ...]:
    return tuple(said(s, "examined.history_source") for s in sources[:20])


def examined_web(facts: Facts, policy: Policy) -> Examined:
    h = facts["history.web"]
    return Examined(msg("examined.history.web", sources=len(h.sources), visits=h.visits_examined,
                        hosts=len({x.host for x in h.hosts}), days=h.window_days),
                    _history_sources(h.sources) + (_policy_line("examined.allowed_domains", n=len(
                        policy.history.allowed_domains), domains=_names(policy.history.allowed_domains, 12)),))


def examined_installs(facts: Facts, policy: Policy) -> Examined:
    h = facts["history.installs"]
    deny = (*policy.software.deny, *policy.software.processes.deny)
    return Examined(msg("examined.history.installs", sources=len(h.sources), count=len(h.installs),
                        days=h.window_days),
                    _history_sources(h.sources) + (_policy_line("examined.deny_patterns", n=len(deny),
                                                                patterns=_names(deny, 12)),))


def examined_clock(facts: Facts, policy: Policy) -> Examined:
    h = facts["history.clock"]
    return Examined(msg("examined.time.manual-change", sources=len(h.sources), days=h.window_days),
                    _history_sources(h.sources))


EXAMINED: Mapping[str, Examine] = {
    "network.public-route": examined_public_route,
    "network.default-route": examined_default_route,
    "network.forbidden-interface": examined_forbidden_interface,
    "network.dual-homed": examined_dual_homed,
    "network.ip-forwarding": examined_forwarding,
    "network.nat": examined_nat,
    "network.bridge-leased-line": examined_bridge,
    "network.shared-connection": examined_shared,
    "network.dns": examined_dns,
    "network.proxy": examined_proxy,
    "network.sockets": examined_sockets,
    "network.live-traffic": examined_live_traffic,
    "network.probe": examined_probe,
    "network.wireless-history": examined_wireless_history,
    "usb.storage-attached": examined_storage_attached,
    "usb.storage-driver": examined_storage_driver,
    "usb.optical": examined_optical,
    "usb.storage-history": examined_storage_history,
    "software.installed": examined_installed,
    "software.processes": examined_processes,
    "accounts.password-min-length": examined_min_length,
    "accounts.password-max-age": examined_max_age,
    "accounts.empty-password": _users_examined("examined.accounts.empty-password", login_only=False),
    "accounts.password-age": _users_examined("examined.accounts.password-age", login_only=True),
    "accounts.never-expires": _users_examined("examined.accounts.never-expires", login_only=True),
    "accounts.uid0": _users_examined("examined.accounts.uid0", login_only=False),
    "time.ntp-config": examined_ntp_config,
    "time.sync": examined_sync,
    "time.offset": examined_offset,
    "backups.copies": examined_backups,
    "integrity.baseline-files": _baseline_examined("examined.integrity.baseline-files",
                                                   lambda f: len(f["integrity.files"])),
    "integrity.baseline-packages": _baseline_examined("examined.integrity.baseline-packages",
                                                      lambda f: len(f["software.packages"])),
    "integrity.baseline-interfaces": _baseline_examined("examined.integrity.baseline-interfaces",
                                                        lambda f: len(f["network.interfaces"])),
    "integrity.baseline-gateway": _baseline_examined("examined.integrity.baseline-gateway",
                                                     lambda f: len(f["integrity.gateway"])),
    "logon.password-complexity": examined_complexity,
    "logon.lockout": examined_lockout,
    "logon.idle-lock": examined_idle,
    "logon.default-accounts": examined_default_accounts,
    "logon.remote-admin": examined_remote,
    "audit.events": examined_audit_events,
    "audit.log-storage": examined_log_storage,
    "hardening.services": examined_services,
    "hardening.autorun": examined_autorun,
    "hardening.firewall": examined_firewall,
    "malware.antivirus": examined_malware,
    "malware.signatures": examined_malware,
    "malware.realtime": examined_malware,
    "patches.security-updates": examined_updates,
    "patches.kernel": examined_kernel,
    "history.web": examined_web,
    "history.installs": examined_installs,
    "time.manual-change": examined_clock,
}


def with_examined(checks: Iterable[Check]) -> Tuple[Check, ...]:
    """The checks with their ``examined`` hook from ``EXAMINED`` (one declared inline wins)."""
    return tuple(c if c.examined is not None or c.id not in EXAMINED
                 else dataclasses.replace(c, examined=EXAMINED[c.id]) for c in checks)
