"""Host identity of a Windows target: computer name, product and build, architecture."""

from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

from ...target.windows import RegKey
from ..host import HostIdentity
from ..interface import CollectContext, Collector
from .common import (
    _registry,
    _system_key,
)


def _os_name(cur: Optional[RegKey]) -> Tuple[str, str]:
    """(OS name, kernel) from SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion."""
    if cur is None:
        return "Windows", ""
    product = cur.str_value("ProductName") or "Windows"
    build = cur.str_value("CurrentBuildNumber") or cur.str_value("CurrentBuild")
    if build.isdigit() and int(build) >= 22000:
        product = product.replace("Windows 10", "Windows 11")  # Windows 11 still says 10 here
    release = cur.str_value("DisplayVersion") or cur.str_value("ReleaseId")
    major, minor = cur.int_value("CurrentMajorVersionNumber"), cur.int_value("CurrentMinorVersionNumber")
    version = f"{major}.{minor}" if major is not None and minor is not None else cur.str_value("CurrentVersion")
    name = " ".join(x for x in (product, release, f"(build {build})" if build else "") if x)
    kernel = "Windows NT " + ".".join(x for x in (version, build) if x) if version else ""
    return name, kernel


def collect_host(ctx: CollectContext) -> HostIdentity:
    reg = _registry(ctx)
    cn = _system_key(reg, "Control\\ComputerName\\ComputerName")
    hostname = cn.str_value("ComputerName") if cn is not None else ""
    if not hostname:
        tcpip = _system_key(reg, "Services\\Tcpip\\Parameters")
        hostname = (tcpip.str_value("Hostname") if tcpip is not None else "") or "unknown"
    env = _system_key(reg, "Control\\Session Manager\\Environment")
    arch = env.str_value("PROCESSOR_ARCHITECTURE") if env is not None else ""
    software = reg.software
    machine_id = ""
    if software is None:
        os_name, kernel = "Windows (SOFTWARE hive not given)", ""
    else:
        os_name, kernel = _os_name(software.key("Microsoft\\Windows NT\\CurrentVersion"))
        machine_id = machine_guid(software.key("Microsoft\\Cryptography"))
    return HostIdentity(hostname=hostname, os=os_name, kernel=kernel, arch=arch, machine_id=machine_id)


_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def machine_guid(key: Optional[RegKey]) -> str:
    """HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MachineGuid, lower case; "" when absent or not a GUID."""
    value = key.str_value("MachineGuid").strip().strip("{}").lower() if key is not None else ""
    return value if _GUID.fullmatch(value) else ""


FACTS: Dict[str, Collector] = {"host.identity": collect_host}
