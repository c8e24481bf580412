"""DNS resolvers, proxies, connection sharing, network history and sockets."""

from __future__ import annotations

import os
import re
import struct
from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from ...facts.network import (
    KIND_OTHER,
    NetworkHistory,
    Proxy,
    Resolver,
    SharedConnection,
    Socket,
)
from ...target.interface import Unsupported
from ...target.windows import RegKey, multi_sz
from ..interface import CollectContext, Collector, FactError
from .common import (
    NAME_TYPE_KIND,
    SERVICE_DISABLED,
    _registry,
    _system_key,
    require_this_host,
)
from .network import _tcpip_interfaces


def split_name_servers(text: str) -> List[str]:
    """NameServer / DhcpNameServer hold addresses separated by spaces or commas."""
    return [p for p in re.split(r"[\s,;]+", text or "") if p]


def collect_resolvers(ctx: CollectContext) -> Tuple[Resolver, ...]:
    reg = _registry(ctx)
    out: List[Resolver] = []
    seen = set()
    for it in _tcpip_interfaces(reg):
        static = split_name_servers(it.key.str_value("NameServer"))
        # a static list wins; the DHCP one is used only when none is set and DHCP is on
        name, servers = ("NameServer", static) if static or it.key.int_value("EnableDHCP") != 1 else (
            "DhcpNameServer", split_name_servers(it.key.str_value("DhcpNameServer")))
        for addr in servers:
            seen.add(addr)
            out.append(Resolver(address=addr, source=f"{it.key.path} {name}", interface=it.name))
    params = _system_key(reg, "Services\\Tcpip\\Parameters")
    for name in ("NameServer", "DhcpNameServer"):
        for addr in split_name_servers(params.str_value(name) if params is not None else ""):
            if addr not in seen:  # the global DhcpNameServer repeats the last lease's servers
                seen.add(addr)
                out.append(Resolver(address=addr, source=f"{params.path if params else ''} {name}"))
    software = reg.software
    policy = software.key("Policies\\Microsoft\\Windows NT\\DNSClient") if software is not None else None
    for addr in split_name_servers(policy.str_value("NameServer") if policy is not None else ""):
        out.append(Resolver(address=addr, source=f"{policy.path if policy else ''} NameServer"))
    return tuple(out)


def parse_winhttp_settings(data: bytes) -> Tuple[str, str]:
    """WinHttpSettings (``netsh winhttp set proxy``) -> (proxy server, bypass list); ("", "") = direct.

    Layout: DWORD struct version, DWORD counter, DWORD flags (2 = proxy set), then
    length-prefixed proxy and bypass strings.
    """
    if len(data) < 12:
        raise ValueError("WinHttpSettings too short")
    _version, _counter, flags = struct.unpack_from("<III", data, 0)
    pos = 12
    strings = []
    for _ in range(2):
        if pos + 4 > len(data):
            strings.append("")
            continue
        (length,) = struct.unpack_from("<I", data, pos)
        pos += 4
        strings.append(data[pos:pos + length].decode("latin-1"))
        pos += length
    if not flags & 2:
        return "", ""
    return strings[0], strings[1]


def _proxy_settings(key: Optional[RegKey]) -> List[Proxy]:
    if key is None:
        return []
    out = []
    if key.int_value("ProxyEnable") == 1 and key.str_value("ProxyServer"):
        out.append(Proxy("ProxyServer", key.str_value("ProxyServer"), f"{key.path} (ProxyEnable=1)"))
    if key.str_value("AutoConfigURL"):
        out.append(Proxy("AutoConfigURL", key.str_value("AutoConfigURL"), key.path))
    return out


INTERNET_SETTINGS = "Microsoft\\Windows\\CurrentVersion\\Internet Settings"


def collect_proxies(ctx: CollectContext) -> Tuple[Proxy, ...]:
    reg = _registry(ctx)
    software = reg.require_software()
    users = reg.ntusers
    if not users:
        raise FactError("windows.no_ntuser")  # proxies are per user: unknown without any HKCU
    out: List[Proxy] = []
    for user in users:
        out += _proxy_settings(user.software_key(INTERNET_SETTINGS))
        out += _proxy_settings(user.software_key(f"Policies\\{INTERNET_SETTINGS}"))
    out += _proxy_settings(software.key(INTERNET_SETTINGS))  # used when ProxySettingsPerUser=0
    out += _proxy_settings(software.key(f"Policies\\{INTERNET_SETTINGS}"))
    conns = software.key(f"{INTERNET_SETTINGS}\\Connections")
    raw = conns.value("WinHttpSettings") if conns is not None else None
    if isinstance(raw, bytes):
        try:
            server, bypass = parse_winhttp_settings(raw)
        except ValueError as exc:
            raise FactError("windows.bad_value", path=conns.path if conns else "", value="WinHttpSettings") from exc
        if server:
            out.append(Proxy("WinHttpSettings", server, f"{conns.path if conns else ''} (bypass: {bypass or '-'})"))
    return tuple(out)


def collect_shared(ctx: CollectContext) -> Tuple[SharedConnection, ...]:
    """Indicators that Internet Connection Sharing or a hosted network is switched on.

    Since Vista the ICS public/private choice lives in the WMI HomeNet store, not the
    registry, so offline we report what the registry does show: the SharedAccess service set
    to start automatically, EnableRebootPersistConnection, an adapter holding the ICS private
    address (SharedAccess\\Parameters ScopeAddress, 192.168.137.1 by default) while the service
    is not disabled, and a configured wireless hosted network.
    """
    reg = _registry(ctx)
    out: List[SharedConnection] = []
    svc = _system_key(reg, "Services\\SharedAccess")
    start = svc.int_value("Start") if svc is not None else None
    if svc is not None and start == 2:
        out.append(SharedConnection(name="SharedAccess", how="SharedAccess Start=2 (automatic)", source=svc.path))
    if svc is not None and svc.int_value("EnableRebootPersistConnection") == 1:
        out.append(SharedConnection(name="SharedAccess", how="EnableRebootPersistConnection=1", source=svc.path))
    if svc is not None and start != SERVICE_DISABLED:
        params = svc.subkey("Parameters")
        scope = (params.str_value("ScopeAddress") if params is not None else "") or "192.168.137.1"
        for it in _tcpip_interfaces(reg):
            if it.key.int_value("EnableDHCP") != 1 and scope in multi_sz(it.key.value("IPAddress")):
                out.append(SharedConnection(name=it.name, how=f"ICS private address {scope} (ScopeAddress)",
                                            interface=it.name, source=it.key.path))
    # Windows creates HostedNetworkSettings with SSID "DEFAULTSSID" on any Wi-Fi machine;
    # EverUsed=1 is what says the soft AP was actually started.
    hosted = _system_key(reg, "Services\\WlanSvc\\Parameters\\HostedNetworkSettings")
    if hosted is not None and hosted.int_value("EverUsed") == 1:
        out.append(SharedConnection(name="hosted network", how="wireless hosted network EverUsed=1",
                                    source=hosted.path))
    return tuple(out)


def parse_systemtime(data: Any) -> str:
    """A 16-byte SYSTEMTIME (year, month, weekday, day, hour, minute, second, ms) -> ISO text.

    NetworkList stores local time without a zone, so none is added.
    """
    if not isinstance(data, bytes) or len(data) < 16:
        return ""
    year, month, _wd, day, hour, minute, second, ms = struct.unpack_from("<8H", data)
    try:
        return datetime(year, month, day, hour, minute, second, ms * 1000).isoformat()
    except ValueError:
        return ""


def collect_history(ctx: CollectContext) -> Tuple[NetworkHistory, ...]:
    reg = _registry(ctx)
    software = reg.require_software()
    profiles = software.key("Microsoft\\Windows NT\\CurrentVersion\\NetworkList\\Profiles")
    out = []
    for prof in profiles.subkeys() if profiles is not None else []:
        name_type = prof.int_value("NameType")
        kind = NAME_TYPE_KIND.get(name_type if name_type is not None else -1, KIND_OTHER)
        out.append(NetworkHistory(
            name=prof.str_value("ProfileName") or prof.name, kind=kind,
            first_seen=parse_systemtime(prof.value("DateCreated")),
            last_seen=parse_systemtime(prof.value("DateLastConnected")), source=prof.path,
            detail=f"NameType={name_type} Description={prof.str_value('Description')}"))
    return tuple(out)


def collect_sockets(ctx: CollectContext) -> Tuple[Socket, ...]:
    ctx.target.require_live()
    import socket as _socket

    names = {p.pid: p.name for p in ctx.target.processes()}
    out = []
    for c in ctx.target.connections():
        raddr: Any = c.raddr
        laddr: Any = c.laddr
        if not raddr:
            continue
        proto = "tcp" if c.type == _socket.SOCK_STREAM else "udp"
        out.append(Socket(proto=proto, family=6 if c.family == _socket.AF_INET6 else 4, laddr=laddr.ip,
                          lport=laddr.port, raddr=raddr.ip, rport=raddr.port,
                          status=c.status if proto == "tcp" else "CONNECTED", pid=c.pid,
                          process=names.get(c.pid or -1, "")))
    return tuple(out)


def collect_probe(ctx: CollectContext) -> object:
    """``--probe`` through the same sockets code as on Linux (tcp, dns, http)."""
    from ..probe import collect_probe as probe

    return probe(ctx)


NPCAP_DLL = "System32\\Npcap\\wpcap.dll"


def collect_capture(ctx: CollectContext) -> object:
    """Live capture needs Npcap on Windows; without it the check is not applicable, and ybguard
    never installs it (that would itself break the no-extra-software rule)."""
    from ..capture import NotRequested, capture_seconds

    ctx.target.require_live()
    if capture_seconds(ctx) <= 0:
        return NotRequested("capture.not_requested")
    require_this_host(ctx, "Npcap")
    windir = os.environ.get("SystemRoot", "C:\\Windows")
    if not os.path.isfile(os.path.join(windir, NPCAP_DLL)):
        raise Unsupported("windows.no_npcap")
    raise FactError("windows.npcap_unsupported")


FACTS: Dict[str, Collector] = {
    "network.resolvers": collect_resolvers,
    "network.proxies": collect_proxies,
    "network.shared": collect_shared,
    "network.history": collect_history,
    "network.sockets": collect_sockets,
    "network.probe": collect_probe,
    "network.capture": collect_capture,
}
