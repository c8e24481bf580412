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
import shutil
import socket
import stat as _stat
import subprocess
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ..models import EvidenceRef, TargetKind
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

# Targets whose running state (kernel tables, processes, sockets) can be read: the host we run on,
# and an evidence bundle that recorded a host's running state (target/evidence.py).
_HERE = (TargetKind.LIVE, TargetKind.WINDOWS_LIVE)
_RECORDED = (TargetKind.LINUX_EVIDENCE, TargetKind.WINDOWS_EVIDENCE)


@dataclass(frozen=True)
class Uname:
    hostname: str
    sysname: str
    release: str
    machine: str


@dataclass(frozen=True)
class ProcessInfo:
    """One process as the collectors need it (psutil's names; "" where unreadable)."""

    pid: int
    ppid: Optional[int]
    name: str
    exe: str
    user: str
    cmdline: Tuple[str, ...]


class Target(abc.ABC):
    kind: TargetKind
    os_family: str  # "linux" or "windows"
    evidence: Optional[EvidenceRef] = None  # the bundle an evidence target was made from

    def __init__(self, root: str) -> None:
        self.root = root

    @property
    def is_live(self) -> bool:
        """Whether the running state of the host can be read: live, or recorded in an evidence bundle."""
        return self.kind in _HERE or self.kind in _RECORDED

    def require_live(self) -> None:
        if not self.is_live:
            raise Unsupported("reason.offline")

    def close(self) -> None:
        """Release what the target holds (an evidence bundle's private copy)."""
        return None

    @property
    def is_recorded(self) -> bool:
        """An evidence bundle: what the host's collector recorded, read on another machine."""
        return self.kind in _RECORDED

    def require_here(self) -> None:
        """For what only the host itself can answer now (capture, probes): a recording cannot."""
        if self.kind in _RECORDED:
            raise Unsupported("reason.recorded")
        self.require_live()

    # --- files -----------------------------------------------------------------------------
    @abc.abstractmethod
    def host_path(self, path: str) -> str:
        """The path on the scanning machine for ``path`` inside the target, links resolved inside it."""

    def _refuse(self, mode: int) -> bool:
        """Whether a file of this type must not be read (FIFOs and sockets everywhere)."""
        return _stat.S_IFMT(mode) in _NEVER_READ

    def open_bytes(self, path: str) -> BinaryIO:
        """An open binary file for streaming (a log too big to read at once); FIFOs, sockets and
        (in an image) devices are refused before they are opened, as in ``read_bytes``."""
        host = self.host_path(path)
        # stat() before open(): opening a device node is an act of its own on the scanning host
        # (a watchdog starts counting down, a tape rewinds), so its type is known first.
        before = os.stat(host)
        if self._refuse(before.st_mode):
            raise NotRegularFile("reason.not_regular", path=path)
        # O_NONBLOCK: should a FIFO appear between stat and open, the open must not wait for a writer
        # (POSIX only; Windows has neither FIFOs in its file system nor the flag, and needs O_BINARY).
        fd = os.open(host, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
        fh = os.fdopen(fd, "rb")
        try:
            now = os.fstat(fd)
            if self._refuse(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
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
    # Each of these reads the running host through psutil or the os module; an evidence target
    # answers the same questions from what its collector recorded (target/evidence.py).

    def uname(self) -> Uname:
        self.require_live()
        u = os.uname() if hasattr(os, "uname") else None
        return Uname(socket.gethostname(), u.sysname if u else "Windows", u.release if u else "", u.machine if u else "")

    def privileged(self) -> bool:
        """Whether the facts were read as root (Linux): an unprivileged reader sees less."""
        self.require_live()
        return not hasattr(os, "geteuid") or os.geteuid() == 0

    def groups(self) -> Tuple[int, ...]:
        self.require_live()
        return tuple(os.getgroups()) if hasattr(os, "getgroups") else ()

    def has_tool(self, name: str) -> bool:
        self.require_live()
        return shutil.which(name) is not None

    def own_pid(self) -> Optional[int]:
        """The reader's own pid (its sockets are not the host's), None when nothing of ours ran there."""
        self.require_live()
        return os.getpid()

    def own_net_namespace(self) -> str:
        """The network namespace the facts were read in ("" when unknown)."""
        self.require_live()
        try:
            return os.readlink("/proc/self/ns/net")
        except OSError:
            return ""

    def net_namespace(self, pid: int) -> Optional[str]:
        """The network namespace of ``pid``; None when the process is gone."""
        self.require_live()
        try:
            return os.readlink(f"/proc/{pid}/ns/net")
        except FileNotFoundError:
            return None

    def processes(self) -> Tuple[ProcessInfo, ...]:
        self.require_live()
        import psutil

        out = []
        for proc in psutil.process_iter(["pid", "name", "exe", "username", "cmdline", "ppid"]):
            info = proc.info
            out.append(ProcessInfo(pid=int(info["pid"]), ppid=info.get("ppid"), name=info.get("name") or "",
                                   exe=info.get("exe") or "", user=info.get("username") or "",
                                   cmdline=tuple(info.get("cmdline") or ())))
        return tuple(out)

    def connections(self) -> Sequence[Any]:
        """Internet-family sockets as psutil's ``sconn`` (fd, family, type, laddr, raddr, status, pid)."""
        self.require_live()
        import psutil

        return list(psutil.net_connections(kind="inet"))

    def process_owners(self, pids: Iterable[int]) -> Dict[int, Tuple[str, str, str]]:
        """pid -> (name, user, exe) for the given pids; a process gone meanwhile is left out."""
        self.require_live()
        import psutil

        info: Dict[int, Tuple[str, str, str]] = {}
        for pid in set(pids):
            try:
                p = psutil.Process(pid)
                with p.oneshot():
                    name = p.name()
                    try:
                        user = p.username()
                    except (KeyError, psutil.Error):
                        user = str(p.uids().real)
                    try:
                        exe = p.exe()
                    except psutil.Error:
                        exe = ""
            except psutil.NoSuchProcess:
                continue  # gone between the two reads: the socket went with it
            info[pid] = (name, user, exe)
        return info

    def interfaces_up(self) -> Dict[str, bool]:
        """Interface name -> operationally up (Windows: the adapter's connection name)."""
        self.require_live()
        import psutil

        return {name: st.isup for name, st in psutil.net_if_stats().items()}

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
