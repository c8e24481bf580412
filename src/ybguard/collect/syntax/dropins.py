"""Which configuration files apply, in which order, and how their assignments combine.

systemd (``systemd.unit(5)``, ``sysctl.d(5)``, ``systemd.network(5)``, ``resolved.conf(5)``,
``timesyncd.conf(5)``) and procps share one scheme:

- drop-in directories are listed from the highest precedence down (``/etc``, ``/run``,
  ``/usr/local/lib``, ``/usr/lib``, ``/lib``); a file name in a higher directory *masks* the same
  name in every lower one; a file that is a link to ``/dev/null`` masks and says nothing;
- the surviving files apply in lexical order of their names, after the main file;
- per key, a later assignment either *replaces* the earlier value or *appends* to a list, and an
  empty assignment of a list resets it. Which one is the owner's decision, key by key.
"""

from __future__ import annotations

import os
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ...target.interface import Target
from .errors import where
from .ini import IniFile

# systemd's configuration search path, highest precedence first.
SYSTEMD_DIRS = ("/etc", "/run", "/usr/local/lib", "/usr/lib", "/lib")


def systemd_dirs(relative: str) -> Tuple[str, ...]:
    """``systemd/network`` -> ``/etc/systemd/network``, ``/run/systemd/network``, … (precedence order)."""
    return tuple(f"{d}/{relative}" for d in SYSTEMD_DIRS)


def read_config(target: Target, path: str) -> Optional[str]:
    """The text of a configuration file: ``""`` when it is masked (a link to /dev/null, which
    hides its namesakes and contributes nothing), None when it is absent or a directory."""
    if target.is_masked(path):
        return ""
    try:
        return target.read_text_optional(path)
    except IsADirectoryError:
        return None


def dropin_paths(target: Target, dirs: Sequence[str], suffix: str) -> List[str]:
    """The files of ``dirs`` (precedence order) ending in ``suffix`` that apply, in the order they
    apply: one per file name (the highest directory's), sorted by name; hidden files skipped."""
    chosen: Dict[str, str] = {}
    for d in dirs:
        for name in target.listdir(d):
            if name.endswith(suffix) and name not in chosen and not name.startswith("."):
                full = os.path.join(d, name)
                if not target.is_dir(full):
                    chosen[name] = full
    return [chosen[name] for name in sorted(chosen)]


def unit_dropin_dirs(dirs: Sequence[str], file_name: str) -> Tuple[str, ...]:
    """``foo.network`` -> every ``foo.network.d`` beside the unit search path (precedence order)."""
    return tuple(os.path.join(d, file_name + ".d") for d in dirs)


# How a later assignment of a key combines with an earlier one.
REPLACE = "replace"
APPEND = "append"  # space-separated list; an empty assignment resets it


def fold(files: Iterable[IniFile], section: str, kinds: Mapping[str, str]) -> Dict[str, List[Tuple[str, str]]]:
    """The effective value of each key of ``section`` over ``files`` in application order, as
    ``(value, "path:line")`` pairs.

    For an ``APPEND`` key the result has one pair per word still in force; for a ``REPLACE`` key
    (the default) only the last assignment. A key never assigned is absent from the result,
    which is not the same as assigned empty (``[]``).
    """
    out: Dict[str, List[Tuple[str, str]]] = {}
    for ini in files:
        for e in ini.entries(section):
            src = where(ini.path, e.line)
            if kinds.get(e.key, REPLACE) == APPEND:
                if not e.value:
                    out[e.key] = []
                else:
                    out.setdefault(e.key, []).extend((w, src) for w in e.value.split())
            else:
                out[e.key] = [(e.value, src)]
    return out


def systemd_config_files(target: Target, name: str) -> List[str]:
    """``resolved.conf`` -> the main file in force (the first of /etc, /run, /usr/local/lib,
    /usr/lib under ``systemd/``) followed by the ``resolved.conf.d/*.conf`` drop-ins that apply."""
    mains = [f"{d}/systemd/{name}" for d in SYSTEMD_DIRS[:-1]]
    main = next((p for p in mains if target.is_masked(p) or target.exists(p)), mains[0])
    return [main] + dropin_paths(target, systemd_dirs(f"systemd/{name}.d"), ".conf")
