"""A 医保 terminal in namespaces: eth0 = leased line to the platform, eth1 = broadband to the "Internet".

    term eth0 10.88.0.2/30 ── plat eth0 10.88.0.1/30, 10.50.0.1 on lo (the 医保 platform)
    term eth1 192.168.100.2/24 ── inet eth0 192.168.100.1/24, 198.51.100.10 + .53 on lo

IPv6 is disabled in all three so that no router solicitation or DAD packet is ever counted.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import List

from netns import Netns, Topology, veth

PEERS = Path(__file__).with_name("peers.py")

POLICY = """\
policy: {id: capture-test, version: 1}
network:
  leased_line: {interfaces: [eth0]}
  allowed_networks: [10.50.0.0/16, 10.88.0.0/30]
  allowed_dns: [10.50.0.53]
%s
"""


class Lab:
    def __init__(self, topo: Topology, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.term, self.plat, self.inet = topo.ns("term"), topo.ns("plat"), topo.ns("inet")
        self.procs: List[subprocess.Popen] = []
        for ns in (self.term, self.plat, self.inet):
            ns.sysctl("net.ipv6.conf.all.disable_ipv6", "1")
            ns.sysctl("net.ipv6.conf.default.disable_ipv6", "1")
        veth(self.term, "eth0", self.plat, "eth0")
        veth(self.term, "eth1", self.inet, "eth0")
        for ns in (self.term, self.plat, self.inet):
            for dev in ("eth0", "eth1"):
                ns.run(["sysctl", "-q", "-w", f"net.ipv6.conf.{dev}.disable_ipv6=1"], check=False)
        self.term.ip("addr add 10.88.0.2/30 dev eth0")
        self.term.ip("route add 10.50.0.0/16 via 10.88.0.1 dev eth0")
        self.term.ip("addr add 192.168.100.2/24 dev eth1")
        self.plat.ip("addr add 10.88.0.1/30 dev eth0")
        self.plat.ip("addr add 10.50.0.1/32 dev lo")
        self.inet.ip("addr add 192.168.100.1/24 dev eth0")
        self.inet.ip("addr add 198.51.100.10/32 dev lo")
        self.inet.ip("addr add 198.51.100.53/32 dev lo")
        self.term.write_etc("resolv.conf", "nameserver 198.51.100.53\n")

    def broadband_route(self) -> None:
        """The violation: a default route through the broadband NIC."""
        self.term.ip("route add default via 192.168.100.1 dev eth1")

    def policy(self, extra: str = "", name: str = "policy.yaml") -> str:
        path = self.tmp / name
        path.write_text(POLICY % extra)
        return str(path)

    def start(self, ns: Netns, *args: str, ttl: float = 30) -> subprocess.Popen:
        """Run peers.py in ``ns`` and wait until it says it is ready."""
        proc = subprocess.Popen(["ip", "netns", "exec", ns.name, sys.executable, str(PEERS), "--ttl", str(ttl), *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.PIPE)
        self.procs.append(proc)
        line = proc.stdout.readline() if proc.stdout else b""
        if line.strip() != b"ready":
            proc.kill()
            raise AssertionError(f"peer helper failed: {proc.stderr.read().decode() if proc.stderr else ''}")
        return proc

    def ybguard(self, ns: Netns, *args: str) -> subprocess.Popen:
        proc = subprocess.Popen(["ip", "netns", "exec", ns.name, sys.executable, "-m", "ybguard", *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.procs.append(proc)
        return proc

    def wait_for_taps(self, ns: Netns, count: int, timeout: float = 15.0) -> None:
        """Until ``count`` packet sockets in ``ns`` are bound to ETH_P_ALL (/proc/net/packet)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            rows = ns.run(["cat", "/proc/net/packet"]).stdout.decode().splitlines()[1:]
            bound = [r for r in rows if r.split()[3] == "0003" and r.split()[5] == "1"]
            if len(bound) >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"capture did not start in {ns.name}")

    def close(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait(timeout=10)


def report_of(proc: subprocess.Popen, timeout: float = 60) -> tuple:
    import json

    out, err = proc.communicate(timeout=timeout)
    try:
        return proc.returncode, json.loads(out)
    except ValueError:
        raise AssertionError(f"no JSON report (exit {proc.returncode}): {err.decode(errors='replace')}") from None


def only(report: dict, check: str) -> List[dict]:
    return [f for f in report["findings"] if f["check"] == check]


def fails(report: dict, check: str) -> set:
    return {f["subject"] for f in only(report, check) if f["status"] == "fail"}


def statuses(report: dict, check: str) -> set:
    return {f["status"] for f in only(report, check)}


