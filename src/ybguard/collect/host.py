"""Host identity: hostname, OS, kernel, architecture — in every report.

On an offline image nothing runs, so the kernel is the newest one installed (``/lib/modules``)
and the architecture comes from the ELF header of ``/bin/sh``.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import Dict, List, Optional

from ..target.interface import Target
from .interface import CollectContext


@dataclass(frozen=True)
class HostIdentity:
    hostname: str
    os: str
    kernel: str
    arch: str
    os_version: str = ""
    machine_id: str = ""  # the stable id fleet tools key a terminal by (with the host name); "" = unknown


def parse_os_release(text: str) -> Dict[str, str]:
    """/etc/os-release -> {KEY: value}, quotes removed (os-release(5))."""
    out: Dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        out[key.strip()] = re.sub(r"\\(.)", r"\1", value)
    return out


# ELF e_machine -> the name `uname -m` prints.
_ELF_MACHINES = {0x03: "i686", 0x08: "mips", 0x14: "ppc", 0x15: "ppc64", 0x16: "s390x", 0x28: "arm",
                 0x2B: "sparc64", 0x3E: "x86_64", 0xB7: "aarch64", 0xF3: "riscv64", 0x102: "loongarch64"}


def parse_elf_machine(header: bytes) -> Optional[str]:
    """The architecture an ELF binary was built for, from its first 20 bytes; None if not ELF."""
    if len(header) < 20 or header[:4] != b"\x7fELF" or header[5] not in (1, 2):
        return None
    (machine,) = struct.unpack("<H" if header[5] == 1 else ">H", header[18:20])
    return _ELF_MACHINES.get(machine, f"elf-machine-{machine:#x}")


def _version_key(name: str) -> List[object]:
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", name) if p]


def newest_kernel(names: List[str]) -> str:
    """The highest version among /lib/modules entry names ("" when there are none)."""
    return max(names, key=_version_key) if names else ""


_MACHINE_ID = re.compile(r"[0-9a-f]{32}")
MACHINE_ID_FILES = ("/etc/machine-id", "/var/lib/dbus/machine-id")  # systemd's, then D-Bus's own copy


def parse_machine_id(text: str) -> str:
    """machine-id(5): 32 hexadecimal characters and a newline. An empty file or ``uninitialized``
    (golden images ship one so that the first boot makes a new id) is no id at all: ""."""
    value = text.strip().lower()
    return value if _MACHINE_ID.fullmatch(value) else ""


def read_machine_id(target: Target) -> str:
    """The terminal's machine-id, "" when no readable file holds a valid one (identity is best effort)."""
    for path in MACHINE_ID_FILES:
        try:
            text = target.read_text_optional(path, limit=4096)
        except OSError:
            continue
        value = parse_machine_id(text or "")
        if value:
            return value
    return ""


def collect_host(ctx: CollectContext) -> HostIdentity:
    target = ctx.target
    release = target.read_text_optional("/etc/os-release") or target.read_text_optional("/usr/lib/os-release") or ""
    info = parse_os_release(release)
    os_name = info.get("PRETTY_NAME") or " ".join(x for x in (info.get("NAME"), info.get("VERSION_ID")) if x) or "unknown"
    os_version = info.get("VERSION_ID", "")
    if target.is_live:
        uname = target.uname()
        hostname = uname.hostname
        kernel = f"{uname.sysname} {uname.release}"
        arch = uname.machine
    else:
        hostname = (target.read_text_optional("/etc/hostname") or "").strip() or "unknown"
        modules = target.listdir("/lib/modules") or target.listdir("/usr/lib/modules")
        newest = newest_kernel(modules)
        kernel = f"Linux {newest}" if newest else ""
        arch = ""
        for shell in ("/bin/sh", "/usr/bin/sh", "/bin/busybox"):
            try:
                with target.open_bytes(shell) as fh:  # the ELF header only; read_bytes wants whole files
                    header = fh.read(20)
            except OSError:
                continue
            arch = parse_elf_machine(header) or ""
            if arch:
                break
    return HostIdentity(hostname=hostname, os=os_name, kernel=kernel, arch=arch, os_version=os_version,
                        machine_id=read_machine_id(target))


LINUX = {"host.identity": collect_host}
