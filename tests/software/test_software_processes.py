"""Running processes against software.processes.deny: real processes, found by the real CLI."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from swhelp import failing, run_cli

from ybguard.checks.software import process_candidates
from ybguard.facts.software import Process


def _sleeper(tmp: Path, name: str) -> subprocess.Popen:
    exe = tmp / name
    shutil.copy(shutil.which("sleep") or "/bin/sleep", exe)
    return subprocess.Popen([str(exe), "60"])


def test_renamed_copy_is_found_by_the_cli(tmp_path: Path) -> None:
    proc = _sleeper(tmp_path, "frpc")
    try:
        code, report = run_cli("--only", "software.processes")
        assert failing(report, "software.processes") == {f"frpc (pid {proc.pid})"}
        assert code == 1
        [finding] = [f for f in report["findings"] if f["check"] == "software.processes"]
        assert finding["severity"] == "critical"
        assert any(str(tmp_path / "frpc") in e["detail"] for e in finding["evidence"])
    finally:
        proc.kill()
        proc.wait()


def test_exec_a_name_is_found(tmp_path: Path) -> None:
    """``exec -a ToDeskService sleep``: the kernel's name is still sleep; argv[0] gives it away."""
    proc = subprocess.Popen(["bash", "-c", "exec -a ToDesk_Service sleep 60"])
    try:
        _, report = run_cli("--only", "software.processes")
        assert failing(report, "software.processes") == {f"sleep (pid {proc.pid})"}
    finally:
        proc.kill()
        proc.wait()


def test_nothing_denied_running_passes(tmp_path: Path) -> None:
    proc = _sleeper(tmp_path, "ybclient-helper")
    try:
        code, report = run_cli("--only", "software.processes")
        assert [f["status"] for f in report["findings"]] == ["pass"]
        assert code == 0
    finally:
        proc.kill()
        proc.wait()


def test_offline_root_is_not_applicable(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "os-release").write_text("ID=debian\n")
    _, report = run_cli("--root", str(tmp_path), "--only", "software.processes", "--lang", "en")
    [finding] = report["findings"]
    assert finding["status"] == "not_applicable" and "offline image" in finding["message"]


def test_candidates_cover_deleted_executables() -> None:
    p = Process(pid=7, name="kworker", exe="/tmp/.x/ngrok (deleted)", argv0="[kworker/0:1]")
    assert "ngrok" in process_candidates(p)


def _scan_under_hidepid(program: str, check: str) -> tuple[subprocess.CompletedProcess, dict]:
    """Start a copy of sleep named ``program`` as root in a private pid+mount namespace whose /proc
    is mounted hidepid=2, then scan ``check`` as nobody (the host's /proc is never touched)."""
    import json
    import os
    import tempfile

    import pytest

    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("setpriv") is None:
        pytest.skip("needs root, unshare and setpriv")
    base = Path(tempfile.mkdtemp(prefix="ybproc-"))
    try:
        os.chmod(base, 0o755)
        shutil.copy(shutil.which("sleep") or "/bin/sleep", base / program)
        import shlex

        import unpriv  # the checkout may sit where uid 65534 cannot enter (mode 700)

        as_nobody = " ".join(shlex.quote(a) for a in unpriv.python_argv())
        script = (f"mount -t proc -o hidepid=2 proc /proc && {base}/{program} 30 & sleep 0.3; "
                  f"{as_nobody} -m ybguard scan "
                  f"--only {check} --format json; code=$?; kill %1; exit $code")
        proc = subprocess.run(["unshare", "--mount", "--pid", "--fork", "--propagation", "private", "sh", "-c", script],
                              capture_output=True, timeout=60, cwd="/", env=unpriv.env())
        return proc, json.loads(proc.stdout)
    finally:
        shutil.rmtree(base)


def test_hidden_processes_are_an_error_for_an_unprivileged_scan(tmp_path: Path) -> None:
    """With /proc mounted hidepid=2 an unprivileged scanner sees only its own processes: a root
    frpc is invisible and "no denied process" would be a lie."""
    proc, report = _scan_under_hidepid("frpc", "software.processes")
    assert [(f["status"], f["subject"]) for f in report["findings"]] == [("error", "host")], report["findings"]
    assert "hidepid" in report["findings"][0]["message"]
    assert proc.returncode == 3


def test_hidden_access_point_daemon_is_an_error_for_an_unprivileged_scan(tmp_path: Path) -> None:
    """The same hidepid blindness hid a running hostapd from network.shared-connection."""
    _proc, report = _scan_under_hidepid("hostapd", "network.shared-connection")
    assert [(f["status"], f["subject"]) for f in report["findings"]] == [("error", "host")], report["findings"]
    assert "hidepid" in report["findings"][0]["message"]
