"""Web use recorded by browsers (history.web): Chromium-family and Firefox history databases of
every user profile, and the typed URLs of Internet Explorer / legacy Edge in each user hive.

Browsers are found by what they are, not by a list of product names: a Chromium user-data
directory holds a ``Local State`` file and one ``<profile>/History`` SQLite database per
profile (Chrome, Edge, 360安全浏览器, 360极速浏览器, QQ浏览器, 2345, Brave, UOS/Kylin browsers …
all share it); Firefox keeps ``places.sqlite`` per profile. The name shown is taken from the
path (``Google/Chrome`` → Chrome).

A database is never opened in place: it (and its ``-wal`` file, which holds the newest visits)
is streamed into a private temporary directory and opened there, so a browser that is running
keeps its lock and its file untouched, and nothing on the target is written. A database that
cannot be copied (locked by a running browser on Windows, no permission), is too large, or is
corrupt is a *problem* of that source: the check reports it as ``error`` beside whatever the
other sources prove.

Only the host name of each visit is kept, never the full URL (privacy: docs/history.md).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from datetime import datetime, timedelta, timezone
from typing import Dict, Iterable, List, Optional, Tuple
from urllib.parse import urlsplit

from ..facts.history import SourceProblem, WebHistory, WebHost
from ..target.interface import FileTooLarge, NotRegularFile, Target
from .interface import CollectContext

# Microseconds between 1601-01-01 (WebKit/Windows FILETIME epoch) and 1970-01-01.
_WEBKIT_OFFSET_US = 11_644_473_600 * 1_000_000
MAX_DB_BYTES = 1024 * 1024 * 1024  # a History file larger than this is refused, not read in part
MAX_HOSTS = 200_000  # distinct (user, browser, host) kept per scan; more is a problem, not a drop
_NETWORK_SCHEMES = ("http", "https", "ftp", "ws", "wss")

# Path segments that name a browser (lower case) -> display name. Anything else: the directory.
_BROWSER_NAMES = (
    ("google/chrome", "Chrome"), ("google-chrome", "Chrome"), ("chromium", "Chromium"),
    ("microsoft/edge", "Edge"), ("microsoft-edge", "Edge"), ("360se6", "360安全浏览器"),
    ("360se", "360安全浏览器"), ("360chrome", "360极速浏览器"), ("360browser", "360安全浏览器"),
    ("browser360", "360安全浏览器"), ("qqbrowser", "QQ浏览器"), ("2345explorer", "2345浏览器"),
    ("sogouexplorer", "搜狗浏览器"), ("bravesoftware", "Brave"), ("qaxbrowser", "奇安信浏览器"),
    ("deepin", "UOS浏览器"), ("uos-browser", "UOS浏览器"), ("firefox", "Firefox"),
)

# Folded per URL inside SQLite: a year of browsing is 10^5–10^6 visits but far fewer URLs.
CHROMIUM_VISITS = ("SELECT urls.url, COUNT(*), MIN(visits.visit_time), MAX(visits.visit_time) FROM visits "
                   "JOIN urls ON urls.id = visits.url WHERE visits.visit_time >= ? GROUP BY visits.url")
FIREFOX_VISITS = ("SELECT moz_places.url, COUNT(*), MIN(moz_historyvisits.visit_date), "
                  "MAX(moz_historyvisits.visit_date) FROM moz_historyvisits "
                  "JOIN moz_places ON moz_places.id = moz_historyvisits.place_id "
                  "WHERE moz_historyvisits.visit_date >= ? GROUP BY moz_historyvisits.place_id")

TYPED_URLS_KEYS = ("Microsoft\\Internet Explorer\\TypedURLs",)
TYPED_URLS_TIME = "Microsoft\\Internet Explorer\\TypedURLsTime"


# ---- pure helpers ---------------------------------------------------------------------------

def webkit_to_datetime(us: int) -> datetime:
    """Chromium's visit_time: microseconds since 1601-01-01 UTC."""
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=us - _WEBKIT_OFFSET_US)


def datetime_to_webkit(when: datetime) -> int:
    return int((when - datetime(1970, 1, 1, tzinfo=timezone.utc)) / timedelta(microseconds=1)) + _WEBKIT_OFFSET_US


def prtime_to_datetime(us: int) -> datetime:
    """Firefox's visit_date (PRTime): microseconds since 1970-01-01 UTC."""
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=us)


def datetime_to_prtime(when: datetime) -> int:
    return int((when - datetime(1970, 1, 1, tzinfo=timezone.utc)) / timedelta(microseconds=1))


def url_host(url: str) -> Optional[str]:
    """The host of a network URL, lower case; None for file:, chrome:, about:, data: … URLs."""
    try:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in _NETWORK_SCHEMES:
            return None
        host = parts.hostname
    except ValueError:  # a malformed URL (bad port, bracket): the browser stored it, we skip it
        return None
    return host.rstrip(".").lower() if host else None


def browser_name(path: str) -> str:
    low = path.replace("\\", "/").lower()
    for segment, name in _BROWSER_NAMES:
        if f"/{segment}/" in low or low.endswith(f"/{segment}"):
            return name
    parts = [p for p in path.replace("\\", "/").split("/") if p]
    # .../<vendor>/<product>/User Data/<profile>/History: the product directory names it.
    for i in range(len(parts) - 1, 0, -1):
        if parts[i].lower() == "user data":
            return parts[i - 1]
    return parts[-3] if len(parts) >= 3 else path


class _Aggregate:
    """Visits folded per (user, browser, host) as they stream: memory grows with hosts, not visits."""

    def __init__(self) -> None:
        self.hosts: Dict[Tuple[str, str, str, str], List] = {}
        self.visits = 0
        self.overflow = False

    def add(self, user: str, browser: str, source: str, url: str, count: int, first: datetime,
            last: datetime) -> None:
        host = url_host(url)
        if host is None:
            return
        self.visits += count
        key = (user, browser, host, source)
        slot = self.hosts.get(key)
        if slot is None:
            if len(self.hosts) >= MAX_HOSTS:
                self.overflow = True
                return
            self.hosts[key] = [count, first, last]
            return
        slot[0] += count
        if first < slot[1]:
            slot[1] = first
        if last > slot[2]:
            slot[2] = last

    def result(self) -> Tuple[WebHost, ...]:
        out = [WebHost(user=u, browser=b, host=h, count=c, first=_iso(first), last=_iso(last), source=s)
               for (u, b, h, s), (c, first, last) in self.hosts.items()]
        return tuple(sorted(out, key=lambda w: (w.host, w.user, w.browser, w.source)))


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).isoformat(timespec="seconds")


def read_visits(db_path: str, kind: str, since: datetime) -> Iterable[Tuple[str, int, datetime, datetime]]:
    """(url, visits, first, last) of every URL visited at or after ``since`` in one history
    database (a private copy)."""
    if kind == "chromium":
        query, start, convert = CHROMIUM_VISITS, datetime_to_webkit(since), webkit_to_datetime
    else:
        query, start, convert = FIREFOX_VISITS, datetime_to_prtime(since), prtime_to_datetime
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        for url, count, first, last in con.execute(query, (start,)):
            if isinstance(url, str) and isinstance(first, int) and isinstance(last, int):
                try:
                    yield url, int(count), convert(first), convert(last)
                except OverflowError:  # a stamp no browser writes: skip the row, not the database
                    continue
    finally:
        con.close()


# ---- finding databases ----------------------------------------------------------------------

def profile_dirs(target: Target) -> List[Tuple[str, str]]:
    """(user, home directory) of every user profile on the target."""
    out: List[Tuple[str, str]] = []
    if target.os_family == "windows":
        here = target.is_live and not target.is_recorded
        base = os.environ.get("SystemDrive", "C:") + "/Users" if here else "/Users"
        for name in target.listdir(base):
            if name.lower() in ("public", "default", "default user", "all users", "desktop.ini"):
                continue
            path = f"{base}/{name}"
            if target.is_dir(path):
                out.append((name, path))
        return out
    if target.is_dir("/root"):
        out.append(("root", "/root"))
    for name in target.listdir("/home"):
        path = f"/home/{name}"
        if target.is_dir(path):
            out.append((name, path))
    return out


def _chromium_user_data(target: Target, base: str, depth: int) -> List[str]:
    """Directories below ``base`` (at most ``depth`` levels) that hold a ``Local State`` file."""
    found: List[str] = []
    level = [base]
    for _ in range(depth):
        nxt: List[str] = []
        for directory in level:
            for name in target.listdir(directory):
                path = f"{directory}/{name}"
                if not target.is_dir(path):
                    continue
                if target.exists(f"{path}/Local State"):
                    found.append(path)
                else:
                    nxt.append(path)
        level = nxt
    return found


def find_databases(target: Target, home: str) -> List[Tuple[str, str]]:
    """(kind, path) of every history database in one user's profile."""
    out: List[Tuple[str, str]] = []
    if target.os_family == "windows":
        roots = [(f"{home}/AppData/Local", 3), (f"{home}/AppData/Roaming", 3)]
        firefox = f"{home}/AppData/Roaming/Mozilla/Firefox/Profiles"
    else:
        roots = [(f"{home}/.config", 2)]
        firefox = f"{home}/.mozilla/firefox"
    for base, depth in roots:
        if not target.is_dir(base):
            continue
        for user_data in _chromium_user_data(target, base, depth):
            for profile in target.listdir(user_data):
                db = f"{user_data}/{profile}/History"
                if target.exists(db) and not target.is_dir(db):
                    out.append(("chromium", db))
    for profile in target.listdir(firefox):
        db = f"{firefox}/{profile}/places.sqlite"
        if target.exists(db) and not target.is_dir(db):
            out.append(("firefox", db))
    return out


def _copy_into(target: Target, path: str, dest: str) -> None:
    """Stream a target file into ``dest``; larger than MAX_DB_BYTES raises FileTooLarge."""
    with target.open_bytes(path) as src, open(dest, "wb") as out:
        copied = 0
        while True:
            chunk = src.read(1024 * 1024)
            if not chunk:
                break
            copied += len(chunk)
            if copied > MAX_DB_BYTES:
                raise FileTooLarge("reason.too_large", path=path, limit=MAX_DB_BYTES)
            out.write(chunk)


def _read_database(target: Target, kind: str, path: str, since: datetime, user: str,
                   agg: _Aggregate) -> Optional[SourceProblem]:
    browser = browser_name(path)
    with tempfile.TemporaryDirectory(prefix="ybguard-history-") as tmp:
        copy = os.path.join(tmp, "History" if kind == "chromium" else "places.sqlite")
        try:
            _copy_into(target, path, copy)
            if target.exists(f"{path}-wal"):
                _copy_into(target, f"{path}-wal", f"{copy}-wal")
        except FileTooLarge:
            return SourceProblem(path, "history.reason.too_large", str(MAX_DB_BYTES // (1024 * 1024)))
        except NotRegularFile:
            return SourceProblem(path, "history.reason.not_regular")
        except PermissionError as exc:
            return SourceProblem(path, "history.reason.locked", exc.strerror or "")
        except OSError as exc:
            return SourceProblem(path, "history.reason.unreadable", exc.strerror or str(exc))
        try:
            for url, count, first, last in read_visits(copy, kind, since):
                agg.add(user, browser, path, url, count, first, last)
        except sqlite3.DatabaseError as exc:
            return SourceProblem(path, "history.reason.corrupt", str(exc)[:200])
    return None


# ---- Windows typed URLs ---------------------------------------------------------------------

def _typed_urls(target: Target, since: datetime, agg: _Aggregate, sources: List[str],
                problems: List[SourceProblem]) -> None:
    from ..target.windows import WindowsTarget, filetime_to_datetime

    if not isinstance(target, WindowsTarget):
        return
    for user in target.registry.ntusers:
        for key_path in TYPED_URLS_KEYS:
            key = user.software_key(key_path)
            if key is None:
                continue
            where = key.path
            sources.append(where)
            times = user.software_key(TYPED_URLS_TIME)
            for name, value in sorted(key.values().items()):
                if not name.lower().startswith("url") or not isinstance(value, str):
                    continue
                raw = times.value(name) if times is not None else None
                when = None
                if isinstance(raw, (bytes, bytearray)) and len(raw) == 8:
                    when = filetime_to_datetime(int.from_bytes(raw, "little"))
                if when is None:
                    # Without TypedURLsTime the entry has no date: it may be older than the window,
                    # but nothing proves it is, so it counts (fail closed) at the key's write time.
                    when = key.last_write() or since
                if when < since:
                    continue
                agg.add(user.user, "Internet Explorer (typed)", where, value, 1, when, when)


# ---- the collector --------------------------------------------------------------------------

def read_web_history(target: Target, since: datetime, window_days: int) -> WebHistory:
    agg = _Aggregate()
    sources: List[str] = []
    problems: List[SourceProblem] = []
    # A --hives directory has no files; an evidence bundle has a user's browser files only if the kit
    # copied them (collect.cmd does not: a running browser locks them).
    no_files = target.os_family == "windows" and not (target.is_live and not target.is_recorded) and \
        not getattr(target, "volume", True) and not target.is_dir("/Users")
    if not no_files:
        for user, home in profile_dirs(target):
            try:
                found = find_databases(target, home)
            except OSError as exc:  # a home this scan may not enter: say so, keep the other users
                problems.append(SourceProblem(home, "history.reason.unreadable", exc.strerror or str(exc)))
                continue
            for kind, db in found:
                sources.append(db)
                problem = _read_database(target, kind, db, since, user, agg)
                if problem is not None:
                    problems.append(problem)
    _typed_urls(target, since, agg, sources, problems)
    if agg.overflow:
        problems.append(SourceProblem("history.web", "history.reason.too_many_hosts", str(MAX_HOSTS)))
    return WebHistory(hosts=agg.result(), sources=tuple(sources), problems=tuple(problems),
                      visits_examined=agg.visits, window_days=window_days, no_files=no_files)


def window_start(ctx: CollectContext) -> datetime:
    now = ctx.options.now or datetime.now(timezone.utc)
    return now - timedelta(days=ctx.policy.history.days)


def collect_web(ctx: CollectContext) -> WebHistory:
    return read_web_history(ctx.target, window_start(ctx), ctx.policy.history.days)


COLLECTORS = {"history.web": collect_web}
