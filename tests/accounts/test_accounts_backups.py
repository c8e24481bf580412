"""backups.copies: copies, distinct disks (a tmpfs mounted in a private mount namespace), age."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Set, Tuple

import pytest

from ybguard.collect.backups import disks_of, parse_mountinfo


def test_disks_of_maps_partitions_and_device_mapper_to_disks(tmp_path: Path) -> None:
    dev = tmp_path / "devices"
    for part in ("pci/block/sda/sda1", "pci/block/sda/sda2", "pci/block/sdb/sdb1"):
        (dev / part).mkdir(parents=True)
        (dev / part / "partition").write_text("1\n")
    (dev / "virtual/block/dm-0/slaves").mkdir(parents=True)
    os.symlink(dev / "pci/block/sda/sda2", dev / "virtual/block/dm-0/slaves/sda2")
    os.symlink(dev / "pci/block/sdb/sdb1", dev / "virtual/block/dm-0/slaves/sdb1")
    blk = tmp_path / "dev-block"
    blk.mkdir()
    for majmin, target in {"8:1": "pci/block/sda/sda1", "8:2": "pci/block/sda/sda2", "8:0": "pci/block/sda",
                           "8:17": "pci/block/sdb/sdb1", "253:0": "virtual/block/dm-0"}.items():
        os.symlink(dev / target, blk / majmin)
    assert disks_of("8:1", str(blk)) == ("sda",)
    assert disks_of("8:2", str(blk)) == ("sda",)  # two partitions of one disk are one disk
    assert disks_of("8:0", str(blk)) == ("sda",)
    assert disks_of("8:17", str(blk)) == ("sdb",)
    assert disks_of("253:0", str(blk)) == ("sda", "sdb")
    assert disks_of("0:52", str(blk)) is None  # tmpfs, overlay: no block device


def test_parse_mountinfo_real_lines() -> None:
    text = ("22 27 0:21 / /proc rw,relatime - proc proc rw\n"
            "24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334460k,mode=755\n"
            "90 27 0:52 / /mnt/back\\040up rw,relatime shared:40 - tmpfs none rw,size=1024k\n")
    assert parse_mountinfo(text)["0:52"] == ("/mnt/back up", "tmpfs", "none")
    live = parse_mountinfo(Path("/proc/self/mountinfo").read_text())
    assert any(mp == "/" for mp, _, _ in live.values())


def _policy(base: Path) -> Path:
    p = base / "policy.yaml"
    p.write_text(f"""policy: {{id: backups-test, version: 1}}
backups:
  - paths: [{base}/data/*.db, {base}/backup/*.db]
    min_copies: 2
    distinct_disks: true
    max_age_hours: 24
  - paths: [{base}/data/*.log]
    min_copies: 1
    distinct_disks: false
    max_age_hours: 1
""")
    return p


def _run(base: Path, mount_tmpfs: bool, age_hours: float = 0) -> Tuple[Dict[str, Set[str]], dict]:
    """Scan inside a private mount namespace; with mount_tmpfs, {base}/backup is a fresh tmpfs
    holding a copy of the database (the host's mounts are never touched)."""
    setup = []
    if mount_tmpfs:
        setup += [f"mount -t tmpfs -o size=4m ybguard-test {base}/backup",
                  f"cp -p {base}/data/yb.db {base}/backup/yb.db"]
    if age_hours:
        stamp = time.strftime("%Y%m%d%H%M.%S", time.localtime(time.time() - age_hours * 3600))
        setup += [f"touch -t {stamp} {base}/data/yb.db", f"[ ! -e {base}/backup/yb.db ] || touch -t {stamp} {base}/backup/yb.db"]
    script = " && ".join(setup + [f"exec {sys.executable} -m ybguard scan --policy {base}/policy.yaml "
                                  "--only 'backups.*' --format json"])
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                          capture_output=True, timeout=60)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError(proc.stderr.decode(errors="replace")) from None
    out: Dict[str, Set[str]] = {}
    for f in report["findings"]:
        out.setdefault(f["status"], set()).add(f["message"])
    return out, report


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare")
def test_backup_copies_disks_and_age(tmp_path: Path) -> None:
    base = tmp_path
    (base / "data").mkdir()
    (base / "backup").mkdir()
    (base / "data/yb.db").write_bytes(b"yb" * 1000)
    (base / "data/app.log").write_text("x\n")
    _policy(base)
    db = f"{base}/data/*.db, {base}/backup/*.db"
    log = f"{base}/data/*.log"

    # one copy only
    got, report = _run(base, mount_tmpfs=False)
    assert got == {"fail": {"yb.db: found 1 copies, the policy requires at least 2", "yb.db: the copies are on 1 disk(s), the "
                            "policy requires 2 different disks"}, "pass": {"app.log: 1 copies on 1 disk(s)"}}
    assert {f["subject"] for f in report["findings"] if f["status"] == "fail"} == {db}

    # two copies on the same filesystem: the count is met, the disks are not
    shutil.copy2(base / "data/yb.db", base / "backup/yb.db")
    got, _ = _run(base, mount_tmpfs=False)
    assert got["fail"] == {"yb.db: the copies are on 1 disk(s), the policy requires 2 different disks"}
    (base / "backup/yb.db").unlink()

    # the second copy on a tmpfs (its own device): compliant
    got, report = _run(base, mount_tmpfs=True)
    assert "fail" not in got, got
    ev = [e["detail"] for f in report["findings"] if f["subject"] == db for e in f["evidence"]]
    assert any("tmpfs at " in d and "(no backing disk)" in d for d in ev)
    assert not (base / "backup/yb.db").exists()  # the tmpfs lived only in the test's mount namespace

    # both copies two days old
    got, report = _run(base, mount_tmpfs=True, age_hours=48)
    fails = {(f["subject"], f["message"].split(" hours")[0]) for f in report["findings"] if f["status"] == "fail"}
    assert {s for s, _ in fails} == {db}
    assert got["fail"] and all("the newest copy is 48" in m for m in got["fail"])
    assert log not in {f["subject"] for f in report["findings"] if f["status"] == "fail"}


def test_backups_in_an_offline_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for d in ("var/lib/ybclient", "backup", "etc"):
        (root / d).mkdir(parents=True)
    (root / "etc/os-release").write_text("ID=debian\n")  # an OS image, not an empty directory
    (root / "var/lib/ybclient/yb.db").write_bytes(b"db")
    (root / "backup/yb.db").write_bytes(b"db")
    os.symlink("/var/lib/ybclient/yb.db", root / "backup/link.db")  # resolved inside the root, still a copy path
    policy = tmp_path / "policy.yaml"
    policy.write_text("policy: {id: t, version: 1}\nbackups:\n"
                      "  - paths: [/var/lib/ybclient/*.db, /backup/*.db]\n    min_copies: 2\n"
                      "  - paths: [/var/lib/ybclient/*.db]\n    min_copies: 1\n    distinct_disks: false\n")
    proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--root", str(root), "--policy", str(policy),
                           "--only", "backups.*", "--format", "json"], capture_output=True, timeout=60)
    report = json.loads(proc.stdout)
    got = {(f["subject"], f["status"], f["message"]) for f in report["findings"]}
    assert got == {
        ("/var/lib/ybclient/*.db, /backup/*.db", "fail", "yb.db: the copies are on 1 disk(s), the policy requires 2 different disks"),
        ("/var/lib/ybclient/*.db", "pass", "yb.db: 1 copies on 1 disk(s)"),
    }
    paths = {e["source"] for f in report["findings"] for e in f["evidence"]}
    assert paths == {"/var/lib/ybclient/yb.db", "/backup/yb.db", "/backup/link.db"}
    assert proc.returncode == 1


def test_a_link_to_the_same_file_is_not_a_second_copy(tmp_path: Path) -> None:
    """A symlink or hard link is the same bytes on the same disk: losing the disk loses both."""
    root = tmp_path / "root"
    for d in ("var/lib/ybclient", "backup", "etc"):
        (root / d).mkdir(parents=True)
    (root / "etc/os-release").write_text("ID=debian\n")  # an OS image, not an empty directory
    (root / "var/lib/ybclient/yb.db").write_bytes(b"db")
    os.symlink("/var/lib/ybclient/yb.db", root / "backup/link.db")
    os.link(root / "var/lib/ybclient/yb.db", root / "backup/hard.db")
    policy = tmp_path / "policy.yaml"
    policy.write_text("policy: {id: t, version: 1}\nbackups:\n"
                      "  - paths: [/var/lib/ybclient/*.db, /backup/*.db]\n    min_copies: 2\n    distinct_disks: false\n")
    proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--root", str(root), "--policy", str(policy),
                           "--only", "backups.*", "--format", "json"], capture_output=True, timeout=60)
    report = json.loads(proc.stdout)
    got = {(f["subject"], f["status"], f["message"]) for f in report["findings"]}
    assert got == {("/var/lib/ybclient/*.db, /backup/*.db", "fail", "yb.db: found 1 copies, the policy requires at least 2")}
    ev = {e["source"]: e["detail"] for f in report["findings"] for e in f["evidence"]}
    assert set(ev) == {"/var/lib/ybclient/yb.db", "/backup/link.db", "/backup/hard.db"}
    assert "same file as /var/lib/ybclient/yb.db" in ev["/backup/link.db"]
    assert "same file as /var/lib/ybclient/yb.db" in ev["/backup/hard.db"]
    assert proc.returncode == 1


def _copies_report(tmp_path: Path, files: Dict[str, Tuple[bytes, float]], max_age: float = 24) -> dict:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text("ID=debian\n")
    for path, (data, age_hours) in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
        stamp = time.time() - age_hours * 3600
        os.utime(root / path, (stamp, stamp))
    policy = tmp_path / "policy.yaml"
    policy.write_text("policy: {id: t, version: 1}\nbackups:\n  - paths: [/data/*.db, /backup/*.db, /backup/*/*.db]\n"
                      f"    min_copies: 2\n    distinct_disks: false\n    max_age_hours: {max_age}\n")
    proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--root", str(root), "--policy", str(policy),
                           "--only", "backups.*", "--format", "json"], capture_output=True, timeout=60)
    return json.loads(proc.stdout)


def test_two_different_files_are_not_two_copies(tmp_path: Path) -> None:
    """settle.db and patients.db matched the patterns and were counted as "2 copies" (issue 14 item 4)."""
    report = _copies_report(tmp_path, {"data/settle.db": (b"settle", 1), "data/patients.db": (b"patients!", 1)})
    assert {(f["status"], f["message"]) for f in report["findings"]} == {
        ("fail", "patients.db: found 1 copies, the policy requires at least 2"),
        ("fail", "settle.db: found 1 copies, the policy requires at least 2")}


def test_a_copy_is_the_same_content_or_a_recent_file_of_the_same_name(tmp_path: Path) -> None:
    report = _copies_report(tmp_path, {
        "data/yb.db": (b"today", 1),
        "backup/yb-20261201.db": (b"today", 2),        # another name, same content: a copy
        "backup/mon/yb.db": (b"yesterday", 20),          # same name, other content, recent: a copy
        "backup/old/yb.db": (b"last month", 24 * 30),   # same name, other content, stale: not a copy
    })
    [finding] = report["findings"]
    assert (finding["status"], finding["message"]) == ("pass", "yb.db: 3 copies on 1 disk(s)")
    ev = {e["source"]: e["detail"] for e in finding["evidence"]}
    assert ev["/data/yb.db"].startswith("newest copy;")
    assert ev["/backup/yb-20261201.db"].startswith("copy of /data/yb.db (same content)")
    assert ev["/backup/mon/yb.db"].startswith("copy of /data/yb.db (same name, within max_age_hours)")
    assert ev["/backup/old/yb.db"].startswith("not counted: same name as /data/yb.db but other content")


def test_paths_that_match_no_file_fail(tmp_path: Path) -> None:
    report = _copies_report(tmp_path, {})
    assert [(f["status"], f["message"]) for f in report["findings"]] == [
        ("fail", "no file matches these paths; the policy requires at least 2 copies")]
