"""Every pass says what was examined (issue 14 item 2): over the facts of a clean terminal every
built-in check passes, and each pass carries evidence and a message of its own — never the bare
"no violation found" that proves nothing on a printed report."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Tuple

import pytest

from ybguard.checks import ALL_CHECKS
from ybguard.checks.interface import Check, Examined, msg
from ybguard.engine import evaluate_check
from ybguard.i18n import t
from ybguard.models import Finding, Status

from .cleanhost import POLICY, clean_facts


class Facts:
    """The FactSet interface evaluate_check uses, over fixed values."""

    def __init__(self, values: Dict[str, Any]) -> None:
        self.values = values

    def get(self, key: str) -> Any:
        return self.values[key]

    def notes(self, key: str) -> Tuple[Any, ...]:
        return ()


def run(check: Check, lang: str = "en") -> List[Finding]:
    return evaluate_check(check, Facts(clean_facts()), POLICY, lang)  # type: ignore[arg-type]


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.id)
def test_every_check_passes_on_a_clean_terminal_and_says_what_it_examined(check: Check) -> None:
    findings = run(check)
    assert findings and {f.status for f in findings} == {Status.PASS}, [(f.status, f.message) for f in findings]
    for f in findings:
        assert f.evidence, f"{check.id}: a pass without evidence"
        assert f.message != t("engine.no_violation", "en"), f"{check.id}: says only 'no violation found'"
        assert all(e.source and e.detail is not None for e in f.evidence)


def test_every_registered_check_declares_what_it_examines() -> None:
    assert [c.id for c in ALL_CHECKS if c.examined is None] == []


def test_a_pass_carries_the_numbers_it_counted() -> None:
    [route] = run(next(c for c in ALL_CHECKS if c.id == "network.public-route"))
    assert route.message == ("2 routes in 1 tables reachable by 3 rules, none to a public address outside "
                             "allowed_networks")
    assert any("10.50.0.0/16" in e.detail for e in route.evidence)
    [sw] = run(next(c for c in ALL_CHECKS if c.id == "software.installed"))
    assert sw.message.startswith("2 installed packages checked against 23 deny patterns: none of the denied")
    [fwd] = run(next(c for c in ALL_CHECKS if c.id == "network.ip-forwarding"))
    assert ("/proc/sys/net/ipv4/ip_forward", "net.ipv4.ip_forward=0") in {(e.source, e.detail) for e in fwd.evidence}


def test_a_pass_whose_summary_crashes_is_an_error_not_a_pass() -> None:
    def broken(facts: Any, policy: Any) -> Examined:
        raise KeyError("x")

    import dataclasses

    check = dataclasses.replace(next(c for c in ALL_CHECKS if c.id == "network.nat"), examined=broken)
    [f] = run(check)
    assert f.status is Status.ERROR


def test_examined_words_are_translated() -> None:
    [zh] = run(next(c for c in ALL_CHECKS if c.id == "network.nat"), "zh")
    assert zh.message.startswith("读取了防火墙的 NAT 表") and zh.evidence[0].source.startswith("防火墙")
    assert msg("x") == msg("x")


# A title is printed beside every status ("✗ …", "通过 …"), so it names the control and asserts
# nothing: "USB storage drivers", never "USB storage drivers are disabled".
ASSERTING_EN = re.compile(r"\b(no|not|none|never|is|are|has|have|match|matches|shows?|only|but)\b", re.I)
ASSERTING_ZH = re.compile(r"未|没有|一致|曾|不得|已禁用|已接入|已启用|无(?!线)")


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.id)
def test_titles_name_the_control_and_assert_nothing(check: Check) -> None:
    en, zh = check.title("en"), check.title("zh")
    assert not ASSERTING_EN.search(en), f"{check.id}: {en!r} reads as a claim next to a fail or a pass"
    assert not ASSERTING_ZH.search(zh), f"{check.id}: {zh!r} reads as a claim next to a fail or a pass"



def test_not_asked_is_not_blamed_on_the_target_and_fact_ids_stay_out() -> None:
    """Without --baseline the baseline checks say nothing was asked, not "not applicable on this
    target (integrity.baseline)"."""
    from ybguard.target.interface import Unsupported

    class NoBaseline(Facts):
        def get(self, key: str) -> Any:
            if key == "integrity.baseline":
                raise Unsupported("reason.no_baseline")
            return super().get(key)

    for check in ALL_CHECKS:
        if "integrity.baseline" not in check.needs:
            continue
        for lang in ("en", "zh"):
            [f] = evaluate_check(check, NoBaseline(clean_facts()), POLICY, lang)  # type: ignore[arg-type]
            assert f.status is Status.NOT_APPLICABLE
            assert "integrity.baseline" not in f.message and "target" not in f.message and "目标" not in f.message
            assert "--baseline" in f.message


def test_a_remediation_fits_what_was_found() -> None:
    """timesyncd enabled but its state unreadable: the fix must not say "enable chrony"."""
    import dataclasses

    facts = clean_facts()
    facts["time.sync"] = dataclasses.replace(facts["time.sync"], daemon="systemd-timesyncd", synchronized=None,
                                             sources=(("systemd-timesyncd", "installed, enabled"),))
    [f] = evaluate_check(next(c for c in ALL_CHECKS if c.id == "time.sync"), Facts(facts), POLICY, "en")  # type: ignore[arg-type]
    assert f.status is Status.ERROR
    assert "chrony" not in f.remediation.replace("chronyc", "") and "systemd-timesyncd" in f.remediation
