"""The real CLI inside real network namespaces: one compliant terminal, one scenario per check.

Topology: "term" (the terminal) -- veth eth0 10.88.0.2/30 -- "plat" (the 医保 platform,
10.88.0.1, 10.50.0.0/16 behind it). Some scenarios add "lan" (192.168.77.0/24, a hospital
LAN or "Internet" stand-in). Routes to public prefixes are route entries only; the only
traffic is one TCP handshake between two of these namespaces in the sockets scenario.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence, Tuple

import pytest

from evidencekit import collect, scan_bundle, tools_dir, write_kit
from netns import Netns, Topology, findings, subjects, veth

pytestmark = pytest.mark.netns

Scan = Callable[..., Tuple[int, dict]]

NETWORK_CHECKS = ("network.public-route", "network.wireless-history", "network.live-traffic", "network.probe", "network.default-route", "network.forbidden-interface",
                  "network.dual-homed", "network.ip-forwarding", "network.nat", "network.bridge-leased-line",
                  "network.shared-connection", "network.dns", "network.proxy", "network.sockets")

POLICY = """\
policy:
  id: yb-terminal-test
  version: 3
  title: 医保联网计算机信息安全基线（测试）

network:
  leased_line:
    interfaces: [{leased}]
  allowed_networks: [{allowed}]
  allowed_dns: [10.50.0.53]
  forbid_default_route: true
  forbidden_interface_kinds: [wireless, cellular, usb-tether, ppp, vpn, bridge]
  allow_ip_forwarding: {forwarding}
"""


def write_policy(tmp_path: Path, leased: str = "eth0", extra_allowed: Tuple[str, ...] = (),
                 forwarding: str = "false") -> str:
    allowed = ", ".join(("10.50.0.0/16", "10.88.0.0/30") + extra_allowed)
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY.format(leased=leased, allowed=allowed, forwarding=forwarding), encoding="utf-8")
    return str(path)


def hermetic_etc(ns: Netns) -> None:
    """Shadow the host's proxy/DNS configuration inside the namespace (``ip netns exec`` binds
    /etc/netns/NAME/X over /etc/X), so the host running the tests cannot change the verdict."""
    ns.write_etc("resolv.conf", "nameserver 10.50.0.53\n")
    ns.write_etc("environment", "")
    for directory in ("apt", "profile.d", "dconf", "NetworkManager"):
        if Path("/etc", directory).is_dir():
            (ns.etc / directory).mkdir(parents=True, exist_ok=True)


def terminal(topo: Topology) -> Tuple[Netns, Netns]:
    """The compliant leased-line terminal and its platform."""
    term, plat = topo.ns("term"), topo.ns("plat")
    veth(term, "eth0", plat, "eth0")
    term.ip("addr add 10.88.0.2/30 dev eth0")
    plat.ip("addr add 10.88.0.1/30 dev eth0")
    plat.ip("addr add 10.50.0.10/32 dev lo")
    term.ip("route add 10.50.0.0/16 via 10.88.0.1")
    hermetic_etc(term)
    return term, plat


def add_lan(topo: Topology, term: Netns, ifname: str = "eth1") -> Netns:
    lan = topo.ns("lan")
    veth(term, ifname, lan, "eth0")
    term.ip(f"addr add 192.168.77.2/24 dev {ifname}")
    lan.ip("addr add 192.168.77.1/24 dev eth0")
    return lan


def scan_live(ns: Netns, policy: str, env: Optional[Dict[str, str]] = None, *extra: str) -> Tuple[int, dict]:
    if env is None:
        code, report = ns.scan_json("--only", "network.*", "--policy", policy, *extra)
    else:  # the scanner's PATH differs from ours: start it by absolute paths
        ip = shutil.which("ip")
        assert ip is not None
        proc = subprocess.run([ip, "netns", "exec", ns.name, sys.executable, "-m", "ybguard", "scan", "--format",
                               "json", "--only", "network.*", "--policy", policy],
                              capture_output=True, timeout=60, env={**os.environ, **env})
        code, report = proc.returncode, json.loads(proc.stdout)
    assert {f["check"] for f in report["findings"]} == set(NETWORK_CHECKS)
    return code, report


def scan_evidence(ns: Netns, policy: str, collector: Path, out: Path, env: Optional[Dict[str, str]] = None,
                  *extra: str) -> Tuple[int, dict]:
    """The same scenario, in two steps: collect.sh inside the namespace, scan --evidence outside it."""
    if env is not None:  # hide from the collector what the live scan's PATH hides
        env = {**env, "PATH": tools_dir(out.parent / "tools", env["PATH"].split(":"))}
    collect(ns, collector, out, env)
    extra = tuple(a for a in extra if a not in ("--capture", "1"))  # nothing to watch in a recording
    code, report, err = scan_bundle(out, "--only", "network.*", "--policy", policy, *extra)
    assert code != 2, err
    assert report["host"]["target"] == "linux-evidence" and len(report["evidence"]["sha256"]) == 64
    assert {f["check"] for f in report["findings"]} == set(NETWORK_CHECKS)
    return code, report


@pytest.fixture(scope="module")
def linux_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kit(tmp_path_factory.mktemp("kit") / "kit")


@pytest.fixture(params=["live", "evidence"])
def scan(request: pytest.FixtureRequest, linux_kit: Path, tmp_path: Path) -> Scan:
    """Each scenario twice: the live scan, and collect.sh + scan --evidence (issue 13's parity): every
    assertion of the scenario holds for both, so both give the same verdict and failing subjects."""
    runs = itertools.count()

    def run(ns: Netns, policy: str, env: Optional[Dict[str, str]] = None, *extra: str) -> Tuple[int, dict]:
        if request.param == "live":
            code, report = scan_live(ns, policy, env, *extra)
        else:
            code, report = scan_evidence(ns, policy, linux_kit, tmp_path / f"bundle{next(runs)}", env, *extra)
        log = os.environ.get("YBGUARD_PARITY_LOG")
        if log:  # the parity table of the closing note: scenario, mode, verdict, failing subjects
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"test": request.node.name.split("[")[0], "mode": request.param,
                                     "verdict": report["summary"]["status"], "code": code,
                                     "fails": sorted(f"{f['check']} {f['subject']}" for f in report["findings"]
                                                     if f["status"] == "fail")}) + "\n")
        return code, report

    run.mode = request.param  # type: ignore[attr-defined]
    return run


def failing_checks(report: dict) -> set:
    return {f["check"] for f in report["findings"] if f["status"] == "fail"}


def test_compliant_leased_line_terminal(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    term, _ = terminal(topo)
    # A compliant terminal passes every network check, live traffic included (a 1 s capture);
    # only the probe is not requested.
    code, report = scan(term, write_policy(tmp_path), None, "--capture", "1")
    bad = [(f["check"], f["status"], f["subject"]) for f in report["findings"] if f["status"] != "pass"]
    # this host runs no NetworkManager, so it keeps no record of networks joined; a recording
    # cannot be watched (live-traffic) nor probed
    recorded = [("network.live-traffic", "not_applicable", "host")] if scan.mode == "evidence" else []
    assert bad == [*recorded, ("network.probe", "not_applicable", "host"),
                   ("network.wireless-history", "not_applicable", "host")]
    assert report["summary"]["status"] == "compliant"
    assert code == 0


def test_compliant_with_the_contract_example_policy(topo: Topology, example_policy_path: Path, scan: Scan) -> None:
    term, _ = terminal(topo)
    code, report = scan(term, str(example_policy_path))
    assert [(f["check"], f["status"]) for f in report["findings"] if f["status"] != "pass"] == [
        ("network.live-traffic", "not_applicable"), ("network.probe", "not_applicable"),  # neither requested
        ("network.wireless-history", "not_applicable")]  # no NetworkManager history on this host
    assert code == 0


def test_default_route(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    term, _ = terminal(topo)
    term.ip("route add default via 10.88.0.1")
    term.ip("route add blackhole 0.0.0.0/0 table 100")  # no rule reaches it, and it is no path anyway
    code, report = scan(term, write_policy(tmp_path))
    assert subjects(report, "network.public-route") == {"default via 10.88.0.1 dev eth0 table main"}
    assert subjects(report, "network.default-route") == {"default via 10.88.0.1 dev eth0 table main"}
    assert failing_checks(report) == {"network.public-route", "network.default-route"}
    [finding] = findings(report, "network.public-route")
    assert finding["severity"] == "critical"
    assert any("32766: from all lookup main" in e["detail"] for e in finding["evidence"])
    assert code == 1


def test_split_default_large_prefix_and_host_routes(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    term, _ = terminal(topo)
    for route in ("0.0.0.0/1 via 10.88.0.1", "128.0.0.0/1 via 10.88.0.1", "1.0.0.0/8 via 10.88.0.1",
                  "8.8.8.8/32 via 10.88.0.1", "58.20.0.0/16 via 10.88.0.1",  # allowed by the policy below
                  "192.168.0.0/16 via 10.88.0.1", "100.64.0.0/10 via 10.88.0.1",  # not global
                  "prohibit 9.9.9.9/32", "unreachable 114.114.114.114/32"):
        term.ip(f"route add {route}")
    term.ip("-6 route add 2400::/12 via fe80::1 dev eth0")
    term.ip("-6 route add fd00:1::/64 via fe80::1 dev eth0")
    code, report = scan(term, write_policy(tmp_path, extra_allowed=("58.20.0.0/16",)))
    assert subjects(report, "network.public-route") == {
        "0.0.0.0/1 via 10.88.0.1 dev eth0 table main",
        "128.0.0.0/1 via 10.88.0.1 dev eth0 table main",
        "1.0.0.0/8 via 10.88.0.1 dev eth0 table main",
        "8.8.8.8/32 via 10.88.0.1 dev eth0 table main",
        "2400::/12 via fe80::1 dev eth0 table main",
    }
    assert failing_checks(report) == {"network.public-route"}  # a split default is no "default route"
    assert code == 1


def test_policy_routing_tables_and_rules(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    term, _ = terminal(topo)
    term.ip("route add default via 10.88.0.1 table 100")
    term.ip("rule add from 10.88.0.2 lookup 100 prio 100")
    term.ip("route add default via 10.88.0.1 table 200")  # no rule names table 200
    term.ip("route add 1.0.0.0/8 via 10.88.0.1 table 300")
    term.ip("rule add prohibit prio 500")  # catch-all: everything below is shadowed
    term.ip("rule add lookup 300 prio 600")
    term.ip("-6 route add default via fe80::1 dev eth0 table 400")
    term.ip("-6 rule add fwmark 0x5 lookup 400 prio 100")
    code, report = scan(term, write_policy(tmp_path))
    assert subjects(report, "network.public-route") == {
        "default via 10.88.0.1 dev eth0 table 100", "default via fe80::1 dev eth0 table 400"}
    assert subjects(report, "network.default-route") == {
        "default via 10.88.0.1 dev eth0 table 100", "default via fe80::1 dev eth0 table 400"}
    [finding] = [f for f in findings(report, "network.public-route") if "table 100" in f["subject"]]
    assert any("100: from 10.88.0.2 lookup 100" in e["detail"] for e in finding["evidence"])
    assert code == 1


def test_forbidden_interfaces_tun_tap_bridge(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    term, _ = terminal(topo)
    term.ip("tuntap add tun0 mode tun")
    term.ip("addr add 172.16.9.1/24 dev tun0")
    term.ip("link set tun0 up")
    term.ip("tuntap add tap0 mode tap")
    term.ip("link add br9 type bridge")
    code, report = scan(term, write_policy(tmp_path))
    got = {f["subject"]: f["severity"] for f in findings(report, "network.forbidden-interface")}
    assert got == {"tun0": "critical", "tap0": "medium", "br9": "medium"}
    assert subjects(report, "network.dual-homed") == {"tun0"}
    assert failing_checks(report) == {"network.forbidden-interface", "network.dual-homed"}
    assert code == 1


@pytest.mark.parametrize("by_mac", [False, True])
def test_dual_homed(topo: Topology, tmp_path: Path, by_mac: bool, scan: Scan) -> None:
    term, _ = terminal(topo)
    add_lan(topo, term, "eth1")
    leased = "eth0"
    if by_mac:
        term.ip("link set eth0 name lease7")  # the policy names the leased line by MAC only
        leased = term.run(["cat", "/sys/class/net/lease7/address"]).stdout.decode().strip()
    code, report = scan(term, write_policy(tmp_path, leased=leased))
    assert subjects(report, "network.dual-homed") == {"eth1"}
    assert failing_checks(report) == {"network.dual-homed"}
    assert code == 1


def test_ip_forwarding(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    term, _ = terminal(topo)
    term.sysctl("net.ipv4.ip_forward", "1")
    term.sysctl("net.ipv6.conf.all.forwarding", "1")
    policy = write_policy(tmp_path)
    code, report = scan(term, policy)
    assert subjects(report, "network.ip-forwarding") == {"net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"}
    assert failing_checks(report) == {"network.ip-forwarding"}
    assert code == 1
    # per-interface IPv4 forwarding still forwards what arrives on that interface
    term.sysctl("net.ipv4.ip_forward", "0")
    term.sysctl("net.ipv6.conf.all.forwarding", "0")
    term.sysctl("net.ipv4.conf.eth0.forwarding", "1")
    code, report = scan(term, policy)
    assert subjects(report, "network.ip-forwarding") == {"net.ipv4.conf.eth0.forwarding"}
    # and the policy can allow it
    code, report = scan(term, write_policy(tmp_path, forwarding="true"))
    assert failing_checks(report) == set() and code == 0


def test_nat_rules_nft_and_iptables(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    term, _ = terminal(topo)
    term.run(["nft", "add", "table", "ip", "ybnat"])
    term.run(["nft", "add chain ip ybnat post { type nat hook postrouting priority 100; }"])
    term.run(["nft", "add", "rule", "ip", "ybnat", "post", "oifname", "eth0", "masquerade"])
    term.run(["iptables-legacy", "-t", "nat", "-A", "POSTROUTING", "-s", "192.168.77.0/24", "-j", "SNAT",
              "--to-source", "10.88.0.2"])
    code, report = scan(term, write_policy(tmp_path))
    assert subjects(report, "network.nat") == {
        "nft ip ybnat post: oifname == eth0 masquerade",
        "-A POSTROUTING -s 192.168.77.0/24 -j SNAT --to-source 10.88.0.2",
    }
    assert failing_checks(report) == {"network.nat"}
    assert code == 1


def test_nat_iptables_nft_backend(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    term, _ = terminal(topo)
    term.run(["iptables-nft", "-t", "nat", "-A", "PREROUTING", "-i", "eth0", "-p", "tcp", "--dport", "3389",
              "-j", "DNAT", "--to-destination", "192.168.77.9:3389"])
    code, report = scan(term, write_policy(tmp_path))
    [subject] = subjects(report, "network.nat")
    assert subject.startswith("nft ip nat PREROUTING: ") and subject.endswith("xt target DNAT")
    assert code == 1


def test_bridge_holding_leased_line(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    term, _ = terminal(topo)
    term.ip("addr flush dev eth0")
    term.ip("link add br0 type bridge")
    term.ip("link set eth0 master br0")
    term.ip("addr add 10.88.0.2/30 dev br0")
    term.ip("link set br0 up")
    term.ip("route add 10.50.0.0/16 via 10.88.0.1")
    code, report = scan(term, write_policy(tmp_path))
    assert subjects(report, "network.bridge-leased-line") == {"br0"}
    assert subjects(report, "network.forbidden-interface") == {"br0"}
    # br0's address is inside allowed_networks: not dual-homed
    assert failing_checks(report) == {"network.bridge-leased-line", "network.forbidden-interface"}
    assert code == 1


def test_shared_connection_access_point_daemon(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    term, _ = terminal(topo)
    fake = tmp_path / "hostapd"  # a real process whose name is hostapd, in the terminal's namespace
    shutil.copy("/bin/sleep", fake)
    proc = subprocess.Popen(["ip", "netns", "exec", term.name, str(fake), "30"])
    try:
        for _ in range(50):
            if any(_comm(p) == "hostapd" for p in _children(proc.pid)) or _comm(proc.pid) == "hostapd":
                break
            time.sleep(0.05)
        code, report = scan(term, write_policy(tmp_path))
    finally:
        proc.kill()
        proc.wait()
    assert subjects(report, "network.shared-connection") == {"hostapd"}
    assert failing_checks(report) == {"network.shared-connection"}
    assert code == 1


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _children(pid: int) -> list:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_dns_public_and_unlisted_resolvers(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    term, _ = terminal(topo)
    term.write_etc("resolv.conf", "nameserver 10.50.0.53\nnameserver 223.5.5.5\nnameserver 192.168.77.53\n")
    code, report = scan(term, write_policy(tmp_path))
    assert subjects(report, "network.dns") == {"223.5.5.5", "192.168.77.53"}
    [ali] = [f for f in findings(report, "network.dns") if f["subject"] == "223.5.5.5"]
    assert "AliDNS" in ali["message"]
    assert ali["evidence"] == [{"source": "/etc/resolv.conf:2", "detail": "223.5.5.5"}]
    assert failing_checks(report) == {"network.dns"}
    assert code == 1


def test_proxies_configured(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    term, _ = terminal(topo)
    term.write_etc("environment", 'PATH="/usr/bin:/bin"\nhttps_proxy="http://192.168.77.1:3128"\n')
    term.write_etc("apt/apt.conf.d/01proxy", 'Acquire::http::Proxy "http://192.168.77.1:3142";\n')
    code, report = scan(term, write_policy(tmp_path))
    assert subjects(report, "network.proxy") == {
        "https_proxy @ /etc/environment:2", "Acquire::http::Proxy @ /etc/apt/apt.conf.d/01proxy:1"}
    assert failing_checks(report) == {"network.proxy"}
    assert code == 1


CLIENT = r"""
import socket, sys, time
tcp = socket.create_connection(("192.168.77.1", 8080), timeout=5)
ok = socket.create_connection(("10.50.0.10", 8443), timeout=5)  # inside allowed_networks
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.connect(("192.168.77.1", 5353))  # connect() on UDP sends nothing
print("ready", flush=True)
sys.stdin.read()
"""

SERVER = r"""
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(4)
print("ready", flush=True)
conn, _ = s.accept()
sys.stdin.read()
"""


def _spawn(ns: Netns, code: str, *args: str) -> subprocess.Popen:
    proc = subprocess.Popen(["ip", "netns", "exec", ns.name, sys.executable, "-c", code, *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"ready"
    return proc


def test_sockets_name_the_process(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    term, plat = terminal(topo)
    lan = add_lan(topo, term, "eth1")
    procs = [_spawn(lan, SERVER, "192.168.77.1", "8080"), _spawn(plat, SERVER, "10.50.0.10", "8443")]
    try:
        client = _spawn(term, CLIENT)
        procs.append(client)
        name = Path(f"/proc/{client.pid}/comm").read_text().strip()
        code, report = scan(term, write_policy(tmp_path))
    finally:
        for p in procs:
            p.kill()
            p.wait()
    assert subjects(report, "network.sockets") == {
        f"{name} (pid {client.pid}) -> 192.168.77.1:8080", f"{name} (pid {client.pid}) -> 192.168.77.1:5353"}
    assert failing_checks(report) == {"network.sockets", "network.dual-homed"}
    assert code == 1


def _scan_without(ns: Netns, policy: str, hidden: Sequence[str]) -> Tuple[int, dict]:
    """Scan with the tools in ``hidden`` gone: ybguard also searches the sbin directories whatever
    PATH says (cron's lacks them), so a short PATH no longer hides anything. Instead an empty
    tmpfs covers /usr/sbin and /usr/local/sbin, and an empty non-executable file covers each hidden
    tool found elsewhere, in the scan's own mount namespace (the host is untouched)."""
    empty = "/dev/null"
    steps = ["set -e", "mount -t tmpfs tmpfs /usr/sbin", "mount -t tmpfs tmpfs /usr/local/sbin"]
    for tool in hidden:
        found = shutil.which(tool, path="/usr/local/bin:/usr/bin:/bin")
        if found:
            steps.append(f"mount --bind {empty} {os.path.realpath(found)}")
    steps.append(" ".join([sys.executable, "-m", "ybguard", "scan", "--format", "json", "--only", "network.*",
                           "--policy", policy]))
    ip = shutil.which("ip")
    assert ip is not None
    proc = subprocess.run([ip, "netns", "exec", ns.name, "/bin/sh", "-c", "\n".join(steps)], capture_output=True,
                          timeout=60)
    report = json.loads(proc.stdout)
    assert {f["check"] for f in report["findings"]} == set(NETWORK_CHECKS)
    return proc.returncode, report


def test_unreadable_facts_are_errors(topo: Topology, tmp_path: Path) -> None:
    """Without nft (netfilter present) NAT cannot be read: error, and the scan is incomplete."""
    term, _ = terminal(topo)
    netfilter = ("nft", "iptables-save", "ip6tables-save", "iptables-legacy-save", "ip6tables-legacy-save")
    code, report = _scan_without(term, write_policy(tmp_path), netfilter)
    errors = {f["check"] for f in report["findings"] if f["status"] == "error"}
    assert errors == {"network.nat"}
    assert failing_checks(report) == set()
    assert report["summary"]["status"] == "incomplete" and code == 3
    # and without ip, interfaces and routes are errors too — never a pass
    code, report = _scan_without(term, write_policy(tmp_path), (*netfilter, "ip"))
    errors = {f["check"] for f in report["findings"] if f["status"] == "error"}
    assert errors == {"network.nat", "network.public-route", "network.default-route", "network.forbidden-interface",
                      "network.dual-homed", "network.bridge-leased-line"}
    assert code == 3


INTERFACES_DUMP = r"""
import json
from ybguard.collect import FactSet, ScanOptions, registry_for
from ybguard.policy.schema import Policy
from ybguard.target.linux import LiveLinuxTarget
facts = FactSet(LiveLinuxTarget(), Policy(), ScanOptions(), registry_for("linux"))
print(json.dumps({i.name: [i.kind, i.up, i.master, list(i.ports), [str(a) for a in i.addresses]]
                  for i in facts.get("network.interfaces")}))
"""


def test_interface_kinds_from_the_running_kernel(topo: Topology) -> None:
    term, _ = terminal(topo)
    term.ip("link add br5 type bridge")
    term.ip("link add p5a type veth peer name p5b")
    term.ip("link set p5a master br5")
    term.ip("link add link eth0 name mv5 type macvlan")
    term.ip("tuntap add tun5 mode tun")
    term.ip("tuntap add tap5 mode tap")
    got = json.loads(term.run([sys.executable, "-c", INTERFACES_DUMP]).stdout)
    kinds = {name: v[0] for name, v in got.items()}
    assert kinds == {"lo": "loopback", "eth0": "veth", "br5": "bridge", "p5a": "veth", "p5b": "veth",
                     "mv5": "macvlan", "tun5": "vpn", "tap5": "vpn"}
    assert got["p5a"][2] == "br5" and got["br5"][3] == ["p5a"]
    assert got["eth0"][1] is True and got["eth0"][4][0] == "10.88.0.2/30"
    assert got["tap5"][1] is False


def test_selective_stop_rules_do_not_shadow_main(topo: Topology, tmp_path: Path, scan: Scan) -> None:
    """A blackhole/unreachable rule that only matches some packets (a uid range, a source-port
    range, a routing realm) lets every other packet fall through to main: its default route
    must still be found. ``ip -json rule`` names these selectors uid_start, sport_start, dport_start."""
    term, _ = terminal(topo)
    term.ip("route add default via 10.88.0.1")
    term.ip("rule add uidrange 1000-2000 unreachable prio 10")
    term.ip("rule add sport 1000-2000 prohibit prio 11")
    term.ip("rule add dport 1000-2000 blackhole prio 13")
    code, report = scan(term, write_policy(tmp_path))
    assert subjects(report, "network.public-route") == {"default via 10.88.0.1 dev eth0 table main"}
    assert subjects(report, "network.default-route") == {"default via 10.88.0.1 dev eth0 table main"}
    assert code == 1
