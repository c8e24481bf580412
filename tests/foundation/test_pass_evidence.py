"""Every pass says what was examined (issue 14 item 2): over the facts of a clean terminal every
built-in check passes, and each pass carries evidence and a message of its own — never the bare
"no violation found" that proves nothing on a printed report."""

from __future__ import annotations

from typing import Any, Dict, List

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
