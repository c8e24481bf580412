"""The dpkg status parser on real status files, checked against dpkg-query itself."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Set

import pytest
from swhelp import stanza

from ybguard.collect.interface import FactError
from ybguard.collect.software import DPKG_PRESENT, parse_dpkg_status


def dpkg_query_present(admindir: str) -> Set[str]:
    out = subprocess.run(["dpkg-query", f"--admindir={admindir}", "-W", "-f", "${Package}\t${db:Status-Status}\n"],
                         capture_output=True, text=True, check=True).stdout
    return {line.split("\t")[0] for line in out.splitlines() if line.split("\t")[1] in DPKG_PRESENT}


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="needs a Debian host")
def test_this_hosts_status_file_agrees_with_dpkg_query() -> None:
    text = Path("/var/lib/dpkg/status").read_text(encoding="utf-8", errors="replace")
    assert {p.name for p in parse_dpkg_status(text)} == dpkg_query_present("/var/lib/dpkg")


def test_debootstrap_status_agrees_with_dpkg_query(debian_root_path: Path) -> None:
    admin = debian_root_path / "var/lib/dpkg"
    got = parse_dpkg_status((admin / "status").read_text())
    assert {p.name for p in got} == dpkg_query_present(str(admin))
    assert len(got) > 50
    assert all(p.manager == "dpkg" and p.version for p in got)


def test_status_words_decide_not_the_selection() -> None:
    text = "\n".join([
        stanza("held", "hold ok installed"),
        stanza("leaving", "deinstall ok installed"),
        stanza("unpacked-only", "install ok unpacked"),
        stanza("triggers", "install ok triggers-pending"),
        stanza("removed", "deinstall ok config-files"),
        stanza("purged", "purge ok not-installed"),
        stanza("broken-install", "install reinstreq half-installed"),
    ])
    got = {p.name: p.state for p in parse_dpkg_status(text)}
    assert got == {"held": "installed", "leaving": "installed", "unpacked-only": "unpacked",
                   "triggers": "triggers-pending"}


def test_line_numbers_point_at_the_stanza() -> None:
    text = stanza("a") + "\n" + stanza("b")
    assert [p.source for p in parse_dpkg_status(text, "/var/lib/dpkg/status")] == [
        "/var/lib/dpkg/status:1", "/var/lib/dpkg/status:14"]
    assert text.splitlines()[13] == "Package: b"


@pytest.mark.parametrize("damage", [
    "Package: x\nVersion: 1\n",  # no Status
    "Status: install ok installed\nVersion: 1\n",  # no Package
    "Package: x\nStatus: install ok sideways\n",  # a Status dpkg never writes
    "Package: x\nStatus: install ok installed\nthis line has no colon\n",
])
def test_damaged_status_is_an_error(damage: str) -> None:
    with pytest.raises(FactError) as info:
        parse_dpkg_status(stanza("fine") + "\n" + damage, "/var/lib/dpkg/status")
    assert info.value.args_map["line"] == 14
