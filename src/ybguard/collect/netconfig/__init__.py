"""Network facts of an offline Linux image, read from its saved configuration.

A golden image has no running kernel to ask, so the network questions are asked of the files
that will configure the kernel when the image boots. One module per configurator, each with a
``read(target) -> NetConfig`` listed once in ``CONFIGURATORS``; the syntax of their files is
read by ``collect.syntax`` (one INI/keyfile/unit reader, one drop-in resolver, one shell
tokenizer, one iptables-save reader), the same readers the live collectors use.

The collectors fill the same fact keys as the live collectors (``facts/network.py``), with
``configured=True``, ``up=None`` and ``source`` = ``"<path inside the image>:<line>"``.
Where saved configuration cannot say what the kernel will do, the records lean towards the
risk, never away from it (fail closed): an interface configured for DHCP is reported with a
possible default route (``gateway="dhcp"``), because the DHCP server decides, not the image.
A file its owner refuses makes the facts an error *in addition to* what the other files show
(``PartialFact``); a line its owner ignores is a note on the findings. docs/offline-images.md
lists every file read, the precedence rules and the known gaps. Secrets (psk=, password=,
PrivateKey …) are never copied into a record.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Dict, Tuple

from ...facts.network import (
    FORWARDING,
    INTERFACES,
    NAT,
    RESOLVERS,
    ROUTING,
    SHARED,
    Interface,
    Routing,
    Rule,
    SharedConnection,
)
from ...target.interface import Target
from ..interface import CollectContext, Collector
from ..syntax.ini import KeyFile, parse_keyfile
from . import saved
from .commands import forwarding_key, parse_commands, read_cron, read_hooks, read_rc_local
from .firewall import collect_nat_offline, parse_firewalld_zone, parse_iptables_save, parse_nftables
from .ifcfg import ifcfg_wanted, parse_ifcfg, parse_ifcfg_routes, parse_sysconfig_network, read_ifcfg
from .ifupdown import Include, parse_ifupdown, read_ifupdown
from .model import (
    ConfigError,
    NetConfig,
    connected_route,
    kind_from_name,
    link_ports,
    merge,
    merge_devices,
    redact,
)
from .netplan import parse_netplan, read_netplan
from .networkd import networkd_applies, parse_networkd_netdev, parse_networkd_network, read_networkd
from .networkmanager import nm_keyfile_wanted, parse_nm_profiles, read_nm
from .resolvers import collect_resolvers_offline, parse_resolved_conf
from .sysctl import collect_forwarding_offline, effective_forwarding, parse_sysctl
from .tunnels import parse_openvpn, parse_ppp_peer, parse_wireguard, read_tunnels
from .units import read_units
from .wireless import (
    iwd_ssid,
    parse_hostapd,
    parse_iwd_networks,
    parse_wpa_supplicant,
    read_wireless,
    wpa_interface_name,
)

ROUTING_SOURCE = "saved configuration"

# Every configurator whose saved files can add interfaces, routes, resolvers or shared
# connections, in the order their records are listed.
CONFIGURATORS: Tuple[Callable[[Target], NetConfig], ...] = (
    read_netplan, read_nm, read_ifupdown, read_networkd, read_ifcfg, read_wireless, read_tunnels, read_rc_local,
    read_units, read_hooks, read_cron,
)


def saved_config(target: Target) -> NetConfig:
    """All interface/route/resolver/shared configuration of the image, in a stable order."""
    conf = merge([read(target) for read in CONFIGURATORS])
    return replace(conf, interfaces=merge_devices(link_ports(conf.interfaces)))


def collect_saved_config(ctx: CollectContext) -> NetConfig:
    return saved_config(ctx.target)


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
    return saved.outcome(ctx, saved.config(ctx).interfaces, ("interfaces",))


def collect_routing_offline(ctx: CollectContext) -> Routing:
    conf = saved.config(ctx)
    rules = tuple(sorted(_kernel_rules() + conf.rules, key=lambda r: (r.family, r.priority)))
    return saved.outcome(ctx, Routing(routes=conf.routes, rules=rules, source=ROUTING_SOURCE), ("routes", "rules"))


def collect_shared_offline(ctx: CollectContext) -> Tuple[SharedConnection, ...]:
    return saved.outcome(ctx, saved.config(ctx).shared, ("shared",))


OFFLINE: Dict[str, Collector] = {
    INTERFACES: collect_interfaces_offline,
    ROUTING: collect_routing_offline,
    FORWARDING: collect_forwarding_offline,
    NAT: collect_nat_offline,
    SHARED: collect_shared_offline,
    RESOLVERS: collect_resolvers_offline,
    saved.KEY: collect_saved_config,  # read once per scan, shared by the facts above
}


def for_target(live_fn: Collector, offline_fn: Collector) -> Collector:
    """One collector for a fact key: the live one on a live host, saved configuration on an image."""

    def collect(ctx: CollectContext) -> Any:
        return live_fn(ctx) if ctx.target.is_live else offline_fn(ctx)

    collect.__name__ = f"for_target({getattr(live_fn, '__name__', 'live')}, {getattr(offline_fn, '__name__', 'offline')})"
    return collect


__all__ = [
    "CONFIGURATORS", "ConfigError", "Include", "KeyFile", "NetConfig", "OFFLINE", "connected_route",
    "effective_forwarding", "for_target", "forwarding_key", "ifcfg_wanted", "iwd_ssid", "kind_from_name",
    "networkd_applies", "nm_keyfile_wanted", "parse_commands", "parse_firewalld_zone", "parse_hostapd", "parse_ifcfg",
    "parse_ifcfg_routes", "parse_ifupdown", "parse_iptables_save", "parse_iwd_networks", "parse_keyfile",
    "parse_netplan", "parse_networkd_netdev", "parse_networkd_network", "parse_nftables", "parse_nm_profiles",
    "parse_openvpn", "parse_ppp_peer", "parse_resolved_conf", "parse_sysconfig_network", "parse_sysctl",
    "parse_wireguard", "parse_wpa_supplicant", "redact", "saved_config", "wpa_interface_name",
]
