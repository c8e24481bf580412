"""Software facts.

Fact keys and their values:
  software.packages   -> Tuple[Package, ...]
  software.processes  -> Tuple[Process, ...]   (live only)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple


@dataclass(frozen=True)
class Package:
    name: str
    version: str = ""
    manager: str = ""  # dpkg | rpm | opt-apps | snap | flatpak | local | opt | unowned | systemd-unit | autostart | windows-uninstall
    display_name: str = ""  # Windows DisplayName, desktop name …
    publisher: str = ""
    source: str = ""  # "/var/lib/dpkg/status:1234", "HKLM\\SOFTWARE\\…\\Uninstall\\{GUID}"
    state: str = ""  # dpkg: the Status word ("installed", "unpacked" …)
    # Other names the deny patterns are tried on: the executables of an /opt/<vendor> tree, the
    # program an enabled unit or autostart entry starts, the file a link leads to.
    aliases: Tuple[str, ...] = ()


# Software found by its files rather than in a package database: judged by file names, so the
# process deny patterns (the names those files run as) apply to them too.
FILE_MANAGERS = frozenset({"local", "opt", "unowned", "systemd-unit", "autostart"})
# Entries that only start software: the software itself is judged where it lies, so an
# allowlist does not ask for the entry to be allowed.
POINTER_MANAGERS = frozenset({"systemd-unit", "autostart"})


@dataclass(frozen=True)
class Process:
    pid: int
    name: str
    exe: str = ""
    user: str = ""
    cmdline: str = ""
    ppid: Optional[int] = None
    argv0: str = ""  # the name it was started as (``exec -a`` or a renamed copy shows here)
