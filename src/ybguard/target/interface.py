"""The Target: the only door to the host being scanned.

A live host, a Linux root directory (golden image) and a Windows image all answer the same
questions — read a file, list a directory, and (live only) run a read-only tool — so that
one collector serves them all. Anything live-only raises ``Unsupported`` on an offline
target, which the engine turns into ``not_applicable``, never into a pass.
"""

from __future__ import annotations

import abc
import errno
import fnmatch
import os
import stat as _stat
import subprocess
from typing import BinaryIO, Callable, Iterator, List, Optional, Sequence, Tuple

from ..models import TargetKind
from ..toolpath import tool_env


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


class ToolFailed(TargetError, RuntimeError):
    """A host tool exited non-zero or timed out (a RuntimeError too, for older callers)."""


class NotRegularFile(TargetError, OSError):
    """A FIFO, socket or device where a file was expected: reading it could hang the scan."""


class FileTooLarge(TargetError, OSError):
    """A file larger than the read limit: reading only its head could miss what matters."""


# Live hosts expose facts in /proc and /sys as regular files; a FIFO or socket there (or any
# device inside an image) is never a configuration file, and opening a FIFO blocks forever.
_NEVER_READ = (_stat.S_IFIFO, _stat.S_IFSOCK)


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

    def _refuse(self, mode: int) -> bool:
        """Whether a file of this type must not be read (FIFOs and sockets everywhere)."""
        return _stat.S_IFMT(mode) in _NEVER_READ

    def open_bytes(self, path: str) -> BinaryIO:
        """An open binary file for streaming (a log too big to read at once); FIFOs, sockets and
        (in an image) devices are refused before a byte is read, as in ``read_bytes``."""
        host = self.host_path(path)
        # O_NONBLOCK: opening a FIFO must not wait for a writer; we refuse it right after.
        fd = os.open(host, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        fh = os.fdopen(fd, "rb")
        try:
            if self._refuse(os.fstat(fd).st_mode):
                raise NotRegularFile("reason.not_regular", path=path)
        except BaseException:
            fh.close()
            raise
        return fh

    def read_bytes(self, path: str, limit: int = MAX_READ) -> bytes:
        """The whole file. One larger than ``limit`` raises: a truncated read would silently
        drop whatever a hostile image put at its end (a second root account, a public resolver)."""
        with self.open_bytes(path) as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise FileTooLarge("reason.too_large", path=path, limit=limit)
        return data

    def read_text(self, path: str, limit: int = MAX_READ) -> str:
        return self.read_bytes(path, limit).decode("utf-8", errors="replace")

    def read_text_optional(self, path: str, limit: int = MAX_READ) -> Optional[str]:
        """The file's text, or None when it does not exist. Permission errors still raise."""
        try:
            return self.read_text(path, limit)
        except (FileNotFoundError, NotADirectoryError):
            return None

    @staticmethod
    def _probe(do_stat: Callable[[], os.stat_result]) -> Optional[os.stat_result]:
        """do_stat(), or None when nothing is there (missing, or a link loop that leads
        nowhere); any other error — permission above all — raises: fail closed."""
        try:
            return do_stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return None
            raise

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists (links followed). A permission error raises: fail closed."""
        return self._probe(lambda: os.stat(self.host_path(path))) is not None

    def is_dir(self, path: str) -> bool:
        """Whether ``path`` is a directory (links followed). A permission error raises."""
        st = self._probe(lambda: os.stat(self.host_path(path)))
        return st is not None and _stat.S_ISDIR(st.st_mode)

    def listdir(self, path: str) -> List[str]:
        """Sorted entry names; [] when the directory does not exist. Permission errors raise."""
        try:
            return sorted(os.listdir(self.host_path(path)))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def stat(self, path: str) -> os.stat_result:
        return os.stat(self.host_path(path))

    def _entry(self, path: str) -> str:
        """The host path of the entry itself: the directories leading to it resolved inside the
        target, its last component (a link, perhaps) not followed."""
        parent, name = os.path.split(path.rstrip("/") or "/")
        if name in ("", ".", ".."):  # "/" or a path ending in a dot entry: resolve it whole
            return self.host_path(path)
        return os.path.join(self.host_path(parent), name)

    def lstat(self, path: str) -> os.stat_result:
        """The entry itself (a link is not followed); the directories leading to it are resolved."""
        return os.lstat(self._entry(path))

    def is_masked(self, path: str) -> bool:
        """A link to /dev/null: the systemd convention (sysctl.d(5), systemd.network(5) …) for
        disabling a same-named file of a lower-priority directory. Its content is "nothing", so
        a reader must not open the device (refused inside an image, and never real config)."""
        try:
            return os.readlink(self._entry(path)) == "/dev/null"
        except OSError:
            return False

    def _lexists(self, path: str) -> bool:
        return self._probe(lambda: self.lstat(path)) is not None

    def _glob_listdir(self, path: str) -> List[str]:
        try:
            return self.listdir(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return []
            raise

    def glob(self, pattern: str) -> List[str]:
        """Target paths matching an absolute glob pattern (``*`` does not cross ``/``).

        Like glob.glob: hidden names match only a pattern starting with ``.``; a directory we
        may not read raises PermissionError rather than looking empty.
        """
        parts = [p for p in pattern.split("/") if p]
        found: List[str] = ["/"]
        for part in parts:
            nxt: List[str] = []
            for base in found:
                if any(ch in part for ch in "*?["):
                    nxt.extend(os.path.join(base, n) for n in self._glob_listdir(base)
                               if fnmatch.fnmatchcase(n, part) and (part.startswith(".") or not n.startswith(".")))
                else:
                    candidate = os.path.join(base, part)
                    if self._lexists(candidate):
                        nxt.append(candidate)
            found = nxt
        return sorted(found)

    def walk(self, path: str) -> Iterator[Tuple[str, List[str], List[str]]]:
        """os.walk over a target directory, yielding target paths; links are not followed.

        Unlike os.walk, an unreadable directory raises instead of being skipped in silence (an
        integrity or backup check must not pass over files it never saw). A directory that
        does not exist yields nothing, like ``listdir``.
        """
        host = self.host_path(path)

        def onerror(exc: OSError) -> None:
            if isinstance(exc, (FileNotFoundError, NotADirectoryError)) and exc.filename == host:
                return
            raise exc

        for dirpath, dirnames, filenames in os.walk(host, onerror=onerror):
            rel = os.path.relpath(dirpath, host)
            tpath = path if rel == "." else os.path.join(path, rel)
            dirnames.sort()
            yield tpath, dirnames, sorted(filenames)

    # --- live-only -------------------------------------------------------------------------
    def run(self, argv: Sequence[str], timeout: float = 10.0) -> str:
        """Run a read-only host tool and return its stdout (live targets only)."""
        self.require_live()
        # A fixed locale: parsers are written against the tools' untranslated output.
        env = tool_env(LC_ALL="C.UTF-8", LANG="C.UTF-8")  # PATH completed with the sbin directories (cron)
        try:
            proc = subprocess.run(list(argv), capture_output=True, timeout=timeout, check=False,
                                  stdin=subprocess.DEVNULL, env=env)
        except FileNotFoundError:
            raise ToolMissing("reason.missing_tool", tool=argv[0]) from None
        except subprocess.TimeoutExpired:
            raise ToolFailed("reason.tool_timeout", tool=" ".join(argv), seconds=timeout) from None
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise ToolFailed("reason.tool_failed", tool=" ".join(argv), code=proc.returncode, stderr=err[:300])
        return proc.stdout.decode("utf-8", "replace")
