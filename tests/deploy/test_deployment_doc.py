"""docs/deployment.md, followed literally: the blocks marked ``<!-- doctest: NAME -->`` are run in order.

The terminal is simulated without touching the host: every step runs as root inside a fresh
network namespace holding only ``lo`` (nothing can be downloaded), with ``/etc``, ``/opt``,
``/usr/local`` and ``/var`` overlaid by directories of this test and an empty tmpfs on
``/tmp`` — so the documented absolute paths are used as they are. The overlay's upper
directories are kept between steps, like a disk between two logins.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shlex
import subprocess
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from netns import REPO, Netns, unique

pytestmark = [pytest.mark.netns, pytest.mark.slow]

DOC = REPO / "docs" / "deployment.md"
WATCH_DOC = REPO / "docs" / "watch.md"
OVERLAID = ("/etc", "/opt", "/usr/local", "/var")
LOGIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CRON_PATH = "/usr/bin:/bin"  # what cron gives a job (Debian, RHEL and busybox crond alike)
BLOCK = re.compile(r"<!-- doctest: ([\w-]+) -->\n```[\w-]*\n(.*?)```", re.S)


def doc_blocks(path: Path) -> Dict[str, str]:
    return dict(BLOCK.findall(path.read_text(encoding="utf-8")))


def test_the_doc_marks_every_step_the_test_runs():
    """The test runs what is marked; a block renamed or dropped must fail here, not pass silently."""
    assert list(doc_blocks(DOC)) == ["build", "install", "cron", "service", "timer"]
    assert list(doc_blocks(WATCH_DOC)) == ["watch-service"]


def file_path(block: str) -> str:
    """The path a config block names in its first line (``# /etc/cron.d/ybguard``)."""
    first = block.splitlines()[0]
    assert first.startswith("# /"), f"a config block must name its file first: {first!r}"
    return first[2:].split()[0]


def cron_job(block: str) -> Tuple[Dict[str, str], str, str]:
    """(environment assignments, user, command) of a /etc/cron.d file with one job, as cron reads it."""
    env: Dict[str, str] = {}
    jobs = []
    for line in block.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$", line)
        if m and not re.match(r"^[\d*@]", line):
            env[m.group(1)] = m.group(2).strip().strip("'\"")
            continue
        fields = line.split(None, 6)
        assert len(fields) == 7, f"not a cron.d job line (5 time fields, user, command): {line!r}"
        jobs.append((fields[5], fields[6]))
    assert len(jobs) == 1, jobs
    return env, jobs[0][0], jobs[0][1]


class Terminal:
    """The simulated terminal: one namespace, the overlays' upper directories, run steps as root."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.ns = Netns(unique("ybdep"))

    def upper(self, path: str) -> Path:
        """Where a file written on the terminal at ``path`` lies on the host."""
        top = next(d for d in OVERLAID if path == d or path.startswith(d + "/"))
        return self.tmp / "upper" / top.strip("/").replace("/", "_") / os.path.relpath(path, top)

    def run(self, script: str, env: Optional[Dict[str, str]] = None, cwd: Path = REPO,
            timeout: float = 300) -> subprocess.CompletedProcess:
        mounts = ["set -e"]
        for top in OVERLAID:
            name = top.strip("/").replace("/", "_")
            up, work = self.tmp / "upper" / name, self.tmp / "work" / name
            up.mkdir(parents=True, exist_ok=True)
            work.mkdir(parents=True, exist_ok=True)
            mounts.append(f"mount -t overlay overlay -o lowerdir={top},upperdir={up},workdir={work} {top}")
        # An empty /tmp, as on a fresh terminal; a checkout or test directory that lives under /tmp
        # (CI may clone there) is carried over through a hold in the overlaid /var.
        holds = sorted({p for p in (str(cwd), str(self.tmp)) if p == "/tmp" or p.startswith("/tmp/")})
        for i, path in enumerate(holds):
            mounts.append(f"mkdir -p /var/.ybhold/{i} && mount --bind {shlex.quote(path)} /var/.ybhold/{i}")
        mounts.append("mount -t tmpfs tmpfs /tmp")
        for i, path in enumerate(holds):
            mounts.append(f"mkdir -p {shlex.quote(path)} && mount --bind /var/.ybhold/{i} {shlex.quote(path)}")
        # and no ensurepip, as on a Debian terminal without python3-venv
        mounts.append(f"d=$(PATH={LOGIN_PATH} python3 -c 'import ensurepip, os; print(os.path.dirname(ensurepip.__file__))' "
                      "2>/dev/null) && mount -t tmpfs tmpfs \"$d\" || true")
        mounts.append(f"cd {shlex.quote(str(cwd))}")
        base = {"PATH": LOGIN_PATH, "HOME": "/root", "LANG": "C.UTF-8", "USER": "root", "LOGNAME": "root"}
        envs = [f"{k}={v}" for k, v in (env if env is not None else base).items()]
        inner = "\n".join(mounts) + "\nexec env -i " + " ".join(shlex.quote(e) for e in envs) + \
            " /bin/sh -e -c " + shlex.quote(script)
        return subprocess.run(["ip", "netns", "exec", self.ns.name, "/bin/sh", "-c", inner], capture_output=True,
                              text=True, timeout=timeout)

    def close(self) -> None:
        self.ns.delete()


def _check(proc: subprocess.CompletedProcess, step: str) -> None:
    assert proc.returncode == 0, f"step {step!r} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"


def _this_platform() -> Tuple[str, str]:
    """(Python version, platform) of the `python3` the install step finds on root's PATH."""
    machine = {"x86_64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(platform.machine())
    if machine is None:
        pytest.skip(f"no manylinux wheels are built for {platform.machine()}")
    version = subprocess.run(["env", "-i", f"PATH={LOGIN_PATH}", "python3", "-c",
                              "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    return version, f"manylinux_2_17_{machine}"


def _missing_tools(report: dict) -> List[str]:
    return [f"{f['check']}: {f['message']}" for f in report["findings"]
            if "tool not found" in f["message"] or "缺少工具" in f["message"]
            or any("tool not found" in e["detail"] or "缺少工具" in e["detail"] for e in f.get("evidence", []))]


def test_deployment_doc_followed_literally(tmp_path: Path):
    blocks = doc_blocks(DOC)
    python, plat = _this_platform()

    # 1. build, on "the workstation" (this checkout), for this machine's Python and platform only
    env = dict(os.environ, WHEEL_PYTHONS=python, WHEEL_PLATFORMS=plat)
    env.pop("MAKEFLAGS", None)
    build = subprocess.run(["/bin/sh", "-e", "-c", blocks["build"]], cwd=REPO, env=env, capture_output=True, text=True,
                           timeout=600)
    _check(build, "build")
    assert f"Python {python} on {plat}: complete" in build.stdout
    assert (REPO / "ybguard-wheelhouse.tar.gz").is_file()

    term = Terminal(tmp_path)
    try:
        # 2. install, offline, as root (first: this terminal really has no ensurepip and no network)
        _check(term.run("! python3 -m venv /tmp/probe >/dev/null 2>&1 && ! ip route get 198.51.100.1 2>/dev/null"),
               "a venv with pip cannot be made, and nothing is reachable")
        install = term.run(blocks["install"])
        _check(install, "install")
        assert "policy is valid: /etc/ybguard/policy.yaml" in install.stdout
        policy = term.upper("/etc/ybguard/policy.yaml")
        assert "【必填 / fill in】" in policy.read_text(encoding="utf-8")
        site = term.upper("/opt/ybguard")
        assert list(site.glob("lib/python*/site-packages/ybguard/cli.py")), "ybguard was not installed into /opt/ybguard"
        assert not list(site.glob("lib/python*/site-packages/ybguard*.egg-link"))  # a real install, not -e

        # 3. the cron job, with cron's environment: as documented, and without the PATH= line
        cron_file = file_path(blocks["cron"])
        assignments, user, command = cron_job(blocks["cron"])
        assert user == "root" and assignments.get("PATH", "").split(":")[:4] == LOGIN_PATH.split(":")[:4]
        logs = {p: term.upper(p) for p in ("/var/log/ybguard/last.json", "/var/log/ybguard/last.html",
                                           "/var/lib/node_exporter/textfile_collector/ybguard.prom",
                                           "/var/log/ybguard/errors.log")}
        for label, extra in (("as documented", assignments), ("cron's own PATH", {})):
            for path in logs.values():
                path.unlink(missing_ok=True)
            cron_env = {"HOME": "/root", "LOGNAME": "root", "USER": "root", "SHELL": "/bin/sh", "PATH": CRON_PATH,
                        **extra}
            script = f"mkdir -p {shlex.quote(os.path.dirname(cron_file))}\ncat > {shlex.quote(cron_file)} <<'EOF'\n" \
                     f"{blocks['cron']}EOF\n/bin/sh -c {shlex.quote(command)}"
            job = term.run(script, env=cron_env, cwd=Path("/"), timeout=600)
            assert job.returncode in (0, 1, 3), f"cron job ({label}) exit {job.returncode}: {job.stderr}\n" \
                f"{logs['/var/log/ybguard/errors.log'].read_text() if logs['/var/log/ybguard/errors.log'].exists() else ''}"
            assert logs["/var/log/ybguard/errors.log"].read_text() == "", label
            report = json.loads(logs["/var/log/ybguard/last.json"].read_text(encoding="utf-8"))
            assert report["schema"] == "ybguard.report/v1" and report["host"]["target"] == "live"
            assert report["policy"]["id"] == "yb-terminal"  # /etc/ybguard/policy.yaml from step 2 was used
            assert _missing_tools(report) == [], f"{label}: {_missing_tools(report)}"
            assert "ybguard_compliant" in logs["/var/lib/node_exporter/textfile_collector/ybguard.prom"].read_text()
            assert "<html" in logs["/var/log/ybguard/last.html"].read_text(encoding="utf-8")
        assert term.upper(cron_file).read_text() == blocks["cron"]

        # 4. the units: written where they say, then systemd-analyze verify must have nothing to say
        units = [blocks["service"], blocks["timer"], doc_blocks(WATCH_DOC)["watch-service"]]
        script, paths = "", []
        for text in units:
            path = file_path(text)
            paths.append(path)
            script += f"mkdir -p {shlex.quote(os.path.dirname(path))}\ncat > {shlex.quote(path)} <<'EOF'\n{text}EOF\n"
        for text in units:
            for line in text.splitlines():
                if line.startswith("ReadWritePaths="):
                    for entry in line.split("=", 1)[1].split():
                        if not entry.startswith("-"):
                            script += f"test -d {shlex.quote(entry)} || {{ echo 'missing ReadWritePaths {entry}'; exit 1; }}\n"
        script += "systemd-analyze verify " + " ".join(shlex.quote(p) for p in paths) + " 2>&1\n"
        verify = term.run(script, timeout=120)
        assert verify.returncode == 0 and verify.stdout.strip() == "" and verify.stderr.strip() == "", \
            f"systemd-analyze verify: exit {verify.returncode}\n{verify.stdout}{verify.stderr}"
    finally:
        term.close()


def test_the_unit_check_would_see_a_broken_unit(tmp_path: Path):
    """The verify step is not a formality: an unknown key and a missing binary are both reported."""
    term = Terminal(tmp_path)
    try:
        unit = doc_blocks(DOC)["service"].replace("ProtectSystem=strict", "ProtectSystem=strict\nProtectSytem=yes")
        unit = unit.replace("/usr/local/bin/ybguard", "/usr/local/bin/ybguard-not-installed")
        proc = term.run(f"mkdir -p /etc/systemd/system\ncat > /etc/systemd/system/ybguard.service <<'EOF'\n{unit}EOF\n"
                        "systemd-analyze verify /etc/systemd/system/ybguard.service 2>&1 || true")
        assert "Unknown key" in proc.stdout and "ProtectSytem" in proc.stdout
        assert "ybguard-not-installed" in proc.stdout
    finally:
        term.close()
