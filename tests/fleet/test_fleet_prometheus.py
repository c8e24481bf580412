"""Prometheus: the textfile output passes ``promtool check metrics``; the alert rules of
deploy/prometheus fire, under ``promtool test rules``, on the series ybguard really writes:
a non-compliant terminal (naming the check), an incomplete one, a stale one — also while it is
switched off — and a waiver about to expire."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional

import pytest
import yaml
from fleethelpers import MIDS, NOW, WLAN, ybguard

from foundation.frozen import frozen_report
from ybguard.models import Evidence, Finding, Severity, Status
from ybguard.report import prometheus

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "deploy" / "prometheus" / "ybguard-rules.yml"
LINE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?P<labels>\{.*\})? (?P<value>\S+)$")


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool is not installed (make test installs Debian's prometheus package)")
    return path


def check_metrics(text: str) -> None:
    proc = subprocess.run([promtool(), "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def samples(text: str) -> List[Dict[str, str]]:
    out = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            m = LINE.match(line)
            assert m, line
            out.append(m.groupdict())
    return out


def label_map(labels: Optional[str]) -> Dict[str, str]:
    return {k: v.replace('\\"', '"').replace("\\\\", "\\") for k, v in
            re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels or "")}


def series(text: str, shift: int, hours: int) -> List[dict]:
    """promtool input series: each sample held for ``hours``, timestamps rebased by ``shift``
    (promtool's clock starts at 0)."""
    out = []
    for s in samples(text):
        value = float(s["value"])
        if s["name"].endswith("_timestamp_seconds"):
            value -= shift
        out.append({"series": s["name"] + (s["labels"] or ""), "values": f"{value:g}x{hours}"})
    return out


def expected(rules: dict, alert: str, labels: Dict[str, str]) -> dict:
    rule = next(r for g in rules["groups"] for r in g["rules"] if r.get("alert") == alert)
    full = {**{k: v for k, v in labels.items() if v}, **rule.get("labels", {})}  # empty labels do not exist
    fill = lambda text: re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: full.get(m.group(1), ""), text)  # noqa: E731
    return {"exp_labels": full, "exp_annotations": {k: fill(v) for k, v in rule.get("annotations", {}).items()}}


def run_rule_tests(tmp_path: Path, tests: List[dict]) -> None:
    spec = {"rule_files": [str(RULES)], "evaluation_interval": "1m", "tests": tests}
    path = tmp_path / "rules.test.yml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    proc = subprocess.run([promtool(), "test", "rules", str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rules_file_is_valid():
    proc = subprocess.run([promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_scan_textfile_passes_promtool(tmp_path):
    report = frozen_report("zh")
    check_metrics(prometheus.render(report))
    hostile = replace(report, host=replace(report.host, hostname='医保-"终端"\\07\n'), findings=report.findings + (
        Finding("network.dns", Status.FAIL, Severity.HIGH, 'resolver "114.114.114.114"\\x', "m", "r", "f", "t",
                "network", (Evidence("s", "d"),)),
        Finding("network.dns", Status.FAIL, Severity.HIGH, 'resolver "114.114.114.114"\\x', "m", "r", "f", "t",
                "network")))
    check_metrics(prometheus.render(hostile))  # escaped labels, no duplicate series
    root = tmp_path / "img"
    (root / "etc").mkdir(parents=True)
    (root / "etc/hostname").write_text("yb-img-02\n")
    (root / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')  # an OS image
    out = tmp_path / "ybguard.prom"
    r = ybguard("scan", "--root", str(root), "-o", f"prometheus={out}", "--output", str(tmp_path / "r.json"))
    assert r.returncode in (1, 3), r.stderr
    text = out.read_text(encoding="utf-8")
    check_metrics(text)
    assert 'ybguard_last_scan_timestamp_seconds{host="yb-img-02"}' in text


def test_terminal_alerts(tmp_path):
    """yb-term-07 keeps being scraped; yb-term-08 was switched off 10 h into the test."""
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    on, off = frozen_report("en", hostname="yb-term-07"), frozen_report("en", hostname="yb-term-08")
    started = int(datetime.fromisoformat(on.started_at).timestamp())
    inputs = series(prometheus.render(on), started, 40) + series(prometheus.render(off), started, 10)
    alerts = {
        "YbguardCheckFailed": [
            expected(rules, "YbguardCheckFailed", {"host": "yb-term-07", "check": "network.interface-kind", "severity": "high"}),
            expected(rules, "YbguardCheckFailed", {"host": "yb-term-07", "check": "network.public-route", "severity": "critical"})],
        "YbguardTerminalIncomplete": [
            expected(rules, "YbguardTerminalIncomplete", {"host": "yb-term-07", "check": "accounts.shadow"})],
        "YbguardScanStale": [expected(rules, "YbguardScanStale", {"host": h}) for h in ("yb-term-07", "yb-term-08")],
        "YbguardWaiverExpiring": [expected(rules, "YbguardWaiverExpiring", {
            "host": "yb-term-07", "check": "network.interface-kind", "subject": "[red]x[/red]", "expired": "false"})],
    }
    at_20h = {"YbguardScanStale": []}  # 20 h after the scan: not stale yet; the rest as at 30 h
    run_rule_tests(tmp_path, [{"interval": "1h", "input_series": inputs, "alert_rule_test": [
        *({"eval_time": "30h", "alertname": name, "exp_alerts": exp} for name, exp in alerts.items()),
        *({"eval_time": "20h", "alertname": name, "exp_alerts": exp} for name, exp in at_20h.items())]}])


def test_fleet_textfile_and_alerts(fleet_db, tmp_path):
    """From the store: t3 is off since 11-30 (stale), three terminals non-compliant, t2's waiver due in 3 days."""
    r = ybguard("fleet", "summary", "--db", str(fleet_db), "--now", NOW, "--format", "prometheus")
    assert r.returncode == 0, r.stderr
    check_metrics(r.stdout)
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    now = int(datetime.fromisoformat(NOW).timestamp())
    inputs = series(r.stdout, now - 3600, 3)  # promtool's 1h is NOW
    last = {label_map(s["labels"])["terminal"]: label_map(s["labels"]) for s in samples(r.stdout)
            if s["name"] == "ybguard_fleet_last_report_timestamp_seconds"}
    verdicts = [label_map(s["labels"]) for s in samples(r.stdout) if s["name"] == "ybguard_fleet_terminal_verdict"]
    t3 = "YB-T3/" + MIDS["t3"][:8]
    t2 = "YB-T2/" + MIDS["t2"][:8]
    run_rule_tests(tmp_path, [{"interval": "1h", "input_series": inputs, "alert_rule_test": [
        {"eval_time": "1h", "alertname": "YbguardFleetTerminalStale",
         "exp_alerts": [expected(rules, "YbguardFleetTerminalStale", last[t3])]},
        {"eval_time": "1h", "alertname": "YbguardFleetTerminalNonCompliant",
         "exp_alerts": [expected(rules, "YbguardFleetTerminalNonCompliant", v) for v in verdicts
                        if v["status"] == "non_compliant"]},
        {"eval_time": "1h", "alertname": "YbguardFleetWaiverExpiring", "exp_alerts": [expected(
            rules, "YbguardFleetWaiverExpiring", {"terminal": t2, "check": WLAN[0], "subject": WLAN[1]})]},
    ]}])
    assert len([v for v in verdicts if v["status"] == "non_compliant"]) == 3
