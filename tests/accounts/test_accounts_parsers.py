"""Pure parsers of the accounts/time area, on real files (Debian root, RHEL authselect output)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ybguard.collect import accounts as acc
from ybguard.collect import timesync as ts

DATA = Path(__file__).resolve().parent.parent / "data" / "accounts"


@pytest.mark.parametrize("minlen,credits,expected", [
    (8, {}, 8),
    (8, {"dcredit": 1, "ucredit": 1}, 6),
    (12, {"dcredit": 1, "ucredit": 1, "lcredit": 1, "ocredit": 1}, 8),
    (9, {"dcredit": 1, "ucredit": 1, "lcredit": 1, "ocredit": 1}, 5),  # pam_cracklib defaults
    (8, {"dcredit": 5, "ucredit": 5}, 4),  # one credit per character: never below ceil(minlen/2)
    (8, {"dcredit": -1, "ucredit": -1}, 8),  # negative credits demand classes, give no length
])
def test_credit_minimum(minlen: int, credits: dict, expected: int) -> None:
    assert acc.credit_minimum(minlen, credits) == expected


def test_debian_common_password_is_pam_unix_default_6(debian_root_path: Path) -> None:
    text = (debian_root_path / "etc/pam.d/common-password").read_text()
    lines = acc.parse_pam_password(text, "/etc/pam.d/common-password")
    assert [(pl.module, pl.control) for pl in lines] == [
        ("pam_unix.so", "[success=1 default=ignore]"), ("pam_deny.so", "requisite"), ("pam_permit.so", "required")]
    value, evidence = acc.stack_minimum(lines, {})
    assert value == 6
    assert "minlen=6 (default)" in evidence[0][1]


def test_rhel_system_auth_with_pwquality_defaults() -> None:
    text = (DATA / "system-auth.rhel9").read_text()
    conf = acc.parse_kv_conf((DATA / "pwquality.conf.rhel9").read_text())
    assert conf == {}  # everything is commented out: library defaults apply
    lines = acc.parse_pam_password(text, "/etc/pam.d/system-auth")
    assert [pl.module for pl in lines] == ["pam_pwquality.so", "pam_unix.so", "pam_localuser.so", "pam_sss.so", "pam_deny.so"]
    value, _ = acc.stack_minimum(lines, conf)
    assert value == 8  # pwquality default minlen 8, credits 0; pam_unix 6 is weaker


def test_pwquality_credits_lower_the_real_minimum() -> None:
    text = (DATA / "system-auth.rhel9").read_text()
    lines = acc.parse_pam_password(text, "/etc/pam.d/system-auth")
    conf = acc.parse_kv_conf("minlen = 8\ndcredit = 1\nucredit = 1\nlcredit = 0\n")
    assert acc.stack_minimum(lines, conf)[0] == 6
    # module arguments override the file; enforcing=0 only warns -> pam_unix decides
    override = acc.parse_pam_password("password requisite pam_pwquality.so minlen=10 enforcing=0\n"
                                      "password sufficient pam_unix.so minlen=7\n", "x")
    assert acc.stack_minimum(override, conf)[0] == 7


def test_pwquality_minlen_floor_and_optional_modules() -> None:
    lines = acc.parse_pam_password("password optional pam_unix.so minlen=12\n"
                                   "password requisite pam_pwquality.so minlen=3\n", "x")
    # pam_unix ran in the first pass, so in the update pass libpam makes it succeed or fail the
    # stack (every module not ignored before is required then): nothing shorter than 12 is set.
    assert acc.stack_minimum(lines, {})[0] == 12
    cracklib = acc.parse_pam_password("password required pam_cracklib.so retry=3\n", "x")
    assert acc.stack_minimum(cracklib, {})[0] == 5
    none = acc.parse_pam_password("password required pam_permit.so\n", "x")
    assert acc.stack_minimum(none, {})[0] is None


def test_login_defs_real_debian(debian_root_path: Path) -> None:
    defs = acc.parse_login_defs((debian_root_path / "etc/login.defs").read_text())
    assert defs["PASS_MAX_DAYS"] == "99999"
    assert "PASS_MIN_LEN" not in defs  # Debian dropped it: PAM decides


def test_accounts_join_passwd_shadow() -> None:
    passwd = ("root:x:0:0:root:/root:/bin/bash\n"
              "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
              "alice:x:1000:1000::/home/alice:/bin/bash\n"
              "bob:x:1001:1001::/home/bob:/bin/bash\n"
              "carol:x:1002:1002::/home/carol:/bin/bash\n"
              "svc:x:999:999::/:/usr/sbin/nologin\n")
    shadow = ("root:*:20000:0:99999:7:::\n"
              "daemon:*:20000:0:99999:7:::\n"
              "alice::20000:0:99999:7:::\n"
              "bob:$y$j9T$abc$def:19000:0:90:7:::\n"
              "carol:!$y$j9T$abc$def:19000:0::7:::\n"
              "svc::20000:0:::::\n")
    users = {u.name: u for u in acc.build_accounts(passwd, shadow, today=20100)}
    assert {n for n, u in users.items() if u.login} == {"alice", "bob"}
    assert users["alice"].password_state == "empty"
    assert users["bob"].password_age_days == 1100 and users["bob"].max_days == 90
    assert users["carol"].password_state == "locked" and users["carol"].max_days is None
    assert users["svc"].password_state == "empty" and not users["svc"].login  # nologin shell


def test_chrony_conf_real_debian() -> None:
    servers, includes = ts.parse_chrony_conf((DATA / "chrony.conf.debian").read_text())
    assert servers == ["2.debian.pool.ntp.org"]
    assert includes == [("sourcedir", "/run/chrony-dhcp"), ("sourcedir", "/etc/chrony/sources.d")]


def test_timesyncd_conf_reset_and_fallback() -> None:
    text = "[Time]\nNTP=10.50.0.123 10.50.0.124\n#FallbackNTP=0.debian.pool.ntp.org\n[Other]\nNTP=x\n"
    assert ts.parse_timesyncd_conf(text) == {"NTP": ["10.50.0.123", "10.50.0.124"], "FallbackNTP": None}
    assert ts.parse_timesyncd_conf("[Time]\nNTP=a\nNTP=\nFallbackNTP=\n") == {"NTP": [], "FallbackNTP": []}


def test_chronyc_tracking_and_timedatectl() -> None:
    assert ts.parse_chronyc_tracking((DATA / "chronyc-tracking.synced").read_text()) == (True, "0A32007B (10.50.0.123)")
    assert ts.parse_chronyc_tracking((DATA / "chronyc-tracking.unsynced").read_text())[0] is False
    assert ts.parse_chronyc_tracking("506 Cannot talk to daemon\n") == (None, "")
    assert ts.parse_timedatectl_show("Timezone=UTC\nNTP=yes\nNTPSynchronized=no\n") is False
    assert ts.parse_timedatectl_show("NTPSynchronized=yes\n") is True


def test_ntp_conf_and_server_split() -> None:
    assert ts.parse_ntp_conf("driftfile /x\npool 0.pool.ntp.org iburst\nserver 10.50.0.123 # yb\n") == [
        "0.pool.ntp.org", "10.50.0.123"]
    assert ts.split_server("10.50.0.123") == ("10.50.0.123", 123)
    assert ts.split_server("127.0.0.1:5123") == ("127.0.0.1", 5123)
    assert ts.split_server("[fd00::1]:5123") == ("fd00::1", 5123)
    assert ts.split_server("fd00::1") == ("fd00::1", 123)
