"""The engine: fail closed on unreadable facts, crashes and bad results; waivers; verdict and exit codes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterable, List, Mapping

import pytest

from ybguard.checks import select_checks
from ybguard.checks.interface import Check, Result, error, fail, msg, not_applicable, passed
from ybguard.collect import FactSet, ScanOptions
from ybguard.engine import apply_waivers, run_scan
from ybguard.models import Evidence, Finding, Severity, Status, TargetKind, Verdict, exit_code
from ybguard.policy import parse_policy_text
from ybguard.policy.schema import Policy, Waiver
from ybguard.target import RootfsTarget, ToolMissing, Unsupported

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=timezone(timedelta(hours=8)))
POLICY = Policy()


def check(cid: str, evaluate: Any, needs: tuple = ("t.items",), severity: Severity = Severity.HIGH) -> Check:
    return Check(cid, severity, "规则", needs, evaluate)


def fail_each(facts: Mapping[str, Any], policy: Policy) -> Iterable[Result]:
    for item in facts["t.items"]:
        yield fail(item, msg("engine.raw_reason", reason=f"bad {item}"), Evidence("test", item))


def nothing(facts: Mapping[str, Any], policy: Policy) -> Iterable[Result]:
    return ()


def scan(tmp_path, checks: List[Check], collectors: Dict[str, Any], policy: Policy = POLICY, now: datetime = NOW):
    target = RootfsTarget(str(tmp_path))
    return run_scan(policy, target, checks, ScanOptions(lang="en", now=now), registry=collectors)


def statuses(report) -> Dict[tuple, Status]:  # type: ignore[no-untyped-def]
    return {(f.check, f.subject): f.status for f in report.findings}


def test_nothing_returned_is_one_pass(tmp_path):
    r = scan(tmp_path, [check("t.ok", nothing)], {"t.items": lambda ctx: ["a"]})
    assert statuses(r) == {("t.ok", "host"): Status.PASS}
    assert r.findings[0].message == "no violation found"
    assert r.verdict is Verdict.COMPLIANT and exit_code(r, Severity.INFO) == 0


def test_each_fail_is_a_finding_with_evidence(tmp_path):
    r = scan(tmp_path, [check("t.bad", fail_each)], {"t.items": lambda ctx: ["wlan0", "ppp0"]})
    assert statuses(r) == {("t.bad", "wlan0"): Status.FAIL, ("t.bad", "ppp0"): Status.FAIL}
    assert r.findings[0].evidence == (Evidence("test", "wlan0"),)
    assert r.findings[0].severity is Severity.HIGH and r.findings[0].rule == "规则"
    assert r.verdict is Verdict.NON_COMPLIANT and exit_code(r, Severity.INFO) == 1


@pytest.mark.parametrize("exc,reason", [
    (PermissionError(13, "Permission denied", "/etc/shadow"), "permission denied: /etc/shadow"),
    (FileNotFoundError(2, "No such file or directory", "/etc/login.defs"), "file not found: /etc/login.defs"),
    (RuntimeError("ip exited 1"), "RuntimeError: ip exited 1"),
    (ToolMissing("reason.missing_tool", tool="nft"), "tool not found: nft"),
    (ValueError("unparsable line 3"), "ValueError: unparsable line 3"),
])
def test_unreadable_fact_is_an_error_never_a_pass(tmp_path, exc, reason):
    def broken(ctx):  # type: ignore[no-untyped-def]
        raise exc

    r = scan(tmp_path, [check("t.a", nothing), check("t.b", fail_each)], {"t.items": broken})
    assert statuses(r) == {("t.a", "host"): Status.ERROR, ("t.b", "host"): Status.ERROR}
    assert r.findings[0].message == f"could not read what this check needs: {reason}"  # no internal fact id
    assert r.verdict is Verdict.INCOMPLETE and exit_code(r, Severity.INFO) == 3


def test_collector_runs_once_and_its_failure_is_remembered(tmp_path):
    calls = []

    def broken(ctx):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise PermissionError(13, "Permission denied", "/x")

    scan(tmp_path, [check("t.a", nothing), check("t.b", nothing)], {"t.items": broken})
    assert calls == [1]


def test_unsupported_fact_is_not_applicable(tmp_path):
    def offline(ctx):  # type: ignore[no-untyped-def]
        ctx.target.require_live()

    r = scan(tmp_path, [check("t.live", fail_each)], {"t.items": offline})
    assert statuses(r) == {("t.live", "host"): Status.NOT_APPLICABLE}
    assert r.findings[0].message == "an offline image has no running state, only saved configuration"
    assert r.verdict is Verdict.COMPLIANT and exit_code(r, Severity.INFO) == 0


def test_fact_without_any_collector_is_an_error(tmp_path):
    r = scan(tmp_path, [check("t.typo", nothing, needs=("network.routs",))], {})
    assert statuses(r) == {("t.typo", "host"): Status.ERROR}
    assert "no collector provides network.routs" in r.findings[0].message


def test_fact_of_the_other_os_family_is_not_applicable(tmp_path, monkeypatch):
    from ybguard import collect

    monkeypatch.setitem(collect.COLLECTORS, "windows", {"windows.defender": lambda ctx: None})
    r = scan(tmp_path, [check("t.win", nothing, needs=("windows.defender",))], {})
    assert statuses(r) == {("t.win", "host"): Status.NOT_APPLICABLE}
    assert r.findings[0].message == "applies to Windows systems only"


def test_crashing_evaluate_is_an_error(tmp_path):
    def crash(facts, policy):  # type: ignore[no-untyped-def]
        return [facts["t.items"][5]]

    r = scan(tmp_path, [check("t.crash", crash)], {"t.items": lambda ctx: []})
    assert statuses(r) == {("t.crash", "host"): Status.ERROR}
    assert r.findings[0].message == "the check itself failed (reported as error): IndexError: list index out of range"


def test_crash_after_a_fail_keeps_the_fail(tmp_path):
    def half(facts, policy):  # type: ignore[no-untyped-def]
        yield fail("wlan0", msg("engine.raw_reason", reason="wireless"))
        raise KeyError("boom")

    r = scan(tmp_path, [check("t.half", half)], {"t.items": lambda ctx: []})
    assert [(f.subject, f.status) for f in r.findings] == [("wlan0", Status.FAIL), ("host", Status.ERROR)]
    assert r.verdict is Verdict.NON_COMPLIANT


def test_target_error_inside_evaluate_is_an_error(tmp_path):
    def needs_tool(facts, policy):  # type: ignore[no-untyped-def]
        raise ToolMissing("reason.missing_tool", tool="nft")

    r = scan(tmp_path, [check("t.tool", needs_tool)], {"t.items": lambda ctx: []})
    assert statuses(r) == {("t.tool", "host"): Status.ERROR}


def test_unsupported_inside_evaluate_is_not_applicable(tmp_path):
    def offline(facts, policy):  # type: ignore[no-untyped-def]
        raise Unsupported("reason.offline")

    r = scan(tmp_path, [check("t.na", offline)], {"t.items": lambda ctx: []})
    assert statuses(r) == {("t.na", "host"): Status.NOT_APPLICABLE}


@pytest.mark.parametrize("bad", [None, "fail", Finding, Result(Status.WAIVED, "x", msg("engine.no_violation"))])
def test_malformed_results_are_errors(tmp_path, bad):
    r = scan(tmp_path, [check("t.bad", lambda facts, policy: [bad])], {"t.items": lambda ctx: []})
    assert statuses(r) == {("t.bad", "host"): Status.ERROR}


def test_evaluate_returning_none_is_an_error_not_a_pass(tmp_path):
    r = scan(tmp_path, [check("t.none", lambda facts, policy: None)], {"t.items": lambda ctx: []})
    assert statuses(r) == {("t.none", "host"): Status.ERROR}


def test_explicit_results_pass_na_error(tmp_path):
    def mixed(facts, policy):  # type: ignore[no-untyped-def]
        yield passed("eth0", msg("engine.no_violation"))
        yield not_applicable("wwan0", msg("engine.no_violation"))
        yield error("/etc/x", msg("engine.raw_reason", reason="corrupt"))
        yield fail("wlan0", msg("engine.raw_reason", reason="x"), severity=Severity.LOW)

    r = scan(tmp_path, [check("t.m", mixed)], {"t.items": lambda ctx: []})
    assert statuses(r) == {("t.m", "eth0"): Status.PASS, ("t.m", "wwan0"): Status.NOT_APPLICABLE,
                           ("t.m", "/etc/x"): Status.ERROR, ("t.m", "wlan0"): Status.FAIL}
    assert {f.subject: f.severity for f in r.findings}["wlan0"] is Severity.LOW
    assert exit_code(r, Severity.INFO) == 1
    assert exit_code(r, Severity.MEDIUM) == 3  # the low fail is below --fail-on; the error remains


def test_preloaded_facts_need_no_collector(tmp_path):
    target = RootfsTarget(str(tmp_path))
    facts = FactSet(target, POLICY, ScanOptions(), {})
    facts.preload("t.items", ["x"])
    r = run_scan(POLICY, target, [check("t.bad", fail_each)], ScanOptions(now=NOW), facts=facts)
    assert statuses(r) == {("t.bad", "x"): Status.FAIL}


def test_hostile_host_strings_are_made_safe(tmp_path):
    def weird(ctx):  # type: ignore[no-untyped-def]
        return ["bad\udcffname", "esc\x1b[31mred", "nul\x00"]

    r = scan(tmp_path, [check("t.s", fail_each)], {"t.items": weird})
    assert [f.subject for f in r.findings] == ["bad\\xffname", "esc\\x1b[31mred", "nul\\x00"]
    for f in r.findings:
        f.subject.encode("utf-8")


# ---- waivers --------------------------------------------------------------------------------

def waiver_policy(*waivers: str) -> Policy:
    text = "policy:\n  id: w\nwaivers:\n" + "".join(waivers)
    return parse_policy_text(text)


def w(check: str, subject: str, expires: str, reason: str = "工单 1", by: str = "信息科") -> str:
    return (f"  - check: '{check}'\n    subject: '{subject}'\n    reason: {reason}\n    approved_by: {by}\n"
            f"    expires: {expires}\n")


def test_waiver_matches_check_and_subject_globs(tmp_path):
    pol = waiver_policy(w("t.*", "wlan*", "2026-12-01T18:00:00+08:00"))
    r = scan(tmp_path, [check("t.net", fail_each), check("u.net", fail_each)],
             {"t.items": lambda ctx: ["wlan0", "ppp0"]}, policy=pol)
    assert statuses(r) == {("t.net", "wlan0"): Status.WAIVED, ("t.net", "ppp0"): Status.FAIL,
                           ("u.net", "wlan0"): Status.FAIL, ("u.net", "ppp0"): Status.FAIL}
    waived = next(f for f in r.findings if f.status is Status.WAIVED)
    assert waived.waiver is not None and waived.waiver.reason == "工单 1" and waived.waiver.approved_by == "信息科"
    assert waived.waiver.expired is False
    assert waived.message == "bad wlan0 — waived: 工单 1 (approved by 信息科, until 2026-12-01T18:00:00+08:00)"


def test_waived_only_is_compliant(tmp_path):
    pol = waiver_policy(w("*", "*", "2026-12-01T18:00:00+08:00"))
    r = scan(tmp_path, [check("t.net", fail_each)], {"t.items": lambda ctx: ["wlan0"]}, policy=pol)
    assert r.verdict is Verdict.COMPLIANT and exit_code(r, Severity.INFO) == 0
    assert r.counts() == {"pass": 0, "fail": 0, "error": 0, "not_applicable": 0, "waived": 1}


def test_expired_waiver_keeps_the_fail_and_says_so(tmp_path):
    pol = waiver_policy(w("t.*", "wlan0", "2026-11-26T01:59:59+08:00"))
    r = scan(tmp_path, [check("t.net", fail_each)], {"t.items": lambda ctx: ["wlan0"]}, policy=pol)
    f = r.findings[0]
    assert f.status is Status.FAIL and f.waiver is not None and f.waiver.expired is True
    assert f.message == ("bad wlan0 — the waiver expired at 2026-11-26T01:59:59+08:00 (工单 1, approved by 信息科);"
                         " counted as a fail again")
    assert exit_code(r, Severity.INFO) == 1


def test_expiry_is_compared_across_timezones(tmp_path):
    # 2026-11-25T18:00Z is exactly NOW (02:00+08:00 on the 26th): an expiry instant is no longer covered.
    pol = waiver_policy(w("*", "*", "2026-11-25T18:00:00Z"))
    r = scan(tmp_path, [check("t.net", fail_each)], {"t.items": lambda ctx: ["x"]}, policy=pol)
    assert r.findings[0].status is Status.FAIL
    r = scan(tmp_path, [check("t.net", fail_each)], {"t.items": lambda ctx: ["x"]}, policy=pol,
             now=NOW - timedelta(seconds=1))
    assert r.findings[0].status is Status.WAIVED


def test_a_valid_waiver_wins_over_an_expired_one(tmp_path):
    pol = waiver_policy(w("*", "*", "2020-01-01T00:00:00+08:00", reason=old), w("t.net", "x", "2030-01-01T00:00:00+08:00"))
    r = scan(tmp_path, [check("t.net", fail_each)], {"t.items": lambda ctx: ["x"]}, policy=pol)
    assert r.findings[0].status is Status.WAIVED and r.findings[0].waiver.reason == "工单 1"  # type: ignore[union-attr]


old = "旧工单"


def test_waiver_never_touches_error_or_pass(tmp_path):
    def broken(ctx):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "denied", "/x")

    pol = waiver_policy(w("*", "*", "2030-01-01T00:00:00+08:00"))
    r = scan(tmp_path, [check("t.err", nothing)], {"t.items": broken}, policy=pol)
    assert statuses(r) == {("t.err", "host"): Status.ERROR}
    assert r.findings[0].waiver is None
    r = scan(tmp_path, [check("t.ok", nothing)], {"t.items": lambda ctx: []}, policy=pol)
    assert statuses(r) == {("t.ok", "host"): Status.PASS}


def test_apply_waivers_without_subject_covers_all_subjects():
    f = Finding("a.b", Status.FAIL, Severity.HIGH, "anything", "m", "r", "fix", "title", "a")
    waiver = Waiver(check="a.*", reason="r", approved_by="x", expires=NOW + timedelta(days=1))
    assert apply_waivers([f], [waiver], NOW, "zh")[0].status is Status.WAIVED
    assert "已豁免：r（批准：x，有效期至" in apply_waivers([f], [waiver], NOW, "zh")[0].message


# ---- verdict, exit codes, selection -----------------------------------------------------------

def finding(status: Status, severity: Severity = Severity.HIGH) -> Finding:
    return Finding("a.b", status, severity, "s", "m", "r", "fix", "title", "a")


def report_of(*findings: Finding):  # type: ignore[no-untyped-def]
    from ybguard.models import HostInfo, PolicyRef, Report

    return Report("0", HostInfo("h", "os", "k", TargetKind.LIVE, "/"), PolicyRef("p", 1, "", ""), "", 0, "en",
                  tuple(findings))


@pytest.mark.parametrize("findings,verdict,codes", [
    ((), Verdict.COMPLIANT, (0, 0)),
    ((finding(Status.PASS), finding(Status.NOT_APPLICABLE), finding(Status.WAIVED)), Verdict.COMPLIANT, (0, 0)),
    ((finding(Status.FAIL, Severity.LOW),), Verdict.NON_COMPLIANT, (1, 0)),
    ((finding(Status.FAIL, Severity.CRITICAL),), Verdict.NON_COMPLIANT, (1, 1)),
    ((finding(Status.ERROR),), Verdict.INCOMPLETE, (3, 3)),
    ((finding(Status.ERROR), finding(Status.FAIL, Severity.INFO)), Verdict.NON_COMPLIANT, (1, 3)),
    ((finding(Status.ERROR), finding(Status.FAIL, Severity.HIGH)), Verdict.NON_COMPLIANT, (1, 1)),
])
def test_verdict_and_exit_codes(findings, verdict, codes):
    r = report_of(*findings)
    assert r.verdict is verdict
    assert (exit_code(r, Severity.INFO), exit_code(r, Severity.HIGH)) == codes


def test_select_checks_only_and_skip():
    checks = [check(i, nothing) for i in ("network.route", "network.dns", "usb.storage", "accounts.empty")]
    ids = lambda cs: [c.id for c in cs]  # noqa: E731
    assert ids(select_checks(checks)) == ["network.route", "network.dns", "usb.storage", "accounts.empty"]
    assert ids(select_checks(checks, only=["network.*"])) == ["network.route", "network.dns"]
    assert ids(select_checks(checks, only=["network.*", "usb.*"], skip=["network.dns"])) == ["network.route", "usb.storage"]
    assert ids(select_checks(checks, skip=["*"])) == []


def test_host_identity_and_duration_in_the_report(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "os-release").write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\n')
    (tmp_path / "etc" / "hostname").write_text("golden-01\n")
    from ybguard.collect import registry_for

    r = scan(tmp_path, [check("t.ok", nothing)], {**registry_for("linux"), "t.items": lambda ctx: []})
    assert (r.host.hostname, r.host.os, r.host.os_version, r.host.target) == (
        "golden-01", "Debian GNU/Linux 12 (bookworm)", "12", TargetKind.ROOTFS)
    assert r.duration_ms >= 0 and r.started_at == "2026-11-26T02:00:00+08:00"


def test_progress_reports_each_check_in_order(tmp_path):
    seen = []
    target = RootfsTarget(str(tmp_path))
    checks = [check("t.a", nothing), check("t.b", nothing)]
    run_scan(POLICY, target, checks, ScanOptions(now=NOW), registry={"t.items": lambda ctx: []},
             progress=lambda i, n, c: seen.append((i, n, c.id)))
    assert seen == [(0, 2, "t.a"), (1, 2, "t.b")]
