"""The typed policy. Every default lives here, once; YAML only overrides.

These frozen records are what checks receive as their parameters.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Optional, Tuple, Union

from ..models import Site

IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]

INTERFACE_KINDS = ("wireless", "cellular", "usb-tether", "ppp", "vpn", "bridge")

DEFAULT_SOFTWARE_DENY: Tuple[str, ...] = (
    "sunloginclient*", "sunlogin*", "awesun*", "todesk*", "teamviewer*", "anydesk*", "rustdesk*",
    "phddns*", "phtunnel*", "oray*", "frpc", "frps", "frp", "ngrok*", "natapp*", "cloudflared*",
    "zerotier*", "tailscale*", "openvpn*", "wireguard*", "wireguard-tools", "nps", "npc",
)
DEFAULT_PROCESS_DENY: Tuple[str, ...] = (
    "SunloginClient*", "sunloginclient*", "AweSun*", "ToDesk*", "todesk*", "TeamViewer*",
    "teamviewer*", "AnyDesk*", "anydesk*", "rustdesk*", "RustDesk*", "phddns*", "PhTunnel*",
    "phtunnel*", "frpc*", "frps*", "ngrok*", "natapp*", "cloudflared*", "zerotier-one*",
    "tailscaled*", "openvpn*", "wg-quick*",
)


@dataclass(frozen=True)
class PolicyMeta:
    id: str = "ybguard-default"
    version: int = 1
    title: str = ""


@dataclass(frozen=True)
class LeasedLine:
    interfaces: Tuple[str, ...] = ()  # names or MAC addresses (lower case, colon separated)


@dataclass(frozen=True)
class CaptureSettings:
    seconds: float = 0.0  # 0 = only when --capture is given
    max_flows: int = 10000  # flow table cap (bounded memory in watch mode)


@dataclass(frozen=True)
class ProbeTarget:
    kind: str  # tcp | dns | http
    value: str  # "host:port", a name, or a URL
    host: str = ""
    port: int = 0
    expect_status: Optional[int] = None
    expect_body: Optional[str] = None


@dataclass(frozen=True)
class ProbeSettings:
    enabled: bool = False
    timeout_seconds: float = 2.0
    targets: Tuple[ProbeTarget, ...] = ()


@dataclass(frozen=True)
class NetworkPolicy:
    leased_line: LeasedLine = field(default_factory=LeasedLine)
    allowed_networks: Tuple[IPNetwork, ...] = ()
    allowed_dns: Tuple[IPAddress, ...] = ()
    forbid_default_route: bool = True
    forbidden_interface_kinds: Tuple[str, ...] = INTERFACE_KINDS
    allow_ip_forwarding: bool = False
    allow_proxy: bool = False
    capture: CaptureSettings = field(default_factory=CaptureSettings)
    probe: ProbeSettings = field(default_factory=ProbeSettings)


@dataclass(frozen=True)
class UsbPolicy:
    storage: str = "deny"  # deny | allow
    require_driver_disabled: bool = True
    optical: str = "deny"  # deny | allow


@dataclass(frozen=True)
class ProcessPolicy:
    deny: Tuple[str, ...] = DEFAULT_PROCESS_DENY


@dataclass(frozen=True)
class SoftwarePolicy:
    mode: str = "denylist"  # allowlist | denylist
    allow: Tuple[str, ...] = ()
    deny: Tuple[str, ...] = DEFAULT_SOFTWARE_DENY
    processes: ProcessPolicy = field(default_factory=ProcessPolicy)


@dataclass(frozen=True)
class AccountsPolicy:
    password_min_length: int = 8
    password_max_age_days: int = 90
    forbid_empty_passwords: bool = True


@dataclass(frozen=True)
class TimePolicy:
    ntp_servers: Tuple[str, ...] = ()
    max_offset_seconds: float = 60.0


@dataclass(frozen=True)
class BackupRule:
    paths: Tuple[str, ...]
    min_copies: int = 2
    distinct_disks: bool = True
    max_age_hours: float = 24.0


@dataclass(frozen=True)
class IntegrityPolicy:
    paths: Tuple[str, ...] = ()


# policy ``site:`` is the report's Site (models.py), declared once: 医院, 科室, 资产编号, 位置.
SITE_FIELDS = tuple(f.name for f in fields(Site))


@dataclass(frozen=True)
class DjbhPolicy:
    """Thresholds of the 等保 2.0 (GB/T 22239-2019) terminal checks (checks/logon.py … patches.py)."""

    password_min_classes: int = 3  # character classes a password must mix (8.1.4.1 a)
    lockout_max_attempts: int = 5  # failed logons allowed before the account locks (8.1.4.1 b)
    lockout_min_minutes: int = 10  # how long it stays locked at least (0 in the host = until unlocked)
    idle_lock_max_minutes: int = 15  # idle time before the screen locks / the shell logs out
    audit_log_min_mb: int = 20  # Windows Security event log maximum size (8.1.4.3 c)
    allowed_listen_ports: Tuple[int, ...] = ()  # ports that may listen on non-loopback addresses
    allowed_services: Tuple[str, ...] = ()  # globs of network services that may be enabled
    signature_max_age_days: int = 7  # antivirus signatures at most this old (8.1.4.5)
    patch_max_age_days: int = 90  # newest installed update at most this old (8.1.4.4 e)
    min_windows_build: str = ""  # "19045.3803": CurrentBuild.UBR at least ("" = not checked)


@dataclass(frozen=True)
class HistoryPolicy:
    days: int = 90  # how far back traces of past violations count
    allowed_domains: Tuple[str, ...] = ()  # host names (globs) that are not the Internet: intranet systems


@dataclass(frozen=True)
class Waiver:
    check: str
    reason: str
    approved_by: str
    expires: datetime  # always timezone-aware
    subject: str = "*"  # a waiver without subject covers every subject of the matched checks


@dataclass(frozen=True)
class Policy:
    meta: PolicyMeta = field(default_factory=PolicyMeta)
    network: NetworkPolicy = field(default_factory=NetworkPolicy)
    usb: UsbPolicy = field(default_factory=UsbPolicy)
    software: SoftwarePolicy = field(default_factory=SoftwarePolicy)
    accounts: AccountsPolicy = field(default_factory=AccountsPolicy)
    time: TimePolicy = field(default_factory=TimePolicy)
    backups: Tuple[BackupRule, ...] = ()
    integrity: IntegrityPolicy = field(default_factory=IntegrityPolicy)
    history: HistoryPolicy = field(default_factory=HistoryPolicy)
    waivers: Tuple[Waiver, ...] = ()
    site: Site = field(default_factory=Site)  # scan --label key=value overrides a field for one run
    djbh_level: int = 3  # 等保 level (2 or 3): which GB/T 22239-2019 items the report cites
    djbh: DjbhPolicy = field(default_factory=DjbhPolicy)
    source: str = "<built-in>"
    sha256: str = ""
