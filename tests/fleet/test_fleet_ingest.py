"""fleet ingest: validation, dedup, bad files named and skipped, batches, two writers at once."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fleetdata import make_report, write_report
from fleethelpers import ybguard

from reportschema import validate_report as schema_validate
from ybguard.fleet.ingest import ingest, read_report, to_row
from ybguard.fleet.interface import FleetError
from ybguard.fleet.store import Store
from ybguard.fleet.validate import _accepts, validate_report

MID_A, MID_B = "a" * 32, "b" * 32


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


def test_reports_stored_once_however_often_ingested(tmp_path, reports):
    a = reports("n1/a.json", "YB-T1", MID_A, "2026-12-01T02:00:00+08:00")
    reports("n1/b.json", "YB-T2", MID_B, "2026-12-01T02:00:00+08:00", fails=[("network.ip-forwarding", "ipv4")])
    # the same report fetched again under another name, re-indented and re-encoded
    data = json.loads(a.read_text(encoding="utf-8"))
    (reports.base / "copy").mkdir()
    (reports.base / "copy" / "a-again.json").write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    db = tmp_path / "fleet.db"
    r = ybguard("fleet", "ingest", "--db", str(db), str(reports.base), "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert "3 files: 2 stored, 1 already stored, 0 skipped" in r.stderr
    r = ybguard("fleet", "ingest", "--db", str(db), str(a), str(reports.base))
    assert r.returncode == 0 and count(db, "SELECT COUNT(*) FROM reports") == 2
    assert count(db, "SELECT COUNT(*) FROM findings WHERE status = 'fail'") == 1


def _bad_files(d: Path) -> dict:
    good = make_report("YB-T9", MID_A, "2026-12-01T02:00:00+08:00")
    text = json.dumps(good, ensure_ascii=False, indent=2)
    d.mkdir(parents=True)
    (d / "truncated.json").write_text(text[: len(text) // 2], encoding="utf-8")
    (d / "not-json.json").write_text("<html>502 Bad Gateway</html>", encoding="utf-8")
    (d / "other-schema.json").write_text(json.dumps({"schema": "ybguard.baseline/v1", "files": {}}))
    (d / "empty.json").write_text("")
    (d / "gbk.json").write_bytes(text.encode("gb18030"))
    liar = copy.deepcopy(good)
    liar["findings"][0].update(status="fail")  # a fail, but the file still says compliant
    liar["summary"]["counts"] = {s: sum(1 for f in liar["findings"] if f["status"] == s) for s in liar["summary"]["counts"]}
    (d / "says-compliant.json").write_text(json.dumps(liar))
    with open(d / "huge.json", "wb") as fh:  # 2 GB, sparse: refused by its size, never read
        fh.truncate(2 * 1024 ** 3)
    os.mkfifo(d / "fifo.json")
    return {"truncated.json": "fleet.not_json", "not-json.json": "fleet.not_json", "other-schema.json": "fleet.v.schema",
            "empty.json": "fleet.empty", "gbk.json": "fleet.not_utf8", "says-compliant.json": "fleet.v.verdict",
            "huge.json": "fleet.too_large", "fifo.json": "fleet.not_regular"}


def test_bad_files_are_named_and_skipped_the_rest_stored(tmp_path, reports):
    reports("good/t1.json", "YB-T1", MID_A, "2026-12-01T02:00:00+08:00")
    reports("good/t2.json", "YB-T2", MID_B, "2026-12-01T02:00:00+08:00")
    expected = _bad_files(reports.base / "bad")
    with Store.open(str(tmp_path / "f.db"), create=True) as store:
        result = ingest(store, [str(reports.base), str(tmp_path / "missing.json")])
    got = {Path(s.path).name: s.error.key for s in result.skipped}
    assert got == {**expected, "missing.json": "fleet.not_found"}
    assert result.stored == 2
    for jobs in ("1", "2"):  # in worker processes, the same files are named for the same reasons
        db = tmp_path / f"cli-{jobs}.db"
        r = ybguard("fleet", "ingest", "--db", str(db), "--jobs", jobs, str(reports.base), "--lang", "zh")
        assert r.returncode == 1  # some were skipped
        assert "Traceback" not in r.stderr
        for name in expected:
            assert f"{name}：已跳过" in r.stderr
        assert "says-compliant.json：已跳过：$.summary.status" in r.stderr
        assert count(db, "SELECT COUNT(*) FROM reports") == 2


@pytest.mark.parametrize("mutate, where, key", [
    (lambda d: d.pop("host"), "$.host", "fleet.v.missing"),
    (lambda d: d["host"].update(hostname="  "), "$.host.hostname", "fleet.v.empty"),
    (lambda d: d["host"].update(machine_id="DESKTOP"), "$.host.machine_id", "fleet.v.machine_id"),
    (lambda d: d.update(started_at="2026-12-01 02:00"), "$.started_at", "fleet.v.time"),
    (lambda d: d.update(started_at="2026-12-01T02:00:00"), "$.started_at", "fleet.v.time"),  # no offset
    (lambda d: d["findings"][3].update(status="ok"), "$.findings[3].status", "fleet.v.enum"),
    (lambda d: d["findings"][1].pop("evidence"), "$.findings[1].evidence", "fleet.v.missing"),
    (lambda d: d["summary"]["counts"].update(error=4), "$.summary.counts.error", "fleet.v.counts"),
    (lambda d: d["policy"].update(version="3"), "$.policy.version", "fleet.v.type"),
    (lambda d: d.update(findings={}), "$.findings", "fleet.v.type"),
    (lambda d: d.update(site={"department": 7}), "$.site.department", "fleet.v.type"),
])
def test_validator_names_the_field(mutate, where, key):
    data = make_report("YB-T1", MID_A, "2026-12-01T02:00:00+08:00", fails=[("network.nat", "MASQUERADE")])
    validate_report(data)
    schema_validate(data)  # what the validator takes, the full JSON Schema takes too
    assert _accepts(data)  # the fast path takes it
    mutate(data)
    assert not _accepts(data)
    with pytest.raises(FleetError) as exc:
        validate_report(data)
    assert exc.value.key == key and exc.value.args_map["where"] == where


def test_real_scan_reports_are_accepted(tmp_path):
    """A report of a real scan (an image with a public default route) goes in as it is."""
    root = tmp_path / "img"
    (root / "etc").mkdir(parents=True)
    (root / "etc/hostname").write_text("yb-img-01\n")
    (root / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')  # an OS image
    (root / "etc/machine-id").write_text(MID_A + "\n")
    out = tmp_path / "r.json"
    r = ybguard("scan", "--root", str(root), "-o", f"json={out}")
    assert r.returncode in (1, 3), r.stderr
    raw, data = read_report(str(out))
    row = to_row(data, str(out), "0" * 64)
    assert (row.hostname, row.machine_id, row.status) == ("yb-img-01", MID_A, data["summary"]["status"])


def test_terminal_is_hostname_plus_machine_id(tmp_path, reports):
    reports("1.json", "DESKTOP-4F2K9Q1", MID_A, "2026-12-01T02:00:00+08:00")
    reports("2.json", "DESKTOP-4F2K9Q1", MID_B, "2026-12-01T02:00:00+08:00")  # another PC, same default name
    reports("3.json", "desktop-4f2k9q1", MID_A, "2026-12-02T02:00:00+08:00")  # the first one, other spelling
    with Store.open(str(tmp_path / "f.db"), create=True) as store:
        ingest(store, [str(reports.base)])
        rows = list(store.query("SELECT hostname, machine_id FROM terminals ORDER BY machine_id"))
    assert [(r["hostname"], r["machine_id"]) for r in rows] == [("desktop-4f2k9q1", MID_A), ("DESKTOP-4F2K9Q1", MID_B)]


def test_a_failed_batch_leaves_nothing_and_earlier_batches_stay(tmp_path, reports):
    for i in range(6):
        reports(f"{i}.json", f"YB-T{i}", MID_A, "2026-12-01T02:00:00+08:00")
    db = str(tmp_path / "f.db")
    with Store.open(db, create=True) as store:
        rows = [to_row(read_report(str(p))[1], str(p), f"{i:064x}")
                for i, p in enumerate(sorted(reports.base.glob("*.json")))]
        store.add_batch(rows[:3], 0)
        broken = rows[3:5] + [rows[5].__class__(**{**rows[5].__dict__, "findings": (("only", "two"),)})]
        with pytest.raises(sqlite3.Error):
            store.add_batch(broken, 0)
    assert count(Path(db), "SELECT COUNT(*) FROM reports") == 3
    assert count(Path(db), "SELECT COUNT(*) FROM terminals") == 3


def test_two_ingests_at_once(tmp_path):
    """Two real processes write the same database at the same time: everything lands, once."""
    base = tmp_path / "share"
    for i in range(400):
        write_report(base / f"d{i % 2}" / f"t{i}.json",
                     make_report(f"YB-T{i:04d}", f"{i:032x}", "2026-12-01T02:00:00+08:00", index=i))
    db = str(tmp_path / "fleet.db")
    both = str(base)  # the first writer takes everything; the second half of it again: overlap
    procs = [subprocess.Popen([sys.executable, "-m", "ybguard", "fleet", "ingest", "--db", db, "--batch", "20",
                               "--jobs", jobs, path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for path, jobs in ((both, "2"), (str(base / "d1"), "1"))]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert count(Path(db), "SELECT COUNT(*) FROM reports") == 400
    assert count(Path(db), "SELECT COUNT(DISTINCT sha256) FROM reports") == 400
    assert count(Path(db), "SELECT COUNT(*) FROM terminals") == 400


def test_database_problems_exit_2_with_a_message(tmp_path, reports):
    reports("1.json", "YB-T1", MID_A, "2026-12-01T02:00:00+08:00")
    not_db = tmp_path / "notes.txt"
    not_db.write_text("this is not a database\n" * 100)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    for args in (["fleet", "ingest", "--db", str(not_db), str(reports.base)],
                 ["fleet", "ingest", "--db", str(foreign), str(reports.base)],
                 ["fleet", "ingest", "--db", str(tmp_path), str(reports.base)],
                 ["fleet", "summary", "--db", str(tmp_path / "none.db")],
                 ["fleet", "show", "YB-T1", "--db", str(tmp_path / "none.db")]):
        r = ybguard(*args, "--lang", "en")
        assert r.returncode == 2, (args, r.stderr)
        assert r.stderr.startswith("ybguard: ") and "Traceback" not in r.stderr and len(lines(r.stderr)) == 1, r.stderr
    assert not (tmp_path / "none.db").exists()  # reading never creates a database


def lines(text: str) -> list:
    return [x for x in text.splitlines() if x.strip()]
