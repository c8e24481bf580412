"""Clauses, levels, the markdown catalogue by clause, and the 自查表 CSV."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from djbhscan import policy, scan
from ybguard.checks import ALL_CHECKS
from ybguard.checks.clauses import EXISTING
from ybguard.cli import cli
from ybguard.models import Status
from ybguard.policy import load_policy_file
from ybguard.policy.loader import builtin_policy_path
from ybguard.policy.schema import DjbhPolicy
from ybguard.report import selfcheck
from ybguard.target.linux import RootfsTarget

NEW_AREAS = ("logon", "audit", "hardening", "malware", "patches")


def test_every_new_check_cites_a_clause_and_the_map_names_real_checks() -> None:
    ids = {c.id for c in ALL_CHECKS}
    assert set(EXISTING) <= ids, set(EXISTING) - ids
    for c in ALL_CHECKS:
        if c.area in NEW_AREAS:
            assert c.clauses and c.rule, c.id
            assert all(k.level3.startswith("8.1.") for k in c.clauses if k.level3)
            assert all(k.level2.startswith("7.1.") for k in c.clauses if k.level2)
        if c.min_level >= 3:
            assert not any(k.level2 for k in c.clauses), c.id  # level-3 only means no level-2 item


def test_level_picks_the_clause_numbers(hardened: Path) -> None:
    target = RootfsTarget(str(hardened))
    at3 = scan(target, "logon.password-complexity", "malware.*")
    at2 = scan(target, "logon.password-complexity", "malware.*", pol=policy(level=2))
    c3 = {f.check: f.clauses for f in at3.findings}
    c2 = {f.check: f.clauses for f in at2.findings}
    assert c3["logon.password-complexity"][0].startswith("GB/T 22239-2019 8.1.4.1 a)")
    assert c2["logon.password-complexity"][0].startswith("GB/T 22239-2019 7.1.4.1 a)")
    assert c2["malware.antivirus"] == ("GB/T 22239-2019 7.1.4.5 恶意代码防范：安装防恶意代码软件或配置具有相应功能的软件，"
                                       "并定期进行升级和更新防恶意代码库",)
    realtime = [f for f in at2.findings if f.check == "malware.realtime"]
    assert [f.status for f in realtime] == [Status.NOT_APPLICABLE] and realtime[0].clauses == ()


def test_default_policy_restates_the_djbh_defaults() -> None:
    pol = load_policy_file(builtin_policy_path())
    assert pol.djbh == DjbhPolicy() and pol.djbh_level == 3


def test_markdown_groups_by_clause() -> None:
    out = CliRunner().invoke(cli, ["checks", "--format", "markdown"]).output
    assert out == (Path(__file__).resolve().parents[2] / "docs" / "checks.md").read_text(encoding="utf-8")
    section = out.split("### 8.1.4.1 a) (二级 level 2: 7.1.4.1 a))", 1)[1].split("###", 1)[0]
    assert "`logon.password-complexity`" in section and "`accounts.password-min-length`" in section
    assert "`network.public-route`" not in section
    level3 = out.split("### — (二级 level 2: 7.1.4.5)", 1)[0].split("### 8.1.4.5 (二级 level 2: —)", 1)[1]
    assert "`malware.realtime` 实时防护（三级） / Real-time protection (level 3) (三级 level 3 only)" in level3
    rows = json.loads(CliRunner().invoke(cli, ["checks", "--format", "json"]).output)
    assert {"level2": "7.1.4.1 a)", "level3": "8.1.4.1 a)"}.items() <= next(
        r for r in rows if r["id"] == "logon.password-complexity")["clauses"][0].items()


def test_selfcheck_csv(hardened: Path, tmp_path: Path) -> None:
    (hardened / "etc/security/pwquality.conf").write_text("minclass = 1\n")
    pol = tmp_path / "p.yaml"
    pol.write_text("policy: {id: t, version: 1}\n")
    out = tmp_path / "自查表.csv"
    proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--root", str(hardened), "--policy", str(pol),
                           "--lang", "zh", "--only", "logon.*", "-o", f"csv={out}", "--format", "json"],
                          capture_output=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel on Chinese Windows opens UTF-8 only with a BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["条款", "检查项", "检查编号", "对象", "结果", "证据", "整改建议", "检查人"]
    by_check = {r[2]: r for r in rows[1:]}
    row = by_check["logon.password-complexity"]
    assert row[0].startswith("GB/T 22239-2019 8.1.4.1 a)") and row[1] == "口令复杂度" and row[4] == "不通过"
    assert "/etc/pam.d/common-password" in row[5] and row[7] == ""
    assert by_check["logon.lockout"][4] == "通过"


def test_selfcheck_cells_never_start_a_formula() -> None:
    assert selfcheck._cell("=cmd|'/c calc'!A1") == "'=cmd|'/c calc'!A1"
    assert selfcheck._cell("-1+1") == "'-1+1" and selfcheck._cell("ok") == "ok"
