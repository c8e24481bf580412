"""deploy/ansible for real: ansible-core (from PyPI, `make test` installs it) drives three
"terminals" — sshd instances in network namespaces this test creates, each with its own host
name (UTS namespace), machine-id and network configuration — installs ybguard from a
wheelhouse over SSH, scans, fetches the reports and ingests them; `fleet summary` must then
show exactly the differences between the terminals, and between two nights.

What is real and what is arranged, honestly:
- the wheelhouse is tests/fleet/fleet_wheelhouse.py's: this worktree's ybguard wheel plus the wheels
  of its dependencies for this machine only, in the layout of `make wheelhouse`;
- the terminals share this machine's file system, so each one's install prefix, /etc/ybguard
  and state directory are pointed (role variables) at its own directory under tmp_path, and
  the scans run `--only network.*`: the non-network checks would all read this one host;
- addresses are 10.77.N.0/24 only, between namespaces made here; no packet leaves them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import fleet_wheelhouse as wheelhouse
import pytest
import yaml

from netns import Netns, Topology, veth
from network.test_netns import hermetic_etc

pytestmark = [pytest.mark.netns, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO / "deploy" / "ansible" / "ybguard-fleet.yml"
SSHD = "/usr/sbin/sshd"

POLICY = """\
policy:
  id: yb-fleet-test
  version: 1
network:
  leased_line:
    interfaces: [eth0]
  allowed_networks: [10.50.0.0/16, 10.77.0.0/16]
  allowed_dns: [10.50.0.53]
  forbid_default_route: true
  allow_ip_forwarding: false
"""


def ansible_playbook() -> str:
    local = REPO / ".venv-ansible" / "bin" / "ansible-playbook"
    found = str(local) if local.exists() else shutil.which("ansible-playbook")
    if not found:
        pytest.fail("ansible-playbook is missing: make test installs ansible-core into .venv-ansible")
    return found


class Terminal:
    def __init__(self, topo: Topology, ctl: Netns, index: int, tmp: Path) -> None:
        self.index = index
        self.hostname = f"yb-term-{index:02d}"
        self.machine_id = f"{index:02d}" * 16
        self.addr = f"10.77.{index}.2"
        self.dir = tmp / self.hostname
        self.dir.mkdir()
        self.ns = topo.ns(f"t{index}")
        veth(self.ns, "eth0", ctl, f"t{index}")
        self.ns.ip(f"addr add {self.addr}/24 dev eth0")
        ctl.ip(f"addr add 10.77.{index}.1/24 dev t{index}")
        self.ns.ip(f"route add 10.50.0.0/16 via 10.77.{index}.1")
        hermetic_etc(self.ns)
        self.ns.write_etc("machine-id", self.machine_id + "\n")
        self.proc: subprocess.Popen[bytes] | None = None

    def start_sshd(self, tmp: Path) -> None:
        conf = self.dir / "sshd_config"
        conf.write_text(f"""ListenAddress {self.addr}
Port 22
HostKey {tmp}/hostkey
PidFile {self.dir}/sshd.pid
AuthorizedKeysFile {tmp}/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
""")
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation directory
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns.name, "unshare", "--uts", "sh", "-c",
             f"hostname {self.hostname} && exec {SSHD} -D -e -f {conf}"],
            stdout=subprocess.DEVNULL, stderr=open(self.dir / "sshd.log", "wb"))  # noqa: SIM115
        for _ in range(100):
            if f"{self.addr}:22" in self.ns.run(["ss", "-ltnH"]).stdout.decode():
                return
            time.sleep(0.1)
        raise AssertionError(f"sshd of {self.hostname} did not listen: {(self.dir / 'sshd.log').read_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def fleet(topo: Topology, tmp_path: Path):  # type: ignore[no-untyped-def]
    for tool in (SSHD, "/usr/bin/ssh-keygen", "/usr/bin/ssh"):
        if not os.path.exists(tool):
            pytest.fail(f"{tool} is missing: make test installs openssh-server")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "hostkey")], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "id_ed25519")], check=True)
    shutil.copy(tmp_path / "id_ed25519.pub", tmp_path / "authorized_keys")
    ctl = topo.ns("ctl")
    terms = [Terminal(topo, ctl, i, tmp_path) for i in (1, 2, 3)]
    try:
        for term in terms:
            term.start_sshd(tmp_path)
        yield ctl, terms
    finally:
        for term in terms:
            term.stop()


def write_inventory(tmp: Path, terms: List[Terminal]) -> Path:
    ybguard = str(Path(sys.executable).with_name("ybguard"))
    (tmp / "files").mkdir()
    (tmp / "files" / "policy.yaml").write_text(POLICY, encoding="utf-8")
    hosts: Dict[str, dict] = {}
    for t in terms:
        hosts[t.hostname] = {
            "ansible_host": t.addr, "ybguard_prefix": str(t.dir / "opt-ybguard"), "ybguard_etc": str(t.dir / "etc-ybguard"),
            "ybguard_state": str(t.dir / "var-lib-ybguard"), "ansible_remote_tmp": str(t.dir / "ansible-tmp")}
    inventory = {"all": {"children": {"ybguard_terminals": {"hosts": hosts, "vars": {
        "ansible_user": "root", "ansible_ssh_private_key_file": str(tmp / "id_ed25519"),
        "ansible_ssh_common_args": "-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
                                   " -o IdentitiesOnly=yes",
        "ansible_python_interpreter": "/usr/bin/python3",
        "ybguard_python": "/usr/bin/python3",
        "ybguard_wheelhouse": str(tmp / "wheelhouse"),
        "ybguard_policy_src": str(tmp / "files" / "policy.yaml"),
        "ybguard_control_ybguard": ybguard,
        "ybguard_control_cache": str(tmp / "control-cache"),
        "ybguard_fleet_reports": str(tmp / "reports"),
        "ybguard_fleet_db": str(tmp / "fleet.db"),
        "ybguard_fleet_dashboard": str(tmp / "dashboard.html"),
        "ybguard_fleet_lang": "en",
        "ybguard_scan_args": ["--only", "network.*"],
    }}}}}
    path = tmp / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    return path


RECAP = re.compile(r"^(?P<host>\S+)\s+: ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
                   r"\s+failed=(?P<failed>\d+)", re.M)


def play(ctl: Netns, tmp: Path, inventory: Path, *args: str) -> Dict[str, Any]:
    """ansible-playbook inside the control namespace (default output, parsed): {"stats", "changed"}."""
    home = tmp / "ansible-home"
    env = {**os.environ, "ANSIBLE_HOME": str(home), "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
           "ANSIBLE_HOST_KEY_CHECKING": "False", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "0",
           "ANSIBLE_PIPELINING": "1", "ANSIBLE_FORKS": "3", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    started = time.monotonic()
    proc = subprocess.run(["ip", "netns", "exec", ctl.name, ansible_playbook(), "-i", str(inventory), str(PLAYBOOK),
                           *args], capture_output=True, text=True, timeout=600, env=env)
    print(f"ansible-playbook {' '.join(args)}: {time.monotonic() - started:.1f} s", file=sys.stderr)
    assert proc.returncode == 0, f"ansible-playbook {args} -> {proc.returncode}: {proc.stdout[-6000:]}{proc.stderr[-3000:]}"
    stats = {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"} for m in RECAP.finditer(proc.stdout)}
    changed: Dict[str, List[str]] = {}
    task = ""
    for line in proc.stdout.splitlines():
        if line.startswith("TASK ["):
            task = line[len("TASK ["):].split("]")[0]
        m = re.match(r"^changed: \[([^\]]+)\]", line)
        if m:
            changed.setdefault(m.group(1).split(" -> ")[0], []).append(task)
    return {"stats": stats, "changed": changed, "output": proc.stdout}


def fleet_cli(ctl: Netns, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", "netns", "exec", ctl.name, sys.executable, "-m", "ybguard", "fleet", *args],
                          capture_output=True, text=True, timeout=120)


def test_ansible_fleet_run(fleet, tmp_path: Path) -> None:
    ctl, terms = fleet
    t1, t2, t3 = terms
    t2.ns.ip("route add default via 10.77.2.1")  # night 1: t2 has a path to the Internet
    t3.ns.sysctl("net.ipv4.ip_forward", "1")     # t3 forwards (extends the 医保 network)
    wheelhouse.build(tmp_path / "wheelhouse")
    inventory = write_inventory(tmp_path, terms)

    # --check before anything is installed: it says what would change, and changes nothing
    play(ctl, tmp_path, inventory, "--check")
    assert not any((t.dir / "opt-ybguard").exists() or (t.dir / "etc-ybguard").exists() for t in terms)
    assert not (tmp_path / "reports").exists() and not (tmp_path / "fleet.db").exists()

    night1 = play(ctl, tmp_path, inventory)
    assert sorted(night1["stats"]) == ["localhost", "yb-term-01", "yb-term-02", "yb-term-03"] or \
        sorted(night1["stats"]) == ["yb-term-01", "yb-term-02", "yb-term-03"], night1["output"][-3000:]
    assert all(s["failed"] == 0 and s["unreachable"] == 0 for s in night1["stats"].values())
    for t in terms:
        assert (t.dir / "opt-ybguard" / "bin" / "ybguard").exists()
        assert (t.dir / "etc-ybguard" / "policy.yaml").read_text(encoding="utf-8") == POLICY
        [fetched] = list((tmp_path / "reports" / t.hostname).glob("*.json"))
        report = json.loads(fetched.read_text(encoding="utf-8"))
        assert (report["host"]["hostname"], report["host"]["machine_id"]) == (t.hostname, t.machine_id)
    first = json.loads(fleet_cli(ctl, "summary", "--db", str(tmp_path / "fleet.db"), "--format", "json").stdout)
    verdicts = {x["hostname"]: (x["status"], sorted({c["check"] for c in x["problems"]})) for x in first["terminals"]}
    assert verdicts == {"yb-term-01": ("compliant", []),
                        "yb-term-02": ("non_compliant", ["network.default-route", "network.public-route"]),
                        "yb-term-03": ("non_compliant", ["network.ip-forwarding"])}

    # night 2: t1 was given a public resolver, t2's default route was removed, t3 unchanged.
    # The whole play again: idempotent, so only the new report's fetch, ingest and dashboard change.
    t1.ns.write_etc("resolv.conf", "nameserver 114.114.114.114\n")
    t2.ns.ip("route del default via 10.77.2.1")
    night2 = play(ctl, tmp_path, inventory)
    nightly = {"ybguard : Fetch the JSON report to the control node", "ybguard : Ingest the fetched reports into the fleet store",
               "ybguard : Morning dashboard (HTML)"}
    assert set(night2["changed"]) <= {t.hostname for t in terms}, night2["changed"]
    for host, tasks in night2["changed"].items():
        assert set(tasks) <= nightly, (host, tasks)
    summary = fleet_cli(ctl, "summary", "--db", str(tmp_path / "fleet.db"), "--format", "json")
    assert summary.returncode == 0, summary.stderr
    data = json.loads(summary.stdout)
    assert data["reports"] == 6
    got = {x["hostname"]: (x["status"], sorted(c["check"] for c in x["new"]), sorted(c["check"] for c in x["fixed"]),
                           x["machine_id"]) for x in data["terminals"]}
    assert got == {
        "yb-term-01": ("non_compliant", ["network.dns"], [], t1.machine_id),
        "yb-term-02": ("compliant", [], ["network.default-route", "network.public-route"], t2.machine_id),
        "yb-term-03": ("non_compliant", [], [], t3.machine_id)}
    assert [(c["check"], c["failing"]) for c in data["checks"]] == [("network.dns", 1), ("network.ip-forwarding", 1)]
    assert not any(x["stale"] for x in data["terminals"])
    console = fleet_cli(ctl, "summary", "--db", str(tmp_path / "fleet.db"), "--lang", "en")
    assert "+ new: network.dns 114.114.114.114" in console.stdout, console.stdout
    assert "- fixed: network.default-route default via 10.77.2.1 dev eth0 table main" in console.stdout
    assert "COMPLIANT" in (tmp_path / "dashboard.html").read_text(encoding="utf-8")
    show = fleet_cli(ctl, "show", "yb-term-02", "--db", str(tmp_path / "fleet.db"), "--format", "json")
    assert [e["status"] for e in json.loads(show.stdout)[0]["entries"]] == ["compliant", "non_compliant"]
