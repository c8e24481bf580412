"""Account, time, backup and integrity facts.

Fact keys and their values:
  accounts.password_policy -> PasswordPolicy
  accounts.users           -> Tuple[Account, ...]
  accounts.max_age         -> PasswordAging  (per login account on Linux; one account policy on Windows)
  time.sync                -> TimeSync
  backups.files            -> Tuple[BackupSet, ...]   (one per policy ``backups`` entry)
  integrity.files          -> Tuple[FileDigest, ...]   (every file under policy integrity.paths)
  integrity.baseline       -> ybguard.baseline.Baseline  (from --baseline; Unsupported without it)
  integrity.gateway        -> Tuple[GatewayNeighbour, ...] (live: leased-line next hops and their MACs)
  time.probe               -> Tuple[NtpSample, ...]     (only with --probe: SNTP to policy ntp_servers)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: Optional[int]  # the effective minimum, after credits; None = not enforced anywhere
    max_age_days: Optional[int]  # PASS_MAX_DAYS / MaximumPasswordAge; None = never expires
    sources: Tuple[Tuple[str, str], ...] = ()  # (source, what it says)


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    login: bool  # can log in (shell / not disabled)
    password_state: str  # "set" | "empty" | "locked" | "none"
    last_change_days: Optional[int] = None  # days since epoch of last change
    max_days: Optional[int] = None
    source: str = ""
    password_age_days: Optional[int] = None  # scan day - last change; None when unknown or 0 (forced change)
    admin_via: str = ""  # Windows: how a non-built-in account holds administrator power ("" = it does not)


@dataclass(frozen=True)
class AccountMaxAge:
    name: str
    max_days: Optional[int]  # the account's own maximum (shadow field 5); None = never expires
    source: str = ""


@dataclass(frozen=True)
class PasswordAging:
    """How long a password may be kept. ``per_account``: each account's own maximum applies
    (Linux shadow); ``default_days`` is then only what new accounts get (login.defs). Otherwise
    ``default_days`` is the one account policy (Windows); None = never expires."""

    per_account: bool
    default_days: Optional[int]
    accounts: Tuple[AccountMaxAge, ...] = ()  # login accounts with a password that can age
    sources: Tuple[Tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TimeSync:
    daemon: str  # chrony | systemd-timesyncd | ntpd | w32time | "" (none)
    servers: Tuple[str, ...]
    synchronized: Optional[bool]  # live state from the local daemon; None offline/unknown
    offset_seconds: Optional[float] = None
    sources: Tuple[Tuple[str, str], ...] = ()
    live: bool = False  # synchronized was asked of the running host (False: saved configuration only)
    # (server, daemon) when more than one daemon is enabled: each may set the clock
    server_daemons: Tuple[Tuple[str, str], ...] = ()


@dataclass(frozen=True)
class BackupCopy:
    path: str
    size: int
    mtime: float
    device: str  # filesystem / disk identity
    same_as: str = ""  # an earlier copy path that is this very file (symlink, hard link): not a copy
    sha256: str = ""  # content hash: the same data under another name is a copy too ("" = not hashed)


@dataclass(frozen=True)
class BackupSet:
    patterns: Tuple[str, ...]
    copies: Tuple[BackupCopy, ...]
    scanned_at: Optional[float] = None  # epoch seconds the ages are measured from (scan start)
    # why the disks of the copies are unknown (i18n key, args); the count and age still stand
    disks_unknown: Optional[Tuple[str, Tuple[Tuple[str, object], ...]]] = None


@dataclass(frozen=True)
class FileDigest:
    path: str
    sha256: str
    size: int
    mode: int = 0  # st_mode (file type and permission bits); symlinks hash their target text


@dataclass(frozen=True)
class NtpSample:
    server: str
    offset_seconds: Optional[float]  # None: no answer
    error: str = ""  # why there is no answer
    address: str = ""


@dataclass(frozen=True)
class GatewayNeighbour:
    ip: str
    mac: str  # "" when the neighbour table has no entry
    dev: str
    state: str = ""
