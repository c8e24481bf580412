"""An in-memory registry for the cases no public hive holds (a RemovableStorageDevices policy,
NetworkList Wi-Fi profiles, ICS switched on, a proxy set …).

It implements the same ``Hive``/``RegKey`` interface the regipy and winreg backends do, so the
collectors under test are exactly the production ones; only the bytes come from the test.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence

from ybguard.target.windows import Hive, Registry, RegKey, UserHive, WindowsImageTarget


class MemKey(RegKey):
    def __init__(self, path: str, name: str, tree: Dict[str, Any]) -> None:
        self.path = path
        self.name = name
        self._tree = tree

    def subkeys(self) -> List[RegKey]:
        return [MemKey(f"{self.path}\\{k}", k, v) for k, v in self._tree.items() if isinstance(v, dict)]

    def _load_values(self) -> Dict[str, Any]:
        return {k: v for k, v in self._tree.items() if not isinstance(v, dict)}

    def last_write(self) -> Optional[datetime]:
        return None


class MemHive(Hive):
    """``tree``: nested dicts are keys, anything else a value (int = DWORD, list = MULTI_SZ …)."""

    def __init__(self, label: str, tree: Dict[str, Any]) -> None:
        self.label = label
        self.source = "memory"
        self._tree = tree

    def key(self, path: str) -> Optional[RegKey]:
        node: Any = self._tree
        real = []
        for part in [p for p in path.split("\\") if p]:
            match = next((k for k in node if k.lower() == part.lower() and isinstance(node[k], dict)), None)
            if match is None:
                return None
            real.append(match)
            node = node[match]
        return MemKey("\\".join([self.label, *real]), real[-1] if real else self.label, node)


def mem_target(system: Dict[str, Any], software: Optional[Dict[str, Any]] = None,
               users: Sequence[tuple] = (), sam: Optional[Dict[str, Any]] = None) -> WindowsImageTarget:
    registry = Registry(
        system=lambda: MemHive("HKLM\\SYSTEM", system),
        software=lambda: MemHive("HKLM\\SOFTWARE", software) if software is not None else None,
        sam=lambda: MemHive("HKLM\\SAM", sam) if sam is not None else None,
        ntusers=lambda: [UserHive(name, MemHive(f"HKU\\{name}", tree)) for name, tree in users],
    )
    return WindowsImageTarget("/nonexistent", registry, volume=False)


def base_system(**services: Any) -> Dict[str, Any]:
    """A minimal SYSTEM: Select\\Current=1 and ControlSet001 with the given Services subkeys."""
    svc: Dict[str, Any] = {"USBSTOR": {"Start": 3}, "Tcpip": {"Parameters": {"Interfaces": {}}}}
    svc.update(services)
    return {"Select": {"Current": 1}, "ControlSet001": {
        "Control": {"ComputerName": {"ComputerName": {"ComputerName": "YB-TERM-01"}}}, "Services": svc}}
