"""PAM control flow (issue 11 item 9): the stack is walked as libpam runs pam_chauthtok, so a
``sufficient`` or ``[success=N …]`` module ahead of pam_pwquality lowers the real minimum, and
a stack whose effect depends on an unknown module is an error, never a guess."""

from __future__ import annotations

from pathlib import Path

import pytest

from ybguard.collect import accounts as acc
from ybguard.collect import pam, registry_for
from ybguard.collect.interface import FactError, FactSet, ScanOptions
from ybguard.policy.schema import Policy
from ybguard.target import RootfsTarget

DEBIAN_UNIX = "password [success=1 default=ignore] pam_unix.so obscure yescrypt\n"
TAIL = "password requisite pam_deny.so\npassword required pam_permit.so\n"


def minimum(text: str) -> object:
    return acc.stack_minimum(acc.parse_pam_password(text, "/etc/pam.d/common-password"), {})[0]


def test_debian_with_pwquality_in_front() -> None:
    text = "password requisite pam_pwquality.so retry=3 minlen=12\n" + DEBIAN_UNIX.replace(
        "obscure", "obscure use_authtok") + TAIL
    assert minimum(text) == 12


def test_sufficient_permit_ahead_of_pwquality_enforces_nothing() -> None:
    text = ("password sufficient pam_permit.so\n"
            "password requisite pam_pwquality.so minlen=12\n" + DEBIAN_UNIX + TAIL)
    # pam_permit always succeeds and ends the stack (libpam: done -> decision_made) before any
    # module stores a password: passwd reports success and changes nothing, so no minimum can be shown.
    with pytest.raises(pam.Undecidable, match="no way through the stack"):
        minimum(text)


def test_stack_without_a_positive_primer_never_succeeds() -> None:
    """A jump does not make the impression positive in the first pass: Debian's trailing
    ``required pam_permit.so`` is what lets its stack succeed at all."""
    with pytest.raises(pam.Undecidable):
        minimum(DEBIAN_UNIX + "password requisite pam_deny.so\n")
    assert minimum(DEBIAN_UNIX + TAIL) == 6


def test_sufficient_unix_ahead_of_pwquality_skips_it() -> None:
    text = ("password sufficient pam_unix.so yescrypt\n"
            "password requisite pam_pwquality.so minlen=12\n" + TAIL)
    assert minimum(text) == 6  # pam_unix stores the password and ends the stack: pwquality never runs


def test_success_jump_over_pwquality_for_some_users() -> None:
    text = ("password [success=1 default=ignore] pam_succeed_if.so uid < 1000 quiet\n"
            "password requisite pam_pwquality.so minlen=12\n" + DEBIAN_UNIX + TAIL)
    # root and system users skip pwquality and land on pam_unix: 6 is what root can set
    assert minimum(text) == 6


def test_jump_taken_only_by_success_of_a_module_we_do_not_know_is_undecidable() -> None:
    text = ("password [success=1 default=ignore] pam_foo.so\n"
            "password requisite pam_pwquality.so minlen=12\n" + DEBIAN_UNIX + TAIL)
    with pytest.raises(pam.Undecidable) as exc:
        minimum(text)
    assert exc.value.where.endswith(":1") and "pam_foo.so" in exc.value.why


def test_unknown_words_and_includes_are_undecidable() -> None:
    with pytest.raises(pam.Undecidable):
        minimum("password [success=1 sometimes=ok] pam_unix.so\n" + TAIL)
    with pytest.raises(pam.Undecidable):
        minimum("password include system-auth\n")
    with pytest.raises(pam.Undecidable):
        minimum("@include common-password-extra\n" + DEBIAN_UNIX + TAIL)


def test_sufficient_sss_for_remote_users_does_not_lower_local_minimum() -> None:
    rhel = (Path(__file__).resolve().parent.parent / "data/accounts/system-auth.rhel9").read_text()
    assert minimum(rhel) == 8


def test_undecidable_stack_is_an_error_fact(tmp_path: Path) -> None:
    pamd = tmp_path / "etc/pam.d"
    pamd.mkdir(parents=True)
    (pamd / "common-password").write_text("password [success=1 default=ignore] pam_foo.so\n"
                                          "password requisite pam_pwquality.so minlen=12\n" + DEBIAN_UNIX + TAIL)
    facts = FactSet(RootfsTarget(str(tmp_path)), Policy(), ScanOptions(), registry_for("linux"))
    with pytest.raises(FactError) as exc:
        facts.get("accounts.password_policy")
    assert exc.value.key == "accounts.reason.pam_undecidable"
    assert exc.value.args_map["where"] == "/etc/pam.d/common-password:1"
