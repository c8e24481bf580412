"""The live Linux path, with the host put into the state in namespaces the test made:
listening sockets and a firewall in a network namespace, TMOUT through ``ip netns exec``'s
/etc/netns bind mounts, and installed kernels in a private mount namespace (an overlay of
/usr/lib that only the scan sees)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from netns import Netns, subjects, unique

pytestmark = pytest.mark.netns

LISTEN = textwrap.dedent("""\
    import socket, sys, time
    socks = []
    for family, kind, addr in ((socket.AF_INET, socket.SOCK_STREAM, ("10.88.0.2", 445)),
                               (socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", 8080)),
                               (socket.AF_INET6, socket.SOCK_STREAM, ("::", 3389)),
                               (socket.AF_INET, socket.SOCK_DGRAM, ("0.0.0.0", 5353))):
        s = socket.socket(family, kind)
        s.bind(addr)
        if kind == socket.SOCK_STREAM:
            s.listen()
        socks.append(s)
    print("ready", flush=True)
    time.sleep(60)
""")


def _policy(tmp_path: Path, extra: str = "") -> Path:
    p = tmp_path / "policy.yaml"
    p.write_text("policy: {id: djbh-live, version: 1}\n" + extra)
    return p


@pytest.fixture
def ns():  # type: ignore[no-untyped-def]
    n = Netns(unique("yb-djbh"))
    try:
        yield n
    finally:
        n.delete()


def test_listening_ports_in_a_namespace(ns: Netns, tmp_path: Path) -> None:
    ns.ip("addr add 10.88.0.2/32 dev lo")  # an address the terminal would own on its leased line
    proc = subprocess.Popen(["ip", "netns", "exec", ns.name, sys.executable, "-c", LISTEN], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        _, report = ns.scan_json("--policy", str(_policy(tmp_path)), "--only", "hardening.services")
        ports = {s for s in subjects(report, "hardening.services") if "/" in s}
        assert ports == {"tcp/445", "tcp/3389", "udp/5353"}  # 127.0.0.1:8080 is not exposed
        policy = _policy(tmp_path, "djbh: {allowed_listen_ports: [445, 3389, 5353]}\n")
        _, report = ns.scan_json("--policy", str(policy), "--only", "hardening.services")
        assert {s for s in subjects(report, "hardening.services") if "/" in s} == set()
    finally:
        proc.kill()
        proc.wait()


def test_firewall_rules_of_the_namespace(ns: Netns, tmp_path: Path) -> None:
    policy = str(_policy(tmp_path))
    _, report = ns.scan_json("--policy", policy, "--only", "hardening.firewall")
    assert subjects(report, "hardening.firewall") == {"firewall"}  # a fresh namespace filters nothing
    ns.run(["nft", "add table inet filter"])
    ns.run(["nft", "add chain inet filter input { type filter hook input priority 0 ; policy accept ; }"])
    _, report = ns.scan_json("--policy", policy, "--only", "hardening.firewall")
    assert subjects(report, "hardening.firewall") == {"firewall"}
    ns.run(["nft", "add chain inet filter input { type filter hook input priority 0 ; policy drop ; }"])
    _, report = ns.scan_json("--policy", policy, "--only", "hardening.firewall")
    assert subjects(report, "hardening.firewall", "pass") == {"nftables inet filter input"}


def test_tmout_through_etc_netns(ns: Netns, tmp_path: Path) -> None:
    host_files = [Path(p) for p in ("/etc/profile", "/etc/bash.bashrc", "/etc/bashrc", "/etc/environment")]
    if any(p.exists() and "TMOUT=" in p.read_text(errors="replace") for p in host_files):
        pytest.skip("this host sets TMOUT outside /etc/profile.d")
    if os.path.exists("/usr/bin/gnome-shell") or os.path.exists("/usr/bin/ukui-session"):
        pytest.skip("this host has a desktop; its dconf settings are the host's")
    policy = str(_policy(tmp_path))
    ns.write_etc("profile.d/ybguard-none.sh", "# nothing\n")  # /etc/profile.d as the scan sees it
    _, report = ns.scan_json("--policy", policy, "--only", "logon.idle-lock")
    assert subjects(report, "logon.idle-lock") == {"shell (TMOUT)"}
    ns.write_etc("profile.d/ybguard-tmout.sh", "readonly TMOUT=300\n")
    _, report = ns.scan_json("--policy", policy, "--only", "logon.idle-lock")
    assert subjects(report, "logon.idle-lock", "pass") == {"shell (TMOUT)"}


def _kernel_scan(tmp_path: Path, installed: list) -> dict:
    running = Path("/proc/sys/kernel/osrelease").read_text().strip()
    upper, work = tmp_path / "upper", tmp_path / "work"
    for name in installed:
        (upper / "modules" / name.replace("RUNNING", running) / "kernel").mkdir(parents=True)
    work.mkdir()
    script = (f"mount --make-rprivate / && mount -t overlay overlay -o lowerdir=/usr/lib,upperdir={upper},"
              f"workdir={work} /usr/lib && exec {sys.executable} -m ybguard scan --format json "
              f"--policy {_policy(tmp_path)} --only patches.kernel")
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, timeout=60)
    return json.loads(proc.stdout)


def test_running_kernel_against_installed_in_a_mount_namespace(tmp_path: Path) -> None:
    if Path("/lib").resolve() != Path("/usr/lib"):
        pytest.skip("/lib is not merged into /usr/lib here")
    running = Path("/proc/sys/kernel/osrelease").read_text().strip()
    flavour = re.sub(r"^[\d.]+(?:-[\d.]+)?", "", running)  # "-amd64" of 6.1.0-18-amd64
    newer = "99.0.0-1" + flavour
    report = _kernel_scan(tmp_path / "a", ["RUNNING", newer])
    assert subjects(report, "patches.kernel") == {running}
    report = _kernel_scan(tmp_path / "b", ["RUNNING"])
    assert subjects(report, "patches.kernel", "pass") == {running}
