"""Traces of past violations (违规外联痕迹): web use and clock changes.

Fact keys and their values:
  history.web    -> WebHistory        (browser history databases, IE/Edge typed URLs)
  history.clock  -> ClockHistory      (manual changes of the system date and time)

Both are read from files (and, on Windows, the user hives), so the same collectors serve the
live host, a Linux image and a mounted Windows volume. What one source could not be read is
kept beside what the others proved (``problems``): a proven visit is never hidden behind an
unreadable second browser, and an unread browser never lets the check pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple


@dataclass(frozen=True)
class WebHost:
    """Visits of one user, with one browser, to one host inside the policy window."""

    user: str
    browser: str  # "Chrome", "Edge", "360安全浏览器", "Firefox", "Internet Explorer (typed)" …
    host: str  # the host name or address only, never the full URL (privacy)
    count: int
    first: str  # ISO 8601 UTC
    last: str
    source: str  # the database or registry key it came from


@dataclass(frozen=True)
class SourceProblem:
    """A history source that exists but could not be read (locked, corrupt, too large …)."""

    source: str
    reason: str  # i18n key
    detail: str = ""  # language-neutral detail (a size, an SQLite error) for the key's {detail}
    args: Tuple[Tuple[str, str], ...] = ()  # further arguments of the key (a reason's own)


@dataclass(frozen=True)
class WebHistory:
    hosts: Tuple[WebHost, ...]
    sources: Tuple[str, ...]  # every database / key examined
    problems: Tuple[SourceProblem, ...] = ()
    visits_examined: int = 0  # visits inside the window, allowed or not
    window_days: int = 90
    no_files: bool = False  # the target has no file system (a hives-only Windows target)


@dataclass(frozen=True)
class ClockChange:
    when: str  # ISO 8601 when known (as the log wrote it), else ""
    actor: str  # user or program that changed it; "" when the source does not say
    how: str  # "timedatectl set-time", "date -s", "wtmp time change" …
    source: str  # file:line
    line: str = ""  # the record as written (bounded)


@dataclass(frozen=True)
class ClockHistory:
    changes: Tuple[ClockChange, ...]
    sources: Tuple[str, ...]
    problems: Tuple[SourceProblem, ...] = ()
    window_days: int = 90


@dataclass(frozen=True)
class Install:
    """A program installed inside the window: a Windows service (System 7045) or a package
    (dpkg.log), whether or not it is still there."""

    name: str  # service name / package name
    image: str  # the service's executable (Windows) or the package version (Linux)
    when: str  # ISO 8601
    source: str  # log file and record / line
    account: str = ""  # the account the service runs as


@dataclass(frozen=True)
class InstallHistory:
    installs: Tuple[Install, ...]
    sources: Tuple[str, ...]
    problems: Tuple[SourceProblem, ...] = ()
    window_days: int = 90
