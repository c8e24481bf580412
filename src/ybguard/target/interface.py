"""The Target: the only door to the host being scanned.

A live host, a Linux root directory (golden image) and a Windows image all answer the same
questions — read a file, list a directory, and (live only) run a read-only tool — so that
one collector serves them all. Anything live-only raises ``Unsupported`` on an offline
target, which the engine turns into ``not_applicable``, never into a pass.
"""

from __future__ import annotations

import abc
import fnmatch
import os
import subprocess
from typing import Iterator, List, Optional, Sequence, Tuple

from ..models import TargetKind


class TargetError(Exception):
    """Base of everything a target raises on purpose. ``key``/``args`` name an i18n message."""

    def __init__(self, key: str, **args: object) -> None:
        super().__init__(key, args)
        self.key = key
        self.args_map = args

    def __str__(self) -> str:
        from ..i18n import t

        return t(self.key, "en", **self.args_map)


class Unsupported(TargetError):
    """This fact cannot exist on this target (e.g. sockets of an offline image)."""


class ToolMissing(TargetError):
    """A read-only host tool the collector needs is not installed."""


MAX_READ = 64 * 1024 * 1024


class Target(abc.ABC):
    kind: TargetKind
    os_family: str  # "linux" or "windows"

    def __init__(self, root: str) -> None:
        self.root = root

    @property
    def is_live(self) -> bool:
        return self.kind in (TargetKind.LIVE, TargetKind.WINDOWS_LIVE)

    def require_live(self) -> None:
        if not self.is_live:
            raise Unsupported("reason.offline")

    # --- files -----------------------------------------------------------------------------
    @abc.abstractmethod
    def host_path(self, path: str) -> str:
        """The path on the scanning machine for ``path`` inside the target, links resolved inside it."""

    def read_bytes(self, path: str, limit: int = MAX_READ) -> bytes:
        with open(self.host_path(path), "rb") as fh:
            return fh.read(limit)

    def read_text(self, path: str, limit: int = MAX_READ) -> str:
        return self.read_bytes(path, limit).decode("utf-8", errors="replace")

    def read_text_optional(self, path: str, limit: int = MAX_READ) -> Optional[str]:
        """The file's text, or None when it does not exist. Permission errors still raise."""
        try:
            return self.read_text(path, limit)
        except (FileNotFoundError, NotADirectoryError):
            return None

    def exists(self, path: str) -> bool:
        try:
            return os.path.exists(self.host_path(path))
        except OSError:
            return False

    def is_dir(self, path: str) -> bool:
        try:
            return os.path.isdir(self.host_path(path))
        except OSError:
            return False

    def listdir(self, path: str) -> List[str]:
        """Sorted entry names; [] when the directory does not exist. Permission errors raise."""
        try:
            return sorted(os.listdir(self.host_path(path)))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def stat(self, path: str) -> os.stat_result:
        return os.stat(self.host_path(path))

    def lstat(self, path: str) -> os.stat_result:
        parent, name = os.path.split(path.rstrip("/") or "/")
        return os.lstat(os.path.join(self.host_path(parent), name))

    def glob(self, pattern: str) -> List[str]:
        """Target paths matching an absolute glob pattern (``*`` does not cross ``/``)."""
        parts = [p for p in pattern.split("/") if p]
        found: List[str] = ["/"]
        for part in parts:
            nxt: List[str] = []
            for base in found:
                if any(ch in part for ch in "*?["):
                    nxt.extend(os.path.join(base, n) for n in self.listdir(base) if fnmatch.fnmatchcase(n, part))
                else:
                    candidate = os.path.join(base, part)
                    if self.exists(candidate):
                        nxt.append(candidate)
            found = nxt
        return sorted(found)

    def walk(self, path: str) -> Iterator[Tuple[str, List[str], List[str]]]:
        """os.walk over a target directory, yielding target paths; links are not followed."""
        host = self.host_path(path)
        for dirpath, dirnames, filenames in os.walk(host):
            rel = os.path.relpath(dirpath, host)
            tpath = path if rel == "." else os.path.join(path, rel)
            dirnames.sort()
            yield tpath, dirnames, sorted(filenames)

    # --- live-only -------------------------------------------------------------------------
    def run(self, argv: Sequence[str], timeout: float = 10.0) -> str:
        """Run a read-only host tool and return its stdout (live targets only)."""
        self.require_live()
        try:
            proc = subprocess.run(list(argv), capture_output=True, timeout=timeout, check=False)
        except FileNotFoundError:
            raise ToolMissing("reason.missing_tool", tool=argv[0]) from None
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {err[:300]}")
        return proc.stdout.decode("utf-8", "replace")
