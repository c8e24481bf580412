"""collect.sh for real: under bash, dash and busybox ash inside a terminal's namespace, and the
secrets it must not carry (the parity of every network scenario is in tests/network/test_netns.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evidencekit import collect, scan_bundle, write_kit
from netns import Topology, subjects
from network.test_netns import terminal, write_policy

pytestmark = pytest.mark.netns


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kit(tmp_path_factory.mktemp("kit") / "kit")


@pytest.mark.parametrize("shell", ["bash", "dash", "busybox"])
def test_collect_sh_under_every_shell(topo: Topology, tmp_path: Path, kit: Path, shell: str) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed (make test installs it)")
    term, _ = terminal(topo)
    term.ip("route add default via 10.88.0.1")
    term.write_etc("resolv.conf", "nameserver 10.50.0.53\nnameserver 223.5.5.5\n")
    out = tmp_path / "bundle"
    collect(term, kit, out, shell=shell)
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert doc["collector"] == {"name": "ybguard-collect.sh", "version": doc["collector"]["version"], "os": "linux"}
    commands = {a["command"]: a for a in doc["artifacts"] if a["kind"] == "command"}
    for cmd in ("ip -json -d addr show", "ip -json -4 route show table all", "ip -json -6 rule show",
                "nft -j list ruleset", "ls -l /proc/[0-9]*/fd", "uname -r"):
        assert isinstance(commands[cmd]["exit_code"], int) and len(commands[cmd]["sha256"]) == 64, cmd
    assert all(a["started_at"][-3] == ":" for a in doc["artifacts"] if a.get("started_at"))  # ISO 8601 offset
    code, report, err = scan_bundle(out, "--only", "network.*", "--policy", write_policy(tmp_path))
    assert code == 1, err
    assert subjects(report, "network.public-route") == {"default via 10.88.0.1 dev eth0 table main"}
    assert subjects(report, "network.dns") == {"223.5.5.5"}
    assert report["summary"]["status"] == "non_compliant"


PASSWD = """\
root:x:0:0:root:/root:/bin/bash
nurse:x:1000:1000:Nurse:/home/nurse:/bin/bash
nopass:x:1001:1001::/home/nopass:/bin/bash
locked:x:1002:1002::/home/locked:/bin/bash
"""
SHADOW = """\
root:$6$saltSALT$HASHhashHASHhash0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH:19000:0:99999:7:::
nurse:$y$j9T$SALTsalt$HASHyescryptHASH0123456789:20000:0:90:7:::
nopass::20000:0:99999:7:::
locked:!$6$saltLOCK$HASHlockedHASH:20000:0:99999:7:::
"""


def _in_mount_ns(argv: list, passwd: Path, shadow: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run argv with our passwd/shadow bound over the host's, in a private mount namespace."""
    script = ('mount --make-rprivate / && mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/shadow && '
              'shift 2 && exec "$@"')
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(passwd), str(shadow), *argv],
                          capture_output=True, timeout=timeout)


def test_shadow_is_reduced_and_the_account_checks_still_read_it(tmp_path: Path, kit: Path) -> None:
    """No hash or salt leaves the terminal, yet empty, locked and set passwords and the dates give
    the same account findings as a live scan."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    passwd, shadow = tmp_path / "passwd", tmp_path / "shadow"
    passwd.write_text(PASSWD)
    shadow.write_text(SHADOW)
    shadow.chmod(0o640)
    out = tmp_path / "bundle"
    proc = _in_mount_ns(["sh", str(kit), str(out)], passwd, shadow)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-1500:]
    reduced = (out / "files/etc/shadow").read_text()
    for secret in ("saltSALT", "HASHhash", "SALTsalt", "yescrypt", "saltLOCK", "HASHlocked"):
        assert secret not in reduced
    lengths = [len(line.split(":")[1].lstrip("!")) for line in SHADOW.splitlines()]
    assert reduced.splitlines() == [
        f"root:$6$[redacted,len={lengths[0]}]:19000:0:99999:7:::", f"nurse:$y$[redacted,len={lengths[1]}]:20000:0:90:7:::",
        "nopass::20000:0:99999:7:::", f"locked:!$6$[redacted,len={lengths[3]}]:20000:0:99999:7:::"]
    [art] = [a for a in json.loads((out / "manifest.json").read_text())["artifacts"] if a["path"] == "files/etc/shadow"]
    assert art["redacted"] is True
    live = _in_mount_ns([sys.executable, "-m", "ybguard", "scan", "--format", "json", "--only", "accounts.*"], passwd,
                        shadow)
    live_report = json.loads(live.stdout)
    code, report, err = scan_bundle(out, "--only", "accounts.*")
    got = {(f["check"], f["status"], f["subject"]) for f in report["findings"]}
    want = {(f["check"], f["status"], f["subject"]) for f in live_report["findings"]}
    assert got == want and code == live.returncode, err
    assert ("accounts.empty-password", "fail", "nopass") in got
