"""host.machine_id on Windows: HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MachineGuid."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

from memreg import base_system, mem_target
from winhives import make_hives_dir

from ybguard.collect import FactSet, ScanOptions, registry_for
from ybguard.policy.schema import Policy
from ybguard.target import open_target

GUID = "8f2c4a1e-5b3d-4c6e-9a7f-0d1e2f3a4b5c"


def ident(target):  # type: ignore[no-untyped-def]
    return FactSet(target, Policy(), ScanOptions(), registry_for("windows")).get("host.identity")


def test_machine_guid_from_software_hive() -> None:
    crypto = {"Microsoft": {"Cryptography": {"MachineGuid": "{" + GUID.upper() + "}"}}}
    assert ident(mem_target(base_system(), software=crypto)).machine_id == GUID
    assert ident(mem_target(base_system(), software={"Microsoft": {"Cryptography": {"MachineGuid": "x"}}})).machine_id == ""
    assert ident(mem_target(base_system(), software=None)).machine_id == ""  # no SOFTWARE hive: unknown


def test_real_hives_without_machine_guid(hive_files: Dict[str, Path], tmp_path: Path) -> None:
    """The public SOFTWARE hives hold no MachineGuid (README of the fixtures): empty, never invented."""
    d = make_hives_dir(tmp_path, hive_files, SYSTEM="win10", SOFTWARE="software_delta")
    assert ident(open_target(None, str(d))).machine_id == ""
