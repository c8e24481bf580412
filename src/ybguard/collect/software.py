"""Software facts on Linux: every installed package from every package system the image has,
and (live) the running processes.

Package systems: dpkg (Debian, Ubuntu, UOS, deepin, Kylin), ``/opt/apps`` (the UOS/deepin
application layout), rpm (when the image has an rpm database), snap, flatpak, and stray
executables in ``/usr/local/{bin,sbin}`` (no package may install there, so everything found
there was put by hand). A database that exists but cannot be read makes the whole inventory
an error: a partial list would let a denied package through.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import tempfile
from typing import Any, Dict, List, Optional, Tuple

from ..facts.software import Package, Process
from ..target.interface import Target
from .interface import CollectContext, Collector, FactError

DPKG_STATUS = "/var/lib/dpkg/status"
# dpkg's third Status word: files of the package are on disk in these states.
DPKG_PRESENT = frozenset({"installed", "unpacked", "half-configured", "triggers-awaited", "triggers-pending"})
DPKG_STATES = DPKG_PRESENT | {"not-installed", "config-files", "half-installed"}
RPM_DBPATHS = ("/var/lib/rpm", "/usr/lib/sysimage/rpm")
RPM_DB_FILES = ("Packages", "Packages.db", "rpmdb.sqlite")
LOCAL_BIN_DIRS = ("/usr/local/bin", "/usr/local/sbin")


def _field(stanza: str, key: str) -> Tuple[Optional[str], int]:
    """The value of ``key`` in a stanza and how many times the field occurs (``str.find`` is
    what keeps 5,000 packages in a few tens of milliseconds)."""
    tag = "\n" + key + ":"
    count = stanza.count(tag) + (1 if stanza.startswith(key + ":") else 0)
    if not count:
        return None, 0
    i = 0 if stanza.startswith(key + ":") else stanza.find(tag) + 1
    j = stanza.find("\n", i)
    return stanza[i + len(key) + 1: j if j >= 0 else len(stanza)].strip(), count


def parse_dpkg_status(text: str, source: str = DPKG_STATUS) -> Tuple[Package, ...]:
    """Packages whose files are on disk (see ``dpkg_records``)."""
    return tuple(p for _key, p in dpkg_records(text, source) if p.state in DPKG_PRESENT)


def dpkg_records(text: str, source: str = DPKG_STATUS) -> Tuple[Tuple[str, Package], ...]:
    """Packages whose files are on disk, from a dpkg status file (deb-control(5) stanzas).

    The Status word decides, not the selection: ``hold ok installed`` and ``deinstall ok
    installed`` are still installed; ``config-files``, ``not-installed`` and ``half-installed``
    are not. A stanza that does not start with a field, lacks Package or Status, has either
    twice (two stanzas run together: one would hide the other) or a Status dpkg would not
    write is an error: the file is damaged, and what it hides is unknown.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    out: List[Tuple[str, Package]] = []
    line = 1
    for stanza in text.split("\n\n"):
        start = line
        line += stanza.count("\n") + 2
        if not stanza.strip():
            continue
        lead = len(stanza) - len(stanza.lstrip("\n"))
        start += lead
        stanza = stanza[lead:]
        name, names = _field(stanza, "Package")
        status, statuses = _field(stanza, "Status")
        words = (status or "").split()
        first = stanza.split("\n", 1)[0]
        if (not name or names != 1 or statuses != 1 or len(words) != 3 or words[2] not in DPKG_STATES
                or first[:1] in (" ", "\t") or ":" not in first):
            raise FactError("software.reason.bad_dpkg", path=source, line=start)
        version, _ = _field(stanza, "Version")
        arch, _ = _field(stanza, "Architecture")  # multi-arch: libc6:amd64 and libc6:i386 are two records
        out.append((f"{name}:{arch or ''}", Package(name=name, version=version or "", manager="dpkg",
                                                    source=f"{source}:{start}", state=words[2])))
    return tuple(out)


DPKG_UPDATES = "/var/lib/dpkg/updates"


def read_dpkg(target: Target, text: str) -> List[Package]:
    """status, then the journal of an interrupted run (``updates/NNNN``, all digits, in order),
    each record replacing the package's earlier one — what dpkg itself sees when it starts."""
    records: Dict[str, Package] = {}
    for key, p in dpkg_records(text):
        records[key] = p
    for name in sorted(n for n in target.listdir(DPKG_UPDATES) if n.isdigit()):
        path = f"{DPKG_UPDATES}/{name}"
        for key, p in dpkg_records(target.read_text(path), path):
            records[key] = p
    return [p for p in records.values() if p.state in DPKG_PRESENT]


def parse_opt_app_info(text: str, appid: str, source: str) -> Package:
    """``/opt/apps/<appid>/info`` (deepin/UOS application JSON)."""
    try:
        info = json.loads(text)
    except ValueError as exc:
        raise FactError("software.reason.bad_app_info", path=source, reason=str(exc)) from None
    if not isinstance(info, dict):
        raise FactError("software.reason.bad_app_info", path=source, reason="not a JSON object")
    name = info.get("name")
    if isinstance(name, dict):  # some packagers localise it: {"zh_CN": "向日葵", "en": "Sunlogin"}
        name = name.get("zh_CN") or name.get("default") or next(iter(name.values()), "")
    return Package(name=str(info.get("appid") or appid), version=str(info.get("version") or ""),
                   manager="opt-apps", display_name=str(name or ""), source=source)


def read_opt_apps(target: Target) -> List[Package]:
    out = []
    for appid in target.listdir("/opt/apps"):
        base = f"/opt/apps/{appid}"
        if not target.is_dir(base):
            continue
        text = target.read_text_optional(f"{base}/info")
        if text is None:
            out.append(Package(name=appid, manager="opt-apps", source=base))
        else:
            out.append(parse_opt_app_info(text, appid, f"{base}/info"))
    return out


def parse_rpm_qa(text: str) -> Tuple[Package, ...]:
    """Output of ``rpm -qa --qf '%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{VENDOR}\\n'``."""
    out = []
    for row in text.splitlines():
        if not row.strip():
            continue
        fields = row.split("\t")
        out.append(Package(name=fields[0], version=fields[1] if len(fields) > 1 else "", manager="rpm",
                           publisher=fields[2] if len(fields) > 2 and fields[2] != "(none)" else "",
                           source="rpmdb"))
    return tuple(out)


_RPM_QF = "%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{VENDOR}\\n"


def read_rpm(target: Target) -> Optional[List[Package]]:
    """The rpm inventory, or None when the image has no rpm database."""
    dbpath = next((d for d in RPM_DBPATHS if any(target.exists(f"{d}/{f}") for f in RPM_DB_FILES)), None)
    if dbpath is None:
        return None
    if target.is_live:
        return list(parse_rpm_qa(target.run(["rpm", "-qa", "--qf", _RPM_QF], timeout=60)))
    tool = shutil.which("rpm")
    if tool is None:
        raise FactError("software.reason.rpm_missing", path=dbpath)
    # The scanning host's rpm reads a copy of the image's database: nothing from the image is
    # executed, and nothing is written into it (opening an sqlite rpmdb creates -shm/-wal and
    # lock files, and a read-only mounted image would refuse them).
    with tempfile.TemporaryDirectory(prefix="ybguard-rpmdb-") as tmp:
        for name in target.listdir(dbpath):
            src = target.host_path(f"{dbpath}/{name}")
            if os.path.isfile(src):
                shutil.copyfile(src, os.path.join(tmp, name))
        proc = subprocess.run([tool, "--root", "/", "--dbpath", tmp, "-qa", "--qf", _RPM_QF],
                              capture_output=True, timeout=60, check=False)
    if proc.returncode != 0:
        raise FactError("software.reason.rpm_failed", reason=proc.stderr.decode("utf-8", "replace").strip()[:300])
    return list(parse_rpm_qa(proc.stdout.decode("utf-8", "replace")))


_SNAP_FILE = re.compile(r"^(.+)_(x?\d+)\.snap$")


def read_snaps(target: Target) -> List[Package]:
    found: Dict[str, Package] = {}
    for name in target.listdir("/var/lib/snapd/snaps"):
        m = _SNAP_FILE.match(name)
        if m:
            found.setdefault(m.group(1), Package(name=m.group(1), version=m.group(2), manager="snap",
                                                 source=f"/var/lib/snapd/snaps/{name}"))
    for name in target.listdir("/snap"):
        if name != "bin" and target.is_dir(f"/snap/{name}/current"):
            found.setdefault(name, Package(name=name, manager="snap", source=f"/snap/{name}/current"))
    return [found[k] for k in sorted(found)]


def read_flatpaks(target: Target) -> List[Package]:
    bases = ["/var/lib/flatpak/app"]
    bases += [f"/home/{u}/.local/share/flatpak/app" for u in target.listdir("/home")]
    bases.append("/root/.local/share/flatpak/app")
    out = []
    for base in bases:
        for app in target.listdir(base):
            if target.is_dir(f"{base}/{app}"):
                out.append(Package(name=app, manager="flatpak", source=f"{base}/{app}"))
    return out


def read_local_binaries(target: Target) -> List[Package]:
    out = []
    for directory in LOCAL_BIN_DIRS:
        for name in target.listdir(directory):
            path = f"{directory}/{name}"
            try:
                st = target.stat(path)
            except (FileNotFoundError, NotADirectoryError):
                continue  # a dangling link points at nothing that can run
            except OSError as exc:
                if exc.errno != errno.ELOOP:
                    raise  # EACCES and the like: we do not know what this is, so fail closed
                continue  # a link loop cannot run either
            if not os.path.isdir(target.host_path(path)) and st.st_mode & 0o111:
                out.append(Package(name=name, manager="local", source=path))
    return out


def read_packages(target: Target) -> Tuple[Package, ...]:
    out: List[Package] = []
    has_db = False
    if target.is_dir("/var/lib/dpkg"):
        has_db = True
        text = target.read_text_optional(DPKG_STATUS)
        if text is None:
            raise FactError("software.reason.no_dpkg_status", path=DPKG_STATUS)
        dpkg = read_dpkg(target, text)
        if not dpkg:  # dpkg itself is a package: an empty database was truncated or wiped, not clean
            raise FactError("software.reason.empty_dpkg_status", path=DPKG_STATUS)
        out.extend(dpkg)
    rpms = read_rpm(target)
    if rpms is not None:
        has_db = True
        out.extend(rpms)
    out.extend(read_opt_apps(target))
    out.extend(read_snaps(target))
    out.extend(read_flatpaks(target))
    out.extend(read_local_binaries(target))
    if not has_db:
        raise FactError("software.reason.no_package_db")
    return tuple(out)


def collect_packages(ctx: CollectContext) -> Tuple[Package, ...]:
    return read_packages(ctx.target)


PROCESS_ATTRS = ["pid", "name", "exe", "username", "cmdline", "ppid"]


def process_from_info(info: Dict[str, Any]) -> Process:
    """A Process from psutil's ``info`` dict (attributes PROCESS_ATTRS; unreadable ones are None)."""
    cmdline = info.get("cmdline") or []
    return Process(pid=int(info["pid"]), name=info.get("name") or "", exe=info.get("exe") or "",
                   user=info.get("username") or "", cmdline=" ".join(cmdline)[:500],
                   ppid=info.get("ppid"), argv0=cmdline[0] if cmdline else "")


def read_processes() -> Tuple[Process, ...]:
    import psutil

    return tuple(process_from_info(proc.info) for proc in psutil.process_iter(PROCESS_ATTRS))


def read_process(pid: int) -> Optional[Process]:
    """One process (``ybguard watch`` on an exec event); None once it has exited."""
    import psutil

    try:
        return process_from_info(psutil.Process(pid).as_dict(PROCESS_ATTRS))
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None


def proc_hidepid(mountinfo: str) -> Tuple[str, Optional[int]]:
    """(hidepid value, exempt gid) of the mount on /proc ("" when processes are not hidden);
    the last /proc entry wins, as a later mount covers an earlier one."""
    hidepid, gid = "", None
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        fields, rest = left.split(), right.split()
        if not sep or len(fields) < 5 or fields[4] != "/proc" or len(rest) < 3:
            continue
        options = dict(o.partition("=")[::2] for o in rest[2].split(","))
        hidepid = "" if options.get("hidepid", "0") in ("0", "off") else options["hidepid"]
        gid = int(options["gid"]) if options.get("gid", "").isdigit() else None
    return hidepid, gid


def require_visible_processes(target: Target) -> None:
    """Raise when this (unprivileged) scan cannot see every process: with /proc mounted hidepid,
    other users' processes are hidden or empty, and "none found" would be a lie."""
    if os.geteuid() == 0:
        return
    hidepid, gid = proc_hidepid(target.read_text("/proc/self/mountinfo"))
    if hidepid and (gid is None or gid not in os.getgroups()):
        raise FactError("reason.hidepid", hidepid=hidepid)


def collect_processes(ctx: CollectContext) -> Tuple[Process, ...]:
    ctx.target.require_live()
    require_visible_processes(ctx.target)
    return read_processes()


LINUX: Dict[str, Collector] = {
    "software.packages": collect_packages,
    "software.processes": collect_processes,
}
