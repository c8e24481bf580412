"""fleet summary and show: the morning questions, answered exactly, in every format and both languages."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fleethelpers import FWD, MIDS, NOW, ROUTE, WLAN, ybguard


def summary_json(db, *extra):
    r = ybguard("fleet", "summary", "--db", str(db), "--format", "json", "--now", NOW, *extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_summary_answers_exactly(fleet_db):
    data = summary_json(fleet_db, "--nights", "4")
    assert data["schema"] == "ybguard.fleet-summary/v1" and data["reports"] == 8
    by = {t["label"]: t for t in data["terminals"]}
    t1, t5 = by["YB-T1/" + MIDS["t1"][:8]], by["YB-T1/" + MIDS["t5"][:8]]
    assert {k: t["status"] for k, t in by.items()} == {
        t1["label"]: "non_compliant", t5["label"]: "non_compliant", "YB-T2/" + MIDS["t2"][:8]: "compliant",
        "YB-T3/" + MIDS["t3"][:8]: "non_compliant", "YB-T4/" + MIDS["t4"][:8]: "incomplete"}
    assert [(c["check"], c["subject"]) for c in t1["new"]] == [FWD]
    assert [(c["check"], c["subject"]) for c in t1["fixed"]] == [ROUTE]
    assert t1["site"] == {"hospital": "市第一人民医院", "department": "门诊收费", "asset_id": "YB-0017"}
    assert t1["age_seconds"] == 6 * 3600 and not t1["stale"]
    assert t5["first_report"] and [(c["check"], c["subject"]) for c in t5["new"]] == [ROUTE]
    t4 = by["YB-T4/" + MIDS["t4"][:8]]
    assert t4["new"] == [] and t4["fixed"] == [] and not t4["first_report"]
    assert [t["label"] for t in data["terminals"] if t["stale"]] == ["YB-T3/" + MIDS["t3"][:8]]
    assert [(c["check"], c["failing"], c["erroring"]) for c in data["checks"]] == [
        ("network.default-route", 1, 0), ("network.forbidden-interface", 1, 0), ("network.ip-forwarding", 1, 0),
        ("accounts.empty-password", 0, 1)]
    assert [(w["terminal"].split("/")[0], w["check"], w["subject"], w["seconds_left"] < 0) for w in data["waivers"]] == [
        ("YB-T3", *WLAN, True), ("YB-T2", *WLAN, False)]  # the 2027 waiver is not due; t2's older report not read
    assert [(n["night"], n["compliant"], n["non_compliant"], n["incomplete"], n["silent"]) for n in data["trend"]] == [
        ("2026-11-29", 0, 0, 0, 0), ("2026-11-30", 0, 1, 0, 0), ("2026-12-01", 1, 1, 1, 1), ("2026-12-02", 1, 2, 1, 1)]


def test_stale_and_waiver_windows_are_options(fleet_db):
    data = summary_json(fleet_db, "--stale", "3d", "--waiver-days", "40")
    assert not any(t["stale"] for t in data["terminals"])
    assert len(data["waivers"]) == 3
    r = ybguard("fleet", "summary", "--db", str(fleet_db), "--stale", "soon", "--lang", "en")
    assert r.returncode == 2 and "invalid duration 'soon'" in r.stderr
    r = ybguard("fleet", "summary", "--db", str(fleet_db), "--now", "yesterday", "--lang", "zh")
    assert r.returncode == 2 and "无效的 --now" in r.stderr


@pytest.mark.parametrize("lang, words", [
    ("zh", ["医保终端合规汇总", "不合规 3 · 检查不完整 1 · 合规 1 · 停止报告 1", "新增", "已修复", "门诊收费", "已过期", "首份报告"]),
    ("en", ["compliance summary", "non-compliant 3 · incomplete 1 · compliant 1 · stopped reporting 1", "new", "fixed",
            "expired", "first report"]),
])
def test_console(fleet_db, lang, words):
    r = ybguard("fleet", "summary", "--db", str(fleet_db), "--now", NOW, "--lang", lang, env={"COLUMNS": "160"})
    assert r.returncode == 0, r.stderr
    for w in words:
        assert w in r.stdout, w
    assert "+ " + ("新增" if lang == "zh" else "new") + ": network.ip-forwarding net.ipv4.ip_forward" in r.stdout


def test_csv_one_row_per_terminal(fleet_db, tmp_path):
    out = tmp_path / "fleet.csv"
    r = ybguard("fleet", "summary", "--db", str(fleet_db), "--now", NOW, "--format", "csv", "--output", str(out))
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5
    t1 = next(r for r in rows if r["machine_id"] == MIDS["t1"])
    assert (t1["status"], t1["department"], t1["new"], t1["fixed"], t1["stale"]) == ("non_compliant", "门诊收费", "1", "1", "no")
    assert t1["problems"] == "network.ip-forwarding net.ipv4.ip_forward (fail)"


def test_show_one_terminal(fleet_db):
    r = ybguard("fleet", "show", "yb-t1/" + MIDS["t1"][:6], "--db", str(fleet_db), "--format", "json")
    assert r.returncode == 0, r.stderr
    [hist] = json.loads(r.stdout)
    assert [e["started_at"] for e in hist["entries"]] == ["2026-12-02T02:00:00+08:00", "2026-12-01T02:00:00+08:00"]
    assert [[(p["check"], p["subject"]) for p in e["problems"]] for e in hist["entries"]] == [[FWD], [ROUTE]]
    both = ybguard("fleet", "show", "YB-T1", "--db", str(fleet_db), "--lang", "zh")
    assert both.returncode == 0 and both.stdout.count("的报告历史") == 2  # two PCs of that name: both shown
    by_id = ybguard("fleet", "show", MIDS["t4"][:10], "--db", str(fleet_db), "--lang", "en")
    assert by_id.returncode == 0 and "Report history of YB-T4/" in by_id.stdout
    missing = ybguard("fleet", "show", "YB-T9", "--db", str(fleet_db), "--lang", "en")
    assert missing.returncode == 2 and "no terminal YB-T9" in missing.stderr


def test_empty_store(tmp_path):
    db = tmp_path / "f.db"
    assert ybguard("fleet", "ingest", "--db", str(db), str(tmp_path)).returncode == 0  # no report found: fine
    for fmt in ("console", "json", "csv", "html"):
        r = ybguard("fleet", "summary", "--db", str(db), "--format", fmt, "--lang", "zh")
        assert r.returncode == 0, r.stderr


def test_console_never_passes_control_characters(tmp_path, reports):
    reports("evil.json", "YB-\x1b[2J\x1b]0;owned\x07EVIL", "e" * 32, "2026-12-02T02:00:00+08:00",
            fails=[("network.dns", "114.114.114.114\x1b[8m")])
    db = tmp_path / "evil.db"
    assert ybguard("fleet", "ingest", "--db", str(db), str(reports.base)).returncode == 0
    r = ybguard("fleet", "summary", "--db", str(db), "--now", NOW, "--lang", "en", env={"COLUMNS": "200"})
    assert r.returncode == 0 and "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert "YB-?[2J?]0;owned?EVIL" in r.stdout
