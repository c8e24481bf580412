"""The CLI through click's CliRunner and through real subprocesses (`python -m ybguard`, `ybguard`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import click
import pytest
import yaml
from click.testing import CliRunner

from reportschema import validate_report
from ybguard import __version__
from ybguard.cli import cli, main
from ybguard.policy import builtin_policy_path, parse_policy_text

from . import demo

HERE = Path(__file__).resolve().parent
RUN_WITH_DEMO = HERE / "run_with_demo.py"
ENTRY = Path(sys.executable).parent / "ybguard"
EN = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}


@pytest.fixture
def with_demo(monkeypatch):  # type: ignore[no-untyped-def]
    import ybguard.checks as checks
    from ybguard.collect import COLLECTORS

    monkeypatch.setattr(checks, "ALL_CHECKS", demo.DEMO_CHECKS)
    for key, fn in demo.DEMO_COLLECTORS.items():
        monkeypatch.setitem(COLLECTORS["linux"], key, fn)  # type: ignore[arg-type]


@pytest.fixture
def image(tmp_path: Path) -> Path:
    """A tiny offline root for --root scans; tests write /etc/ybguard-demo into it."""
    root = tmp_path / "image"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "hostname").write_text("golden-01\n")
    (root / "etc" / "os-release").write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\n')
    return root


def demo_file(root: Path, text: str) -> None:
    (root / "etc" / "ybguard-demo").write_text(text)


def invoke(args: List[str], env: Optional[Dict[str, str]] = None):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    return runner.invoke(cli, args, env={**EN, "YBGUARD_POLICY": "", **(env or {})}, catch_exceptions=False)


def stderr_of(result) -> str:  # type: ignore[no-untyped-def]
    return result.stderr if hasattr(result, "stderr") and result.stderr_bytes is not None else result.output


# ---- CliRunner ---------------------------------------------------------------------------------

def test_version_and_help():
    r = invoke(["--version"])
    assert r.exit_code == 0 and r.output == f"ybguard, version {__version__}\n"
    r = invoke(["--help"])
    assert r.exit_code == 0
    for command in ("scan", "policy", "checks"):
        assert command in r.output
    r = invoke(["scan", "--help"])
    for option in ("--policy", "--root", "--format", "--output", "-o", "--capture", "--probe / --no-probe", "--lang",
                   "--fail-on", "--baseline", "--only", "--skip"):
        assert option in r.output, option


def test_policy_validate_example(example_policy_path):
    r = invoke(["policy", "validate", str(example_policy_path)])
    assert r.exit_code == 0
    *warnings, last = r.output.splitlines()
    assert last == f"policy is valid: {example_policy_path} (yb-terminal-example version 3)"
    assert all("warning: waivers[" in w and "expired" in w for w in warnings)  # the example's waiver dates age


def test_policy_validate_ok_and_bad(tmp_path):
    builtin = builtin_policy_path()
    r = invoke(["policy", "validate", builtin])
    assert (r.exit_code, r.output) == (0, f"policy is valid: {builtin} (ybguard-default version 1)\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy:\n  id: x\nusb:\n  storage: maybe\n")
    r = invoke(["policy", "validate", str(bad)])
    assert r.exit_code == 2
    assert stderr_of(r) == f"ybguard: {bad}:4:12: usb.storage: 'maybe' is not one of deny, allow\n"
    r = invoke(["policy", "validate", "--lang", "zh", str(bad)])
    assert stderr_of(r) == f"ybguard: {bad}:4:12: usb.storage: 取值 “maybe” 无效，应为 deny, allow 之一\n"


@pytest.mark.parametrize("env,expected", [
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"),
    ({"LANG": "C", "LC_ALL": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": ""}, "en"),
])
def test_language_from_the_locale(tmp_path, env, expected):
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy:\n  id: x\n  version: -1\n")
    r = invoke(["policy", "validate", str(bad)], env=env)
    assert r.exit_code == 2
    message = {"zh": "不能为负数：-1", "en": "must not be negative: -1"}[expected]
    assert stderr_of(r).endswith(f"policy.version: {message}\n")


def test_policy_show_defaults_filled_and_revalidates(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("policy:\n  id: site\nusb:\n  storage: allow\n")
    r = invoke(["policy", "show", str(p)])
    assert r.exit_code == 0
    shown = yaml.safe_load(r.output)
    assert shown["usb"] == {"storage": "allow", "require_driver_disabled": True, "optical": "deny"}
    assert shown["accounts"]["password_min_length"] == 8
    assert parse_policy_text(r.output).usb.storage == "allow"


def test_policy_show_follows_the_lookup_order(tmp_path, monkeypatch):
    from ybguard.policy import loader

    env_file = tmp_path / "env.yaml"
    env_file.write_text("policy:\n  id: from-env\n")
    system = tmp_path / "system.yaml"
    system.write_text("policy:\n  id: from-etc\n")
    monkeypatch.setattr(loader, "SYSTEM_POLICY_PATH", str(system))
    assert yaml.safe_load(invoke(["policy", "show"], env={"YBGUARD_POLICY": str(env_file)}).output)["policy"]["id"] == "from-env"
    assert yaml.safe_load(invoke(["policy", "show"]).output)["policy"]["id"] == "from-etc"
    system.unlink()
    assert yaml.safe_load(invoke(["policy", "show"]).output)["policy"]["id"] == "ybguard-default"


def test_checks_listing(with_demo):
    r = invoke(["checks", "--format", "json"])
    rows = json.loads(r.output)
    assert [row["id"] for row in rows] == ["demo.items", "demo.identity"]
    assert rows[0]["rule"] == "演示规则 1" and rows[0]["severity"] == "high" and rows[0]["area"] == "demo"
    assert set(rows[0]) >= {"title_zh", "title_en", "remediation_zh", "remediation_en", "needs"}
    r = invoke(["checks"])
    assert r.exit_code == 0 and "demo.items" in r.output and "演示规则 1" in r.output
    md = invoke(["checks", "--format", "markdown"]).output
    assert "## `demo.items`" in md and "## `demo.identity`" in md


@pytest.mark.parametrize("content,code,verdict", [
    ("", 0, "compliant"),
    ("fail wlan0 critical\nfail eth1 low\n", 1, "non_compliant"),
    ("error\n", 3, "incomplete"),
    ("unsupported\n", 0, "compliant"),
])
def test_scan_exit_codes(with_demo, image, content, code, verdict):
    demo_file(image, content)
    r = invoke(["scan", "--root", str(image), "--format", "json"])
    assert r.exit_code == code, r.output
    data = json.loads(r.output)
    validate_report(data)
    assert data["summary"]["status"] == verdict
    assert data["host"] == {"hostname": "golden-01", "os": "Debian GNU/Linux 12 (bookworm)", "os_version": "12",
                            "kernel": "", "machine_id": "", "arch": "", "target": "rootfs", "root": str(image)}


def test_fail_on(with_demo, image):
    demo_file(image, "fail eth1 low\nfail wlan0 medium\n")
    assert invoke(["scan", "--root", str(image), "--format", "json"]).exit_code == 1
    assert invoke(["scan", "--root", str(image), "--format", "json", "--fail-on", "medium"]).exit_code == 1
    assert invoke(["scan", "--root", str(image), "--format", "json", "--fail-on", "high"]).exit_code == 0
    assert invoke(["scan", "--root", str(image), "--fail-on", "severe"]).exit_code == 2


def test_only_and_skip(with_demo, image):
    demo_file(image, "fail wlan0\n")
    ids = lambda r: sorted({f["check"] for f in json.loads(r.output)["findings"]})  # noqa: E731
    base = ["scan", "--root", str(image), "--format", "json"]
    assert ids(invoke(base)) == ["demo.identity", "demo.items"]
    r = invoke(base + ["--only", "demo.id*"])
    assert ids(r) == ["demo.identity"] and r.exit_code == 0
    r = invoke(base + ["--skip", "demo.identity"])
    assert ids(r) == ["demo.items"] and r.exit_code == 1
    r = invoke(base + ["--only", "demo.*", "--skip", "demo.items", "--skip", "nothing.*"])
    assert ids(r) == ["demo.identity"]
    r = invoke(base + ["--only", "network.*"])
    assert r.exit_code == 2 and stderr_of(r) == "ybguard: no check is left after --only/--skip\n"


def test_waiver_from_the_policy_file(with_demo, image, tmp_path):
    demo_file(image, "fail wlan0\nfail eth1\n")
    pol = tmp_path / "p.yaml"
    pol.write_text("policy:\n  id: w\nwaivers:\n  - check: 'demo.*'\n    subject: 'wlan*'\n    reason: 工单 7\n"
                   "    approved_by: 信息科\n    expires: 2999-01-01T00:00:00+08:00\n"
                   "  - check: '*'\n    subject: eth1\n    reason: old\n    approved_by: x\n"
                   "    expires: 2000-01-01T00:00:00+08:00\n")
    r = invoke(["scan", "--root", str(image), "--format", "json", "--policy", str(pol)])
    data = json.loads(r.output)
    validate_report(data)
    by_subject = {f["subject"]: f for f in data["findings"] if f["check"] == "demo.items"}
    assert by_subject["wlan0"]["status"] == "waived" and by_subject["wlan0"]["waiver"]["approved_by"] == "信息科"
    assert by_subject["eth1"]["status"] == "fail" and by_subject["eth1"]["waiver"]["expired"] is True
    assert "the waiver expired" in by_subject["eth1"]["message"]
    assert r.exit_code == 1


def test_several_outputs_in_one_run(with_demo, image, tmp_path):
    demo_file(image, "fail wlan0\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text("old")
    r = invoke(["scan", "--root", str(image), "--format", "console", "-o", f"json={out / 'report.json'}",
                "-o", f"junit={out / 'report.xml'}", "-o", f"prometheus={out / 'ybguard.prom'}",
                "-o", f"html={out / 'report.html'}"])
    assert r.exit_code == 1
    assert r.output.startswith(" NON-COMPLIANT")
    validate_report(json.loads((out / "report.json").read_text()))
    from xml.etree import ElementTree as ET

    assert ET.parse(out / "report.xml").getroot().get("failures") == "1"
    assert 'ybguard_compliant{host="golden-01"' in (out / "ybguard.prom").read_text()
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.xml", "ybguard.prom"]
    assert oct((out / "report.json").stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    m = os.umask(0o022)
    os.umask(m)
    return m


def test_only_o_outputs_leave_stdout_empty(with_demo, image, tmp_path):
    demo_file(image, "")
    r = invoke(["scan", "--root", str(image), "-o", f"json={tmp_path / 'r.json'}"])
    assert r.exit_code == 0 and r.output == ""
    r = invoke(["scan", "--root", str(image), "-o", "json=-"])
    validate_report(json.loads(r.output))


def test_format_named_by_an_o_file_is_not_also_dumped_to_stdout(with_demo, image, tmp_path):
    """`--format html -o html=FILE` wrote the HTML to the file and to the terminal (issue 14 item 8)."""
    demo_file(image, "")
    r = invoke(["scan", "--root", str(image), "--format", "html", "-o", f"html={tmp_path / 'r.html'}"])
    assert r.exit_code == 0 and r.output == ""
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    r = invoke(["scan", "--root", str(image), "--format", "json", "-o", f"html={tmp_path / 'r.html'}"])
    validate_report(json.loads(r.output))  # another format still goes to stdout
    r = invoke(["scan", "--root", str(image), "--format", "html", "--output", "-", "-o", f"html={tmp_path / 'r.html'}"])
    assert r.output.startswith("<!DOCTYPE html>")  # asked for explicitly


def test_site_fields_from_the_policy_and_labels(with_demo, image, tmp_path):
    demo_file(image, "")
    pol = tmp_path / "site.yaml"
    pol.write_text("policy: {id: site-test, version: 1}\nsite:\n  hospital: 某市第一人民医院\n  department: 医保办\n"
                   "  location: 门诊楼一层\n")
    r = invoke(["scan", "--root", str(image), "--policy", str(pol), "--format", "json",
                "--label", "资产编号=YB-0042", "--label", "location=二层 5 号窗口"])
    data = json.loads(r.output)
    validate_report(data)
    assert data["site"] == {"hospital": "某市第一人民医院", "department": "医保办", "asset_id": "YB-0042",
                            "location": "二层 5 号窗口"}
    r = invoke(["scan", "--root", str(image), "--format", "json", "--label", "owner=me"])
    assert r.exit_code == 2 and "--label owner=me" in stderr_of(r) and "asset_id" in stderr_of(r)
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy: {id: x}\nsite:\n  asset: YB-1\n")
    r = invoke(["scan", "--root", str(image), "--policy", str(bad)])
    assert r.exit_code == 2 and "site.asset" in stderr_of(r)


def test_output_infers_the_format_from_the_extension(with_demo, image, tmp_path):
    demo_file(image, "")
    invoke(["scan", "--root", str(image), "--output", str(tmp_path / "r.xml")])
    assert (tmp_path / "r.xml").read_text().startswith("<?xml")
    invoke(["scan", "--root", str(image), "--output", str(tmp_path / "r.json")])
    validate_report(json.loads((tmp_path / "r.json").read_text()))
    invoke(["scan", "--root", str(image), "--format", "console", "--output", str(tmp_path / "r.json")])
    assert (tmp_path / "r.json").read_text().startswith(" COMPLIANT")


@pytest.mark.parametrize("spec,message", [
    ("json=/nonexistent-dir/r.json", "cannot write /nonexistent-dir/r.json: the directory /nonexistent-dir does not exist"),
    ("xml=r.xml", "cannot understand -o xml=r.xml: expected FORMAT=PATH with FORMAT one of console, json, html, junit, prometheus, csv"),
    ("json", "cannot understand -o json: expected FORMAT=PATH with FORMAT one of console, json, html, junit, prometheus, csv"),
])
def test_bad_outputs_exit_2_before_scanning(with_demo, image, spec, message):
    r = invoke(["scan", "--root", str(image), "-o", spec])
    assert r.exit_code == 2 and stderr_of(r) == f"ybguard: {message}\n"


def test_output_to_a_directory_is_refused(with_demo, image, tmp_path):
    r = invoke(["scan", "--root", str(image), "-o", f"json={tmp_path}"])
    assert r.exit_code == 2 and stderr_of(r) == f"ybguard: cannot write {tmp_path}: it is a directory\n"


def test_write_failure_after_scan_is_exit_2_and_leaves_no_temp(with_demo, image, tmp_path, monkeypatch):
    import ybguard.cli as cli_mod

    def full(fd, *a, **k):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli_mod.os, "fsync", full)
    r = invoke(["scan", "--root", str(image), "-o", f"json={tmp_path / 'r.json'}"])
    assert r.exit_code == 2
    assert stderr_of(r) == f"ybguard: cannot write {tmp_path / 'r.json'}: No space left on device\n"
    assert list(tmp_path.glob(".ybguard-*")) == [] and not (tmp_path / "r.json").exists()


def test_root_must_be_a_directory(with_demo, tmp_path):
    r = invoke(["scan", "--root", str(tmp_path / "missing")])
    assert r.exit_code == 2 and "--root is not an existing directory" in stderr_of(r)


@pytest.mark.parametrize("layout", ["empty", "one level too deep", "os-release link leaving the root"])
def test_root_that_is_not_an_os_image_is_exit_2(with_demo, tmp_path, layout):
    """An unmounted mount point passed every network check with no evidence (issue 14 item 1)."""
    root = tmp_path / "mnt"
    root.mkdir()
    if layout == "one level too deep":
        (root / "rootfs" / "etc").mkdir(parents=True)
        (root / "rootfs" / "etc" / "os-release").write_text('ID=debian\n')
    elif layout == "os-release link leaving the root":  # resolves inside the image, where nothing is
        (root / "etc").mkdir()
        (root / "etc" / "os-release").symlink_to("/etc/os-release")
    for command in (["scan", "--root", str(root)], ["baseline", "create", "--root", str(root), "-o",
                                                     str(tmp_path / "b.json")]):
        r = invoke(command)
        assert r.exit_code == 2, r.output
        err = stderr_of(r)
        assert f"--root {root} is not an operating-system image" in err
        assert all(m in err for m in ("etc/os-release", "usr/lib/os-release", "etc/passwd",
                                      "Windows/System32/config/SYSTEM")), err
        assert "Traceback" not in err
    assert not (tmp_path / "b.json").exists()


@pytest.mark.parametrize("marker", ["etc/passwd", "usr/lib/os-release"])
def test_root_with_any_one_marker_is_scanned(with_demo, tmp_path, marker):
    root = tmp_path / "img"
    (root / marker).parent.mkdir(parents=True)
    (root / marker).write_text("root:x:0:0:root:/root:/bin/sh\n" if marker == "etc/passwd" else "ID=debian\n")
    assert invoke(["scan", "--root", str(root), "--format", "json", "--only", "demo.*"]).exit_code == 0


def test_broken_policy_in_scan_is_exit_2(with_demo, image, tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("policy:\n  id: x\nnetwork:\n  allowed_networks: [10.0.0.0/33]\n")
    r = invoke(["scan", "--root", str(image), "--policy", str(p)])
    assert r.exit_code == 2
    assert stderr_of(r) == (f"ybguard: {p}:4:22: network.allowed_networks[0]: not a valid network in CIDR form:"
                            " 10.0.0.0/33 (for example 10.50.0.0/16)\n")


def test_console_language_in_scan(with_demo, image):
    demo_file(image, "fail wlan0\n")
    r = invoke(["scan", "--root", str(image), "--format", "console"], env={"LANG": "zh_CN.UTF-8"})
    assert r.output.startswith(" 不合规 ")
    r = invoke(["scan", "--root", str(image), "--format", "console", "--lang", "en"], env={"LANG": "zh_CN.UTF-8"})
    assert r.output.startswith(" NON-COMPLIANT ")
    for line in r.output.splitlines():
        assert len(line) <= 80


def test_internal_error_is_one_line_exit_2(with_demo, image, monkeypatch, capsys):
    import ybguard.engine

    def boom(*a, **k):  # type: ignore[no-untyped-def]
        raise RuntimeError("unexpected")

    monkeypatch.setattr(ybguard.engine, "run_scan", boom)
    monkeypatch.delenv("YBGUARD_DEBUG", raising=False)
    with pytest.raises(SystemExit) as info:
        main(["scan", "--root", str(image), "--format", "json"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == "ybguard: internal error: RuntimeError: unexpected (set YBGUARD_DEBUG=1 for details)\n"


def test_interrupted_scan_is_130_not_1(with_demo, image, monkeypatch, capsys):
    import ybguard.engine

    def interrupted(*a, **k):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(ybguard.engine, "run_scan", interrupted)
    with pytest.raises(SystemExit) as info:
        main(["scan", "--root", str(image), "--format", "json"])
    assert info.value.code == 130 and capsys.readouterr().err.strip() == "ybguard: interrupted"


@pytest.mark.parametrize("args,code", [(["--version"], 0), (["--help"], 0), (["policy", "--help"], 0), (["nope"], 2),
                                       (["scan", "--format", "xml"], 2), (["policy", "validate"], 2)])
def test_main_exit_codes_without_a_scan(args, code, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    assert (info.value.code or 0) == code


# ---- real processes ---------------------------------------------------------------------------

def run(argv: List[str], env: Optional[Dict[str, str]] = None, cwd: Optional[Path] = None) -> subprocess.CompletedProcess:
    full = {**os.environ, **EN, "YBGUARD_POLICY": "", **(env or {})}
    return subprocess.run(argv, capture_output=True, text=True, env=full, timeout=60, cwd=cwd)


@pytest.mark.parametrize("prefix", [[sys.executable, "-m", "ybguard"], [str(ENTRY)]], ids=["python-m", "entry-point"])
def test_real_process_version_help_validate(prefix, tmp_path):
    assert ENTRY.exists(), "the ybguard entry point is not installed next to this interpreter"
    p = run(prefix + ["--version"])
    assert (p.returncode, p.stdout) == (0, f"ybguard, version {__version__}\n")
    p = run(prefix + ["--help"])
    assert p.returncode == 0 and "scan" in p.stdout
    p = run(prefix + ["policy", "validate", builtin_policy_path()], env={"LANG": "zh_CN.UTF-8"})
    assert (p.returncode, p.stdout) == (0, f"策略有效：{builtin_policy_path()}（ybguard-default 版本 1）\n")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    p = run(prefix + ["policy", "validate", str(bad)], env={"LANG": "zh_CN.UTF-8"})
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr == f"ybguard: {bad}: 不是 UTF-8 文本（第 8 字节处无法解码）：期望一个 YAML 策略文件\n"
    p = run(prefix + ["scan", "--only", "no-such-check.*"])
    assert p.returncode == 2 and p.stderr == "ybguard: no check is left after --only/--skip\n"
    p = run(prefix + ["scan", "--bogus"])
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_real_process_scan_with_outputs(image, tmp_path):
    demo_file(image, "fail wlan0 critical\n")
    out = tmp_path / "r.json"
    p = run([sys.executable, str(RUN_WITH_DEMO), "scan", "--only", "demo.*", "--root", str(image), "--format", "junit",
             "-o", f"json={out}"])
    assert p.returncode == 1, p.stderr
    assert p.stdout.startswith("<?xml") and p.stderr == ""  # stderr is no TTY: no progress noise
    data = json.loads(out.read_text())
    validate_report(data)
    assert [(f["check"], f["subject"], f["status"]) for f in data["findings"]] == [
        ("demo.items", "wlan0", "fail"), ("demo.identity", "host", "pass")]
    demo_file(image, "error\n")
    p = run([sys.executable, str(RUN_WITH_DEMO), "scan", "--only", "demo.*", "--root", str(image), "--format", "json"])
    assert p.returncode == 3
    demo_file(image, "")
    p = run([sys.executable, str(RUN_WITH_DEMO), "scan", "--only", "demo.*", "--root", str(image)])
    assert p.returncode == 0 and json.loads(p.stdout)["summary"]["status"] == "compliant"  # not a TTY: json


def test_console_not_a_tty_is_plain(image):
    demo_file(image, "fail [red]x[/red]\n")
    p = run([sys.executable, str(RUN_WITH_DEMO), "scan", "--root", str(image), "--format", "console"])
    assert p.returncode == 1 and "\x1b" not in p.stdout and "[red]x[/red]" in p.stdout


@pytest.mark.parametrize("args", [["--help"], ["checks"], ["checks", "--format", "json"], ["scan", "--help"],
                                  ["policy", "show"]])
def test_no_scapy_for_help_and_checks(args):
    code = ("import sys\nfrom ybguard.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('scapy', 'regipy', 'pyroute2'))\n"
            "assert not heavy, heavy\n")
    p = run([sys.executable, "-c", code])
    assert p.returncode == 0, p.stderr


def test_no_scapy_in_importtime_of_the_entry_point():
    p = run([sys.executable, "-X", "importtime", "-m", "ybguard", "--help"])
    assert p.returncode == 0
    imported = {line.split("|")[-1].strip() for line in p.stderr.splitlines() if line.startswith("import time:")}
    assert "ybguard.cli" in imported
    assert not {m for m in imported if m.split(".")[0] in ("scapy", "regipy", "pyroute2")}


def test_real_process_on_a_debian_root(debian_root_path, tmp_path):
    """A real debootstrap root through the real CLI: identity from the image, --only/--skip, locale."""
    argv = [sys.executable, str(RUN_WITH_DEMO), "scan", "--root", str(debian_root_path)]
    p = run(argv + ["--format", "json", "--only", "demo.*", "--skip", "demo.items"])
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    validate_report(data)
    assert [f["check"] for f in data["findings"]] == ["demo.identity"]
    host = data["host"]
    assert host["os"].startswith("Debian GNU/Linux 12") and host["os_version"] == "12"
    assert host["target"] == "rootfs" and host["root"] == str(debian_root_path)
    assert host["arch"] == os.uname().machine
    p = run(argv + ["--format", "console", "--only", "demo.identity"], env={"LANG": "zh_CN.UTF-8"})
    assert p.returncode == 0 and p.stdout.startswith(" 合规 ") and "主机：" in p.stdout
    p = run(argv + ["--format", "console", "--only", "demo.identity", "--lang", "en"], env={"LANG": "zh_CN.UTF-8"})
    assert p.stdout.startswith(" COMPLIANT ")


def test_policy_title_reaches_every_report(image, example_policy_path, tmp_path):
    """policy.title is part of the example contract: the report must say which baseline it applied."""
    title = "医保联网计算机信息安全基线（示例）"
    base = ["scan", "--root", str(image), "--policy", example_policy_path, "--only", "usb.optical"]
    r = invoke(base + ["--format", "json"])
    assert json.loads(r.stdout)["policy"]["title"] == title
    validate_report(json.loads(r.stdout))
    assert title in invoke(base + ["--format", "console", "--lang", "zh"]).stdout
    assert title in invoke(base + ["--format", "html"]).stdout


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN"])
def test_capture_seconds_must_be_a_finite_number(value):
    """--capture nan never ended (every comparison with NaN is false); the policy refuses it too."""
    r = invoke(["scan", "--only", "network.live-traffic", "--capture", value, "--format", "json"])
    assert r.exit_code == 2
    assert "Traceback" not in r.output


def test_help_in_chinese_when_the_locale_is_chinese():
    r = invoke(["scan", "--help"], env={"LANG": "zh_CN.UTF-8"})
    assert "按策略检查本机" in r.output and "检查挂载在 DIR 的离线镜像" in r.output and "资产编号" in r.output
    assert "Scan an offline image" not in r.output
    assert "Scan an offline image" in invoke(["scan", "--help"]).output
    assert "校验 FILE" in invoke(["policy", "validate", "--help"], env={"LANG": "zh_CN.UTF-8"}).output


def test_every_scan_option_has_its_chinese_help():
    from ybguard.cli import scan
    from ybguard.i18n import has

    missing = [p.name for p in scan.params if isinstance(p, click.Option) and p.name != "help"
               and not has(f"help.scan.{p.name}")]
    assert missing == []
