"""host.machine_id: the id the fleet store keys a terminal by (with the host name)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reportschema import validate_report
from ybguard.collect import FactSet, ScanOptions, registry_for
from ybguard.collect.host import parse_machine_id
from ybguard.policy.schema import Policy
from ybguard.target import RootfsTarget

ID = "3d1219c7c4c5404aaa1f6d2a48adfda4"


def identity(root: Path):  # type: ignore[no-untyped-def]
    return FactSet(RootfsTarget(str(root)), Policy(), ScanOptions(), registry_for("linux")).get("host.identity")


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize("text, expected", [
    (ID + "\n", ID), (ID.upper() + "\n", ID), ("", ""), ("uninitialized\n", ""),
    (ID[:31] + "\n", ""), (ID + "0\n", ""), ("not a machine id at all, 32 ch\n", ""),
])
def test_parse_machine_id(text: str, expected: str) -> None:
    assert parse_machine_id(text) == expected


def test_etc_machine_id_first_then_dbus(tmp_path: Path) -> None:
    write(tmp_path, "etc/hostname", "yb-term-01\n")
    assert identity(tmp_path).machine_id == ""  # none at all: unknown, not invented
    write(tmp_path, "var/lib/dbus/machine-id", "0123456789abcdef0123456789abcdef\n")
    assert identity(tmp_path).machine_id == "0123456789abcdef0123456789abcdef"
    write(tmp_path, "etc/machine-id", "uninitialized\n")  # a golden image waiting for its first boot
    assert identity(tmp_path).machine_id == "0123456789abcdef0123456789abcdef"
    write(tmp_path, "etc/machine-id", ID + "\n")
    assert identity(tmp_path).machine_id == ID


def test_machine_id_link_cannot_leave_the_image(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/machine-id").symlink_to("/etc/machine-id")  # resolved inside the image: absent there
    assert identity(tmp_path).machine_id == ""


def test_scan_report_carries_machine_id(tmp_path: Path) -> None:
    write(tmp_path, "etc/hostname", "yb-term-02\n")
    write(tmp_path, "etc/os-release", 'ID=debian\nVERSION_ID="12"\n')  # an OS image
    write(tmp_path, "etc/machine-id", ID + "\n")
    proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--root", str(tmp_path), "--format", "json",
                           "--only", "usb.storage-driver"], capture_output=True, timeout=120)
    data = json.loads(proc.stdout)
    validate_report(data)
    assert data["host"]["hostname"] == "yb-term-02" and data["host"]["machine_id"] == ID


def test_debian_root_machine_id_is_what_the_file_says(debian_root_path: Path) -> None:
    expected = parse_machine_id((debian_root_path / "etc/machine-id").read_text()) \
        if (debian_root_path / "etc/machine-id").exists() else ""
    assert identity(debian_root_path).machine_id == expected
