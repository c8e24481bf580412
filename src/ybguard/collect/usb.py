"""Removable-media facts on Linux: what is attached, whether the storage drivers can load,
and which storage devices the kernel logs remember.

Attached devices come from sysfs read through the Target, so a fixture tree laid out like the
kernel's (``tests/data/usb/sysfs-*``) exercises exactly the code that runs on a live host;
only the collector entry points insist on a live target. Driver state is read from
modprobe.d, modules.builtin and USBGuard's configuration, which exist in an image too.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import zlib
from dataclasses import dataclass, replace
from typing import BinaryIO, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

from ..facts.usb import DeviceSighting, DriverState, MountedMedia, RemovableDevice, Sightings
from ..target.interface import Target, Unsupported
from .interface import CollectContext, Collector, FactError
from .syntax.dropins import dropin_paths

# The kernel modules that give the host a mass-storage block device from a USB interface
# (ums-* card-reader sub-drivers all depend on usb-storage).
STORAGE_MODULES = ("usb-storage", "uas")
MASS_STORAGE_CLASS = "08"
SCSI_TYPE_OPTICAL = "5"


def module_key(name: str) -> str:
    """Module names treat ``-`` and ``_`` alike (``usb-storage`` is ``usb_storage``)."""
    return name.strip().replace("-", "_")


# ---- sysfs ----------------------------------------------------------------------------------

def _real(target: Target, path: str) -> str:
    """``path`` with every link resolved, as a path inside the target (sysfs is all links)."""
    host = os.path.realpath(target.host_path(path))
    root = os.path.realpath(target.root)
    rel = os.path.relpath(host, root)
    return "/" if rel == "." else "/" + rel


def _attr(target: Target, path: str) -> str:
    text = target.read_text_optional(path, limit=4096)
    return (text or "").strip()


def read_attached(target: Target) -> Tuple[RemovableDevice, ...]:
    """USB mass-storage interfaces, removable or USB-attached block devices, and optical drives.

    Follows the kernel's sysfs layout (Documentation/ABI/testing/sysfs-bus-usb, sysfs-block):
    an interface ``/sys/bus/usb/devices/2-1:1.0`` with ``bInterfaceClass`` 08 and a ``driver``
    link, its parent device holding ``idVendor``/``idProduct``/``manufacturer``/``product``/
    ``serial``; block devices in ``/sys/block`` whose real path runs through that interface.
    """
    if not target.is_dir("/sys/bus/usb") and not target.is_dir("/sys/block"):
        raise FactError("usb.reason.no_sysfs")
    out: List[RemovableDevice] = []
    interfaces: Dict[str, str] = {}  # real sysfs path of a storage interface -> its name
    for name in target.listdir("/sys/bus/usb/devices"):
        if ":" not in name:
            continue
        path = f"/sys/bus/usb/devices/{name}"
        if _attr(target, f"{path}/bInterfaceClass").lower() != MASS_STORAGE_CLASS:
            continue
        real = _real(target, path)
        driver = ""
        if target.exists(f"{path}/driver"):
            driver = os.path.basename(_real(target, f"{path}/driver"))
        parent = os.path.dirname(real)
        interfaces[real] = name
        out.append(RemovableDevice(
            kind="usb-storage", name=name,
            vendor=_attr(target, f"{parent}/manufacturer"), product=_attr(target, f"{parent}/product"),
            serial=_attr(target, f"{parent}/serial"), driver=driver, source=real,
            vendor_id=_attr(target, f"{parent}/idVendor"), product_id=_attr(target, f"{parent}/idProduct"),
        ))
    blocks: Dict[str, List[str]] = {}
    for dev in target.listdir("/sys/block"):
        path = f"/sys/block/{dev}"
        real = _real(target, path)
        parent = next((n for p, n in interfaces.items() if real.startswith(p + "/")), "")
        on_usb = bool(parent) or "/usb" in real
        optical = dev.startswith("sr") or _attr(target, f"{path}/device/type") == SCSI_TYPE_OPTICAL
        removable = _attr(target, f"{path}/removable") == "1"
        if not (optical or removable or on_usb):
            continue
        if parent:
            blocks.setdefault(parent, []).append(dev)
        out.append(RemovableDevice(
            kind="optical" if optical else "removable-block", name=dev,
            vendor=_attr(target, f"{path}/device/vendor"), product=_attr(target, f"{path}/device/model"),
            driver="", source=real, parent=parent,
        ))
    if blocks:
        out = [replace(d, blocks=tuple(blocks.get(d.name, ()))) if d.kind == "usb-storage" else d for d in out]
    return tuple(out)


def collect_attached(ctx: CollectContext) -> Tuple[RemovableDevice, ...]:
    ctx.target.require_live()
    return read_attached(ctx.target)


# ---- mounts ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class MountEntry:
    major_minor: str
    source: str
    mountpoint: str
    fstype: str


def _unescape(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def parse_mountinfo(text: str) -> Tuple[MountEntry, ...]:
    """/proc/self/mountinfo (proc(5)): ``id parent maj:min root mountpoint opts [tags] - fstype source superopts``."""
    out = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        left, sep, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if not sep or len(fields) < 6 or len(tail) < 2:
            raise FactError("usb.reason.bad_mountinfo", line=lineno)
        out.append(MountEntry(fields[2], _unescape(tail[1]), _unescape(fields[4]), tail[0]))
    return tuple(out)


def removable_dev_numbers(target: Target, devices: Iterable[RemovableDevice]) -> Dict[str, str]:
    """major:minor of every removable disk and its partitions -> the disk ("sdb")."""
    out: Dict[str, str] = {}
    for d in devices:
        if d.kind == "usb-storage":
            continue
        base = f"/sys/block/{d.name}"
        number = _attr(target, f"{base}/dev")
        if number:
            out[number] = d.name
        for part in target.listdir(base):
            if part.startswith(d.name):
                number = _attr(target, f"{base}/{part}/dev")
                if number:
                    out[number] = d.name
    return out


def read_mounts(target: Target, devices: Sequence[RemovableDevice]) -> Tuple[MountedMedia, ...]:
    numbers = removable_dev_numbers(target, devices)
    entries = parse_mountinfo(target.read_text("/proc/self/mountinfo"))
    return tuple(MountedMedia(device=e.source, mountpoint=e.mountpoint, fstype=e.fstype,
                              source="/proc/self/mountinfo", disk=numbers[e.major_minor])
                 for e in entries if e.major_minor in numbers)


def collect_mounts(ctx: CollectContext) -> Tuple[MountedMedia, ...]:
    ctx.target.require_live()
    return read_mounts(ctx.target, ctx.facts.get("usb.attached"))


# ---- driver state ---------------------------------------------------------------------------

MODPROBE_DIRS = ("/lib/modprobe.d", "/usr/lib/modprobe.d", "/usr/local/lib/modprobe.d", "/run/modprobe.d",
                 "/etc/modprobe.d")
_NO_OP_COMMANDS = frozenset({"true", "false", "/bin/true", "/bin/false", "/usr/bin/true", "/usr/bin/false"})


@dataclass(frozen=True)
class ModprobeRule:
    kind: str  # "blacklist" | "install"
    module: str  # normalised (underscores); may be a glob for install
    command: str  # install command, "" for blacklist
    where: str  # "/etc/modprobe.d/x.conf:3"


def modprobe_files(target: Target) -> List[str]:
    """Config files in the order kmod reads them: by file name across all directories, and a
    file in a later directory (/etc over /run over /lib) hides one of the same name (modprobe.d(5));
    a link to /dev/null hides its namesakes and says nothing. The one drop-in resolver decides."""
    return [p for p in dropin_paths(target, MODPROBE_DIRS[::-1], ".conf") if not target.is_masked(p)]


def parse_modprobe_conf(text: str, where: str) -> Tuple[ModprobeRule, ...]:
    """``blacklist`` and ``install`` lines of one modprobe.d file; ``\\`` continues a line."""
    out: List[ModprobeRule] = []
    joined: List[Tuple[int, str]] = []
    buf, start = "", 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        if not buf:
            start = lineno
        if raw.endswith("\\"):
            buf += raw[:-1] + " "
            continue
        joined.append((start, buf + raw))
        buf = ""
    if buf:
        joined.append((start, buf))
    for lineno, line in joined:
        words = line.split()
        if not words or words[0].startswith("#") or len(words) < 2:
            continue
        if words[0] == "blacklist":
            out.append(ModprobeRule("blacklist", module_key(words[1]), "", f"{where}:{lineno}"))
        elif words[0] == "install":
            command = line.split(None, 2)[2].strip() if len(words) > 2 else ""
            out.append(ModprobeRule("install", module_key(words[1]), command, f"{where}:{lineno}"))
    return tuple(out)


_EXIT = re.compile(r"^exit(?:[ \t]+\d+)?$")
_SH_COMMENT = re.compile(r"[ \t]+#.*$")


def install_is_noop(command: str) -> bool:
    """``install usb-storage /bin/false`` (or ``/bin/true``, ``exit 1``): loading it does nothing.

    kmod hands the command to ``/bin/sh -c``, so ``/bin/true; modprobe --ignore-install
    usb-storage`` loads the module after all. Only a command that is one of these words and
    nothing else (a trailing ``# comment`` aside, which sh ignores) counts: anything after it —
    ``;``, ``&&``, ``|``, ``$(…)``, a second line, even an argument — may load something.
    """
    text = _SH_COMMENT.sub("", command.strip())
    if any(ch in text for ch in "\n;&|`$<>()\\'\"") or "#" in text:
        return False
    return text in _NO_OP_COMMANDS or bool(_EXIT.match(text))


def parse_modules_builtin(text: str) -> Set[str]:
    """modules.builtin: ``kernel/drivers/usb/storage/usb-storage.ko`` -> {"usb_storage"}."""
    out = set()
    for line in text.splitlines():
        name = os.path.basename(line.strip())
        if name:
            out.add(module_key(re.sub(r"\.ko(\.[a-z]+)?$", "", name)))
    return out


def parse_proc_modules(text: str) -> Set[str]:
    return {line.split()[0] for line in text.splitlines() if line.strip()}


@dataclass(frozen=True)
class UsbGuardState:
    blocks_storage: bool
    how: str


_USBGUARD_BINARIES = ("/usr/sbin/usbguard-daemon", "/usr/bin/usbguard-daemon", "/sbin/usbguard-daemon")
_USBGUARD_CONF = "/etc/usbguard/usbguard-daemon.conf"


def parse_usbguard_conf(text: str) -> Dict[str, str]:
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def usbguard_rule_may_allow_storage(rule: str) -> bool:
    """Could this ``allow`` rule authorise a mass-storage device? Only a ``with-interface``
    condition that names no 08 class rules it out (rules(5) of USBGuard)."""
    words = rule.split()
    if not words or words[0] != "allow":
        return False
    m = re.search(r"with-interface\s+(?:(?:all-of|one-of|none-of|equals|equals-ordered)\s+)?(\{[^}]*\}|\S+)", rule)
    if not m:
        return True
    spec = m.group(1).strip("{} ")
    if re.search(r"none-of", rule[m.start():m.end()]):
        return True  # "none-of" only excludes; it may still allow storage
    return any(s.split(":")[0] in ("08", "*") for s in spec.split())


def read_usbguard(target: Target) -> Optional[UsbGuardState]:
    """USBGuard's effect on storage, or None when it is not installed."""
    if not any(target.exists(p) for p in _USBGUARD_BINARIES):
        return None
    conf_text = target.read_text_optional(_USBGUARD_CONF)
    if conf_text is None:
        return UsbGuardState(False, f"USBGuard installed but {_USBGUARD_CONF} is missing")
    conf = parse_usbguard_conf(conf_text)
    implicit = conf.get("ImplicitPolicyTarget", "allow")
    if implicit not in ("block", "reject"):
        return UsbGuardState(False, f"USBGuard ImplicitPolicyTarget={implicit} in {_USBGUARD_CONF}")
    rules_file = conf.get("RuleFile", "/etc/usbguard/rules.conf")
    rule_paths = [rules_file] if rules_file else []
    rule_dir = conf.get("RuleFolder", "")
    if rule_dir:
        rule_paths += [f"{rule_dir.rstrip('/')}/{n}" for n in target.listdir(rule_dir) if n.endswith(".conf")]
    for path in rule_paths:
        text = target.read_text_optional(path) or ""
        for lineno, line in enumerate(text.splitlines(), 1):
            if usbguard_rule_may_allow_storage(line.strip()):
                return UsbGuardState(False, f"USBGuard rule may allow storage: {path}:{lineno}: {line.strip()[:120]}")
    if target.is_live:
        running = any(_attr(target, f"/proc/{pid}/comm") == "usbguard-daemon"
                      for pid in target.listdir("/proc") if pid.isdigit())
        if not running:
            return UsbGuardState(False, "USBGuard is configured to block but usbguard-daemon is not running")
    else:
        wants = target.glob("/etc/systemd/system/*.target.wants/usbguard.service")
        if not wants:
            return UsbGuardState(False, "USBGuard is configured to block but usbguard.service is not enabled")
    return UsbGuardState(True, f"USBGuard blocks by default (ImplicitPolicyTarget={implicit}, no rule allows storage)")


def _kernel_dirs(target: Target) -> List[str]:
    if target.is_live:
        return [f"/lib/modules/{target.uname().release}"]
    return [f"/lib/modules/{n}" for n in target.listdir("/lib/modules") if target.is_dir(f"/lib/modules/{n}")]


def _module_shipped(target: Target, kdir: str, key: str) -> Optional[bool]:
    """Whether the kernel in ``kdir`` ships module ``key`` as a file; None when it cannot tell."""
    dep = target.read_text_optional(f"{kdir}/modules.dep")
    if dep is None:
        return None
    pattern = re.compile(r"(^|/)" + re.escape(key).replace("_", "[-_]") + r"\.ko(\.[a-z]+)?:", re.M)
    return bool(pattern.search(dep))


def read_driver_state(target: Target) -> Tuple[DriverState, ...]:
    """usb-storage and uas: disabled when they cannot be loaded or bound.

    Disabled means one of: ``install <mod> /bin/false`` (or any no-op command) in modprobe.d;
    ``blacklist <mod>`` and not loaded (blacklist stops udev's autoload, which is how a
    plugged-in stick gets its driver; an administrator's explicit ``modprobe`` still works);
    the kernel has no such module at all; USBGuard blocks storage by default. A module built
    into the kernel cannot be disabled by modprobe.d, and a loaded module is enabled now.
    """
    rules: List[ModprobeRule] = []
    for path in modprobe_files(target):
        rules.extend(parse_modprobe_conf(target.read_text(path), path))
    kdirs = _kernel_dirs(target)
    builtin_in: Dict[str, List[str]] = {}
    shipped: Dict[str, List[Optional[bool]]] = {}
    for kdir in kdirs:
        text = target.read_text_optional(f"{kdir}/modules.builtin")
        built = parse_modules_builtin(text) if text is not None else set()
        for module in STORAGE_MODULES:
            key = module_key(module)
            if key in built:
                builtin_in.setdefault(key, []).append(kdir)
            shipped.setdefault(key, []).append(_module_shipped(target, kdir, key))
    loaded: Optional[Set[str]] = None
    modules_supported = True
    cmdline = ""
    if target.is_live:
        proc = target.read_text_optional("/proc/modules")
        if proc is None:
            modules_supported = False
            loaded = set()
        else:
            loaded = parse_proc_modules(proc)
        cmdline = _attr(target, "/proc/cmdline")
    guard = read_usbguard(target)
    out = []
    for module in STORAGE_MODULES:
        key = module_key(module)
        install = next((r for r in rules if r.kind == "install" and _glob_match(r.module, key)), None)
        blacklist = next((r for r in rules if r.kind == "blacklist" and r.module == key), None)
        is_loaded: Optional[bool] = None
        active_builtin = False
        if loaded is not None:
            is_loaded = key in loaded
            if not is_loaded and target.is_dir(f"/sys/module/{key}"):
                active_builtin = True  # in the running kernel without being a loadable module
        cmdline_block = _cmdline_blacklists(cmdline, key)
        disabled, how = _decide(module, install, blacklist, is_loaded, active_builtin, builtin_in.get(key, []),
                                shipped.get(key, []), modules_supported, cmdline_block, guard)
        rule = install or blacklist
        why = "" if disabled else ("loaded" if is_loaded else "builtin" if "built into" in how else "may-load")
        out.append(DriverState(module=module, disabled=disabled, how=how, loaded=is_loaded,
                               source=rule.where if rule else "", why=why))
    return _uas_needs_usb_storage(out)


def _uas_needs_usb_storage(states: List[DriverState]) -> Tuple[DriverState, ...]:
    """uas depends on usb-storage: when usb-storage's install command is a no-op, kmod runs it
    for the dependency too and uas cannot load either. A blacklist does not reach dependencies."""
    by_name = {s.module: s for s in states}
    base, uas = by_name.get("usb-storage"), by_name.get("uas")
    if (base and uas and base.disabled and base.how.startswith("install ") and not uas.disabled
            and not uas.loaded and "built into" not in uas.how):
        by_name["uas"] = replace(uas, disabled=True, how=f"uas needs usb-storage, which cannot load: {base.how}",
                                 source=base.source, why="")
    return tuple(by_name[s.module] for s in states)


def _glob_match(pattern: str, key: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(key, pattern)


def _cmdline_blacklists(cmdline: str, key: str) -> str:
    for word in cmdline.split():
        name, _, value = word.partition("=")
        if name in ("module_blacklist", "modprobe.blacklist") and key in {module_key(v) for v in value.split(",")}:
            return word
    return ""


def _decide(module: str, install: Optional[ModprobeRule], blacklist: Optional[ModprobeRule],
            loaded: Optional[bool], active_builtin: bool, builtin_in: List[str], shipped: List[Optional[bool]],
            modules_supported: bool, cmdline_block: str, guard: Optional[UsbGuardState]) -> Tuple[bool, str]:
    if loaded:
        return False, f"{module} is loaded now (/proc/modules)"
    if active_builtin or builtin_in:
        where = "the running kernel" if active_builtin else ", ".join(builtin_in)
        if guard and guard.blocks_storage:
            return True, f"{module} is built into {where}, but {guard.how}"
        return False, f"{module} is built into {where}; modprobe.d cannot disable it"
    if guard and guard.blocks_storage:
        return True, guard.how
    if install and install_is_noop(install.command):
        return True, f"install {module} {install.command} ({install.where})"
    if cmdline_block and "module_blacklist" in cmdline_block:
        return True, f"kernel command line {cmdline_block}"
    if blacklist or cmdline_block:
        why = f"blacklist {module} ({blacklist.where})" if blacklist else f"kernel command line {cmdline_block}"
        suffix = ", not loaded" if loaded is False else ""
        return True, why + suffix
    if not modules_supported:
        return True, "the running kernel has no loadable-module support and does not contain " + module
    if shipped and all(s is False for s in shipped):
        return True, f"no installed kernel ships {module}"
    parts = [f"{module} may load: no blacklist or install override in modprobe.d"]
    if install:
        parts.append(f"install command {install.command!r} ({install.where}) still loads something")
    if guard:
        parts.append(guard.how)
    return False, "; ".join(parts)


def collect_driver(ctx: CollectContext) -> Tuple[DriverState, ...]:
    return read_driver_state(ctx.target)


# ---- history --------------------------------------------------------------------------------

LOG_GLOBS = ("/var/log/kern.log*", "/var/log/syslog*", "/var/log/messages*")

_TS_ISO = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s")
_TS_BSD = re.compile(r"^([A-Z][a-z]{2}\s+\d{1,2} \d\d:\d\d:\d\d)\s")
_PORT = r"(\d+-[\d.]+)"
_NEW_DEVICE = re.compile(r"\busb " + _PORT + r": New USB device found, idVendor=([0-9a-fA-F]{4}), idProduct=([0-9a-fA-F]{4})")
_STRING = re.compile(r"\busb " + _PORT + r": (Product|Manufacturer|SerialNumber): (.*)$")
_MASS_STORAGE = re.compile(r"\busb-storage " + _PORT + r":\d+\.\d+: USB Mass Storage device detected")
_UAS_HOST = re.compile(r"\bscsi host(\d+): uas\b")
_SCSI_DISK = re.compile(r"\bscsi (\d+):\d+:\d+:\d+: (Direct-Access|CD-ROM)\s+(.*?)\s+(?:\S+\s+)?PQ: ")


def parse_kernel_log(text: Union[str, Iterable[str]], source: str) -> Tuple[DeviceSighting, ...]:
    """Mass-storage attachments in kernel log lines (kern.log, syslog, messages, journalctl -k).

    A device announces itself on a port (``usb 2-1: New USB device found …``, then its
    strings), and the storage driver claims it (``usb-storage 2-1:1.0: USB Mass Storage
    device detected``; for UAS ``scsi host6: uas`` right after). One sighting per claim.
    """
    ports: Dict[str, Dict[str, str]] = {}
    last_port = ""
    out: List[DeviceSighting] = []
    lines = text.splitlines() if isinstance(text, str) else text
    for lineno, line in enumerate(lines, 1):
        if "usb" not in line and "uas" not in line:
            continue
        m = _NEW_DEVICE.search(line)
        if m:
            last_port = m.group(1)
            ports[last_port] = {"vid": m.group(2).lower(), "pid": m.group(3).lower()}
            continue
        m = _STRING.search(line)
        if m:
            ports.setdefault(m.group(1), {})[m.group(2)] = m.group(3).strip()
            continue
        m = _MASS_STORAGE.search(line)
        port = m.group(1) if m else ""
        if not m:
            u = _UAS_HOST.search(line)
            if not u or not last_port:
                continue
            port = last_port
        info = ports.get(port, {})
        name = " ".join(x for x in (info.get("Manufacturer", ""), info.get("Product", "")) if x)
        ids = f"{info.get('vid', '')}:{info.get('pid', '')}" if info.get("vid") else ""
        device = name or (f"USB {ids}" if ids else f"usb {port}")
        out.append(DeviceSighting(device=device, serial=info.get("SerialNumber", ""), when=_timestamp(line),
                                  source=f"{source}:{lineno}", vendor_id=info.get("vid", ""),
                                  product_id=info.get("pid", ""), line=line.strip()[:300]))
    return tuple(out)


def _timestamp(line: str) -> str:
    m = _TS_ISO.match(line) or _TS_BSD.match(line)
    return m.group(1) if m else ""


# Bounds per log file. Real kern.log/syslog files are megabytes and their kernel lines short
# (printk caps a record at 1 KiB); a hostile image's 2 GiB of zeros or newlines, or a 2 MB gzip
# that inflates to 2 GiB, must cost seconds and megabytes, and what was skipped is said.
MAX_LOG_BYTES = 256 * 1024 * 1024  # decompressed text read from one file
MAX_LINE = 16 * 1024
MAX_LOG_SECONDS = 15.0
_CLOCK_EVERY = 4096  # lines between two looks at the clock


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MiB"


def _log_lines(target: Target, path: str, gaps: List[Tuple[str, str]]) -> Iterator[str]:
    """Stream a log within the bounds above, noting in ``gaps`` what was not read. A plain file
    larger than the limit is read from its end — the newest lines are the ones that matter — a
    compressed one from its start (it cannot be entered in the middle)."""
    import time

    with target.open_bytes(path) as raw:  # a FIFO or device node in an image is refused, not opened
        size = os.fstat(raw.fileno()).st_size
        compressed = path.endswith(".gz")
        stream: Union[gzip.GzipFile, BinaryIO] = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        if not compressed and size > MAX_LOG_BYTES:
            raw.seek(size - MAX_LOG_BYTES)
            raw.readline(MAX_LINE)  # the rest of a line cut in two
            gaps.append((path, f"only the last {_mib(MAX_LOG_BYTES)} of {_mib(size)} read"))
        read = cut = lines = 0
        start = time.monotonic()
        try:
            while True:
                line = stream.readline(MAX_LINE)
                if not line:
                    break
                read += len(line)
                if not line.endswith(b"\n") and len(line) == MAX_LINE:
                    cut += 1
                    while True:  # skip the rest of an overlong line without holding it
                        rest = stream.readline(MAX_LINE)
                        read += len(rest)
                        if not rest or rest.endswith(b"\n") or read > MAX_LOG_BYTES:
                            break
                yield line.decode("utf-8", "replace").rstrip("\n")
                lines += 1
                if read > MAX_LOG_BYTES:
                    gaps.append((path, f"stopped after {_mib(MAX_LOG_BYTES)} of text"))
                    break
                if lines % _CLOCK_EVERY == 0 and time.monotonic() - start > MAX_LOG_SECONDS:
                    gaps.append((path, f"stopped after {MAX_LOG_SECONDS:.0f} s ({_mib(read)} read)"))
                    break
        except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt .gz
            gaps.append((path, f"unreadable after {_mib(read)}: {type(exc).__name__}"))
        if cut:
            gaps.append((path, f"{cut} lines longer than {MAX_LINE // 1024} KiB cut"))


def _rotation_key(path: str) -> Tuple[str, int]:
    """kern.log.3.gz before kern.log.2 before kern.log.1 before kern.log: oldest first."""
    m = re.match(r"^(.*?)(?:\.(\d+))?(?:\.gz)?$", path)
    base, num = (m.group(1), int(m.group(2) or 0)) if m else (path, 0)
    return base, -num


def read_history(target: Target, journal: Optional[str] = None) -> Tuple[DeviceSighting, ...]:
    """Sightings from text logs; the journal (``journal`` = its text) only when no text log exists."""
    files = sorted({p for g in LOG_GLOBS for p in target.glob(g) if not target.is_dir(p)}, key=_rotation_key)
    if files:
        seen: Set[Tuple[str, str]] = set()
        out: List[DeviceSighting] = []
        gaps: List[Tuple[str, str]] = []
        for path in files:
            for s in parse_kernel_log(_log_lines(target, path, gaps), path):
                key = (s.when, s.line.split(" kernel: ", 1)[-1])
                if s.when and key in seen:
                    continue  # kern.log and syslog both carry kernel lines
                seen.add(key)
                out.append(s)
        return Sightings(tuple(out), tuple(gaps))
    if journal is not None:
        return parse_kernel_log(journal, "journalctl _TRANSPORT=kernel")
    raise Unsupported("usb.reason.no_logs")


def _has_journal_files(target: Target, directory: str) -> bool:
    """journald keeps ``<dir>/<machine-id>/*.journal``."""
    return any(n.endswith((".journal", ".journal~")) for sub in target.listdir(directory)
               for n in target.listdir(f"{directory}/{sub}"))


def _journal_text(target: Target) -> Optional[str]:
    """Kernel messages of every boot the journal kept; None when there is no journal here."""
    argv = ["journalctl", "_TRANSPORT=kernel", "-o", "short-iso", "--no-pager", "-q"]
    if target.is_live:
        stored = [d for d in ("/var/log/journal", "/run/log/journal") if _has_journal_files(target, d)]
        if not stored:
            return None  # journalctl would print nothing, which must not read as "no stick ever seen"
        if not target.has_tool("journalctl"):
            raise FactError("usb.reason.journal_tool", path=stored[0])
        if not target.privileged():
            # journalctl shows an unprivileged user only their own entries, never the kernel's.
            raise FactError("usb.reason.journal_permission")
        return target.run(argv, timeout=20)
    directory = "/var/log/journal"
    if not _has_journal_files(target, directory):
        return None
    tool = shutil.which("journalctl")
    if tool is None:
        raise FactError("usb.reason.journal_tool", path=directory)
    # The scanning host's journalctl reads the image's journal files; nothing in the image runs.
    proc = subprocess.run([tool, "-D", target.host_path(directory), *argv[1:]], capture_output=True, timeout=20,
                          check=False)
    if proc.returncode != 0:
        raise FactError("usb.reason.journal_failed", reason=proc.stderr.decode("utf-8", "replace").strip()[:200])
    return proc.stdout.decode("utf-8", "replace")


def collect_history(ctx: CollectContext) -> Tuple[DeviceSighting, ...]:
    target = ctx.target
    has_files = any(target.glob(g) for g in LOG_GLOBS)
    return read_history(target, None if has_files else _journal_text(target))


LINUX: Dict[str, Collector] = {
    "usb.attached": collect_attached,
    "usb.driver": collect_driver,
    "usb.history": collect_history,
    "usb.mounts": collect_mounts,
}
