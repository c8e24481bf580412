"""Facts of the 等保 2.0 (GB/T 22239-2019) terminal controls: logon, audit, hardening, malware, patches.

Collectors report what the host says (values and where they were read); the checks judge them
against the policy. ``sources`` are ``(where, what it said)`` pairs shown as evidence.

Fact keys and their values:
  logon.complexity       -> Complexity
  logon.lockout          -> Lockout
  logon.idle             -> Tuple[IdleScope, ...]   (each scope must lock on its own)
  logon.default_accounts -> Tuple[BuiltinAccount, ...]
  logon.remote           -> Tuple[RemoteService, ...]
  audit.events           -> AuditEvents
  audit.storage          -> LogStorage
  hardening.exposure     -> Exposure
  hardening.autorun      -> Autorun
  hardening.firewall     -> Firewall
  malware.products       -> Tuple[AntiMalware, ...]
  patches.state          -> PatchState
  patches.kernel         -> KernelState
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

Sources = Tuple[Tuple[str, str], ...]


@dataclass(frozen=True)
class Complexity:
    enforced: bool  # some module or policy rejects simple passwords
    classes: int  # character classes a password must mix (Windows complexity: 3 of 5)
    root_enforced: Optional[bool] = None  # pwquality enforce_for_root; None where it does not exist
    sources: Sources = ()


@dataclass(frozen=True)
class Lockout:
    threshold: int  # failed attempts before lockout; 0 = never locks
    duration_minutes: Optional[int]  # 0 = until an administrator unlocks; None = not set / unknown
    reset_minutes: Optional[int] = None  # the window failures are counted in
    sources: Sources = ()


@dataclass(frozen=True)
class IdleSetting:
    seconds: Optional[int]  # idle time before the lock / logout; None or 0 = never
    secure: bool  # unlocking needs the password (a screen saver without it locks nothing)
    source: str
    detail: str


@dataclass(frozen=True)
class IdleScope:
    """Something that must lock by itself: the shell, the desktop, one Windows user, the machine."""

    name: str
    settings: Tuple[IdleSetting, ...]


@dataclass(frozen=True)
class BuiltinAccount:
    name: str
    ident: str  # RID (Windows) or uid (Linux)
    role: str  # administrator | guest | system | user
    enabled: bool
    password_required: Optional[bool] = None  # Windows UF_PASSWD_NOTREQD cleared; None = n/a
    renamed: Optional[bool] = None  # built-in Administrator/Guest no longer under its default name
    source: str = ""


@dataclass(frozen=True)
class RemoteService:
    name: str  # "RDP", "sshd", "telnet", "VNC" …
    enabled: bool
    weak: Tuple[str, ...]  # what makes it unsafe ("PermitRootLogin yes", "NLA off" …); () = safe
    source: str
    detail: str


@dataclass(frozen=True)
class AuditEvents:
    service: str  # auditd | Windows audit policy
    enabled: bool  # the service is enabled (or the policy exists)
    missing: Tuple[Tuple[str, str], ...]  # (event class, what is set instead) not audited
    sources: Sources = ()


@dataclass(frozen=True)
class LogStorage:
    stores: Tuple[Tuple[str, bool, str], ...]  # (log store, keeps records across reboot/overwrite, detail)
    max_size_mb: Optional[int] = None  # Windows Security log maximum size
    sources: Sources = ()


@dataclass(frozen=True)
class Listener:
    proto: str
    address: str
    port: int
    process: str = ""
    source: str = ""


@dataclass(frozen=True)
class ServiceState:
    name: str
    enabled: bool
    what: str  # why it matters: "SMB file sharing (445)"
    source: str


@dataclass(frozen=True)
class Exposure:
    listeners: Optional[Tuple[Listener, ...]]  # None offline: nothing is listening in an image
    services: Tuple[ServiceState, ...]  # network services enabled at boot
    shares: Tuple[Tuple[str, bool, str, str], ...]  # (share setting, exposed, detail, source)


@dataclass(frozen=True)
class Autorun:
    automounter: str  # "Explorer AutoPlay", "GNOME (gvfs/udisks)" …; "" = none installed
    disabled: bool
    sources: Sources = ()


@dataclass(frozen=True)
class FirewallProfile:
    name: str  # "Domain", "Public", "nftables inet filter input" …
    enabled: bool
    default_deny: Optional[bool]  # inbound default is drop/block; None = not known
    source: str
    detail: str


@dataclass(frozen=True)
class Firewall:
    profiles: Tuple[FirewallProfile, ...]
    mode: str = "all"  # all: every profile must be on and deny (Windows); any: one mechanism suffices (Linux)
    sources: Sources = ()


@dataclass(frozen=True)
class AntiMalware:
    name: str
    installed: bool
    running: Optional[bool]  # None: unknown offline (the service only says it starts at boot)
    realtime: Optional[bool]  # on-access scanning; None = not readable
    signature_age_days: Optional[float]  # None = the product keeps it where we cannot read it
    source: str
    detail: str
    signatures_current: Optional[bool] = None  # what Windows Security Center says when the age is unknown


@dataclass(frozen=True)
class PatchState:
    last_update: Optional[str]  # ISO date of the newest installed update; None = never recorded
    age_days: Optional[int]
    build: str = ""  # Windows CurrentBuild.UBR
    pending: Tuple[Tuple[str, str, str], ...] = ()  # (package, installed, available security version)
    lists_age_days: Optional[int] = None  # apt/rpm: how old the oldest security list / updateinfo is
    pending_reboot: bool = False
    sources: Sources = ()
    kind: str = "apt"  # apt | rpm | windows


@dataclass(frozen=True)
class KernelState:
    running: str
    newest_installed: str
    sources: Sources = ()
