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
import shlex
import shutil
import stat
import subprocess
import tempfile
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

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


def _rpm_dbpath(target: Target) -> Optional[str]:
    return next((d for d in RPM_DBPATHS if any(target.exists(f"{d}/{f}") for f in RPM_DB_FILES)), None)


def read_rpm(target: Target) -> Optional[List[Package]]:
    """The rpm inventory, or None when the image has no rpm database."""
    dbpath = _rpm_dbpath(target)
    if dbpath is None:
        return None
    return list(parse_rpm_qa(_rpm_query(target, dbpath, _RPM_QF)))


def read_rpm_files(target: Target) -> Tuple[str, ...]:
    """Every file the rpm database says it installed."""
    dbpath = _rpm_dbpath(target)
    if dbpath is None:
        return ()
    return tuple(line for line in _rpm_query(target, dbpath, "[%{FILENAMES}\\n]").splitlines() if line)


def _rpm_query(target: Target, dbpath: str, qf: str) -> str:
    if target.is_live:
        return target.run(["rpm", "-qa", "--qf", qf], timeout=60)
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
        proc = subprocess.run([tool, "--root", "/", "--dbpath", tmp, "-qa", "--qf", qf],
                              capture_output=True, timeout=60, check=False)
    if proc.returncode != 0:
        raise FactError("software.reason.rpm_failed", reason=proc.stderr.decode("utf-8", "replace").strip()[:300])
    return proc.stdout.decode("utf-8", "replace")


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


# ---- software outside the package databases ----------------------------------------------------

BIN_DIRS = ("/usr/bin", "/usr/sbin", "/bin", "/sbin")
UNIT_DIRS = ("/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
             "/usr/lib/systemd/system", "/lib/systemd/system")
USER_UNIT_DIRS = ("/etc/systemd/user", "/usr/lib/systemd/user", "/lib/systemd/user")
OPT_SKIP = frozenset({"apps"})  # /opt/apps is the UOS/deepin layout, read above
OPT_MAX_DEPTH = 4
OPT_MAX_FILES = 20_000  # per vendor directory: enough for any real application, bounded for a hostile one
DPKG_INFO = "/var/lib/dpkg/info"


_MERGED_TOPS = ("/bin", "/sbin", "/lib", "/lib64")
_MERGED_PREFIXES = tuple(top + "/" for top in _MERGED_TOPS)


def _canonical(path: str) -> str:
    """/bin/ls and /usr/bin/ls are one file on a merged-/usr system; dpkg may list either.

    Called for every path of every package (10^5 on a desktop), so a path that is already normal
    (what dpkg and rpm write) skips normpath."""
    if "//" in path or "/." in path or path.endswith("/") or not path.startswith("/"):
        path = os.path.normpath(path)
    if path.startswith(_MERGED_PREFIXES) or path in _MERGED_TOPS:
        return "/usr" + path
    return path


def owned_files(target: Target, rpm_files: Tuple[str, ...] = ()) -> FrozenSet[str]:
    """Every path a package database says a package installed (dpkg ``info/*.list`` and
    diversions, rpm file lists), canonical for merged /usr."""
    owned: Set[str] = set()
    for name in target.listdir(DPKG_INFO):
        if name.endswith(".list"):
            owned.update(_canonical(line) for line in target.read_text(f"{DPKG_INFO}/{name}").splitlines() if line)
    diversions = (target.read_text_optional("/var/lib/dpkg/diversions") or "").splitlines()
    owned.update(_canonical(line) for line in diversions[1::3] if line)  # from, to, package: "to" holds the file
    owned.update(_canonical(p) for p in rpm_files if p)
    return frozenset(owned)


def _inside(target: Target, path: str) -> Optional[str]:
    """The target path a link at ``path`` finally leads to, or None when it leads nowhere."""
    try:
        host = target.host_path(path)
    except OSError:
        return None
    if not os.path.exists(host):
        return None
    rel = os.path.relpath(host, target.root)
    return "/" if rel == "." else "/" + rel


def _is_executable_file(target: Target, path: str) -> bool:
    try:
        st = target.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        return False
    return stat.S_ISREG(st.st_mode) and bool(st.st_mode & 0o111)


def read_unowned_binaries(target: Target, owned: FrozenSet[str]) -> List[Package]:
    """Executables in the system bin directories that no package owns. A link (update-alternatives,
    a vendor's ``/usr/bin/teamviewer -> /opt/...``) is judged by where it leads: owned there is fine."""
    out: List[Package] = []
    seen = set()
    for directory in BIN_DIRS:
        for name in target.listdir(directory):
            path = f"{directory}/{name}"
            key = _canonical(path)
            if key in seen or key in owned:
                continue
            seen.add(key)
            if not _is_executable_file(target, path):
                continue
            real = _inside(target, path)
            if real is None or _canonical(real) in owned:
                continue
            if _canonical(real) != key:
                out.append(Package(name=name, manager="unowned", source=f"{path} -> {real}",
                                   aliases=(os.path.basename(real),)))
            else:
                out.append(Package(name=name, manager="unowned", source=path))
    return out


def read_opt_vendors(target: Target, owned: FrozenSet[str]) -> List[Package]:
    """``/opt/<vendor>`` trees no package owns (TeamViewer, 向日葵 and ToDesk tarballs unpack
    there), named by the directory and the executables inside it."""
    out = []
    for vendor in target.listdir("/opt"):
        base = f"/opt/{vendor}"
        if vendor in OPT_SKIP or _canonical(base) in owned or not target.is_dir(base):
            continue
        names: List[str] = []
        count = 0
        for dirpath, dirnames, filenames in target.walk(base):
            depth = dirpath[len(base):].count("/")
            if depth >= OPT_MAX_DEPTH:
                dirnames[:] = []
            for fname in filenames:
                count += 1
                if count > OPT_MAX_FILES:
                    break
                if _is_executable_file(target, f"{dirpath}/{fname}") and fname not in names:
                    names.append(fname)
            if count > OPT_MAX_FILES:
                names.append("(more files not examined)")
                break
        out.append(Package(name=vendor, manager="opt", source=base, aliases=tuple(names)))
    return out


_EXEC_KEYS = ("ExecStart", "ExecStartPre", "ExecStartPost", "ExecReload", "ExecStop")


def _program(command: str) -> str:
    """The program a unit's Exec line or a desktop entry's Exec runs: prefixes (``-@:+!``),
    ``env VAR=value`` and quotes taken away."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    while words and (words[0] in ("env", "/usr/bin/env", "/bin/env") or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0])):
        words.pop(0)
    return words[0].lstrip("-@:+!") if words else ""


def _exec_programs(text: str, keys: Tuple[str, ...]) -> List[str]:
    out = []
    for raw in text.splitlines():
        key, sep, value = raw.strip().partition("=")
        if sep and key.strip() in keys:
            program = _program(value.strip())
            if program:
                out.append(program)
    return out


def _aliases(target: Target, programs: List[str]) -> Tuple[str, ...]:
    names: List[str] = []
    for program in programs:
        names.append(os.path.basename(program))
        if program.startswith("/"):
            real = _inside(target, program)
            if real:
                names.append(os.path.basename(real))
    return tuple(dict.fromkeys(n for n in names if n))


def _unit_text(target: Target, unit: str, wants_link: str) -> Tuple[str, str]:
    """(unit file text with its drop-ins, where it was found) for an enabled unit."""
    texts: List[str] = []
    where = wants_link
    real = _inside(target, wants_link)
    dirs = UNIT_DIRS + USER_UNIT_DIRS
    if real and not target.is_masked(wants_link):
        texts.append(target.read_text(real))
        where = real
    else:
        template = re.sub(r"@[^.]*\.", "@.", unit)
        for d in dirs:
            for name in (unit, template):
                text = target.read_text_optional(f"{d}/{name}")
                if text is not None:
                    texts.append(text)
                    where = f"{d}/{name}"
                    break
            if texts:
                break
    for d in dirs:
        for name in target.listdir(f"{d}/{unit}.d"):
            if name.endswith(".conf"):
                texts.append(target.read_text(f"{d}/{unit}.d/{name}"))
    return "\n".join(texts), where


def read_enabled_units(target: Target) -> List[Package]:
    """Units enabled in ``*.wants``/``*.requires`` (system and user), named by the unit and by the
    programs its Exec lines start."""
    out: List[Package] = []
    seen = set()
    homes = [f"/home/{u}/.config/systemd/user" for u in target.listdir("/home")] + ["/root/.config/systemd/user"]
    for d in UNIT_DIRS + USER_UNIT_DIRS + tuple(homes):
        for wants in target.listdir(d):
            if not wants.endswith((".wants", ".requires")):
                continue
            for unit in target.listdir(f"{d}/{wants}"):
                if unit in seen or not unit.endswith((".service", ".timer", ".socket", ".path")):
                    continue
                seen.add(unit)
                text, where = _unit_text(target, unit, f"{d}/{wants}/{unit}")
                out.append(Package(name=unit, manager="systemd-unit", source=where,
                                   aliases=(unit.rsplit(".", 1)[0].split("@", 1)[0],)
                                   + _aliases(target, _exec_programs(text, _EXEC_KEYS))))
    return out


def read_autostart(target: Target) -> List[Package]:
    """XDG autostart entries (``/etc/xdg/autostart``, each user's ``~/.config/autostart``)."""
    dirs = ["/etc/xdg/autostart", "/root/.config/autostart"]
    dirs += [f"/home/{u}/.config/autostart" for u in target.listdir("/home")]
    out = []
    for d in dirs:
        for name in target.listdir(d):
            if not name.endswith(".desktop"):
                continue
            path = f"{d}/{name}"
            text = target.read_text(path, limit=1024 * 1024)
            out.append(Package(name=name, manager="autostart", source=path,
                               aliases=(name[: -len(".desktop")],) + _aliases(target, _exec_programs(text, ("Exec", "TryExec")))))
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
    owned = owned_files(target, read_rpm_files(target) if rpms is not None else ())
    out.extend(read_opt_vendors(target, owned))
    out.extend(read_unowned_binaries(target, owned))
    out.extend(read_enabled_units(target))
    out.extend(read_autostart(target))
    return tuple(out)


def collect_packages(ctx: CollectContext) -> Tuple[Package, ...]:
    return read_packages(ctx.target)


def read_processes(target: Target) -> Tuple[Process, ...]:
    return tuple(Process(pid=p.pid, name=p.name, exe=p.exe, user=p.user, cmdline=" ".join(p.cmdline)[:500],
                         ppid=p.ppid, argv0=p.cmdline[0] if p.cmdline else "")
                 for p in target.processes())


PROCESS_ATTRS = ["pid", "name", "exe", "username", "cmdline", "ppid"]


def process_from_info(info: Dict[str, Any]) -> Process:
    """A Process from psutil's ``info`` dict (attributes PROCESS_ATTRS; unreadable ones are None)."""
    cmdline = info.get("cmdline") or []
    return Process(pid=int(info["pid"]), name=info.get("name") or "", exe=info.get("exe") or "",
                   user=info.get("username") or "", cmdline=" ".join(cmdline)[:500],
                   ppid=info.get("ppid"), argv0=cmdline[0] if cmdline else "")



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
    if target.privileged():
        return
    hidepid, gid = proc_hidepid(target.read_text("/proc/self/mountinfo"))
    if hidepid and (gid is None or gid not in target.groups()):
        raise FactError("reason.hidepid", hidepid=hidepid)


def collect_processes(ctx: CollectContext) -> Tuple[Process, ...]:
    ctx.target.require_live()
    require_visible_processes(ctx.target)
    return read_processes(ctx.target)


LINUX: Dict[str, Collector] = {
    "software.packages": collect_packages,
    "software.processes": collect_processes,
}
