"""collect.sh run by an ordinary user: what it could not read must make the scan fail closed,
exactly as an unprivileged live scan does — never read as "nothing there"."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import List

import pytest

from evidencekit import scan_bundle, write_kit
from netns import Netns, Topology
from network.test_netns import terminal, write_policy

pytestmark = pytest.mark.netns

AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
APT_CONF_D = Path("/etc/apt/apt.conf.d")


def _as_nobody(ns: Netns, private: Path, argv: List[str], env: dict) -> subprocess.CompletedProcess:
    """argv as nobody inside ``ns``, with a root-only directory (``private``) over /etc/apt/apt.conf.d
    in a mount namespace of its own."""
    ip = shutil.which("ip")
    assert ip is not None
    script = 'mount --make-rprivate / && mount --bind "$1" /etc/apt/apt.conf.d && shift && exec "$@"'
    return subprocess.run([ip, "netns", "exec", ns.name, "unshare", "-m", "sh", "-c", script, "sh", str(private),
                           *AS_NOBODY, *argv], capture_output=True, timeout=300, env=env)


def test_unreadable_directories_are_errors_not_passes(topo: Topology, tmp_path: Path) -> None:
    """An apt proxy in a directory the collector could not list: the live scan as the same user
    says error, and so must the bundle (it once read as "no proxy configured": a pass)."""
    if shutil.which("setpriv") is None or shutil.which("unshare") is None or not APT_CONF_D.is_dir():
        pytest.skip("needs setpriv, unshare (util-linux) and /etc/apt/apt.conf.d")
    term, _ = terminal(topo)
    (term.etc / "apt" / "apt.conf.d").mkdir(parents=True, exist_ok=True)  # the mount point, in its /etc/apt
    private = tmp_path / "apt.conf.d"
    private.mkdir()
    (private / "01proxy").write_text('Acquire::http::Proxy "http://192.168.77.1:3142";\n')
    private.chmod(0o700)  # root only
    shared = Path(tempfile.mkdtemp(prefix="ybguard-nobody-", dir="/tmp"))
    try:
        shared.chmod(0o777)
        kit = write_kit(shared / "kit")
        out = shared / "bundle"
        env = {**os.environ, "HOME": str(shared)}
        proc = _as_nobody(term, private, ["sh", str(kit), str(out)], env)
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-1500:]
        doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert doc["host"]["elevated"] is False
        policy = write_policy(shared)
        import unpriv  # the checkout may sit where uid 65534 cannot enter (mode 700)

        live = _as_nobody(term, private, [*unpriv.python_argv(drop=()), "-m", "ybguard", "scan", "--format", "json",
                                          "--only", "network.proxy", "--policy", policy], unpriv.env(env))
        [live_finding] = json.loads(live.stdout)["findings"]
        assert live_finding["status"] == "error"  # the live scan cannot list the directory either
        code, report, err = scan_bundle(out, "--only", "network.proxy", "--policy", policy)
        [finding] = report["findings"]
        assert finding["status"] == "error", finding  # never "no proxy configured"
        assert code == 3, err
    finally:
        shutil.rmtree(shared, ignore_errors=True)
