"""Account, time, backup and integrity facts.

Fact keys and their values:
  accounts.password_policy -> PasswordPolicy
  accounts.users           -> Tuple[Account, ...]
  time.sync                -> TimeSync
  backups.files            -> Tuple[BackupSet, ...]   (one per policy ``backups`` entry)
  integrity.files          -> Tuple[FileDigest, ...]
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


@dataclass(frozen=True)
class TimeSync:
    daemon: str  # chrony | systemd-timesyncd | ntpd | w32time | "" (none)
    servers: Tuple[str, ...]
    synchronized: Optional[bool]  # live state from the local daemon; None offline/unknown
    offset_seconds: Optional[float] = None
    sources: Tuple[Tuple[str, str], ...] = ()


@dataclass(frozen=True)
class BackupCopy:
    path: str
    size: int
    mtime: float
    device: str  # filesystem / disk identity


@dataclass(frozen=True)
class BackupSet:
    patterns: Tuple[str, ...]
    copies: Tuple[BackupCopy, ...]


@dataclass(frozen=True)
class FileDigest:
    path: str
    sha256: str
    size: int
