"""Hardening (GB/T 22239-2019 8.1.4.4 b, 8.1.3.2): listening ports, network services and shares,
removable-media autorun, host firewall.

Listening sockets exist only on a live host (/proc/net/tcp* and udp* on Linux, ``netstat -ano``
on Windows, matched by shape, not by its translated state column); an image says which network
services start at boot.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import struct
from typing import Dict, List, Optional, Tuple

from ..facts.djbh import Autorun, Exposure, Firewall, FirewallProfile, Listener, ServiceState
from ..target.interface import Target, TargetError, ToolMissing, Unsupported
from . import djbhbase as b
from .interface import CollectContext, Collector

# --- Linux: listening sockets ------------------------------------------------------------------

PROC_NET = (("tcp", "/proc/net/tcp", 4), ("tcp", "/proc/net/tcp6", 6), ("udp", "/proc/net/udp", 4),
            ("udp", "/proc/net/udp6", 6))
TCP_LISTEN, UDP_UNCONNECTED = "0A", "07"
PROC_LIMIT = 16 * 1024 * 1024  # /proc files report size 0: read() would otherwise reserve the whole default limit


def _proc_addr(hexaddr: str, family: int) -> str:
    raw = bytes.fromhex(hexaddr)
    if family == 4:
        return socket.inet_ntop(socket.AF_INET, struct.pack("<I", struct.unpack(">I", raw)[0]))
    words = struct.unpack(">4I", raw)
    return socket.inet_ntop(socket.AF_INET6, struct.pack("<4I", *words))


def parse_proc_net(text: str, proto: str, family: int, source: str) -> List[Listener]:
    """Listening TCP (state 0A) and bound, unconnected UDP sockets (state 07, no peer) of one
    /proc/net table; addresses are in host byte order per 32-bit word (proc(5))."""
    out = []
    for line in text.splitlines()[1:]:
        f = line.split()
        if len(f) < 4:
            continue
        local, remote, state = f[1], f[2], f[3]
        if proto == "tcp" and state != TCP_LISTEN:
            continue
        if proto == "udp" and (state != UDP_UNCONNECTED or not remote.endswith(":0000")):
            continue
        addr_hex, port_hex = local.split(":")
        out.append(Listener(proto, _proc_addr(addr_hex, family), int(port_hex, 16), "", source))
    return out


def is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped is not None and mapped.is_loopback)


def linux_listeners(target: Target) -> Tuple[Listener, ...]:
    out: List[Listener] = []
    for proto, path, family in PROC_NET:
        text = target.read_text_optional(path, limit=PROC_LIMIT)
        if text is None:
            if family == 4:  # every live kernel has the IPv4 tables: their absence is no "nothing listens"
                raise FileNotFoundError(2, "No such file or directory", path)
            continue  # IPv6 disabled: no tcp6 table
        out.extend(parse_proc_net(text, proto, family, path))
    seen, unique = set(), []
    for lst in out:
        if is_loopback(lst.address) or (lst.proto, lst.address, lst.port) in seen:
            continue
        seen.add((lst.proto, lst.address, lst.port))
        unique.append(lst)
    return tuple(sorted(unique, key=lambda x: (x.port, x.proto, x.address)))


# unit glob -> what it serves on the network
NETWORK_SERVICES = {
    "ssh.service": "SSH (22)", "sshd.service": "SSH (22)", "telnet*.socket": "telnet (23)",
    "vsftpd.service": "FTP (21)", "proftpd.service": "FTP (21)", "pure-ftpd*.service": "FTP (21)",
    "smbd.service": "SMB file sharing (139/445)", "smb.service": "SMB file sharing (139/445)",
    "nmbd.service": "NetBIOS (137/138)", "nfs-server.service": "NFS (2049)", "rpcbind.*": "rpcbind (111)",
    "cups.service": "printing (631)", "cups.socket": "printing (631)", "avahi-daemon.*": "mDNS (5353)",
    "xrdp.service": "RDP (3389)", "x11vnc*": "VNC (5900)", "vncserver*": "VNC (5900)",
    "apache2.service": "HTTP (80/443)", "httpd.service": "HTTP (80/443)", "nginx.service": "HTTP (80/443)",
    "snmpd.service": "SNMP (161)", "named.service": "DNS (53)", "bind9.service": "DNS (53)",
    "dnsmasq.service": "DNS/DHCP (53/67)", "mysql*.service": "MySQL (3306)", "mariadb.service": "MySQL (3306)",
    "postgresql*.service": "PostgreSQL (5432)", "redis*.service": "Redis (6379)", "rsync.service": "rsync (873)",
    "xinetd.service": "xinetd", "inetd.service": "inetd", "openbsd-inetd.service": "inetd",
}


def linux_services(units: Dict[str, str]) -> Tuple[ServiceState, ...]:
    out = []
    for pattern, what in NETWORK_SERVICES.items():
        for unit, where in b.unit_enabled(units, pattern):
            out.append(ServiceState(unit, True, what, where))
    return tuple(sorted(set(out), key=lambda s: s.name))


def linux_shares(target: Target, units: Dict[str, str]) -> List[Tuple[str, bool, str, str]]:
    out = []
    if b.unit_enabled(units, "smbd.service", "smb.service"):
        text = target.read_text_optional("/etc/samba/smb.conf") or ""
        shares = [s for s in re.findall(r"^\s*\[([^\]]+)\]", text, re.M) if s.lower() not in ("global",)]
        out.append(("Samba shares", bool(shares), ", ".join(shares) or "none", "/etc/samba/smb.conf"))
    if b.unit_enabled(units, "nfs-server.service", "nfs-kernel-server.service"):
        text = target.read_text_optional("/etc/exports") or ""
        exports = [ln.split()[0] for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        out.append(("NFS exports", bool(exports), ", ".join(exports) or "none", "/etc/exports"))
    return out


def linux_exposure(ctx: CollectContext) -> Exposure:
    target = ctx.target
    listeners = linux_listeners(target) if target.is_live else None
    units = b.units(ctx)
    return Exposure(listeners, linux_services(units), tuple(linux_shares(target, units)))


# --- Linux: autorun ----------------------------------------------------------------------------

def linux_autorun(ctx: CollectContext) -> Autorun:
    """Automount of removable media is the desktop's (GNOME/UKUI file managers through
    udisks2/gvfs); without a desktop nothing mounts a plugged-in disk by itself."""
    target = ctx.target
    installed = b.desktops(target)
    if not installed:
        return Autorun("", True, (("/usr/bin", "no graphical desktop installed"),))
    settings = b.dconf_settings(target)
    wanted = {("org/gnome/desktop/media-handling", "automount"): "false",
              ("org/gnome/desktop/media-handling", "automount-open"): "false"}
    if "UKUI" in installed:
        wanted[("org/ukui/peony/preferences", "automount")] = "false"  # constructed key name: docs/djbh.md
    sources: List[Tuple[str, str]] = []
    ok = True
    for (section, key), want in wanted.items():
        got = [(f, v) for f, s, k, v in settings if s == section and k == key]
        if got:
            sources.append((got[-1][0], f"[{section}] {key}={got[-1][1]}"))
            ok = ok and b.dconf_value(got[-1][1]).lower() == want
        else:
            sources.append(("/etc/dconf/db", f"[{section}] {key} not set (default: automount on)"))
            ok = False
    return Autorun(" / ".join(installed), ok, tuple(sources))


# --- Linux: firewall ---------------------------------------------------------------------------

def nft_input_policies(data: object) -> List[Tuple[str, str]]:
    """(chain, policy) of every base chain on the input hook in ``nft -j list ruleset``."""
    out = []
    items = data.get("nftables", []) if isinstance(data, dict) else []
    for item in items:
        chain = item.get("chain") if isinstance(item, dict) else None
        if isinstance(chain, dict) and chain.get("hook") == "input" and chain.get("family") in ("inet", "ip", "ip6"):
            out.append((f"{chain.get('family')} {chain.get('table')} {chain.get('name')}", str(chain.get("policy", "accept"))))
    return out


def iptables_input_policy(text: str) -> Optional[str]:
    """The INPUT policy of the filter table in ``iptables-save`` text (``:INPUT DROP [0:0]``)."""
    table = ""
    for line in text.splitlines():
        if line.startswith("*"):
            table = line[1:].strip()
        elif table == "filter" and line.startswith(":INPUT "):
            return line.split()[1]
    return None


def _live_linux_firewall(target: Target) -> List[FirewallProfile]:
    """The running rulesets, read-only: ``nft -j list ruleset`` (iptables-nft rules show there as
    ``ip filter INPUT``), and the legacy tables only when /proc/net/ip_tables_names already lists
    ``filter`` (dumping a table that is not loaded would load it). When nothing could answer, the
    state is unknown and the error stands (fail closed)."""
    out: List[FirewallProfile] = []
    answered = False
    failure: Optional[TargetError] = None
    try:
        data = json.loads(target.run(["nft", "-j", "list", "ruleset"]) or "{}")
        answered = True
        for chain, policy in nft_input_policies(data):
            out.append(FirewallProfile(f"nftables {chain}", True, policy == "drop", "nft -j list ruleset",
                                       f"hook input policy {policy}"))
    except TargetError as exc:
        failure = exc
    legacy = (target.read_text_optional("/proc/net/ip_tables_names", limit=4096) or "").split()
    if "filter" in legacy:
        for tool in ("iptables-legacy-save", "iptables-save"):
            try:
                text = target.run([tool])
            except ToolMissing as exc:
                failure = exc
                continue
            answered = True
            saved = iptables_input_policy(text)
            if saved is not None:
                out.append(FirewallProfile("iptables filter INPUT", True, saved == "DROP", tool, f":INPUT {saved}"))
            break
    if not answered and failure is not None:
        raise failure
    return out


def _saved_linux_firewall(target: Target, units: Dict[str, str]) -> List[FirewallProfile]:
    out = []
    ufw = b.parse_ini("[x]\n" + (target.read_text_optional("/etc/ufw/ufw.conf") or "")).get("x", {})
    if ufw:
        default = b.parse_ini("[x]\n" + (target.read_text_optional("/etc/default/ufw") or "")).get("x", {})
        policy = default.get("DEFAULT_INPUT_POLICY", "").strip('"')
        on = ufw.get("ENABLED", "no").lower() == "yes"
        out.append(FirewallProfile("ufw", on, policy in ("DROP", "REJECT"), "/etc/ufw/ufw.conf",
                                   f"ENABLED={ufw.get('ENABLED', '')}; DEFAULT_INPUT_POLICY={policy}"))
    fwd = b.unit_enabled(units, "firewalld.service")
    if fwd or target.exists("/etc/firewalld/firewalld.conf"):
        conf = b.parse_ini("[x]\n" + (target.read_text_optional("/etc/firewalld/firewalld.conf") or "")).get("x", {})
        zone = conf.get("DefaultZone", "public")
        zone_text = target.read_text_optional(f"/etc/firewalld/zones/{zone}.xml") or \
            target.read_text_optional(f"/usr/lib/firewalld/zones/{zone}.xml") or ""
        m = re.search(r'<zone[^>]*\btarget="([^"]+)"', zone_text)
        zone_target = m.group(1) if m else "default"
        out.append(FirewallProfile("firewalld", bool(fwd), zone_target.upper() in ("DEFAULT", "REJECT", "DROP", "%%REJECT%%"),
                                   fwd[0][1] if fwd else "/etc/firewalld/firewalld.conf",
                                   f"DefaultZone={zone}; target={zone_target}"))
    nft = b.unit_enabled(units, "nftables.service")
    if nft:
        text = target.read_text_optional("/etc/nftables.conf") or ""
        deny = bool(re.search(r"hook\s+input\s+priority[^;]*;\s*policy\s+drop", text))
        out.append(FirewallProfile("nftables.service", True, deny, "/etc/nftables.conf",
                                   "input chain policy drop" if deny else "no input chain with policy drop"))
    persistent = b.unit_enabled(units, "netfilter-persistent.service", "iptables.service")
    if persistent:
        path = "/etc/iptables/rules.v4" if target.exists("/etc/iptables/rules.v4") else "/etc/sysconfig/iptables"
        rules = iptables_input_policy(target.read_text_optional(path) or "")
        out.append(FirewallProfile(persistent[0][0], True, rules == "DROP", path, f":INPUT {rules}"))
    return out


def linux_firewall(ctx: CollectContext) -> Firewall:
    target = ctx.target
    profiles = _live_linux_firewall(target) if target.is_live else _saved_linux_firewall(target, b.units(ctx))
    return Firewall(tuple(profiles), "any")


# --- Windows -----------------------------------------------------------------------------------

FIREWALL_PROFILES = (("Domain", "DomainProfile", "DomainProfile"), ("Private", "StandardProfile", "PrivateProfile"),
                     ("Public", "PublicProfile", "PublicProfile"))
FIREWALL_POLICY = "Policies\\Microsoft\\WindowsFirewall"


def windows_firewall(ctx: CollectContext) -> Firewall:
    reg = b.registry(ctx)
    base = reg.system_key("Services\\SharedAccess\\Parameters\\FirewallPolicy")
    if base is None:
        raise TargetError("windows.key_missing",
                          path=f"{reg.system.label}\\{reg.control_set}\\Services\\SharedAccess\\Parameters\\FirewallPolicy")
    start, svc = b.service_start(reg, "MpsSvc")
    software = reg.software
    profiles = []
    for label, local_name, policy_name in FIREWALL_PROFILES:
        key = base.subkey(local_name)
        pol = software.key(f"{FIREWALL_POLICY}\\{policy_name}") if software is not None else None
        eff, enabled = b.overridden(pol, key, "EnableFirewall")
        eff_in, inbound = b.overridden(pol, key, "DefaultInboundAction")
        p_enabled = pol.int_value("EnableFirewall") if pol is not None else None
        p_inbound = pol.int_value("DefaultInboundAction") if pol is not None else None
        on = eff == 1 and start != 4
        detail = (f"EnableFirewall={enabled}, DefaultInboundAction={inbound}"
                  + (f"; policy EnableFirewall={p_enabled}, DefaultInboundAction={p_inbound}" if pol is not None else "")
                  + f"; MpsSvc Start={start}")
        # DefaultInboundAction absent = block (Windows' default); 0 = allow
        profiles.append(FirewallProfile(label, on, eff_in != 0, key.path if key is not None else base.path, detail))
    return Firewall(tuple(profiles), "all", ((svc, f"Start={start}"),))


# Windows services that listen on the network, by service name (never by display name)
WINDOWS_SERVICES = {
    "LanmanServer": "SMB file sharing (139/445)", "RemoteRegistry": "remote registry",
    "TlntSvr": "telnet (23)", "SNMP": "SNMP (161)", "W3SVC": "IIS web server (80/443)",
    "FTPSVC": "IIS FTP (21)", "SSDPSRV": "SSDP discovery (1900)", "upnphost": "UPnP host",
    "sshd": "OpenSSH server (22)", "WinRM": "WinRM remote management (5985)", "TermService": "RDP (3389)",
}


def parse_netstat_listeners(text: str) -> List[Listener]:
    """``netstat -ano`` rows that listen, by shape: TCP with a foreign address of ``0.0.0.0:0`` /
    ``[::]:0`` (the state word is translated), UDP with ``*:*``. The last column is the PID."""
    out = []
    for line in text.splitlines():
        f = line.split()
        if len(f) < 4 or f[0].upper() not in ("TCP", "UDP"):
            continue
        proto, local, foreign = f[0].lower(), f[1], f[2]
        if proto == "tcp" and foreign not in ("0.0.0.0:0", "[::]:0"):
            continue
        if proto == "udp" and foreign != "*:*":
            continue
        addr, _, port = local.rpartition(":")
        if not port.isdigit():
            continue
        out.append(Listener(proto, addr.strip("[]"), int(port), f"pid {f[-1]}", "netstat -ano"))
    return out


def windows_exposure(ctx: CollectContext) -> Exposure:
    reg = b.registry(ctx)
    listeners: Optional[Tuple[Listener, ...]] = None
    try:  # a live host, or an evidence bundle that recorded the command; an image has no sockets
        text: Optional[str] = ctx.target.run(["netstat", "-ano"])
    except Unsupported:
        text = None
    if text is not None:
        found = [x for x in parse_netstat_listeners(text) if not is_loopback(x.address)]
        listeners = tuple(sorted(set(found), key=lambda x: (x.port, x.proto, x.address)))
    services = []
    for name, what in WINDOWS_SERVICES.items():
        start, path = b.service_start(reg, name)
        if start is not None and start == 2:
            services.append(ServiceState(name, True, what, f"{path} Start=2 (automatic)"))
    shares: List[Tuple[str, bool, str, str]] = []
    lanman_start, _ = b.service_start(reg, "LanmanServer")
    params = reg.system_key("Services\\LanmanServer\\Parameters")
    if params is not None and lanman_start is not None and lanman_start != 4:
        wks = params.int_value("AutoShareWks")
        srv = params.int_value("AutoShareServer")
        admin = wks != 0 and srv != 0  # absent = shares created (C$, ADMIN$)
        shares.append(("administrative shares (C$, ADMIN$)", admin,
                       f"AutoShareWks={wks if wks is not None else '(absent: on)'}, "
                       f"AutoShareServer={srv if srv is not None else '(absent: on)'}", params.path))
        smb1 = params.int_value("SMB1")
        srv_start, srv_path = b.service_start(reg, "srv")
        on = srv_start is not None and srv_start != 4 and smb1 != 0
        shares.append(("SMBv1 server", on, f"Parameters SMB1={smb1 if smb1 is not None else '(absent)'}; "
                                           f"srv (SMB1 driver) Start={srv_start if srv_start is not None else '(not installed)'}",
                       srv_path if srv_start is not None else params.path))
        user_shares = reg.system_key("Services\\LanmanServer\\Shares")
        names = sorted(user_shares.values()) if user_shares is not None else []
        if names:
            assert user_shares is not None
            shares.append(("shared folders", True, ", ".join(names), user_shares.path))
    return Exposure(listeners, tuple(services), tuple(shares))


EXPLORER_POLICY = "Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer"
DRIVE_REMOVABLE, DRIVE_CDROM = 0x04, 0x20


def windows_autorun(ctx: CollectContext) -> Autorun:
    """HKLM ``NoDriveTypeAutoRun`` must cover removable (0x04) and CD-ROM (0x20) drives, or
    ``NoAutorun=1``; a per-user value protects only that user."""
    reg = b.registry(ctx)
    key = b.software_key(reg, EXPLORER_POLICY)
    mask = key.int_value("NoDriveTypeAutoRun") if key is not None else None
    noauto = key.int_value("NoAutorun") if key is not None else None
    off = noauto == 1 or (mask is not None and mask & (DRIVE_REMOVABLE | DRIVE_CDROM) == DRIVE_REMOVABLE | DRIVE_CDROM)
    shown = "(absent)" if mask is None else f"0x{mask:02x}"
    sources = [(key.path if key is not None else f"HKLM\\SOFTWARE\\{EXPLORER_POLICY}",
                f"NoDriveTypeAutoRun={shown}, NoAutorun={noauto if noauto is not None else '(absent)'}")]
    for user in reg.ntusers:
        ukey = user.software_key(EXPLORER_POLICY)
        if ukey is not None and ukey.int_value("NoDriveTypeAutoRun") is not None:
            sources.append((ukey.path, f"NoDriveTypeAutoRun=0x{ukey.int_value('NoDriveTypeAutoRun') or 0:02x} (this user only)"))
    return Autorun("Explorer AutoRun/AutoPlay", off, tuple(sources))


LINUX: Dict[str, Collector] = {"system.enabled_units": b.collect_enabled_units, "hardening.exposure": linux_exposure, "hardening.autorun": linux_autorun,
                               "hardening.firewall": linux_firewall}
WINDOWS: Dict[str, Collector] = {"hardening.exposure": windows_exposure, "hardening.autorun": windows_autorun,
                                 "hardening.firewall": windows_firewall}
