"""Hostile and mistaken policies (issue 11 items 14, 18–20; issue 14 item 12): every one ends
in a clear policy error with its location — never a traceback, a silent misreading or minutes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import List

import pytest

from ybguard.checks import ALL_CHECKS
from ybguard.policy import PolicyError, parse_policy_text
from ybguard.policy.loader import MAX_ERRORS

HEAD = "policy:\n  id: t\n"
IDS = tuple(c.id for c in ALL_CHECKS)


def error_of(text: str, **kw: object) -> PolicyError:
    with pytest.raises(PolicyError) as exc:
        parse_policy_text(text, "p.yaml", **kw)  # type: ignore[arg-type]
    return exc.value


def where(e: PolicyError) -> List[str]:
    return [f"{x.line}:{x.column} {x.path} {x.message_key}" for x in e.all()]


# --- item 14: alias bombs in a policy -----------------------------------------------------------

def test_alias_bomb_policy_is_refused_quickly() -> None:
    lines = [HEAD.rstrip("\n"), "x0: &a0 [lol]"]
    for i in range(1, 10):
        lines.append(f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    start = time.monotonic()
    e = error_of("\n".join(lines) + "\n")
    assert time.monotonic() - start < 10
    assert e.message_key == "policy.too_many_nodes"


# --- item 18: crashes -------------------------------------------------------------------------

@pytest.mark.parametrize("value,key", [
    ('!!int "{"', "policy.tag_mismatch"),
    ("9" * 4301, "policy.expected"),
    ("1" + "0" * 30, "policy.expected"),
    ("!!int 0x" + "f" * 40, "policy.expected"),
])
def test_bad_integers_are_policy_errors(value: str, key: str) -> None:
    e = error_of(HEAD + f"accounts:\n  password_min_length: {value}\n")
    assert (e.line, e.path, e.message_key) == (4, "accounts.password_min_length", key)


@pytest.mark.parametrize("value", ["1e400", "-1e400", "!!float 1e999", ".inf"])
def test_huge_floats_are_policy_errors(value: str) -> None:
    e = error_of(HEAD + f"time:\n  max_offset_seconds: {value}\n")
    assert (e.line, e.path) == (4, "time.max_offset_seconds")


def test_lone_surrogates_are_refused() -> None:
    e = error_of('policy:\n  id: "yb\\ud800x"\n')
    assert (e.line, e.path, e.message_key) == (2, "policy.id", "policy.surrogate")
    e = error_of(HEAD + 'waivers:\n  - check: "network.*"\n    reason: "\\udfff"\n    approved_by: a\n'
                 "    expires: 2999-01-01T00:00:00+08:00\n")
    assert (e.path, e.message_key) == ("waivers[0].reason", "policy.surrogate")
    assert "U+DFFF" in e.render("en") and e.render("zh").encode("utf-8")


# --- item 19: explicit tags that do not fit ---------------------------------------------------

@pytest.mark.parametrize("value", ['!!bool "1"', "!!bool 1", '!!bool "0"', "!!bool yes please", "!!null x",
                                   "!!timestamp soon", "!!int true"])
def test_tagged_scalar_that_does_not_fit_is_refused(value: str) -> None:
    e = error_of(HEAD + f"network:\n  forbid_default_route: {value}\n")
    assert (e.line, e.column, e.path) == (4, 25, "network.forbid_default_route")
    assert e.message_key in ("policy.tag_mismatch", "policy.expected")


def test_fitting_tags_still_work() -> None:
    pol = parse_policy_text(HEAD + "network:\n  forbid_default_route: !!bool true\n"
                            "accounts:\n  password_min_length: !!int 10\ntime:\n  max_offset_seconds: !!float 30\n")
    assert pol.network.forbid_default_route is True and pol.accounts.password_min_length == 10
    assert pol.time.max_offset_seconds == 30.0


@pytest.mark.parametrize("text,path", [
    ("usb: !!omap [{storage: deny}]\n", "usb"),
    ("usb: !custom {storage: deny}\n", "usb"),
    ("network:\n  allowed_networks: !!set {10.0.0.0/8: null}\n", "network.allowed_networks"),
    ("network: !!map\n  allow_proxy: true\nusb: !foo:map {storage: deny}\n", "usb"),
    ("software:\n  deny: !python/tuple [frpc]\n", "software.deny"),
    ("usb:\n  storage: !foo:str deny\n", "usb.storage"),
])
def test_tagged_collections_are_refused(text: str, path: str) -> None:
    e = error_of(HEAD + text)
    assert path in [x.path for x in e.all()], where(e)


# --- item 20: 40,000 allowed networks ---------------------------------------------------------

def test_forty_thousand_allowed_networks_validate() -> None:
    nets = "".join(f"    - 10.{i // 256 % 256}.{i % 256}.0/24\n" for i in range(40000))
    pol = parse_policy_text(HEAD + "network:\n  allowed_networks:\n" + nets)
    assert len(pol.network.allowed_networks) == 40000


# --- issue 14 item 12: the mistakes people make ----------------------------------------------

def test_fullwidth_colon_comma_and_tab_are_all_reported() -> None:
    text = ("policy:\n  id： t\nnetwork：\n  allowed_networks: [10.50.0.0/16， 10.88.0.0/30]\n"
            "\tallow_proxy: false\n")
    e = error_of(text)
    got = [(x.line, x.column, x.message_key) for x in e.all()]
    assert got == [(2, 5, "policy.lint.fullwidth_colon"), (3, 8, "policy.lint.fullwidth_colon"),
                   (4, 34, "policy.lint.fullwidth_comma"), (5, 1, "policy.lint.tab")]
    zh = e.render("zh")
    assert "全角冒号" in zh and "全角逗号" in zh and "制表符" in zh


def test_fullwidth_punctuation_in_a_value_is_fine() -> None:
    pol = parse_policy_text("policy:\n  id: t\n  title: 医保终端：门诊一楼，挂号处\n")
    assert pol.meta.title == "医保终端：门诊一楼，挂号处"


def test_key_at_the_wrong_indentation_says_where_it_belongs() -> None:
    e = error_of(HEAD + "network:\nallowed_networks: [10.50.0.0/16]\n")
    assert e.message_key == "policy.unknown_key"
    assert "indent it under network:" in e.render("en")
    assert "请把它缩进到 network: 之下" in e.render("zh")
    e = error_of(HEAD + "network:\n  allow_proxy: false\n  usb:\n    storage: deny\n")
    assert "remove its indentation" in e.render("en")
    e = error_of(HEAD + "network:\n  probe:\n    enabled: true\n  timeout_seconds: 3\n")
    assert "indent it under network.probe:" in e.render("en")


def test_several_mistakes_are_reported_at_once_up_to_a_limit() -> None:
    text = HEAD + "usb:\n  storage: maybe\n  optical: sometimes\naccounts:\n  password_min_length: -1\nnetwrok: {}\n"
    e = error_of(text)
    assert [(x.line, x.path) for x in e.all()] == [(4, "usb.storage"), (5, "usb.optical"),
                                                   (7, "accounts.password_min_length"), (8, "netwrok")]
    assert len(e.render("en").splitlines()) == 4
    many = HEAD + "network:\n  allowed_networks:\n" + "".join(f"    - bad{i}\n" for i in range(50))
    assert len(error_of(many).all()) == MAX_ERRORS


def test_no_pyyaml_english_in_chinese_messages() -> None:
    for text in (HEAD + "network: [10.0.0.0/8\n", HEAD + "usb:\n  storage: deny\n storage2: x\n",
                 HEAD + "usb: {storage: deny\n", 'policy:\n  id: "unclosed\n', HEAD + "a: *nope\n",
                 HEAD + "x: 'a' b\n", HEAD + "usb:\n  storage: deny\n    optical: x\n"):
        zh = error_of(text).render("zh")
        english = [w for w in ("expected", "found", "while", "mapping", "scanning", "parsing", "could not")
                   if w in zh]
        assert not english, (text, zh)


def test_waiver_for_a_check_that_does_not_exist_is_an_error() -> None:
    text = HEAD + ("waivers:\n  - check: network.public-rout\n    reason: r\n    approved_by: a\n"
                   "    expires: 2999-01-01T00:00:00+08:00\n")
    e = error_of(text, known_checks=IDS)
    assert (e.line, e.path, e.message_key) == (4, "waivers[0].check", "policy.waiver_no_check")
    assert "did you mean 'network.public-route'" in e.render("en")
    parse_policy_text(text.replace("public-rout", "public-*"), known_checks=IDS)


def test_policy_validate_warns_of_an_expired_waiver_and_refuses_a_dangling_one(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text(HEAD + "waivers:\n  - check: 'usb.*'\n    reason: 临时\n    approved_by: 信息科\n"
                 "    expires: 2020-01-01T00:00:00+08:00\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "ybguard", "policy", "validate", "--lang", "zh", str(f)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "已于 2020-01-01T00:00:00+08:00 过期" in run.stderr
    f.write_text(f.read_text(encoding="utf-8").replace("usb.*", "usbb.*"), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "ybguard", "policy", "validate", "--lang", "en", str(f)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"{f}:4:12: waivers[0].check:" in run.stderr
