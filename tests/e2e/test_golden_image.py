"""A golden image checked the way CI checks one: the real CLI, every check, on a real Debian root.

The debootstrap root is first hardened into a compliant 医保 terminal image (leased line only,
USB storage disabled, passwords policy set), which must come out `compliant`; then the usual
ways a terminal image goes wrong are added, and the report must name exactly those.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, Set, Tuple
from xml.etree import ElementTree as ET

import pytest

POLICY = """\
policy: {id: golden-image-ci, version: 1}
network:
  leased_line: {interfaces: [eno1]}
  allowed_networks: [10.50.0.0/16, 10.88.0.0/30]
  allowed_dns: [10.50.0.53]
usb: {storage: deny, require_driver_disabled: true, optical: deny}
software:
  mode: denylist
  deny: [sunloginclient*, todesk*, frpc, ngrok*]
accounts: {password_min_length: 8, password_max_age_days: 90, forbid_empty_passwords: true}
"""
# No time.ntp_servers: a minbase root has no time-sync daemon at all, which time.ntp-config would
# rightly fail (tests/accounts cover time sources on images that have one).

LEASED = """\
network:
  version: 2
  renderer: networkd
  ethernets:
    eno1:
      addresses: [10.88.0.2/30]
      routes:
        - to: 10.50.0.0/16
          via: 10.88.0.1
      nameservers:
        addresses: [10.50.0.53]
"""

WIFI = """\
network:
  version: 2
  wifis:
    wlp2s0:
      dhcp4: true
      access-points:
        "Hospital-Guest":
          password: "not-a-real-secret"
"""

SUNLOGIN = """\
Package: sunloginclient
Status: install ok installed
Priority: optional
Section: net
Architecture: amd64
Version: 15.2.0.63064

"""


def ybguard(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ybguard", *args], capture_output=True, timeout=120)


def by_status(report: dict) -> Dict[str, Set[Tuple[str, str]]]:
    out: Dict[str, Set[Tuple[str, str]]] = {}
    for f in report["findings"]:
        out.setdefault(f["status"], set()).add((f["check"], f["subject"]))
    return out


def harden(root: Path) -> None:
    (root / "etc/netplan").mkdir(parents=True, exist_ok=True)
    (root / "etc/netplan/01-leased-line.yaml").write_text(LEASED)
    (root / "etc/resolv.conf").write_text("nameserver 10.50.0.53\n")
    (root / "etc/modprobe.d").mkdir(parents=True, exist_ok=True)
    (root / "etc/modprobe.d/ybguard-usb.conf").write_text(
        "install usb-storage /bin/false\ninstall uas /bin/false\nblacklist usb-storage\nblacklist uas\n")
    pam = root / "etc/pam.d/common-password"
    pam.write_text(pam.read_text().replace("pam_unix.so obscure yescrypt", "pam_unix.so obscure yescrypt minlen=8"))
    defs = root / "etc/login.defs"
    defs.write_text(defs.read_text().replace("PASS_MAX_DAYS\t99999", "PASS_MAX_DAYS\t90"))
    from djbhroots import harden_djbh  # the 等保 controls: complexity, lockout, TMOUT, auditd, ufw, ClamAV …

    harden_djbh(root)


@pytest.mark.slow
def test_golden_image_compliant_then_each_violation_named(debian_root_path: Path, tmp_path: Path) -> None:
    from debroot import clone_root

    root = clone_root(tmp_path / "root")
    harden(root)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    junit = tmp_path / "ybguard.xml"

    proc = ybguard("scan", "--root", str(root), "--policy", str(policy), "--format", "json", "--lang", "zh",
                   "-o", f"junit={junit}")
    report = json.loads(proc.stdout)
    statuses = by_status(report)
    assert report["host"]["target"] == "rootfs" and report["host"]["root"] == str(root)
    assert statuses.get("fail", set()) == set() and statuses.get("error", set()) == set(), statuses
    assert report["summary"]["status"] == "compliant" and proc.returncode == 0
    # live-only facts are not_applicable, with the reason, on an image
    live_only = {c for c, _ in statuses["not_applicable"]}
    assert {"network.sockets", "usb.storage-attached", "usb.optical", "software.processes",
            "network.live-traffic"} <= live_only
    reasons = {f["check"]: f["message"] for f in report["findings"] if f["status"] == "not_applicable"}
    assert "离线镜像" in reasons["network.sockets"]
    suite = ET.parse(junit).getroot()
    assert suite.find(".//failure") is None and suite.find(".//error") is None

    # The ways a terminal image goes wrong.
    (root / "etc/netplan/60-wifi.yaml").write_text(WIFI)
    (root / "etc/sysctl.d").mkdir(exist_ok=True)
    (root / "etc/sysctl.d/99-router.conf").write_text("net.ipv4.ip_forward = 1\n")
    (root / "etc/nftables.conf").write_text(
        "table ip nat {\n  chain postrouting {\n    type nat hook postrouting priority 100;\n"
        "    oifname \"wlp2s0\" masquerade\n  }\n}\n")
    (root / "etc/resolv.conf").write_text("nameserver 114.114.114.114\n")
    (root / "etc/modprobe.d/ybguard-usb.conf").unlink()
    with open(root / "var/lib/dpkg/status", "a") as fh:
        fh.write(SUNLOGIN)
    with open(root / "etc/passwd", "a") as fh:
        fh.write("toor:x:0:0:root:/root:/bin/bash\n")
    with open(root / "etc/shadow", "a") as fh:
        fh.write("toor::20000:0:90:7:::\n")

    proc = ybguard("scan", "--root", str(root), "--policy", str(policy), "--format", "json", "--lang", "en")
    report = json.loads(proc.stdout)
    fails = by_status(report).get("fail", set())
    assert {c for c, _ in fails} == {
        "network.public-route", "network.default-route", "network.forbidden-interface", "network.dual-homed",
        "network.ip-forwarding", "network.nat", "network.dns", "usb.storage-driver", "software.installed",
        "accounts.empty-password", "accounts.uid0"}, fails
    assert ("network.forbidden-interface", "wlp2s0") in fails
    assert ("network.dual-homed", "wlp2s0") in fails
    assert ("network.dns", "114.114.114.114") in fails
    assert ("software.installed", "sunloginclient") in fails
    assert ("accounts.uid0", "toor") in fails and ("accounts.empty-password", "toor") in fails
    assert {s for c, s in fails if c == "usb.storage-driver"} == {"usb-storage", "uas"}
    assert {s for c, s in fails if c == "network.default-route"} == {"default via dhcp dev wlp2s0 table main"}
    assert report["summary"]["status"] == "non_compliant" and proc.returncode == 1
    assert "not-a-real-secret" not in proc.stdout.decode()
