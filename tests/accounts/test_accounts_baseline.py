"""Golden-image baseline: create (CLI, --root), schema, file/package/NIC/gateway drift."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Set, Tuple

import jsonschema
import pytest

from ybguard.baseline import create, load
from ybguard.checks import ALL_CHECKS, select_checks
from ybguard.collect import FactSet, ScanOptions, registry_for
from ybguard.engine import run_scan
from ybguard.facts.software import Package
from ybguard.policy import load_policy_file
from ybguard.target import RootfsTarget

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "docs" / "baseline.schema.json").read_text())
HERE = Path(__file__).resolve().parent


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ybguard", *args], capture_output=True, timeout=60)


def by_check(report: dict) -> Dict[str, Dict[str, Set[str]]]:
    out: Dict[str, Dict[str, Set[str]]] = {}
    for f in report["findings"]:
        out.setdefault(f["check"], {}).setdefault(f["status"], set()).add(f["subject"])
    return out


DPKG_STATUS = """Package: ybclient
Status: install ok installed
Priority: optional
Architecture: amd64
Version: 3.2.1

Package: bash
Status: install ok installed
Priority: required
Architecture: amd64
Version: 5.2.15-2+b2

"""

TODESK = """Package: todesk
Status: install ok installed
Architecture: amd64
Version: 4.7.2.0

"""


def golden(tmp_path: Path) -> Tuple[Path, Path]:
    root = tmp_path / "root"
    app = root / "opt/ybclient"
    (app / "lib").mkdir(parents=True)
    (app / "ybclient.bin").write_bytes(os.urandom(300_000))
    (app / "lib/libyb.so").write_bytes(b"\x7fELF" + b"\0" * 5000)
    (app / "yb.conf").write_text("server=10.50.0.10\n")
    os.symlink("lib/libyb.so", app / "libyb.so.1")
    (root / "etc").mkdir()
    (root / "etc/hostname").write_text("yb-golden\n")
    (root / "etc/os-release").write_text("ID=debian\n")
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "var/lib/dpkg/status").write_text(DPKG_STATUS)
    (root / "var/lib/dpkg/info").mkdir()  # the package owns its /opt tree (else it is unpackaged software)
    (root / "var/lib/dpkg/info/ybclient.list").write_text("/opt/ybclient\n/opt/ybclient/ybclient.bin\n")
    policy = tmp_path / "policy.yaml"
    policy.write_text("policy: {id: baseline-test, version: 2}\nintegrity:\n  paths: [/opt/ybclient]\n")
    return root, policy


def test_baseline_create_schema_and_file_drift(tmp_path: Path) -> None:
    root, policy = golden(tmp_path)
    out = tmp_path / "baseline.json"
    proc = cli("baseline", "create", "--root", str(root), "--policy", str(policy), "-o", str(out), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["host"] == "yb-golden" and doc["target"] == "rootfs"
    assert sorted(doc["files"]) == ["/opt/ybclient/lib/libyb.so", "/opt/ybclient/libyb.so.1",
                                    "/opt/ybclient/yb.conf", "/opt/ybclient/ybclient.bin"]
    import hashlib

    assert doc["files"]["/opt/ybclient/yb.conf"]["sha256"] == hashlib.sha256(b"server=10.50.0.10\n").hexdigest()
    assert sorted((p["manager"], p["name"], p["version"]) for p in doc["packages"]) == [
        ("dpkg", "bash", "5.2.15-2+b2"), ("dpkg", "ybclient", "3.2.1")]

    def drift() -> Tuple[int, Dict[str, Dict[str, Set[str]]]]:
        p = cli("scan", "--root", str(root), "--policy", str(policy), "--baseline", str(out),
                "--only", "integrity.*", "--format", "json")
        return p.returncode, by_check(json.loads(p.stdout))

    code, got = drift()
    assert got["integrity.baseline-files"] == {"pass": {"baseline"}}
    assert got["integrity.baseline-packages"] == {"pass": {"baseline"}}
    assert got["integrity.baseline-gateway"] == {"not_applicable": {"baseline"}}  # offline image
    assert code == 0

    with open(root / "var/lib/dpkg/status", "a") as fh:  # a package installed after the baseline
        fh.write(TODESK)
    code, got = drift()
    assert got["integrity.baseline-packages"] == {"fail": {"todesk (dpkg)"}}
    assert code == 1
    (root / "var/lib/dpkg/status").write_text(DPKG_STATUS)

    app = root / "opt/ybclient"
    (app / "yb.conf").write_text("server=203.0.113.10\n")  # modified
    (app / "lib/libyb.so").unlink()  # removed
    (app / "plugin.so").write_bytes(b"new")  # added
    os.chmod(app / "ybclient.bin", 0o777)  # mode changed
    code, got = drift()
    assert got["integrity.baseline-files"] == {"fail": {
        "/opt/ybclient/yb.conf", "/opt/ybclient/lib/libyb.so", "/opt/ybclient/plugin.so", "/opt/ybclient/ybclient.bin"}}
    assert code == 1

    # a policy that no longer hashes the baseline's paths cannot prove anything: error
    policy.write_text("policy: {id: baseline-test, version: 3}\nintegrity:\n  paths: [/opt/other]\n")
    code, got = drift()
    assert got["integrity.baseline-files"] == {"error": {"baseline"}}
    assert code == 3


def test_bad_baseline_is_error_and_missing_path_refused(tmp_path: Path) -> None:
    root, policy = golden(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "something-else"}')
    p = cli("scan", "--root", str(root), "--policy", str(policy), "--baseline", str(bad), "--only",
            "integrity.baseline-files", "--format", "json")
    assert by_check(json.loads(p.stdout)) == {"integrity.baseline-files": {"error": {"baseline"}}}
    assert p.returncode == 3
    policy.write_text("policy: {id: t, version: 1}\nintegrity:\n  paths: [/opt/missing]\n")
    p = cli("baseline", "create", "--root", str(root), "--policy", str(policy), "-o", str(tmp_path / "x.json"))
    assert p.returncode == 2 and not (tmp_path / "x.json").exists()
    assert b"/opt/missing" in p.stderr


def test_package_drift_with_preloaded_inventory(tmp_path: Path) -> None:
    root, policy_path = golden(tmp_path)
    policy = load_policy_file(str(policy_path))
    now = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
    gold = (Package("ybclient", "3.2.1", "dpkg"), Package("libc6", "2.36-9", "dpkg"), Package("bash", "5.2-15", "dpkg"))
    facts = FactSet(RootfsTarget(str(root)), policy, ScanOptions(now=now), registry_for("linux"))
    facts.preload("software.packages", gold)
    out = tmp_path / "b.json"
    out.write_text(json.dumps(create(facts, now)))
    assert load(str(out)).packages == (("dpkg", "bash", "5.2-15"), ("dpkg", "libc6", "2.36-9"), ("dpkg", "ybclient", "3.2.1"))

    def scan(packages: Tuple[Package, ...]) -> Dict[str, Dict[str, Set[str]]]:
        options = ScanOptions(now=now, baseline_path=str(out))
        fs = FactSet(RootfsTarget(str(root)), policy, options, registry_for("linux"))
        fs.preload("software.packages", packages)
        report = run_scan(policy, RootfsTarget(str(root)), select_checks(ALL_CHECKS, ["integrity.baseline-packages"]),
                          options, facts=fs)
        got: Dict[str, Dict[str, Set[str]]] = {}
        for f in report.findings:
            got.setdefault(f.check, {}).setdefault(f.status.value, set()).add(f.subject)
        return got

    assert scan(gold) == {"integrity.baseline-packages": {"pass": {"baseline"}}}
    changed = (Package("ybclient", "3.3.0", "dpkg"), Package("libc6", "2.36-9", "dpkg"), Package("todesk", "4.7", "dpkg"))
    assert scan(changed) == {"integrity.baseline-packages": {"fail": {"ybclient (dpkg)", "bash (dpkg)", "todesk (dpkg)"}}}


@pytest.mark.netns
def test_nic_rename_and_gateway_mac_in_namespace(topo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from netns import veth

    term, platform = topo.ns("term"), topo.ns("plat")
    veth(term, "eth0", platform, "eth0")
    term.ip("addr add 10.88.0.2/30 dev eth0")
    term.ip("route add 10.50.0.0/16 via 10.88.0.1 dev eth0")
    term.ip("neigh add 10.88.0.1 lladdr 02:00:5e:00:00:01 dev eth0 nud permanent")  # no ARP packet is sent
    veth(term, "eth1", platform, "eth1")
    term.ip("link set eth1 address 02:00:5e:00:aa:01")
    app = tmp_path / "app"
    app.mkdir()
    (app / "yb.conf").write_text("x\n")
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"policy: {{id: ns-test, version: 1}}\nnetwork:\n  leased_line: {{interfaces: [eth0]}}\nintegrity:\n  paths: [{app}]\n")
    base = tmp_path / "baseline.json"
    # The real CLI inside the namespace, with the real network.interfaces collector.
    ybguard = [sys.executable, "-m", "ybguard"]
    term.run([*ybguard, "baseline", "create", "--policy", str(policy), "-o", str(base), "--lang", "en"])
    doc = json.loads(base.read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["gateways"] == [{"ip": "10.88.0.1", "mac": "02:00:5e:00:00:01", "dev": "eth0"}]
    assert {i["name"] for i in doc["interfaces"]} == {"eth0", "eth1"}

    def drift() -> Dict[str, Dict[str, Set[str]]]:
        return by_check(scan_report())

    def scan_report() -> dict:
        proc = term.run([*ybguard, "scan", "--policy", str(policy), "--baseline", str(base), "--only", "integrity.*",
                         "--format", "json", "--lang", "en"], check=False)
        assert proc.returncode in (0, 1), proc.stderr
        return json.loads(proc.stdout)

    got = drift()
    assert got["integrity.baseline-interfaces"] == {"pass": {"baseline"}}
    assert got["integrity.baseline-gateway"] == {"pass": {"baseline"}}

    term.ip("link set eth1 down")
    term.ip("link set eth1 name lan9")  # 改接: the NIC got another name
    term.ip("neigh replace 10.88.0.1 lladdr 02:00:5e:00:00:99 dev eth0 nud permanent")  # another gateway box
    got = drift()
    assert got["integrity.baseline-interfaces"] == {"fail": {"eth1"}}
    assert got["integrity.baseline-gateway"] == {"fail": {"10.88.0.1 dev eth0"}}
    assert any("renamed: eth1 02:00:5e:00:aa:01 -> lan9" in f["message"] for f in scan_report()["findings"])


@pytest.mark.parametrize("kind", ["chardev", "fifo", "directory"])
def test_baseline_that_is_not_a_file_is_an_error_not_a_hang(tmp_path: Path, kind: str) -> None:
    """--baseline /dev/zero read forever (and a FIFO blocked forever) instead of failing."""
    root, policy = golden(tmp_path)
    path = {"chardev": Path("/dev/zero"), "fifo": tmp_path / "fifo", "directory": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    p = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--root", str(root), "--policy", str(policy),
                        "--baseline", str(path), "--only", "integrity.baseline-files", "--format", "json"],
                       capture_output=True, timeout=30)
    assert by_check(json.loads(p.stdout)) == {"integrity.baseline-files": {"error": {"baseline"}}}
    assert p.returncode == 3


def test_an_empty_baseline_is_an_error_at_create_and_at_scan(tmp_path: Path) -> None:
    """Paths that hold no files used to give a baseline, and a scan against it passed
    integrity.baseline-files with 0 files compared (issue 14 item 5)."""
    root, policy = golden(tmp_path)
    for f in sorted((root / "opt/ybclient").rglob("*"), reverse=True):
        f.rmdir() if f.is_dir() else f.unlink()
    out = tmp_path / "empty.json"
    p = cli("baseline", "create", "--root", str(root), "--policy", str(policy), "-o", str(out), "--lang", "en")
    assert p.returncode == 2 and not out.exists()
    assert "integrity.paths (/opt/ybclient) hold no files" in p.stderr.decode()
    # a baseline written by an older ybguard (or by hand) with no files
    doc = {"schema": "ybguard.baseline/v1", "created_at": "2026-11-01T09:00:00+08:00", "host": "x",
           "integrity_paths": ["/opt/ybclient"], "files": {}, "packages": None, "interfaces": None,
           "gateways": None, "usb_devices": None, "unrecorded": {}}
    out.write_text(json.dumps(doc))
    p = cli("scan", "--root", str(root), "--policy", str(policy), "--baseline", str(out), "--only",
            "integrity.baseline-files", "--format", "json", "--lang", "en")
    [finding] = json.loads(p.stdout)["findings"]
    assert finding["status"] == "error" and "holds no files" in finding["message"]
    assert p.returncode == 3
