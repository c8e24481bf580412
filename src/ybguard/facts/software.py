"""Software facts.

Fact keys and their values:
  software.packages   -> Tuple[Package, ...]
  software.processes  -> Tuple[Process, ...]   (live only)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Package:
    name: str
    version: str = ""
    manager: str = ""  # dpkg | rpm | opt-apps | snap | flatpak | windows-uninstall
    display_name: str = ""  # Windows DisplayName, desktop name …
    publisher: str = ""
    source: str = ""  # "/var/lib/dpkg/status:1234", "HKLM\\SOFTWARE\\…\\Uninstall\\{GUID}"
    state: str = ""  # dpkg: the Status word ("installed", "unpacked" …)


@dataclass(frozen=True)
class Process:
    pid: int
    name: str
    exe: str = ""
    user: str = ""
    cmdline: str = ""
    ppid: Optional[int] = None
    argv0: str = ""  # the name it was started as (``exec -a`` or a renamed copy shows here)
