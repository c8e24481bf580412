"""/etc/passwd and /etc/shadow read as glibc reads them, and password age judged per account
(issue 11 items 7 and 8)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Set

from ybguard.checks.accounts import password_max_age
from ybguard.collect import accounts as acc
from ybguard.collect import registry_for
from ybguard.collect.interface import FactSet, ScanOptions
from ybguard.models import Status
from ybguard.policy.schema import Policy
from ybguard.target import RootfsTarget

HASH = "$y$j9T$Jx3nYvHH8D8CwHNcoVjj2/$QnPm4cz0R3n0f4qI1zVdyXhQ8nKtq2o7Bp1aVd9Z7r1"


def test_first_shadow_entry_for_a_name_wins() -> None:
    """getspnam() returns the first matching line: a later line cannot hide an empty password."""
    passwd = "alice:x:1000:1000::/home/alice:/bin/bash\n"
    shadow = f"alice::20000:0:90:7:::\nalice:{HASH}:20000:0:90:7:::\n"
    (alice,) = acc.build_accounts(passwd, shadow, today=20010)
    assert alice.password_state == "empty" and alice.login


def test_first_passwd_entry_for_a_name_wins() -> None:
    """getpwnam() returns the first line: a second 'alice' line is never used to log in, and
    the first one's shell decides."""
    passwd = ("alice:x:1000:1000::/home/alice:/bin/bash\n"
              "alice:x:1000:1000::/home/alice:/usr/sbin/nologin\n")
    shadow = f"alice:{HASH}:20000:0:90:7:::\n"
    users = acc.build_accounts(passwd, shadow, today=20010)
    assert [(u.name, u.login) for u in users] == [("alice", True)]


def test_empty_shell_field_is_bin_sh() -> None:
    """passwd(5): an empty shell field means /bin/sh — the account can log in."""
    passwd = "bob:x:1001:1001::/home/bob:\n"
    shadow = "bob::20000:0:90:7:::\n"
    (bob,) = acc.build_accounts(passwd, shadow, today=20010)
    assert bob.login and bob.password_state == "empty"
    assert "/bin/sh" in bob.source


def _aging(root: Path, passwd: str, shadow: str, login_defs: str) -> acc.PasswordAging:
    (root / "etc").mkdir(parents=True, exist_ok=True)
    (root / "etc/passwd").write_text(passwd)
    (root / "etc/shadow").write_text(shadow)
    (root / "etc/login.defs").write_text(login_defs)
    facts = FactSet(RootfsTarget(str(root)), Policy(), ScanOptions(), registry_for("linux"))
    return facts.get("accounts.max_age")


def _judge(aging: acc.PasswordAging) -> Dict[str, Set[str]]:
    out: Dict[str, Set[str]] = {}
    for r in password_max_age({"accounts.max_age": aging}, Policy()):
        out.setdefault(r.status.value, set()).add(r.subject)
    return out


PASSWD = ("root:x:0:0:root:/root:/bin/bash\n"
          "alice:x:1000:1000::/home/alice:/bin/bash\n"
          "svc:x:999:999::/:/usr/sbin/nologin\n")


def test_chage_365_on_one_account_fails_although_login_defs_says_90(tmp_path: Path) -> None:
    shadow = (f"root:{HASH}:20000:0:90:7:::\n"
              f"alice:{HASH}:20000:0:365:7:::\n"   # chage -M 365 alice
              "svc:*:20000:0::7:::\n")
    aging = _aging(tmp_path, PASSWD, shadow, "PASS_MAX_DAYS\t90\n")
    assert _judge(aging) == {"fail": {"alice"}}


def test_no_pass_max_days_but_every_account_at_90_is_compliant(tmp_path: Path) -> None:
    shadow = (f"root:{HASH}:20000:0:90:7:::\n"
              f"alice:{HASH}:20000:0:60:7:::\n"
              "svc:*:20000:0::7:::\n")
    aging = _aging(tmp_path, PASSWD, shadow, "# no PASS_MAX_DAYS here\n")
    got = _judge(aging)
    assert got == {"pass": {"password policy"}}
    results = list(password_max_age({"accounts.max_age": aging}, Policy()))
    assert any("PASS_MAX_DAYS" in e.detail for r in results for e in r.evidence)  # reported separately


def test_never_expiring_login_account_fails_even_with_login_defs_90(tmp_path: Path) -> None:
    shadow = (f"root:{HASH}:20000:0:99999:7:::\n"
              f"alice:{HASH}:20000:0::7:::\n"
              "svc:*:20000:0::7:::\n")
    aging = _aging(tmp_path, PASSWD, shadow, "PASS_MAX_DAYS 90\n")
    assert _judge(aging) == {"fail": {"root", "alice"}}
    assert all(r.status is Status.FAIL for r in password_max_age({"accounts.max_age": aging}, Policy()))
