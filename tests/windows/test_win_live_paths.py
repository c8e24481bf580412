"""The live-Windows collectors, run on Linux against recorded tool output.

``RecordedTarget`` is a WindowsLiveTarget whose registry is in memory and whose ``run`` answers
with the files in tests/data/windows instead of starting route.exe / secedit.exe / net.exe.
Everything between the tool's output and the fact is the production code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Sequence

import pytest
from memreg import MemHive, base_system

from ybguard.collect import FactSet, ScanOptions, registry_for
from ybguard.models import TargetKind
from ybguard.policy.schema import Policy
from ybguard.target.windows import Registry, WindowsLiveTarget

DATA = Path(__file__).resolve().parent.parent / "data" / "windows"


class RecordedTarget(WindowsLiveTarget):
    def __init__(self, registry: Registry, outputs: Dict[str, str], secedit: bytes = b"") -> None:
        super().__init__(registry)
        self.outputs = outputs
        self.secedit = secedit
        self.calls: List[Sequence[str]] = []

    def run(self, argv: Sequence[str], timeout: float = 10.0) -> str:
        self.calls.append(list(argv))
        if argv[0] == "secedit":
            if not self.secedit:
                raise RuntimeError("secedit exited 1: access denied (not elevated)")
            with open(argv[argv.index("/cfg") + 1], "wb") as fh:
                fh.write(self.secedit)
            return ""
        return self.outputs[" ".join(argv)]


def _registry() -> Registry:
    net = "{4d36e972-e325-11ce-bfc1-08002be10318}"
    system = base_system(Tcpip={"Parameters": {"Interfaces": {
        "{L}": {"EnableDHCP": 0, "IPAddress": ["10.88.0.2"], "SubnetMask": ["255.255.255.252"]},
        "{W}": {"EnableDHCP": 1, "DhcpIPAddress": "192.168.1.23", "DhcpSubnetMask": "255.255.255.0",
                "DhcpDefaultGateway": ["192.168.1.1"]}}}})
    system["ControlSet001"]["Control"].update({
        "Class": {net: {"0001": {"NetCfgInstanceId": "{L}", "*PhysicalMediaType": 14},
                        "0002": {"NetCfgInstanceId": "{W}", "*PhysicalMediaType": 9}}},
        "Network": {net: {"{L}": {"Connection": {"Name": "以太网"}}, "{W}": {"Connection": {"Name": "WLAN"}}}}})
    return Registry(system=lambda: MemHive("HKLM\\SYSTEM", system), software=lambda: MemHive("HKLM\\SOFTWARE", {}),
                    sam=lambda: None, ntusers=lambda: [], control_set="ControlSet001")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_live_routes_from_route_print(lang: str) -> None:
    target = RecordedTarget(_registry(), {"route print": (DATA / f"route_print_{lang}.txt").read_text("utf-8")})
    assert target.kind is TargetKind.WINDOWS_LIVE and target.is_live
    facts = FactSet(target, Policy(), ScanOptions(), registry_for("windows"))
    routes = facts.get("network.routing").routes
    defaults = {(r.gateway, r.dev, r.protocol, r.source) for r in routes if r.dst.prefixlen == 0}
    assert defaults == {
        ("192.168.1.1", "WLAN", "dhcp", "HKLM\\SYSTEM\\ControlSet001\\Services\\Tcpip\\Parameters\\Interfaces\\{W} DhcpDefaultGateway"),
        ("192.168.1.1", "WLAN", "active", "route print"),  # the interface address mapped back to its name
    }
    lease = [r for r in routes if str(r.dst) == "10.50.0.0/16" and r.protocol == "active"]
    assert [r.dev for r in lease] == ["以太网"]


def test_live_password_policy_secedit_then_net_accounts() -> None:
    elevated = RecordedTarget(_registry(), {}, secedit=(DATA / "secedit_hardened_zh.inf").read_bytes())
    pol = FactSet(elevated, Policy(), ScanOptions(), registry_for("windows")).get("accounts.password_policy")
    assert (pol.min_length, pol.max_age_days) == (8, None)
    assert [c[0] for c in elevated.calls] == ["secedit"]
    plain = RecordedTarget(_registry(), {"net accounts": (DATA / "net_accounts_en.txt").read_text("utf-8")})
    pol = FactSet(plain, Policy(), ScanOptions(), registry_for("windows")).get("accounts.password_policy")
    assert (pol.min_length, pol.max_age_days) == (0, 42)
    assert [c[0] for c in plain.calls] == ["secedit", "net"]
    assert pol.sources[0][0] == "net accounts"


def test_live_net_accounts_garbage_is_an_error() -> None:
    target = RecordedTarget(_registry(), {"net accounts": "System error 5 has occurred.\n\nAccess is denied.\n"})
    with pytest.raises(ValueError):
        FactSet(target, Policy(), ScanOptions(), registry_for("windows")).get("accounts.password_policy")
