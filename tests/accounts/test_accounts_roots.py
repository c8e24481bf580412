"""Accounts and time checks on a real Debian root (debootstrap minbase) and small fixture roots,
through the real CLI, with the exact set of failing subjects."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Set, Tuple

import pytest

import unpriv
from debroot import clone_root

TODAY = int(time.time() // 86400)


def scan(root: Path, policy: Path, *only: str, user: Tuple[str, ...] = ()) -> Tuple[int, dict]:
    args = []
    for o in only or ("accounts.*", "time.*"):
        args += ["--only", o]
    python = [*unpriv.python_argv(drop=user)] if user else [sys.executable]
    proc = subprocess.run([*python, "-m", "ybguard", "scan", "--root", str(root), "--policy", str(policy),
                           "--format", "json", *args], capture_output=True, timeout=60, cwd="/",
                          env=unpriv.env() if user else None)
    try:
        return proc.returncode, json.loads(proc.stdout)
    except ValueError:
        raise AssertionError(f"no JSON (exit {proc.returncode}): {proc.stderr.decode(errors='replace')}") from None


def outcome(report: dict) -> Dict[str, Dict[str, Set[str]]]:
    """check -> status -> subjects."""
    out: Dict[str, Dict[str, Set[str]]] = {}
    for f in report["findings"]:
        out.setdefault(f["check"], {}).setdefault(f["status"], set()).add(f["subject"])
    return out


def add_user(root: Path, name: str, uid: int, shadow_field: str, lastchg: str, maxd: str, shell: str = "/bin/bash") -> None:
    with open(root / "etc/passwd", "a") as fh:
        fh.write(f"{name}:x:{uid}:{uid}::/home/{name}:{shell}\n")
    with open(root / "etc/shadow", "a") as fh:
        fh.write(f"{name}:{shadow_field}:{lastchg}:0:{maxd}:7:::\n")


HASH = "$y$j9T$Jx3nYvHH8D8CwHNcoVjj2/$QnPm4cz0R3n0f4qI1zVdyXhQ8nKtq2o7Bp1aVd9Z7r1"


@pytest.mark.slow
def test_debian_root_fail_then_pass(debian_root_path: Path, tmp_path: Path, acct_policy: Path) -> None:
    root = clone_root(tmp_path / "root")
    add_user(root, "alice", 1000, "", str(TODAY - 1), "90")  # empty password
    add_user(root, "bob", 1001, HASH, str(TODAY - 400), "99999")  # old, never expires
    add_user(root, "carol", 1002, HASH, str(TODAY - 10), "90")  # fine
    add_user(root, "toor", 0, "*", str(TODAY), "99999")  # extra UID 0 (locked, still root-equivalent)
    add_user(root, "svc", 998, "", str(TODAY), "", shell="/usr/sbin/nologin")  # empty but cannot log in
    (root / "usr/sbin/chronyd").write_bytes(b"")  # the daemon's binary: chrony is installed
    (root / "etc/chrony/sources.d").mkdir(parents=True)
    (root / "etc/chrony/chrony.conf").write_text(
        "pool ntp.aliyun.com iburst\nserver 10.50.0.123 iburst\nsourcedir /etc/chrony/sources.d\n")
    (root / "etc/chrony/sources.d/extra.sources").write_text("server 10.50.0.124 iburst\n")

    code, report = scan(root, acct_policy)
    got = outcome(report)
    assert code == 1
    assert got["accounts.password-min-length"] == {"fail": {"password policy"}}  # pam_unix default 6
    assert got["accounts.password-max-age"] == {"fail": {"bob"}}  # bob's own field 5 is 99999 (login.defs only seeds)
    assert got["accounts.empty-password"] == {"fail": {"alice"}}
    assert got["accounts.password-age"] == {"fail": {"bob"}}
    assert got["accounts.never-expires"] == {"fail": {"bob"}}
    assert got["accounts.uid0"] == {"fail": {"toor"}}
    assert got["time.ntp-config"] == {"fail": {"ntp.aliyun.com", "10.50.0.124"}}
    assert got["time.sync"] == {"not_applicable": {"time sync"}}
    assert got["time.offset"] == {"not_applicable": {"time sync"}}
    ev = [e["detail"] for f in report["findings"] if f["check"] == "accounts.password-min-length" for e in f["evidence"]]
    assert any("pam_unix.so obscure yescrypt: minlen=6 (default)" in d for d in ev)

    # fix everything the way the remediation texts say
    pam = root / "etc/pam.d/common-password"
    pam.write_text("password requisite pam_pwquality.so retry=3\n" + pam.read_text())
    (root / "etc/security/pwquality.conf").write_text("minlen = 10\ndcredit = 1\nucredit = 1\n")  # 10-2 = 8
    defs = root / "etc/login.defs"
    defs.write_text(defs.read_text().replace("PASS_MAX_DAYS\t99999", "PASS_MAX_DAYS\t90"))
    for f in ("passwd", "shadow"):
        lines = (root / "etc" / f).read_text().splitlines(keepends=True)
        (root / "etc" / f).write_text("".join(ln for ln in lines if ln.split(":")[0] not in ("alice", "bob", "toor")))
    (root / "etc/chrony/chrony.conf").write_text("server 10.50.0.123 iburst\nsourcedir /etc/chrony/sources.d\n")
    (root / "etc/chrony/sources.d/extra.sources").unlink()

    code, report = scan(root, acct_policy)
    got = outcome(report)
    for check in ("accounts.password-min-length", "accounts.password-max-age", "accounts.empty-password",
                  "accounts.password-age", "accounts.never-expires", "accounts.uid0", "time.ntp-config"):
        assert set(got[check]) == {"pass"}, (check, got[check])
    assert code == 0


def _timesyncd_root(base: Path) -> Path:
    root = base / "r"
    for d in ("etc/pam.d", "etc/systemd/system/sysinit.target.wants", "usr/lib/systemd/system"):
        (root / d).mkdir(parents=True)
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (root / "etc/shadow").write_text(f"root:{HASH}:{TODAY}:0:90:7:::\n")
    (root / "etc/login.defs").write_text("PASS_MAX_DAYS 60\nPASS_MIN_LEN 12\n")
    (root / "etc/pam.d/common-password").write_text("password [success=1 default=ignore] pam_unix.so obscure minlen=4\n"
                                                     "password requisite pam_deny.so\n"
                                                     "password required pam_permit.so\n")
    (root / "usr/lib/systemd/systemd-timesyncd").write_bytes(b"")
    (root / "usr/lib/systemd/system/systemd-timesyncd.service").write_text("[Unit]\n")
    (root / "etc/systemd/timesyncd.conf").write_text("[Time]\n#NTP=\n")
    return root


def test_timesyncd_enabled_disabled_and_fallback(tmp_path: Path, acct_policy: Path) -> None:
    root = _timesyncd_root(tmp_path)
    got = outcome(scan(root, acct_policy)[1])
    assert got["time.ntp-config"] == {"fail": {"time sync"}}  # installed, not enabled
    # PASS_MIN_LEN 12 in login.defs does not count: PAM's pam_unix minlen=4 does
    assert got["accounts.password-min-length"] == {"fail": {"password policy"}}
    assert set(got["accounts.password-max-age"]) == {"pass"}
    assert set(got["accounts.uid0"]) == {"pass"}

    os.symlink("/usr/lib/systemd/system/systemd-timesyncd.service",
               root / "etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service")
    got = outcome(scan(root, acct_policy)[1])
    assert got["time.ntp-config"] == {"fail": {"(systemd-timesyncd compiled-in FallbackNTP)"}}

    (root / "etc/systemd/timesyncd.conf.d").mkdir()
    (root / "etc/systemd/timesyncd.conf.d/yb.conf").write_text("[Time]\nNTP=10.50.0.123\n")
    got = outcome(scan(root, acct_policy)[1])
    assert set(got["time.ntp-config"]) == {"pass"}


def test_unreadable_shadow_is_error_not_pass(tmp_path: Path, acct_policy: Path) -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to drop to an unprivileged user")
    base = Path(tempfile.mkdtemp(prefix="ybacct-"))
    try:
        os.chmod(base, 0o755)
        root = _timesyncd_root(base)
        os.chmod(root / "etc/shadow", 0o000)
        policy = base / "policy.yaml"
        shutil.copy(acct_policy, policy)
        os.chmod(policy, 0o644)
        code, report = scan(root, policy, "accounts.*",
                            user=("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"))
        got = outcome(report)
        for check in ("accounts.empty-password", "accounts.password-age", "accounts.never-expires", "accounts.uid0"):
            assert got[check] == {"error": {"host"}}, (check, got[check])
        assert code == 1  # password-min-length still fails (pam_unix minlen=4)
        msgs = [f["message"] for f in report["findings"] if f["check"] == "accounts.uid0"]
        assert "permission denied" in msgs[0] and "shadow" in msgs[0]
    finally:
        shutil.rmtree(base)


@pytest.mark.slow
def test_debian_root_baseline_drift(debian_root_path: Path, tmp_path: Path) -> None:
    root = clone_root(tmp_path / "root")
    policy = tmp_path / "policy.yaml"
    policy.write_text("policy: {id: golden, version: 1}\nintegrity:\n  paths: [/etc, /usr/sbin]\n")
    base = tmp_path / "baseline.json"
    proc = subprocess.run([sys.executable, "-m", "ybguard", "baseline", "create", "--root", str(root), "--policy",
                           str(policy), "-o", str(base)], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(base.read_text())["files"]) > 200

    (root / "etc/hosts").write_text("203.0.113.10 yb.example\n")
    (root / "usr/sbin/frpc").write_bytes(b"\x7fELF")
    (root / "etc/issue").unlink()
    proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--root", str(root), "--policy", str(policy),
                           "--baseline", str(base), "--only", "integrity.baseline-files", "--format", "json"],
                          capture_output=True, timeout=120)
    got = outcome(json.loads(proc.stdout))
    assert got == {"integrity.baseline-files": {"fail": {"/etc/hosts", "/usr/sbin/frpc", "/etc/issue"}}}


def test_empty_passwd_field_beats_the_shadow_entry(debian_root_path: Path, tmp_path: Path, acct_policy: Path) -> None:
    """pam_unix reads /etc/shadow only when the passwd field is ``x``: ``root::0:0`` logs in with
    no password whatever shadow says (root is ``*`` there), and a hash in passwd is used as is."""
    root = tmp_path / "img"
    (root / "etc").mkdir(parents=True)
    passwd = (debian_root_path / "etc/passwd").read_text()
    assert passwd.startswith("root:x:0:0:")
    passwd = passwd.replace("root:x:0:0:", "root::0:0:", 1)
    (root / "etc/passwd").write_text(passwd + f"dave:{HASH}:1003:1003::/home/dave:/bin/bash\n")
    (root / "etc/shadow").write_text((debian_root_path / "etc/shadow").read_text() + "dave:!:19000:0:90:7:::\n")
    _code, report = scan(root, acct_policy, "accounts.empty-password", "accounts.never-expires")
    got = outcome(report)
    assert got["accounts.empty-password"] == {"fail": {"root"}}
    assert got["accounts.never-expires"] == {"fail": {"root"}}  # dave's hash in passwd: a login account, max 90


def test_huge_passwd_is_an_error_not_a_truncated_read(debian_root_path: Path, tmp_path: Path, acct_policy: Path) -> None:
    """A hostile image pads /etc/passwd past the read limit and hides a second root account at
    the end; reading only the first 64 MiB passed accounts.uid0."""
    from ybguard.target.interface import MAX_READ

    root = tmp_path / "img"
    (root / "etc").mkdir(parents=True)
    passwd = (debian_root_path / "etc/passwd").read_text()
    with open(root / "etc/passwd", "w") as fh:
        fh.write(passwd)
        fh.write(("#" * 1023 + "\n") * (MAX_READ // 1024 + 1))
        fh.write("toor:x:0:0::/root:/bin/bash\n")
    (root / "etc/shadow").write_text((debian_root_path / "etc/shadow").read_text() + "toor:*:19000:0:99999:7:::\n")
    code, report = scan(root, acct_policy, "accounts.uid0")
    got = outcome(report)
    assert got["accounts.uid0"] == {"error": {"host"}}
    assert "/etc/passwd" in report["findings"][0]["message"]
    assert code == 3


def test_every_enabled_time_daemon_is_checked(tmp_path: Path, acct_policy: Path) -> None:
    """chrony (allowed server) and ntpd (public pool) both enabled: whichever starts first sets
    the clock, so the pool must be reported. Only the first daemon found used to be read."""
    root = tmp_path / "r"
    wants = root / "etc/systemd/system/multi-user.target.wants"
    for d in ("etc/chrony", "usr/sbin", "usr/lib/systemd/system"):
        (root / d).mkdir(parents=True)
    wants.mkdir(parents=True)
    (root / "etc/os-release").write_text("ID=debian\n")
    for binary, unit in (("chronyd", "chrony.service"), ("ntpd", "ntpsec.service")):
        (root / "usr/sbin" / binary).write_bytes(b"")
        (root / "usr/lib/systemd/system" / unit).write_text("[Unit]\n")
        os.symlink(f"/usr/lib/systemd/system/{unit}", wants / unit)
    (root / "etc/chrony/chrony.conf").write_text("server 10.50.0.123 iburst\n")
    (root / "etc/ntp.conf").write_text("pool 0.debian.pool.ntp.org iburst\n")
    got = outcome(scan(root, acct_policy, "time.ntp-config")[1])
    assert got["time.ntp-config"] == {"fail": {"0.debian.pool.ntp.org"}}
