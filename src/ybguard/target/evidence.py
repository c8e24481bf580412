"""Evidence targets: a host's state as ``collect.sh`` / ``collect.cmd`` recorded it (docs/evidence.md).

The bundle is verified before anything here reads it (``bundle.open_bundle``). Then:

- Linux: a root directory over ``files/`` (what a ``--root`` scan reads, plus the /proc and
  /sys entries the live collectors read), and the recorded commands. The target is "live" in
  the sense that the running state is there, so the live collectors run unchanged.
- Windows: the saved hives under ``registry/`` and the recorded commands.

``run(argv)`` returns the recorded output of the artifact whose ``command`` is ``" ".join(argv)``;
a command that was not recorded, was not found (exit 127 / 9009) or failed raises what a
live host raises, so its facts become ``error``. Only what needs the host itself right now
(capture, probes) is ``Unsupported``.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import socket
from collections import namedtuple
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from ..models import EvidenceRef, TargetKind
from .bundle import Artifact, Bundle, BundleError, open_bundle
from .interface import MAX_READ, ProcessInfo, Target, TargetError, ToolFailed, ToolMissing, Uname
from .linux import RootfsTarget
from .windows import Hive, RegipyHive, Registry, UserHive, WindowsImageTarget, _is_regf, _user_hive

Addr = namedtuple("Addr", "ip port")
Conn = namedtuple("Conn", "fd family type laddr raddr status pid")

# exit status of a command that was not found: POSIX shells 127, cmd.exe 9009
NOT_FOUND = (127, 9009)


class NotRecorded(TargetError):
    """The collector did not record this (an older kit, or a step it could not do)."""


class _Recording:
    """The recorded commands of a bundle, by command line."""

    def __init__(self, bundle: Bundle, encoding: str) -> None:
        self.bundle = bundle
        self.encoding = encoding
        self.by_command: Dict[str, Artifact] = {a.command: a for a in bundle.manifest.artifacts
                                                if a.kind == "command" and a.command}

    def raw(self, command: str, tolerate: Sequence[int] = ()) -> bytes:
        art = self.by_command.get(command)
        if art is None:
            raise NotRecorded("evidence.reason.not_recorded", command=command)
        tool = command.split(" ", 1)[0]
        if art.exit_code in NOT_FOUND:
            raise ToolMissing("reason.missing_tool", tool=tool)
        if not art.has_content:
            raise ToolFailed("reason.tool_failed", tool=command, code=art.exit_code if art.exit_code is not None else "?",
                             stderr=art.error[:300])
        with open(self.bundle.path_of(art), "rb") as fh:
            data = fh.read(MAX_READ + 1)
        if len(data) > MAX_READ:
            raise ToolFailed("reason.tool_failed", tool=command, code=art.exit_code, stderr="output too large")
        if art.exit_code not in (0, None, *tolerate):
            raise ToolFailed("reason.tool_failed", tool=command, code=art.exit_code, stderr=art.error[:300])
        return data

    def text(self, command: str, tolerate: Sequence[int] = ()) -> str:
        return self.raw(command, tolerate).decode(self.encoding, "replace")


def evidence_ref(bundle: Bundle) -> EvidenceRef:
    m = bundle.manifest
    collector = f"{m.collector_name} {m.collector_version} ({m.os})".strip()
    return EvidenceRef(sha256=m.sha256, started_at=m.started_at, finished_at=m.finished_at, collector=collector,
                       unhashed=m.unhashed)


# --- Linux -----------------------------------------------------------------------------------

TCP_STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1", "05": "FIN_WAIT2",
              "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN",
              "0B": "CLOSING", "0C": "SYN_RECV"}

# The link listings collect.sh records (``ls -l`` of /proc/PID/{exe,fd,ns/net}): one command each.
LS_EXE = "ls -l /proc/[0-9]*/exe"
LS_FD = "ls -l /proc/[0-9]*/fd"
LS_NETNS = "ls -l /proc/[0-9]*/ns/net"
LS_SELF_NETNS = "ls -l /proc/self/ns/net"
_LINK = re.compile(r"(/proc/(\d+|self)/[^ ]+) -> (.*)$")
_FD_DIR = re.compile(r"^/proc/(\d+)/fd:$")
_FD_SOCKET = re.compile(r" (\d+) -> socket:\[(\d+)\]$")


def parse_proc_links(text: str) -> Dict[str, str]:
    """``ls -l /proc/*/exe`` lines -> {"/proc/1/exe": "/usr/lib/systemd/systemd"}."""
    out: Dict[str, str] = {}
    for line in text.splitlines():
        m = _LINK.search(line)
        if m:
            out[m.group(1)] = m.group(3)
    return out


def parse_fd_sockets(text: str) -> Dict[int, Tuple[int, int]]:
    """``ls -l /proc/*/fd`` -> {socket inode: (pid, fd)}; the first owner wins, as in psutil."""
    out: Dict[int, Tuple[int, int]] = {}
    pid = None
    for line in text.splitlines():
        m = _FD_DIR.match(line)
        if m:
            pid = int(m.group(1))
            continue
        m = _FD_SOCKET.search(line)
        if m and pid is not None:
            out.setdefault(int(m.group(2)), (pid, int(m.group(1))))
    return out


def _decode_addr(text: str, family: int) -> Any:
    """/proc/net/tcp's ``0100007F:0035`` (each 32-bit word in host order, little-endian) -> Addr."""
    ip_hex, _, port_hex = text.partition(":")
    port = int(port_hex, 16)
    if not port:
        return ()
    raw = bytes.fromhex(ip_hex)
    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return Addr(socket.inet_ntop(family, raw), port)


def parse_proc_net(text: str, proto: str, family: int, owners: Mapping[int, Tuple[int, int]]) -> List[Any]:
    """/proc/net/{tcp,tcp6,udp,udp6} -> psutil-style ``sconn`` tuples (proc(5))."""
    out = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10:
            continue
        inode = int(fields[9])
        pid, fd = owners.get(inode, (None, -1))
        status = TCP_STATES.get(fields[3].upper(), "NONE") if proto == "tcp" else "NONE"
        out.append(Conn(fd, family, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM,
                        _decode_addr(fields[1], family), _decode_addr(fields[2], family), status, pid))
    return out


def parse_passwd_names(text: str) -> Dict[int, str]:
    out: Dict[int, str] = {}
    for line in text.splitlines():
        parts = line.split(":")
        if len(parts) >= 3 and parts[2].isdigit():
            out.setdefault(int(parts[2]), parts[0])
    return out


def _unescape_status(name: str) -> str:
    """/proc/PID/status writes the name with ``\\n`` and ``\\\\`` escapes (proc_task_name)."""
    return re.sub(r"\\(n|\\)", lambda m: "\n" if m.group(1) == "n" else "\\", name)


def parse_status(text: str) -> Dict[str, str]:
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out[key] = value.strip()
    return out


class _RecordedHost:
    """What both evidence targets answer the same way: every live-only question from the recording,
    none from the workstation the scan runs on (its processes, privileges or tools are not the host's)."""

    bundle: Bundle
    recording: _Recording

    def _record(self, bundle: Bundle, encoding: str) -> None:
        self.bundle = bundle
        self.evidence: Optional[EvidenceRef] = evidence_ref(bundle)
        self.recording = _Recording(bundle, encoding)

    def run(self, argv: Sequence[str], timeout: float = 10.0) -> str:
        return self.recording.text(" ".join(argv))

    def tool_file(self, name: str) -> bytes:
        """The file a recorded tool wrote under ``name`` (``secedit /export /cfg secedit.inf``):
        the artifact of the recorded command whose last word is that name."""
        for command in self.recording.by_command:
            if command.rsplit(" ", 1)[-1] == name:
                return self.recording.raw(command)
        raise ToolMissing("reason.missing_tool", tool=name)

    def privileged(self) -> bool:
        return self.bundle.manifest.host.get("elevated") is True

    def has_tool(self, name: str) -> bool:
        """False only when the collector found no such tool; unknown = True, so that ``run`` then
        says what was not recorded."""
        tries = [a for c, a in self.recording.by_command.items() if c.split(" ", 1)[0] == name]
        return not tries or any(a.exit_code not in NOT_FOUND for a in tries)

    def own_pid(self) -> Optional[int]:
        return None  # nothing of ybguard ran there

    def processes(self) -> Tuple[ProcessInfo, ...]:
        raise NotImplementedError

    def process_owners(self, pids: Iterable[int]) -> Dict[int, Tuple[str, str, str]]:
        wanted = set(pids)
        return {p.pid: (p.name, p.user, p.exe) for p in self.processes() if p.pid in wanted}

    def close(self) -> None:
        self.bundle.close()


class LinuxEvidenceTarget(_RecordedHost, RootfsTarget):
    """A Linux host as collect.sh recorded it: files/ is its root, commands/ its tools' answers."""

    kind = TargetKind.LINUX_EVIDENCE

    def __init__(self, bundle: Bundle) -> None:
        files = os.path.join(bundle.directory, "files")
        os.makedirs(files, mode=0o700, exist_ok=True)
        RootfsTarget.__init__(self, files)
        self._record(bundle, "utf-8")
        arts = bundle.manifest.artifacts
        self._entries = {os.path.realpath(bundle.path_of(a)) for a in arts if a.kind == "entry"}
        # what the collector could not read or list: a scan of it fails closed, as a live one would
        self._unreadable = {os.path.realpath(bundle.path_of(a)) for a in arts
                            if (a.kind == "file" and not a.has_content) or (a.kind == "dir" and a.exit_code)}
        self._procs: Optional[Tuple[ProcessInfo, ...]] = None
        self._links: Dict[str, Dict[str, str]] = {}

    def _check_readable(self, path: str) -> str:
        host = os.path.realpath(self.host_path(path))
        if host in self._unreadable:
            raise PermissionError(errno.EACCES, "unreadable when collected", path)
        return host

    def open_bytes(self, path: str) -> Any:
        if self._check_readable(path) in self._entries:
            raise NotRecorded("evidence.reason.not_copied", path=path)
        return super().open_bytes(path)

    def listdir(self, path: str) -> List[str]:
        self._check_readable(path)
        return super().listdir(path)

    def walk(self, path: str) -> Iterator[Tuple[str, List[str], List[str]]]:
        for tpath, dirnames, filenames in super().walk(path):
            self._check_readable(tpath)  # an empty copy of a directory we could not list is not empty
            yield tpath, dirnames, filenames

    def uname(self) -> Uname:
        def one(flag: str) -> str:
            return self.run(["uname", flag]).strip()

        return Uname(one("-n"), one("-s"), one("-r"), one("-m"))

    def groups(self) -> Tuple[int, ...]:
        return tuple(int(g) for g in self.run(["id", "-G"]).split() if g.isdigit())

    def _listing(self, command: str) -> Dict[str, str]:
        if command not in self._links:
            # processes come and go between the shell's glob and ls: exit 1/2 with output is normal
            self._links[command] = parse_proc_links(self.recording.text(command, tolerate=(1, 2)))
        return self._links[command]

    def own_net_namespace(self) -> str:
        return self._listing(LS_SELF_NETNS).get("/proc/self/ns/net", "")

    def net_namespace(self, pid: int) -> Optional[str]:
        return self._listing(LS_NETNS).get(f"/proc/{pid}/ns/net")

    def processes(self) -> Tuple[ProcessInfo, ...]:
        if self._procs is None:
            self._procs = tuple(self._read_processes())
        return self._procs

    def _read_processes(self) -> Iterable[ProcessInfo]:
        users = parse_passwd_names(self.read_text_optional("/etc/passwd") or "")
        exes = self._listing(LS_EXE)
        pids = sorted(int(p) for p in self.listdir("/proc") if p.isdigit())
        if not pids:
            raise NotRecorded("evidence.reason.no_processes")
        for pid in pids:
            base = f"/proc/{pid}"
            status_text = self.read_text_optional(f"{base}/status")
            if status_text is None:
                continue  # exited while collect.sh listed /proc
            status = parse_status(status_text)
            raw = self.read_bytes(f"{base}/cmdline") if self.exists(f"{base}/cmdline") else b""
            cmdline = tuple(a.decode("utf-8", "replace") for a in raw.rstrip(b"\0").split(b"\0")) if raw else ()
            comm = self.read_text_optional(f"{base}/comm")  # older kits copied it; status has it too
            comm = comm.rstrip("\n") if comm is not None else _unescape_status(status.get("Name", ""))
            name = comm
            if len(comm) >= 15 and cmdline:  # psutil: comm is cut at 15 bytes; the command line has it whole
                full = os.path.basename(cmdline[0])
                if full.startswith(comm):
                    name = full
            uid_text = status.get("Uid", "").split()
            uid = int(uid_text[0]) if uid_text and uid_text[0].isdigit() else None
            ppid_text = status.get("PPid", "")
            exe = exes.get(f"{base}/exe", "")
            if exe.endswith(" (deleted)") and not self.exists(exe):
                exe = exe[: -len(" (deleted)")]
            yield ProcessInfo(pid=pid, ppid=int(ppid_text) if ppid_text.isdigit() else None, name=name, exe=exe,
                              user=users.get(uid, str(uid)) if uid is not None else "", cmdline=cmdline)

    def connections(self) -> Sequence[Any]:
        owners = parse_fd_sockets(self.recording.text(LS_FD, tolerate=(1, 2)))
        out: List[Any] = []
        for name, proto, family in (("tcp", "tcp", socket.AF_INET), ("tcp6", "tcp", socket.AF_INET6),
                                    ("udp", "udp", socket.AF_INET), ("udp6", "udp", socket.AF_INET6)):
            text = self.read_text_optional(f"/proc/net/{name}")
            if text is None:
                if family == socket.AF_INET6 and not self.exists("/proc/net/if_inet6"):
                    continue  # no IPv6 in that kernel
                raise NotRecorded("evidence.reason.not_copied", path=f"/proc/net/{name}")
            out.extend(parse_proc_net(text, proto, family, owners))
        return out

    def interfaces_up(self) -> Dict[str, bool]:
        raise NotRecorded("evidence.reason.not_recorded", command="interfaces_up")


# --- Windows ---------------------------------------------------------------------------------

_NETSTAT = re.compile(r"^\s*(TCP|UDP)\s+(\S+)\s+(\S+)\s+(?:(\S+)\s+)?(\d+)\s*$")


def _split_hostport(text: str) -> Any:
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not host or host == "*":
        return ()
    host = host.strip("[]").split("%", 1)[0]
    if not int(port):
        return ()
    return Addr(host, int(port))


def parse_netstat_ano(text: str) -> List[Any]:
    """``netstat -ano`` rows -> psutil-style ``sconn`` tuples (state names are English on every locale)."""
    out = []
    for line in text.splitlines():
        m = _NETSTAT.match(line)
        if not m:
            continue
        proto, local, remote, state, pid = m.groups()
        laddr, raddr = _split_hostport(local), _split_hostport(remote)
        family = socket.AF_INET6 if local.startswith("[") else socket.AF_INET
        status = "LISTEN" if state == "LISTENING" else (state or "NONE") if proto == "TCP" else "NONE"
        out.append(Conn(-1, family, socket.SOCK_STREAM if proto == "TCP" else socket.SOCK_DGRAM, laddr, raddr,
                        status, int(pid)))
    return out


def parse_tasklist_csv(text: str) -> List[ProcessInfo]:
    """``tasklist /v /fo csv``: image name, PID, session, session#, memory, status, user, CPU time, title
    (the header row is translated; the column order is not)."""
    import csv
    import io

    out = []
    for row in csv.reader(io.StringIO(text)):
        if len(row) < 7 or not row[1].strip().isdigit():
            continue  # the header, or a blank line
        user = row[6].strip()
        out.append(ProcessInfo(pid=int(row[1]), ppid=None, name=row[0].strip(), exe="",
                               user="" if user in ("N/A", "暂缺") else user, cmdline=()))
    return out


def parse_netsh_interfaces(text: str) -> Dict[str, bool]:
    """``netsh interface show interface``: admin state, state, type, name; connected = up."""
    out: Dict[str, bool] = {}
    for line in text.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and not set(parts[0]) <= {"-"}:
            state = parts[1].lower()
            if state in ("connected", "已连接"):
                out[parts[3].strip()] = True
            elif state in ("disconnected", "已断开连接", "已断开"):
                out[parts[3].strip()] = False
    return out


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


class WindowsEvidenceTarget(_RecordedHost, WindowsImageTarget):
    """A Windows host as collect.cmd recorded it: the saved hives and the tools' answers."""

    kind = TargetKind.WINDOWS_EVIDENCE

    def __init__(self, bundle: Bundle) -> None:
        arts = {a.path: a for a in bundle.manifest.artifacts if a.kind == "hive"}

        def hive(name: str, label: str) -> Callable[[], Optional[Hive]]:
            def open_() -> Optional[Hive]:
                art = arts.get(f"registry/{name}")
                if art is None:
                    return None  # not collected: the collectors say what that means
                if not art.has_content:
                    raise NotRecorded("evidence.reason.hive_failed", hive=art.source or name, code=art.exit_code)
                path = bundle.path_of(art)
                if not _is_regf(path):
                    raise BundleError("evidence.not_a_hive", member=art.path)
                return RegipyHive(path, label)
            return open_

        def users() -> List[UserHive]:
            out = []
            for path, art in sorted(arts.items()):
                parts = path.split("/")
                if len(parts) == 4 and parts[1] == "users" and parts[3].upper() == "NTUSER.DAT" and art.has_content:
                    out.append(_user_hive(bundle.path_of(art), parts[2]))
            return out

        registry = Registry(hive("SYSTEM", "HKLM\\SYSTEM"), hive("SOFTWARE", "HKLM\\SOFTWARE"),
                            hive("SAM", "HKLM\\SAM"), users)
        files = os.path.join(bundle.directory, "files")
        os.makedirs(files, mode=0o700, exist_ok=True)
        WindowsImageTarget.__init__(self, files, registry, volume=False)
        codepage = str(bundle.manifest.host.get("codepage", "")).strip()
        self._record(bundle, _codec(f"cp{codepage}") if codepage.isdigit() else "utf-8")

    def uname(self) -> Uname:
        return Uname(str(self.bundle.manifest.host.get("hostname", "")), "Windows", "", "")

    def groups(self) -> Tuple[int, ...]:
        return ()

    def own_net_namespace(self) -> str:
        return ""

    def net_namespace(self, pid: int) -> Optional[str]:
        return ""  # Windows has none: every process shares the one network stack

    def processes(self) -> Tuple[ProcessInfo, ...]:
        return tuple(parse_tasklist_csv(self.recording.text("tasklist /v /fo csv")))

    def connections(self) -> Sequence[Any]:
        return parse_netstat_ano(self.recording.text("netstat -ano"))

    def interfaces_up(self) -> Dict[str, bool]:
        return parse_netsh_interfaces(self.recording.text("netsh interface show interface"))


def open_evidence(path: str) -> Target:
    """The target for ``scan --evidence PATH``; BundleError (exit 2) when the bundle is refused."""
    bundle = open_bundle(path)
    try:
        if bundle.manifest.os == "windows":
            return WindowsEvidenceTarget(bundle)
        return LinuxEvidenceTarget(bundle)
    except BaseException:
        bundle.close()
        raise


__all__ = ["LinuxEvidenceTarget", "NotRecorded", "open_evidence", "parse_fd_sockets", "parse_proc_links",
           "parse_proc_net", "parse_netstat_ano", "WindowsEvidenceTarget", "parse_tasklist_csv", "parse_netsh_interfaces"]
