"""history.web and time.manual-change: real browser databases, real wtmp written by utmpdump,
syslog lines as the programs print them, through collectors, checks and the real CLI."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List, Tuple

import pytest

from ybguard.checks import ALL_CHECKS, select_checks
from ybguard.checks.history import domain_allowed, is_outside
from ybguard.checks.network import Space
from ybguard.collect import ScanOptions
from ybguard.collect.clockhistory import parse_time_log, parse_wtmp, sets_clock
from ybguard.collect.webhistory import (
    browser_name,
    datetime_to_webkit,
    prtime_to_datetime,
    read_web_history,
    url_host,
    webkit_to_datetime,
)
from ybguard.engine import run_scan
from ybguard.policy.schema import HistoryPolicy, Policy
from ybguard.target import RootfsTarget

DATA = Path(__file__).resolve().parent.parent / "data" / "history"
CHROME = DATA / "grr-chrome-History"
FIREFOX = DATA / "grr-firefox-places.sqlite"
# The newest visit in the real Chrome file: 2011-05-23T08:37:27Z; Firefox's: 2011-07-01T11:16:21Z.
NOW = datetime(2011, 7, 10, tzinfo=timezone.utc)
UTC = timezone.utc


def linux_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n')
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n")
    (root / "root").mkdir()
    return root


def add_chrome(home: Path, product: str = ".config/google-chrome", profile: str = "Default",
               source: Path = CHROME) -> Path:
    user_data = home / product
    (user_data / profile).mkdir(parents=True, exist_ok=True)
    (user_data / "Local State").write_text("{}")
    shutil.copyfile(source, user_data / profile / "History")
    return user_data / profile / "History"


def add_firefox(home: Path, profile: str = "abcd1234.default") -> Path:
    d = home / ".mozilla/firefox" / profile
    d.mkdir(parents=True)
    shutil.copyfile(FIREFOX, d / "places.sqlite")
    return d / "places.sqlite"


def scan(root: Path, policy: Policy, now: datetime, only: Tuple[str, ...] = ("history.web",)):
    return run_scan(policy, RootfsTarget(str(root)), select_checks(ALL_CHECKS, list(only)),
                    ScanOptions(lang="en", now=now))


def statuses(report) -> List[Tuple[str, str]]:
    return sorted((f.status.value, f.subject) for f in report.findings)


# ---- pure parsers -----------------------------------------------------------------------------

def test_epochs_round_trip_and_match_the_real_files() -> None:
    when = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert webkit_to_datetime(datetime_to_webkit(when)) == when
    # Chrome's first visit in the real file, and Firefox's only one.
    assert webkit_to_datetime(12946651391000000) == datetime(2011, 4, 7, 12, 3, 11, tzinfo=UTC)
    assert prtime_to_datetime(1309518981371935).replace(microsecond=0) == datetime(2011, 7, 1, 11, 16, 21,
                                                                                    tzinfo=UTC)


@pytest.mark.parametrize("url,host", [
    ("http://news.google.com/", "news.google.com"),
    ("https://WWW.Example.COM.:8443/a?b", "www.example.com"),
    ("http://[2001:db8::1]/", "2001:db8::1"),
    ("ftp://198.51.100.7/pub", "198.51.100.7"),
    ("file:///home/alice/a.html", None),
    ("chrome://settings/", None),
    ("about:blank", None),
    ("http://[::1", None),
])
def test_url_host(url: str, host: str) -> None:
    assert url_host(url) == host


@pytest.mark.parametrize("path,name", [
    ("/home/a/.config/google-chrome/Default/History", "Chrome"),
    ("/Users/张三/AppData/Local/Microsoft/Edge/User Data/Default/History", "Edge"),
    ("/Users/u/AppData/Roaming/360se6/User Data/Default/History", "360安全浏览器"),
    ("/Users/u/AppData/Local/360Chrome/Chrome/User Data/Default/History", "360极速浏览器"),
    ("/Users/u/AppData/Local/Tencent/QQBrowser/User Data/Default/History", "QQ浏览器"),
    ("/Users/u/AppData/Local/Vendor/NewBrowser/User Data/Profile 1/History", "NewBrowser"),
    ("/home/a/.mozilla/firefox/x.default/places.sqlite", "Firefox"),
])
def test_browser_named_from_its_path(path: str, name: str) -> None:
    assert browser_name(path) == name


def test_outside_policy() -> None:
    space = Space((ipaddress.ip_network("10.50.0.0/16"),))
    assert is_outside("203.0.113.9", space, ()) is False  # documentation range: not routable
    assert is_outside("199.73.28.114", space, ()) is True
    assert is_outside("10.50.3.4", space, ()) is False
    assert is_outside("192.168.1.1", space, ()) is False  # intranet address, not the Internet
    assert is_outside("localhost", space, ()) is False
    assert is_outside("www.baidu.com", space, ()) is True
    assert is_outside("his.ybj.example.cn", space, ("ybj.example.cn",)) is False
    assert is_outside("ybj.example.cn.evil.com", space, ("ybj.example.cn",)) is True
    assert domain_allowed("a.b.local", ("*.local",)) and not domain_allowed("local", ("*.local",))


# ---- browser databases on a Linux image --------------------------------------------------------

def test_real_chrome_and_firefox_databases_are_read_per_user(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    add_chrome(root / "home/alice")
    add_firefox(root / "root")
    history = read_web_history(RootfsTarget(str(root)), NOW - timedelta(days=365), 365)
    assert history.problems == ()
    assert len(history.sources) == 2
    ff = [h for h in history.hosts if h.browser == "Firefox"]
    assert [(h.user, h.host, h.count) for h in ff] == [("root", "news.google.com", 1)]
    chrome = {h.host: h for h in history.hosts if h.browser == "Chrome"}
    assert all(h.user == "alice" for h in chrome.values())
    assert chrome["start.ubuntu.com"].count == 4  # sqlite3 CLI: 4 visits and chrome["start.ubuntu.com"].first == "2011-04-07T12:03:11+00:00"
    assert history.visits_examined == sum(h.count for h in history.hosts)
    # privacy: no path or query of a visited page is kept
    assert not any("/" in h.host or "?" in h.host for h in history.hosts)


def test_window_boundary(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    add_chrome(root / "home/alice")
    last = datetime(2011, 5, 23, 8, 37, 27, tzinfo=UTC)  # the newest visit, to the second
    inside = read_web_history(RootfsTarget(str(root)), last - timedelta(seconds=1), 1)
    outside = read_web_history(RootfsTarget(str(root)), last + timedelta(seconds=1), 1)
    assert inside.visits_examined >= 1
    assert outside.visits_examined == 0 and outside.hosts == ()


def test_check_fails_per_host_and_passes_with_what_it_examined(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    add_firefox(root / "home/alice")
    failing = scan(root, Policy(), NOW)
    assert statuses(failing) == [("fail", "news.google.com (alice, Firefox)")]
    assert "visited news.google.com with Firefox 1 times" in failing.findings[0].message
    allowed = Policy(history=HistoryPolicy(allowed_domains=("google.com",)))
    ok = scan(root, allowed, NOW)
    assert statuses(ok) == [("pass", "history.web")]
    assert "1 visits to 1 hosts in 1 history sources" in ok.findings[0].message
    assert ok.findings[0].evidence and ok.findings[0].evidence[0].source.endswith("places.sqlite")
    late = scan(root, Policy(), NOW + timedelta(days=200))  # the visit is out of the 90-day window
    assert statuses(late) == [("pass", "history.web")]


def chromium_schema() -> List[str]:
    con = sqlite3.connect(f"file:{CHROME}?mode=ro", uri=True)
    try:
        return [sql for (sql,) in con.execute("SELECT sql FROM sqlite_master WHERE tbl_name IN ('urls', 'visits') "
                                            "AND sql IS NOT NULL ORDER BY type DESC")]
    finally:
        con.close()


def test_visits_still_in_the_wal_of_a_running_browser_are_seen_and_nothing_is_written(tmp_path: Path) -> None:
    """A browser that is running keeps its newest visits in History-wal; the copy must carry it,
    and the user's database must not be locked, checkpointed or changed by the scan."""
    root = linux_root(tmp_path)
    profile = root / "home/alice/.config/chromium/Default"
    profile.mkdir(parents=True)
    (root / "home/alice/.config/chromium/Local State").write_text("{}")
    db = profile / "History"
    browser = sqlite3.connect(str(db))  # stays open, like a running browser
    browser.execute("PRAGMA journal_mode=WAL")
    browser.execute("PRAGMA wal_autocheckpoint=0")
    for sql in chromium_schema():
        browser.execute(sql)
    browser.commit()
    when = datetime_to_webkit(NOW - timedelta(hours=2))
    browser.execute("INSERT INTO urls(id, url, last_visit_time) VALUES (1, 'https://www.baidu.com/s?wd=x', ?)",
                    (when,))
    browser.execute("INSERT INTO visits(url, visit_time) VALUES (1, ?)", (when,))
    browser.commit()
    assert (profile / "History-wal").stat().st_size > 0
    before = {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in profile.iterdir()}
    report = scan(root, Policy(), NOW)
    assert statuses(report) == [("fail", "www.baidu.com (alice, Chromium)")]
    assert {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in profile.iterdir()} == before
    browser.execute("INSERT INTO visits(url, visit_time) VALUES (1, ?)", (when + 1,))  # not locked by us
    browser.commit()
    browser.close()


def test_a_corrupt_database_is_an_error_and_does_not_hide_another_browsers_visits(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    add_firefox(root / "home/alice")
    broken = add_chrome(root / "home/alice", product=".config/microsoft-edge")
    broken.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    report = scan(root, Policy(), NOW)
    got = statuses(report)
    assert ("fail", "news.google.com (alice, Firefox)") in got
    assert ("error", str(Path("/home/alice/.config/microsoft-edge/Default/History"))) in got


def test_unreadable_database_is_an_error_never_a_pass(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    db = add_chrome(root / "home/alice")
    os.chmod(db, 0)
    try:
        if os.geteuid() == 0:  # root reads mode-000 files: use a FIFO, which must never be opened
            fifo_root = linux_root(tmp_path / "fifo")
            path = fifo_root / "home/alice/.config/google-chrome/Default"
            path.mkdir(parents=True)
            (fifo_root / "home/alice/.config/google-chrome/Local State").write_text("{}")
            os.mkfifo(path / "History")
            report = scan(fifo_root, Policy(), NOW)
        else:
            report = scan(root, Policy(), NOW)
    finally:
        os.chmod(db, 0o644)
    assert [f.status.value for f in report.findings] == ["error"]


# ---- clock changes ---------------------------------------------------------------------------

UTMPDUMP = """\
[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-28-amd64      ] [0.0.0.0        ] [2026-11-20T08:00:00,000000+00:00]
[4] [00000] [    ] [        ] [|           ] [                    ] [0.0.0.0        ] [2026-11-20T10:00:00,000000+00:00]
[3] [00000] [    ] [        ] [{           ] [                    ] [0.0.0.0        ] [2026-11-01T09:00:00,000000+00:00]
[7] [01234] [ts/0] [alice   ] [pts/0       ] [10.50.1.7           ] [10.50.1.7      ] [2026-11-21T09:00:00,000000+00:00]
"""


def real_wtmp(dest: Path) -> bytes:
    tool = shutil.which("utmpdump")
    assert tool, "utmpdump (util-linux) is needed to write a real wtmp"
    data = subprocess.run([tool, "-r"], input=UTMPDUMP.encode(), capture_output=True, check=True).stdout
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return data


def test_wtmp_time_change_written_by_utmpdump(tmp_path: Path) -> None:
    data = real_wtmp(tmp_path / "wtmp")
    assert len(data) == 4 * 384
    changes = parse_wtmp(data, "/var/log/wtmp")
    assert [(c.when, c.how, c.source) for c in changes] == [("2026-11-20T10:00:00+00:00", "wtmp", "/var/log/wtmp#3")]
    assert "to 2026-11-01T09:00:00+00:00" in changes[0].line


SYSLOG = """\
Nov 28 09:12:01 yb-pc01 systemd-timesyncd[512]: Initial clock synchronization to Fri 2026-11-28 09:12:01.123 CST.
Nov 28 09:12:01 yb-pc01 systemd[1]: Time has been changed
Nov 28 14:03:44 yb-pc01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/date -s 2026-11-01 10:00
Nov 28 14:03:44 yb-pc01 systemd[1]: Time has been changed
Nov 28 14:05:10 yb-pc01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/date +%F
Nov 29 08:00:00 yb-pc01 systemd-timedated[900]: Changed local time to Sat 2026-11-01 08:00:00 CST
Nov 29 11:00:00 yb-pc01 CRON[1000]: (root) CMD (run-parts /etc/cron.hourly)
Nov 29 11:20:00 yb-pc01 systemd[1]: Time has been changed
Nov 29 12:00:00 yb-pc01 sudo:      bob : TTY=pts/1 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/timedatectl set-time 2026-10-01
"""


def test_syslog_manual_changes_and_ntp_steps_told_apart() -> None:
    changes = parse_time_log(SYSLOG, "/var/log/syslog")
    assert [(c.how.split()[0], c.actor, c.source) for c in changes] == [
        ("date", "alice", "/var/log/syslog:3"),
        ("timedatectl", "", "/var/log/syslog:6"),
        ("clock", "", "/var/log/syslog:8"),  # a jump no daemon explains
        ("timedatectl", "bob", "/var/log/syslog:9"),
    ]


@pytest.mark.parametrize("command,args,changes", [
    ("/usr/bin/date", " -s 2026-11-01", True), ("/bin/date", " --set=10:00", True), ("date", " 112810002026", True),
    ("/usr/bin/date", " +%F", False), ("/usr/bin/date", "", False), ("/usr/bin/timedatectl", " status", False),
    ("/sbin/hwclock", " --hctosys", True), ("/sbin/hwclock", " --show", False),
])
def test_sets_clock(command: str, args: str, changes: bool) -> None:
    assert (sets_clock(command, args) is not None) is changes


def test_clock_check_on_an_image_and_the_window(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    real_wtmp(root / "var/log/wtmp")
    (root / "var/log/syslog").write_text(SYSLOG)
    old = datetime(2026, 11, 30, tzinfo=UTC).timestamp()
    os.utime(root / "var/log/syslog", (old, old))
    now = datetime(2026, 12, 2, tzinfo=UTC)
    report = scan(root, Policy(), now, only=("time.manual-change",))
    fails = [f for f in report.findings if f.status.value == "fail"]
    assert len(fails) == 5 and all(f.check == "time.manual-change" for f in fails)
    # in a 3-day window wtmp's change (Nov 20) drops; the syslog written inside the window
    # keeps its lines whatever they are stamped (a clock set back stamps them in the past)
    short = Policy(history=HistoryPolicy(days=3))
    report = scan(root, short, now, only=("time.manual-change",))
    assert len([f for f in report.findings if f.status.value == "fail"]) == 4
    os.utime(root / "var/log/syslog", (old - 86400 * 30, old - 86400 * 30))
    report = scan(root, Policy(history=HistoryPolicy(days=1)), now, only=("time.manual-change",))
    assert statuses(report) == [("pass", "time.manual-change")]


def test_clean_host_passes_saying_what_it_read(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    (root / "var/log").mkdir(parents=True)
    (root / "var/log/syslog").write_text(SYSLOG.splitlines()[0] + "\n" + SYSLOG.splitlines()[1] + "\n")
    report = scan(root, Policy(), datetime(2026, 12, 2, tzinfo=UTC), only=("time.manual-change",))
    assert statuses(report) == [("pass", "time.manual-change")]
    assert "in 1 log sources" in report.findings[0].message


# ---- through the real CLI -------------------------------------------------------------------

def test_cli_scan_of_an_image_names_user_browser_and_host(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    profile = root / "home/alice/.config/google-chrome/Default"
    profile.mkdir(parents=True)
    (root / "home/alice/.config/google-chrome/Local State").write_text("{}")
    con = sqlite3.connect(str(profile / "History"))
    for sql in chromium_schema():
        con.execute(sql)
    visit = datetime_to_webkit(datetime.now(UTC) - timedelta(days=2))
    con.execute("INSERT INTO urls(id, url, last_visit_time) VALUES (1, 'https://pan.baidu.com/x', ?)", (visit,))
    con.execute("INSERT INTO visits(url, visit_time) VALUES (1, ?)", (visit,))
    con.commit()
    con.close()
    proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--root", str(root), "--only", "history.web",
                           "--format", "json", "--lang", "zh"], capture_output=True, timeout=60)
    assert proc.returncode == 1, proc.stderr.decode()
    report = json.loads(proc.stdout)
    (finding,) = report["findings"]
    assert finding["status"] == "fail" and finding["subject"] == "pan.baidu.com (alice, Chrome)"
    assert "用户 alice" in finding["message"] and "pan.baidu.com" in finding["message"]
    assert "/x" not in json.dumps(report, ensure_ascii=False).replace(str(root), "")


# ---- history.installs on Linux: dpkg.log -----------------------------------------------------

DPKG_LOG = """\
2026-11-20 10:01:02 startup archives unpack
2026-11-20 10:01:03 install teamviewer:amd64 <none> 15.48.5
2026-11-20 10:01:03 status half-installed teamviewer:amd64 15.48.5
2026-11-20 10:01:09 status installed teamviewer:amd64 15.48.5
2026-11-21 09:00:00 remove teamviewer:amd64 15.48.5 <none>
2026-11-22 08:00:00 install nano:amd64 <none> 7.2-1+deb12u1
"""


def test_a_removed_remote_tool_still_fails_from_dpkg_log(tmp_path: Path) -> None:
    from ybguard.collect.installhistory import parse_dpkg_log

    assert [(i.name, i.image, i.when) for i in parse_dpkg_log(DPKG_LOG, "dpkg.log")] == [
        ("teamviewer", "15.48.5", "2026-11-20T10:01:03"), ("nano", "7.2-1+deb12u1", "2026-11-22T08:00:00")]
    root = linux_root(tmp_path)
    (root / "var/log").mkdir(parents=True)
    (root / "var/log/dpkg.log").write_text(DPKG_LOG)
    report = scan(root, Policy(), datetime(2026, 12, 2, tzinfo=UTC), only=("history.installs",))
    assert statuses(report) == [("fail", "teamviewer")]
    report = scan(root, Policy(history=HistoryPolicy(days=5)), datetime(2026, 12, 2, tzinfo=UTC),
                  only=("history.installs",))
    assert statuses(report) == [("pass", "history.installs")]


def test_no_install_log_is_not_applicable(tmp_path: Path) -> None:
    report = scan(linux_root(tmp_path), Policy(), datetime(2026, 12, 2, tzinfo=UTC), only=("history.installs",))
    assert [f.status.value for f in report.findings] == ["not_applicable"]


def test_a_deleted_dpkg_log_is_an_error(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "var/lib/dpkg/status").write_text("Package: nano\nStatus: install ok installed\n")
    report = scan(root, Policy(), datetime(2026, 12, 2, tzinfo=UTC), only=("history.installs",))
    assert [f.status.value for f in report.findings] == ["error"]


# ---- Wi-Fi joins in NetworkManager's log lines -----------------------------------------------
# Both spellings as NetworkManager prints them (1.x and 0.9), as seen in public bug reports.

NM_LOG = """\
Nov 27 12:24:03 yb-pc01 NetworkManager[779]: <info>  [1669577043.0146] device (wlp1s0): supplicant interface state: associating -> completed
Nov 27 12:24:03 yb-pc01 NetworkManager[779]: <info>  [1669577043.0146] device (wlp1s0): Activation: (wifi) Stage 2 of 5 (Device Configure) successful. Connected to wireless network "Hospital-Guest"
Nov 28 08:00:01 yb-pc01 NetworkManager[779]: <info>  [1669622401.0001] device (wlp1s0): Activation: (wifi) Stage 2 of 5 (Device Configure) successful. Connected to wireless network "Hospital-Guest"
Jun 30 21:59:05 yb-pc01 NetworkManager[721]: <info> Activation (wlan0/wireless) Stage 2 of 5 (Device Configure) successful.  Connected to wireless network 'BSNL_AP'.
Jan 22 12:02:02 yb-pc01 NetworkManager[1002]: <info>  [1674388922.0635] device (wlp4s0): Activation: (wifi) Stage 2 of 5 (Device Configure) successful. Connected to wireless network ExampleNet
"""


def test_nm_log_wifi_joins_both_spellings() -> None:
    from ybguard.collect.nmlog import parse_nm_wifi_log

    got = parse_nm_wifi_log(NM_LOG, "/var/log/syslog")
    assert [(h.name, h.first_seen, h.last_seen, h.source) for h in got] == [
        ("BSNL_AP", "Jun 30 21:59:05", "Jun 30 21:59:05", "/var/log/syslog:4"),
        ("ExampleNet", "Jan 22 12:02:02", "Jan 22 12:02:02", "/var/log/syslog:5"),
        ("Hospital-Guest", "Nov 27 12:24:03", "Nov 28 08:00:01", "/var/log/syslog:2"),
    ]
    assert "2×" in got[2].detail and "wlp1s0" in got[2].detail


# ---- the journal, when an image has no text logs ---------------------------------------------

JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"


def export_entry(realtime_us: int, ident: str, message: str, pid: int) -> str:
    return (f"__REALTIME_TIMESTAMP={realtime_us}\n__MONOTONIC_TIMESTAMP={realtime_us % 10**9}\n"
            f"_BOOT_ID=0f0e0d0c0b0a09080706050403020100\n_HOSTNAME=yb-pc01\nSYSLOG_IDENTIFIER={ident}\n"
            f"_PID={pid}\nMESSAGE={message}\n\n")


def test_journal_of_an_image_written_by_systemd(tmp_path: Path) -> None:
    """A real journal file, written by systemd's own journal writer (systemd-journal-remote from
    journal export format), read through the scanning host's journalctl -D."""
    assert os.path.exists(JOURNAL_REMOTE), "make test installs systemd-journal-remote"
    root = linux_root(tmp_path)
    jdir = root / "var/log/journal/0123456789abcdef0123456789abcdef"
    jdir.mkdir(parents=True)
    when = int(datetime(2026, 11, 29, 8, 0, tzinfo=UTC).timestamp() * 1e6)
    export = tmp_path / "in.export"
    export.write_text(
        export_entry(when, "systemd-timedated", "Changed local time to Sat 2026-11-01 08:00:00 CST", 900)
        + export_entry(when + 10**6, "systemd", "Time has been changed", 1)
        + export_entry(when + 5 * 10**6, "CRON", "(root) CMD (run-parts /etc/cron.hourly)", 1000))
    subprocess.run([JOURNAL_REMOTE, f"--output={jdir / 'system.journal'}", str(export)], check=True,
                   capture_output=True, timeout=30)
    report = scan(root, Policy(), datetime(2026, 12, 2, tzinfo=UTC), only=("time.manual-change",))
    fails = [f for f in report.findings if f.status.value == "fail"]
    assert len(fails) == 1 and "timedatectl set-time" in fails[0].subject
    assert fails[0].evidence[0].source.startswith("journalctl:")


def test_a_home_the_scan_cannot_enter_is_an_error_beside_the_others_visits(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to drop to uid 65534")
    import tempfile

    import unpriv

    base = Path(tempfile.mkdtemp(prefix="ybhist-"))  # pytest's tmp_path is private to root
    os.chmod(base, 0o755)
    policy = base / "policy.yaml"
    shutil.copyfile(DATA / "policy-open.yaml", policy)
    os.chmod(policy, 0o644)
    root = linux_root(base)
    add_firefox(root / "home/alice")
    add_chrome(root / "home/bob")
    for p in root.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    os.chmod(root, 0o755)
    os.chmod(root / "home/bob", 0o700)
    proc = subprocess.run(unpriv.ybguard_argv("scan", "--root", str(root), "--only", "history.web", "--format",
                                              "json", "--policy", str(policy)),
                          env=unpriv.env(), capture_output=True, timeout=120)
    shutil.rmtree(base, ignore_errors=True)
    report = json.loads(proc.stdout)
    got = sorted((f["status"], f["subject"]) for f in report["findings"])
    assert ("fail", "news.google.com (alice, Firefox)") in got
    assert ("error", "/home/bob") in got


def test_a_deleted_wifi_profile_still_shows_in_network_history(tmp_path: Path) -> None:
    """NetworkManager's log keeps the join after the profile and its timestamp are gone."""
    root = linux_root(tmp_path)
    (root / "var/log").mkdir(parents=True)
    (root / "var/log/syslog").write_text(NM_LOG)
    report = scan(root, Policy(), datetime(2026, 12, 2, tzinfo=UTC), only=("network.wireless-history",))
    assert {(f.status.value, f.subject) for f in report.findings} == {
        ("fail", "BSNL_AP"), ("fail", "ExampleNet"), ("fail", "Hospital-Guest")}
