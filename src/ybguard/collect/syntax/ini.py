"""INI-shaped files, read the way each owning program reads them, with line numbers.

Three dialects, because their owners disagree and ybguard must be exactly as lenient as each:

============  =================  ==============  ===============================  ===============
dialect       comments           continuations   a line that is not key=value     sections
============  =================  ==============  ===============================  ===============
GKEYFILE      ``#`` at start     no              rejects the file (GKeyFile)      merged by name
SYSTEMD       ``#`` ``;`` start  trailing ``\\``  ignored with a warning           kept apart
WG            ``#`` anywhere     no              rejects the file (wg setconf)    kept apart
============  =================  ==============  ===============================  ===============

GKeyFile is glib's ``g_key_file_load_from_data`` (NetworkManager keyfiles, dconf keyfiles);
SYSTEMD is ``config_parse()`` of systemd (units, ``.network``, ``resolved.conf``,
``timesyncd.conf``: "Missing '=', ignoring line", "Assignment outside of section. Ignoring.").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from .errors import Ignored, Rejected, where
from .lines import logical_lines


class Dialect(enum.Enum):
    GKEYFILE = "gkeyfile"
    SYSTEMD = "systemd"
    WG = "wg"


@dataclass(frozen=True)
class Entry:
    key: str
    value: str
    line: int


@dataclass(frozen=True)
class Section:
    name: str
    line: int
    entries: Tuple[Entry, ...]

    def last(self, key: str) -> Optional[Entry]:
        found = [e for e in self.entries if e.key == key]
        return found[-1] if found else None


@dataclass(frozen=True)
class IniFile:
    """One file: its sections in file order (repeated names kept apart), and the lines its owner
    skips. ``path`` is the path inside the target, used for every ``path:line`` it reports."""

    path: str
    sections: Tuple[Section, ...]
    ignored: Tuple[Ignored, ...] = ()

    def where(self, line: Optional[int]) -> str:
        return where(self.path, line)

    def named(self, name: str) -> Iterator[Section]:
        return (s for s in self.sections if s.name == name)

    def entries(self, section: str) -> Iterator[Entry]:
        for s in self.named(section):
            yield from s.entries


def parse_ini(path: str, text: str, dialect: Dialect) -> IniFile:
    """Read ``text`` (the file at ``path``) as its owner does; ``Rejected`` when the owner would
    refuse the whole file."""
    sections: List[Tuple[str, int, List[Entry]]] = []
    ignored: List[Ignored] = []
    text = text.replace("\r\n", "\n")
    if dialect is Dialect.SYSTEMD:
        lines: Sequence[Tuple[int, str]] = list(logical_lines(text, comments="#;", comments_inside=True))
    else:
        lines = [(n, raw.strip()) for n, raw in enumerate(text.split("\n"), 1)]
    for n, line in lines:
        if dialect is Dialect.WG:
            line = line.split("#", 1)[0].strip()
        if not line or (dialect is Dialect.GKEYFILE and line.startswith("#")):
            continue
        if line.startswith("[") and line.endswith("]"):
            sections.append((line[1:-1].strip(), n, []))
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            if dialect is Dialect.SYSTEMD:
                ignored.append(Ignored(where(path, n), "missing '=', the line is ignored"))
                continue
            raise Rejected(where(path, n), "expected [section] or key=value")
        if not sections:
            if dialect is Dialect.SYSTEMD:
                ignored.append(Ignored(where(path, n), "assignment outside of a section is ignored"))
                continue
            raise Rejected(where(path, n), "key=value before the first [section]")
        sections[-1][2].append(Entry(key.strip(), value.strip(), n))
    return IniFile(path, tuple(Section(name, line, tuple(entries)) for name, line, entries in sections),
                   tuple(ignored))


@dataclass(frozen=True)
class KeyFile:
    """A GKeyFile as NetworkManager sees it: section -> key -> (value, line); a repeated group
    or key merges, the last value winning. Keys are case sensitive."""

    path: str
    sections: Mapping[str, Mapping[str, Tuple[str, int]]]
    section_lines: Mapping[str, int] = field(default_factory=dict)

    def get(self, section: str, key: str, default: str = "") -> str:
        return self.sections.get(section, {}).get(key, (default, 0))[0]

    def where(self, section: str, key: str) -> str:
        line = self.sections.get(section, {}).get(key, ("", 0))[1] or self.section_lines.get(section, 0)
        return where(self.path, line)

    def has(self, section: str, key: str) -> bool:
        return key in self.sections.get(section, {})


def parse_keyfile(path: str, text: str) -> KeyFile:
    """GKeyFile text -> KeyFile; ``Rejected`` where glib would refuse to load it."""
    ini = parse_ini(path, text, Dialect.GKEYFILE)
    sections: Dict[str, Dict[str, Tuple[str, int]]] = {}
    lines: Dict[str, int] = {}
    for s in ini.sections:
        merged = sections.setdefault(s.name, {})
        lines.setdefault(s.name, s.line)
        for e in s.entries:
            merged[e.key] = (e.value, e.line)
    return KeyFile(path, sections, lines)
