"""Partial outputs (one unwritable -o never loses the others) and ``ybguard policy init``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from foundation.test_cli_commands import demo_file, image, invoke, stderr_of, with_demo  # noqa: F401 - fixtures
from reportschema import validate_report
from ybguard.policy import load_policy_file


def test_an_unwritable_output_does_not_lose_the_others(with_demo, image, tmp_path):  # noqa: F811
    """The nightly cron line writes json + prometheus + html; no node_exporter directory must not lose the JSON."""
    demo_file(image, "fail wlan0\n")
    missing = tmp_path / "textfile_collector" / "ybguard.prom"
    r = invoke(["scan", "--root", str(image), "-o", f"json={tmp_path / 'last.json'}", "-o", f"prometheus={missing}",
                "-o", f"html={tmp_path / 'last.html'}"])
    assert r.exit_code == 2
    validate_report(json.loads((tmp_path / "last.json").read_text()))
    assert (tmp_path / "last.html").read_text().startswith("<!")
    assert stderr_of(r).splitlines() == [
        f"ybguard: cannot write {missing}: the directory {missing.parent} does not exist",
        f"ybguard: 1 of 3 outputs could not be written: {missing} (the others were written)",
    ]


def test_stdout_and_a_bad_file_still_print_the_report(with_demo, image, tmp_path):  # noqa: F811
    demo_file(image, "")
    r = invoke(["scan", "--root", str(image), "--format", "json", "-o", f"junit={tmp_path}/no/such/r.xml"])
    assert r.exit_code == 2
    validate_report(json.loads(r.stdout))


def test_every_output_unwritable_is_refused_before_scanning(with_demo, image, tmp_path, monkeypatch):  # noqa: F811
    import ybguard.engine as engine

    monkeypatch.setattr(engine, "run_scan", None)  # a scan would crash: nothing could be kept, so none runs
    r = invoke(["scan", "--root", str(image), "-o", f"json={tmp_path}/a/r.json", "-o", f"html={tmp_path}/b/r.html"])
    assert r.exit_code == 2
    assert stderr_of(r) == (f"ybguard: cannot write {tmp_path}/a/r.json: the directory {tmp_path}/a does not exist; "
                            f"cannot write {tmp_path}/b/r.html: the directory {tmp_path}/b does not exist\n")


def test_a_directory_created_after_the_check_is_written(with_demo, image, tmp_path, monkeypatch):  # noqa: F811
    """The pre-scan check is advice: the write is tried, so a directory made meanwhile still gets its report."""
    import ybguard.engine as engine

    late = tmp_path / "late"

    orig = engine.run_scan

    def scan_then_mkdir(*a, **k):  # type: ignore[no-untyped-def]
        report = orig(*a, **k)
        late.mkdir()
        return report

    monkeypatch.setattr(engine, "run_scan", scan_then_mkdir)
    demo_file(image, "")
    r = invoke(["scan", "--root", str(image), "-o", f"json={tmp_path / 'r.json'}", "-o", f"junit={late / 'r.xml'}"])
    assert r.exit_code == 0, stderr_of(r)
    assert (late / "r.xml").read_text().startswith("<?xml")


# ---- policy init -----------------------------------------------------------------------------

def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8", YBGUARD_POLICY="")
    return subprocess.run([sys.executable, "-m", "ybguard", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=60)


def test_policy_init_writes_a_commented_valid_policy_and_never_overwrites(tmp_path):
    target = tmp_path / "policy.yaml"
    r = run("policy", "init", str(target), "--leased-line", "eth0", "--allow", "10.50.0.0/16", "--allow",
            "10.88.0.0/30", "--dns", "10.50.0.53", "--ntp", "10.50.0.123", "--id", "某医院-收费处", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    text = target.read_text(encoding="utf-8")
    assert "【必填 / fill in】" in text and "专线网卡" in text and "leased line" in text  # 中文 + English comments
    pol = load_policy_file(str(target))
    assert pol.meta.id == "某医院-收费处"
    assert [str(n) for n in pol.network.allowed_networks] == ["10.50.0.0/16", "10.88.0.0/30"]
    assert pol.network.leased_line.interfaces == ("eth0",)
    assert [str(d) for d in pol.network.allowed_dns] == ["10.50.0.53"] and pol.time.ntp_servers == ("10.50.0.123",)
    assert yaml.safe_load(text)["software"]["processes"]["deny"]  # the remote-control processes are denied

    target.write_text("policy: {id: mine, version: 7}\n")
    r = run("policy", "init", str(target), cwd=tmp_path)
    assert r.returncode == 2 and "exists" in r.stderr and "--force" in r.stderr
    assert target.read_text() == "policy: {id: mine, version: 7}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policy.yaml"]  # no temp file left behind

    r = run("policy", "init", str(target), "--force", cwd=tmp_path)
    assert r.returncode == 0 and load_policy_file(str(target)).meta.id == "yb-terminal"


def test_policy_init_refuses_a_dangling_link_and_a_bad_value_writing_nothing(tmp_path):
    link = tmp_path / "policy.yaml"
    link.symlink_to(tmp_path / "elsewhere.yaml")
    r = run("policy", "init", str(link), cwd=tmp_path)
    assert r.returncode == 2 and not (tmp_path / "elsewhere.yaml").exists()
    r = run("policy", "init", str(tmp_path / "p.yaml"), "--allow", "300.1.1.1/8", cwd=tmp_path)
    assert r.returncode == 2 and "300.1.1.1/8" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "p.yaml").exists()
    r = run("policy", "init", str(tmp_path / "no" / "p.yaml"), cwd=tmp_path)
    assert r.returncode == 2 and "cannot write" in r.stderr


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_policy_init_messages_in_both_languages(tmp_path, lang):
    r = run("policy", "init", str(tmp_path / "p.yaml"), "--lang", lang, cwd=tmp_path)
    assert r.returncode == 0
    assert ("已写入策略" in r.stderr) == (lang == "zh")


def test_policy_show_into_the_file_it_reads_says_what_happened(tmp_path):
    """The old deployment step: the shell truncates the file before `policy show` looks it up."""
    target = tmp_path / "policy.yaml"
    target.write_text("policy: {id: site, version: 2}\n")
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8", YBGUARD_POLICY=str(target))
    r = subprocess.run(["/bin/sh", "-c", f"{sys.executable} -m ybguard policy show > {target}"], capture_output=True,
                       text=True, env=env, timeout=60)
    assert r.returncode == 2
    assert r.stderr == (f"ybguard: standard output is redirected into the policy file it reads ({target}), which the "
                        f"shell emptied first; write a policy with: ybguard policy init {target}\n")
