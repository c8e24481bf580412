"""Commands that enabled systemd units run at boot (``ExecStartPre=``, ``ExecStart=``,
``ExecStartPost=``): a unit that runs ``ip route add …`` configures the network as surely as a
.network file does."""

from __future__ import annotations

import os
from typing import Dict, List, Set, Tuple

from ...target.interface import Target
from ..syntax.dropins import dropin_paths, systemd_dirs, unit_dropin_dirs
from ..syntax.ini import Dialect, parse_ini
from .commands import follow_scripts, parse_commands
from .model import NetConfig, merge, read_file

UNIT_DIRS = systemd_dirs("systemd/system")
EXEC_KEYS = ("ExecStartPre", "ExecStart", "ExecStartPost")
# systemd's prefixes of an Exec line: ignore failure, argv[0], no env expansion, privileges …
_EXEC_PREFIXES = "-@:+!|"


def enabled_units(target: Target) -> List[str]:
    """Service units some target wants or requires (links in ``*.wants/`` / ``*.requires/`` of the
    unit directories), by name, each once, in name order."""
    names: Set[str] = set()
    for d in UNIT_DIRS:
        for entry in target.listdir(d):
            if entry.endswith((".wants", ".requires")):
                names.update(n for n in target.listdir(f"{d}/{entry}") if n.endswith(".service"))
    return sorted(names)


def unit_path(target: Target, name: str) -> str:
    """The unit file in force (/etc over /run over /usr/lib); "" when none, or masked."""
    template = name.split("@", 1)[0] + "@.service" if "@" in name else ""
    for d in UNIT_DIRS:
        for candidate in (name, template):
            path = f"{d}/{candidate}" if candidate else ""
            if path and (target.is_masked(path) or target.exists(path)):
                return "" if target.is_masked(path) else path
    return ""


def exec_lines(files: List[Tuple[str, str]]) -> Tuple[List[Tuple[str, int, str]], Dict[str, str]]:
    """(path, line, command) of the Exec lines in force over a unit and its drop-ins (an empty
    assignment resets the list), and the unit's ``Environment=`` variables."""
    lines: Dict[str, List[Tuple[str, int, str]]] = {k: [] for k in EXEC_KEYS}
    env: Dict[str, str] = {}
    for path, text in files:
        for e in parse_ini(path, text, Dialect.SYSTEMD).entries("Service"):
            if e.key in lines:
                if not e.value:
                    lines[e.key] = []
                else:
                    lines[e.key].append((path, e.line, e.value.lstrip(_EXEC_PREFIXES)))
            elif e.key == "Environment":
                for pair in e.value.replace('"', "").split():
                    key, sep, value = pair.partition("=")
                    if sep:
                        env[key] = value
    return [line for k in EXEC_KEYS for line in lines[k]], env


def read_units(target: Target) -> NetConfig:
    configs: List[NetConfig] = []
    seen: Set[str] = set()
    for name in enabled_units(target):
        path = unit_path(target, name)
        text = read_file(target, path) if path else None
        if not text:
            continue
        files = [(path, text)]
        for dropin in dropin_paths(target, unit_dropin_dirs(UNIT_DIRS, os.path.basename(path)), ".conf"):
            body = read_file(target, dropin)
            if body:
                files.append((dropin, body))
        commands, env = exec_lines(files)
        for file_path, line, command in commands:
            if "%" in command:
                command = command.replace("%%", "%")  # other specifiers stay: they cannot be resolved here
            configs.append(parse_commands(file_path, [(line, command)], env=env))
    return follow_scripts(target, merge(configs), seen)

