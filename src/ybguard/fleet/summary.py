"""What 信息科 asks each morning, answered from the store (pure values; render.py writes them).

- per terminal: the latest verdict, its age, site labels, what is new since the previous
  report of the same terminal and what was fixed;
- terminals that stopped reporting (latest report older than ``stale``);
- per check, how many terminals fail it (and how many could not be checked);
- waivers of the latest reports that expire within ``waiver_days`` (and those already expired);
- night by night: terminals compliant / non-compliant / incomplete / silent.

Cost grows with the number of terminals and nights shown, not with the number of reports
stored: every query walks an index from each terminal's newest reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Dict, List, Mapping, Optional, Sequence, Set, Tuple

from .ingest import night_of
from .interface import FleetError
from .store import Store

VERDICTS = ("compliant", "non_compliant", "incomplete")
PROBLEMS = ("fail", "error")


@dataclass(frozen=True)
class Change:
    check: str
    subject: str
    status: str
    severity: str
    message: str = ""


@dataclass(frozen=True)
class Terminal:
    hostname: str
    machine_id: str
    status: str
    started_at: str
    age_seconds: int
    stale: bool
    site: Mapping[str, str]
    counts: Mapping[str, int]
    reports: int
    first_report: bool              # no previous report: nothing to compare with
    new: Tuple[Change, ...]
    fixed: Tuple[Change, ...]
    problems: Tuple[Change, ...]     # every fail and error of the latest report
    policy: str
    os: str

    @property
    def label(self) -> str:
        """hostname/machine-id prefix: what tells two DESKTOP-XXXX apart."""
        return f"{self.hostname}/{self.machine_id[:8]}" if self.machine_id else self.hostname


@dataclass(frozen=True)
class CheckCount:
    check: str
    failing: int
    erroring: int


@dataclass(frozen=True)
class WaiverDue:
    terminal: str
    check: str
    subject: str
    expires: str
    seconds_left: int  # negative: expired
    reason: str
    approved_by: str


@dataclass(frozen=True)
class Night:
    night: str
    compliant: int
    non_compliant: int
    incomplete: int
    silent: int  # known terminals (seen on or before this night) without a report this night


@dataclass(frozen=True)
class Summary:
    generated_at: str
    stale_seconds: int
    waiver_days: int
    reports: int
    terminals: Tuple[Terminal, ...]
    checks: Tuple[CheckCount, ...]
    waivers: Tuple[WaiverDue, ...]
    trend: Tuple[Night, ...]

    def count(self, status: str) -> int:
        return sum(1 for t in self.terminals if t.status == status)

    @property
    def stale(self) -> Tuple[Terminal, ...]:
        return tuple(t for t in self.terminals if t.stale)


_STATUS_ORDER = {"non_compliant": 0, "incomplete": 1, "compliant": 2}


def _pick_reports(store: Store) -> None:
    """temp.pick: each terminal's latest and previous report id (index walks, two per terminal)."""
    store.conn.execute("DROP TABLE IF EXISTS temp.pick")
    store.conn.execute(
        "CREATE TEMP TABLE pick AS SELECT t.id AS tid,"
        " (SELECT id FROM reports WHERE terminal_id = t.id ORDER BY started DESC, id DESC LIMIT 1) AS latest,"
        " (SELECT id FROM reports WHERE terminal_id = t.id ORDER BY started DESC, id DESC LIMIT 1 OFFSET 1)"
        " AS previous FROM terminals t")


def _problems(store: Store, column: str) -> Dict[int, Dict[Tuple[str, str], Change]]:
    out: Dict[int, Dict[Tuple[str, str], Change]] = {}
    for r in store.query(
            f"SELECT p.tid, f.check_id, f.subject, f.status, f.severity, f.message FROM pick p"
            f" JOIN findings f ON f.report_id = p.{column} WHERE f.status IN ('fail', 'error')"):
        out.setdefault(r["tid"], {})[(r["check_id"], r["subject"])] = Change(
            r["check_id"], r["subject"], r["status"], r["severity"], r["message"])
    return out


def build_summary(store: Store, now: Optional[datetime] = None, stale_seconds: int = 26 * 3600,
                  waiver_days: int = 7, nights: int = 14) -> Summary:
    now = now if now is not None else datetime.now(timezone.utc).astimezone()
    epoch = int(now.timestamp())
    _pick_reports(store)
    latest = _problems(store, "latest")
    previous = _problems(store, "previous")
    terminals: List[Terminal] = []
    names: Dict[int, str] = {}
    for r in store.query(
            "SELECT p.tid, p.previous, t.hostname, t.machine_id, r.*,"
            " (SELECT COUNT(*) FROM reports WHERE terminal_id = p.tid) AS n_reports"
            " FROM pick p JOIN terminals t ON t.id = p.tid JOIN reports r ON r.id = p.latest"):
        tid = r["tid"]
        now_bad = latest.get(tid, {})
        before = previous.get(tid, {})
        first = r["previous"] is None
        new = tuple(c for k, c in sorted(now_bad.items())
                    if first or k not in before or before[k].status != c.status)
        fixed = tuple(c for k, c in sorted(before.items()) if k not in now_bad)
        age = epoch - r["started"]
        term = Terminal(
            hostname=r["hostname"], machine_id=r["machine_id"], status=r["status"], started_at=r["started_at"],
            age_seconds=age, stale=age > stale_seconds,
            site={k: r[k] for k in ("hospital", "department", "asset_id", "location") if r[k]},
            counts={k: r[f"n_{k}"] for k in ("pass", "fail", "error", "not_applicable", "waived")},
            reports=r["n_reports"], first_report=first, new=new, fixed=fixed,
            problems=tuple(c for _k, c in sorted(now_bad.items())), policy=f"{r['policy_id']} v{r['policy_version']}",
            os=r["os"])
        terminals.append(term)
        names[tid] = term.label
    terminals.sort(key=lambda t: (_STATUS_ORDER.get(t.status, 9), not t.stale, t.hostname.lower(), t.machine_id))

    per_check: Dict[str, List[int]] = {}
    for problems in latest.values():
        seen: Set[Tuple[str, str]] = set()
        for c in problems.values():
            if (c.check, c.status) in seen:
                continue
            seen.add((c.check, c.status))
            counts = per_check.setdefault(c.check, [0, 0])
            counts[0 if c.status == "fail" else 1] += 1
    checks = tuple(CheckCount(k, v[0], v[1]) for k, v in
                   sorted(per_check.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0])))

    horizon = epoch + waiver_days * 86400
    waivers = tuple(
        WaiverDue(names.get(r["tid"], "?"), r["check_id"], r["subject"], r["waiver_expires"],
                  r["waiver_expires_at"] - epoch, r["waiver_reason"] or "", r["waiver_approved_by"] or "")
        for r in store.query(
            "SELECT p.tid, f.* FROM pick p JOIN findings f ON f.report_id = p.latest"
            " WHERE f.waiver_expires_at IS NOT NULL AND f.waiver_expires_at <= ?"
            " ORDER BY f.waiver_expires_at, f.check_id, f.subject", (horizon,)))

    trend = _trend(store, night_of(now), nights)
    total = store.one("SELECT COUNT(*) AS n FROM reports")
    return Summary(generated_at=now.isoformat(timespec="seconds"), stale_seconds=stale_seconds,
                   waiver_days=waiver_days, reports=total["n"] if total else 0, terminals=tuple(terminals),
                   checks=checks, waivers=waivers, trend=trend)


def _trend(store: Store, last: str, nights: int) -> Tuple[Night, ...]:
    end = date.fromisoformat(last)
    days = [(end - timedelta(days=i)).isoformat() for i in range(nights - 1, -1, -1)]
    first, last = days[0], days[-1]
    counts: Dict[str, Dict[str, int]] = {d: {v: 0 for v in VERDICTS} for d in days}
    # SQLite takes the bare column (status) from the row holding MAX(started): each terminal's last word that night
    for r in store.query(
            "SELECT night, status, COUNT(*) AS n FROM (SELECT night, terminal_id, status, MAX(started)"
            " FROM reports WHERE night BETWEEN ? AND ? GROUP BY night, terminal_id) GROUP BY night, status",
            (first, last)):
        if r["night"] in counts and r["status"] in VERDICTS:
            counts[r["night"]][r["status"]] += r["n"]
    known_before = 0
    first_seen: Dict[str, int] = {}
    for r in store.query("SELECT first_night AS first, COUNT(*) AS n FROM terminals WHERE first_night IS NOT NULL"
                         " GROUP BY first_night"):
        if r["first"] < first:
            known_before += r["n"]
        else:
            first_seen[r["first"]] = r["n"]
    out: List[Night] = []
    known = known_before
    for d in days:
        known += first_seen.get(d, 0)
        c = counts[d]
        reported = sum(c.values())
        out.append(Night(d, c["compliant"], c["non_compliant"], c["incomplete"], max(0, known - reported)))
    return tuple(out)


@dataclass(frozen=True)
class HistoryEntry:
    started_at: str
    status: str
    counts: Mapping[str, int]
    problems: Tuple[Change, ...]
    policy: str
    source: str


@dataclass(frozen=True)
class History:
    terminal: str
    hostname: str
    machine_id: str
    site: Mapping[str, str]
    entries: Tuple[HistoryEntry, ...]  # newest first


def terminal_history(store: Store, host: str, limit: int = 30) -> Tuple[History, ...]:
    """Every terminal whose name is HOST (any case), or HOST/ID-PREFIX, or whose machine id starts with HOST."""
    name, _, prefix = host.partition("/")
    name, prefix = name.lower(), prefix.lower()
    rows = list(store.query(
        "SELECT id, hostname, machine_id FROM terminals WHERE (host_key = ? AND substr(machine_id, 1, ?) = ?)"
        " OR (? = '' AND length(?) >= 8 AND substr(machine_id, 1, ?) = ?) ORDER BY host_key, machine_id",
        (name, len(prefix), prefix, prefix, name, len(name), name)))
    if not rows:
        raise FleetError("fleet.no_terminal", host=host)
    out: List[History] = []
    for t in rows:
        entries: List[HistoryEntry] = []
        site: Dict[str, str] = {}
        for r in store.query("SELECT * FROM reports WHERE terminal_id = ? ORDER BY started DESC, id DESC LIMIT ?",
                             (t["id"], limit)):
            if not entries:
                site = {k: r[k] for k in ("hospital", "department", "asset_id", "location") if r[k]}
            problems = tuple(Change(f["check_id"], f["subject"], f["status"], f["severity"], f["message"])
                             for f in store.query("SELECT * FROM findings WHERE report_id = ? AND status IN"
                                                  " ('fail', 'error') ORDER BY check_id, subject", (r["id"],)))
            entries.append(HistoryEntry(r["started_at"], r["status"],
                                        {k: r[f"n_{k}"] for k in ("pass", "fail", "error", "not_applicable", "waived")},
                                        problems, f"{r['policy_id']} v{r['policy_version']}", r["source"]))
        label = f"{t['hostname']}/{t['machine_id'][:8]}" if t["machine_id"] else t["hostname"]
        out.append(History(label, t["hostname"], t["machine_id"], site, tuple(entries)))
    return tuple(out)


def parse_duration(text: str) -> int:
    """'26h', '90m', '2d', '3600s' or plain seconds -> seconds; FleetError otherwise."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    value = text.strip().lower()
    unit = units.get(value[-1:], None)
    number = value[:-1] if unit else value
    try:
        n = float(number)
    except ValueError:
        raise FleetError("fleet.bad_duration", value=text) from None
    if not (0 < n < 1e7):
        raise FleetError("fleet.bad_duration", value=text)
    return int(n * (unit or 1))


def changes_of(terminals: Sequence[Terminal]) -> Tuple[int, int]:
    """(new problems, fixed problems) over terminals that have a previous report."""
    return (sum(len(t.new) for t in terminals if not t.first_report),
            sum(len(t.fixed) for t in terminals))
