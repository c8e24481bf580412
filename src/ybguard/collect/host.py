"""Host identity: hostname, OS, kernel, architecture — in every report."""

from __future__ import annotations

import os
import platform
import socket
from dataclasses import dataclass
from typing import Dict

from .interface import CollectContext


@dataclass(frozen=True)
class HostIdentity:
    hostname: str
    os: str
    kernel: str
    arch: str


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
        out[key.strip()] = value.replace('\\"', '"').replace("\\\\", "\\")
    return out


def collect_host(ctx: CollectContext) -> HostIdentity:
    target = ctx.target
    release = target.read_text_optional("/etc/os-release") or target.read_text_optional("/usr/lib/os-release") or ""
    info = parse_os_release(release)
    os_name = info.get("PRETTY_NAME") or " ".join(x for x in (info.get("NAME"), info.get("VERSION_ID")) if x) or "unknown"
    if target.is_live:
        hostname = socket.gethostname()
        uname = os.uname()
        kernel = f"{uname.sysname} {uname.release}"
        arch = uname.machine or platform.machine()
    else:
        hostname = (target.read_text_optional("/etc/hostname") or "").strip() or "unknown"
        kernel = ""
        arch = ""
    return HostIdentity(hostname=hostname, os=os_name, kernel=kernel, arch=arch)


LINUX = {"host.identity": collect_host}
