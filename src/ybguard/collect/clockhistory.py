"""Manual changes of the system date and time (严禁私自更改系统日期): history.clock on Linux.

Sources, each read the way its writer wrote it:
- ``/var/log/wtmp*``: ``struct utmp`` records (glibc layout, 384 bytes, little-endian on every
  architecture a terminal runs); a time change is an ``OLD_TIME`` (4) record followed by a
  ``NEW_TIME`` (3) one (``date``/``logwtmp`` convention, shown by ``last -x``).
- text logs (``syslog``, ``messages``, ``auth.log``, ``secure``, rotated and ``.gz`` too):
  systemd-timedated's ``Changed local time to …`` (``timedatectl set-time``), sudo's
  ``COMMAND=`` lines running ``date -s``/``date MMDDhhmm``/``timedatectl set-time``/``hwclock
  --set|--hctosys``, and PID 1's ``Time has been changed`` when no time daemon stepped the clock
  next to it (chronyd/ntpd/timesyncd lines within a few lines, or a manual record just before).
- the journal (``journalctl``), when there are no text logs, with the same patterns.

A clock stepped by NTP is not a private change; a change by a person is, whoever it was.
"""

from __future__ import annotations

import re
import struct
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Iterable, List, Optional, Sequence, Tuple, Union

from ..facts.history import ClockChange, ClockHistory, SourceProblem
from ..target.interface import Target, TargetError, Unsupported
from .interface import CollectContext, FactError, reason_of

if TYPE_CHECKING:
    from .eventlog import Event

UTMP_SIZE = 384
_UTMP = struct.Struct("<hxxi32s4s32s256shhiii4i20x")
OLD_TIME, NEW_TIME = 4, 3
WTMP_GLOBS = ("/var/log/wtmp", "/var/log/wtmp.*")
LOG_GLOBS = ("/var/log/syslog*", "/var/log/messages*", "/var/log/auth.log*", "/var/log/secure*",
             "/var/log/daemon.log*")
MAX_WTMP_BYTES = 256 * 1024 * 1024

_TS_ISO = re.compile(r"^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s")
_TS_BSD = re.compile(r"^([A-Z][a-z]{2}\s+\d{1,2} \d\d:\d\d:\d\d)\s")
_TIMEDATED = re.compile(r"systemd-timedated\[\d+\]: (?:Changed local time to|Set time to) (.*)$")
_SUDO = re.compile(r"\bsudo(?:\[\d+\])?:\s+(\S+)\s*:.*?COMMAND=(\S+)(.*)$")
_JUMP = re.compile(r"\bsystemd\[1\]: Time has been changed\b|\]: Time has been changed$")
_DAEMON = re.compile(r"\b(chronyd|ntpd|ntpdate|systemd-timesyncd|sntp|openntpd)\b")
_DATE_SET_ARG = re.compile(r"^\d{8}(\d{2}|\d{4})?(\.\d\d)?$")


def _tool(command: str) -> str:
    return command.rsplit("/", 1)[-1]


def sets_clock(command: str, args: str) -> Optional[str]:
    """The manual clock change a command line performs ("date -s …"), or None if it only reads."""
    tool = _tool(command)
    words = args.split()
    if tool == "date":
        if any(w in ("-s", "--set") or w.startswith(("--set=", "-s")) for w in words) or \
                any(_DATE_SET_ARG.match(w) for w in words if not w.startswith(("-", "+"))):
            return f"date {args.strip()}"[:200]
    elif tool == "timedatectl":
        if "set-time" in words:
            return f"timedatectl {args.strip()}"[:200]
    elif tool == "hwclock":
        if any(w in ("--set", "--hctosys", "-s") for w in words):
            return f"hwclock {args.strip()}"[:200]
    return None


def parse_wtmp(data: bytes, source: str) -> Tuple[ClockChange, ...]:
    """Time-change records in a wtmp file: OLD_TIME then NEW_TIME, each with its timestamp."""
    out: List[ClockChange] = []
    old: Optional[datetime] = None
    usable = len(data) - len(data) % UTMP_SIZE
    for index in range(0, usable, UTMP_SIZE):
        fields = _UTMP.unpack_from(data, index)
        ut_type, sec = fields[0], fields[9]
        if ut_type not in (OLD_TIME, NEW_TIME):
            old = None
            continue
        when = datetime.fromtimestamp(sec & 0xFFFFFFFF, tz=timezone.utc)
        if ut_type == OLD_TIME:
            old = when
            continue
        user = fields[4].split(b"\0", 1)[0].decode("utf-8", "replace")
        before = old.isoformat(timespec="seconds") if old else "?"
        # OLD_TIME holds the clock's reading just before the change: the real moment it happened.
        happened = old or when
        out.append(ClockChange(when=happened.isoformat(timespec="seconds"), actor=user, how="wtmp",
                               source=f"{source}#{index // UTMP_SIZE + 1}",
                               line=f"clock changed from {before} to {when.isoformat(timespec='seconds')}"))
        old = None
    return tuple(out)


def _timestamp(line: str) -> str:
    m = _TS_ISO.match(line) or _TS_BSD.match(line)
    return m.group(1) if m else ""


def source_problem(source: str, exc: BaseException) -> SourceProblem:
    """An unreadable history source, with the translatable reason of what went wrong (shared by
    every history collector)."""
    reason = reason_of(exc)
    return SourceProblem(source, reason.key, args=tuple((k, str(v)) for k, v in reason.args_map.items()))


def _seconds(stamp: str) -> Optional[float]:
    """A log timestamp as seconds on a scale good for telling lines apart (BSD stamps have no year)."""
    m = re.match(r"^(?:\d{4}-(\d\d)-(\d\d)[T ]|([A-Z][a-z]{2})\s+(\d{1,2}) )(\d\d):(\d\d):(\d\d)", stamp)
    if not m:
        return None
    month = int(m.group(1)) if m.group(1) else _MONTHS.get(m.group(3) or "", 0)
    day = int(m.group(2) or m.group(4))
    return (((month * 31 + day) * 24 + int(m.group(5))) * 60 + int(m.group(6))) * 60 + int(m.group(7))


def _near(a: Tuple[int, str], b: Tuple[int, str], before_only: bool) -> bool:
    """Whether record ``b`` (line, stamp) is close enough to jump ``a`` to explain it: within 10 s
    by the stamps, or within 3 lines when a stamp is missing."""
    sa, sb = _seconds(a[1]), _seconds(b[1])
    if sa is not None and sb is not None:
        delta = sa - sb
        return 0 <= delta <= 10 if before_only else abs(delta) <= 10
    delta = a[0] - b[0]
    return 0 < delta <= 3 if before_only else abs(delta) <= 3


def parse_time_log(lines: Union[str, Iterable[str]], source: str) -> Tuple[ClockChange, ...]:
    """Manual clock changes in syslog-style lines (text logs or ``journalctl -o short-iso``)."""
    out: List[ClockChange] = []
    daemons: List[Tuple[int, str]] = []  # (line number, stamp) of time-daemon lines
    manual: List[Tuple[int, str]] = []
    jumps: List[Tuple[int, str, str]] = []
    it = lines.splitlines() if isinstance(lines, str) else lines
    for lineno, raw in enumerate(it, 1):
        line = raw.rstrip("\n")
        # cheap substring tests first: every pattern below needs one of these ("time", "ntp" …)
        if "ime" not in line and "COMMAND=" not in line and "ntp" not in line and "chrony" not in line:
            continue
        stamp = _timestamp(line)
        m = _TIMEDATED.search(line)
        if m:
            out.append(ClockChange(when=stamp, actor="", how="timedatectl set-time",
                                   source=f"{source}:{lineno}", line=line.strip()[:300]))
            manual.append((lineno, stamp))
            continue
        m = _SUDO.search(line)
        if m:
            how = sets_clock(m.group(2), m.group(3))
            if how:
                out.append(ClockChange(when=stamp, actor=m.group(1), how=how,
                                       source=f"{source}:{lineno}", line=line.strip()[:300]))
                manual.append((lineno, stamp))
            continue
        if _JUMP.search(line):
            jumps.append((lineno, stamp, line))
            continue
        if _DAEMON.search(line):
            daemons.append((lineno, stamp))
    # A jump is explained by a time daemon next to it, or by a manual change just before it
    # (reported already); otherwise nobody we know of stepped the clock: a person did.
    for lineno, stamp, line in jumps:
        here = (lineno, stamp)
        if any(_near(here, d, False) for d in daemons) or any(_near(here, m, True) for m in manual):
            continue
        out.append(ClockChange(when=stamp, actor="", how="clock jump", source=f"{source}:{lineno}",
                               line=line.strip()[:300]))
    return tuple(sorted(out, key=lambda c: int(c.source.rsplit(":", 1)[1])))


_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                        "Nov", "Dec"), 1)}


def parse_when(text: str, now: datetime) -> Optional[datetime]:
    """A log timestamp as a UTC datetime: ISO 8601, or BSD syslog (no year: the latest year that
    does not put it in the future; no zone: taken as the scan's zone)."""
    if not text:
        return None
    try:
        value = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d\d-\d\d \d", text) else text
        if re.search(r"[+-]\d{4}$", value):
            value = value[:-2] + ":" + value[-2:]
        got = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return got if got.tzinfo else got.replace(tzinfo=now.tzinfo)
    except ValueError:
        pass
    m = re.match(r"^([A-Z][a-z]{2})\s+(\d{1,2}) (\d\d):(\d\d):(\d\d)$", text)
    if not m or m.group(1) not in _MONTHS:
        return None
    local = now.astimezone()
    for year in (local.year, local.year - 1):
        try:
            got = datetime(year, _MONTHS[m.group(1)], int(m.group(2)), int(m.group(3)), int(m.group(4)),
                           int(m.group(5)), tzinfo=local.tzinfo)
        except ValueError:
            continue
        if got <= local + timedelta(days=1):
            return got
    return None


def in_window(changes: Sequence[ClockChange], since: datetime, now: datetime,
              recent_file: bool = False) -> Tuple[ClockChange, ...]:
    """Changes at or after ``since``. Kept as well (fail closed): one whose time cannot be read,
    and any from a file written inside the window (``recent_file``) — a clock set back stamps
    the lines after it with the false, older time, which must not push them out of the window."""
    if recent_file:
        return tuple(changes)
    out = []
    for change in changes:
        when = parse_when(change.when, now)
        if when is None or when >= since:
            out.append(change)
    return tuple(out)


def _recent(target: Target, path: str, since: datetime) -> bool:
    try:
        return datetime.fromtimestamp(target.stat(path).st_mtime, tz=timezone.utc) >= since
    except OSError:
        return True


def read_clock_history(target: Target, since: datetime, now: datetime, window_days: int) -> ClockHistory:
    from .usb import _log_lines, _rotation_key

    changes: List[ClockChange] = []
    sources: List[str] = []
    problems: List[SourceProblem] = []
    for path in sorted({p for g in WTMP_GLOBS for p in target.glob(g) if not target.is_dir(p)}):
        sources.append(path)
        try:
            changes.extend(in_window(parse_wtmp(target.read_bytes(path, MAX_WTMP_BYTES), path), since, now))
        except (OSError, TargetError) as exc:
            problems.append(source_problem(path, exc))
    logs = sorted({p for g in LOG_GLOBS for p in target.glob(g) if not target.is_dir(p)}, key=_rotation_key)
    for path in logs:
        sources.append(path)
        try:
            gaps: List[Tuple[str, str]] = []
            changes.extend(in_window(parse_time_log(_log_lines(target, path, gaps), path), since, now,
                                     _recent(target, path, since)))
            # a part of the log left unread may hold a change: never a pass over it
            problems.extend(SourceProblem(g_path, "history.reason.partial_log", detail) for g_path, detail in gaps)
        except (OSError, EOFError, TargetError) as exc:
            problems.append(source_problem(path, exc))
    if not logs:
        try:
            journal = _journal(target)
        except (FactError, TargetError, OSError) as exc:
            problems.append(source_problem("journalctl", exc))
            journal = None
        if journal is not None:
            sources.append("journalctl")
            changes.extend(in_window(parse_time_log(journal, "journalctl"), since, now))
    seen = set()
    unique: List[ClockChange] = []
    for change in changes:  # syslog and auth.log may both carry a sudo line
        key = (change.when, change.how, change.actor)
        if change.when and key in seen:
            continue
        seen.add(key)
        unique.append(change)
    return ClockHistory(changes=tuple(unique), sources=tuple(sources), problems=tuple(problems),
                        window_days=window_days)


def _journal(target: Target) -> Optional[str]:
    """The journal's time-related entries, read by the scanning host's journalctl (nothing in an
    image runs); None when this target keeps no journal."""
    import shutil
    import subprocess

    from .usb import _has_journal_files

    stored = [d for d in ("/var/log/journal", "/run/log/journal") if _has_journal_files(target, d)]
    if not stored:
        return None
    # No --since: a clock set back stamps later entries with the false time; the window is applied
    # to what comes back. The matches keep the volume small.
    # (the evidence kit's collect.sh records exactly this command line)
    matches = ["SYSLOG_IDENTIFIER=systemd-timedated", "+", "SYSLOG_IDENTIFIER=sudo", "+",
               "MESSAGE=Time has been changed", "+", "SYSLOG_IDENTIFIER=systemd-timesyncd", "+",
               "SYSLOG_IDENTIFIER=chronyd"]
    args = ["-o", "short-iso", "--no-pager", "-q", *matches]
    if target.is_live:  # this host, or an evidence bundle that recorded exactly this command line
        if not target.has_tool("journalctl"):
            raise FactError("usb.reason.journal_tool", path=stored[0])
        return target.run(["journalctl", *args], timeout=30)
    tool = shutil.which("journalctl")
    if tool is None:
        raise FactError("usb.reason.journal_tool", path=stored[0])
    proc = subprocess.run([tool, "-D", target.host_path(stored[0]), *args], capture_output=True, timeout=30,
                          check=False)
    if proc.returncode != 0:
        raise FactError("usb.reason.journal_failed", reason=proc.stderr.decode("utf-8", "replace").strip()[:200])
    return proc.stdout.decode("utf-8", "replace")


def collect_clock(ctx: CollectContext) -> ClockHistory:
    now = ctx.options.now or datetime.now(timezone.utc)
    days = ctx.policy.history.days
    return read_clock_history(ctx.target, now - timedelta(days=days), now, days)


# ---- Windows: the event logs ---------------------------------------------------------------

CLOCK_EVENTS = frozenset({("Microsoft-Windows-Security-Auditing", 4616), ("Microsoft-Windows-Kernel-General", 1)})


def clock_changes_from_events(events: Sequence[Event]) -> Tuple[ClockChange, ...]:
    """Security 4616 and System Kernel-General 1 events whose actor is a person's account (SID
    S-1-5-21-… or S-1-12-1-…, never a display name, so every language reads the same). SYSTEM,
    LOCAL SERVICE and NETWORK SERVICE — the time service, VM tools — are not a private change.
    One change logged by both is reported once (the 4616, which names the process)."""
    from .eventlog import is_user_sid

    out: List[ClockChange] = []
    taken: List[datetime] = []
    ordered = sorted(events, key=lambda e: (e.event_id != 4616, e.when or datetime.min.replace(tzinfo=timezone.utc)))
    for e in ordered:
        if e.event_id == 4616:
            sid = e.data.get("SubjectUserSid", "")
            who = "\\".join(x for x in (e.data.get("SubjectDomainName", ""), e.data.get("SubjectUserName", "")) if x)
            process = e.data.get("ProcessName", "").replace("/", "\\").rsplit("\\", 1)[-1]
            how = f"4616 {process}".strip()
            before, after = e.data.get("PreviousTime", "?"), e.data.get("NewTime", "?")
        else:
            sid = e.user_sid
            who = sid
            how = "Kernel-General 1"
            before, after = e.data.get("OldTime", "?"), e.data.get("NewTime", "?")
        if not is_user_sid(sid):
            continue
        if e.event_id != 4616 and e.when is not None and any(abs((e.when - t).total_seconds()) <= 2 for t in taken):
            continue
        if e.when is not None:
            taken.append(e.when)
        out.append(ClockChange(when=e.when.isoformat(timespec="seconds") if e.when else "", actor=f"{who} ({sid})",
                               how=how, source=f"{e.source}#{e.record_id}", line=f"{before} -> {after}"))
    return tuple(out)


def _latest(change: ClockChange) -> str:
    """The latest of the record's own time and the times it names: a clock set back must not push
    its own record out of the window."""
    stamps = [change.when] + [part.strip() for part in change.line.split("->")]
    return max((s for s in stamps if re.match(r"^\d{4}-", s)), default=change.when)


def read_windows_clock(target: Target, since: datetime, now: datetime, window_days: int) -> ClockHistory:
    from .eventlog import events_of

    changes: List[ClockChange] = []
    sources: List[str] = []
    problems: List[SourceProblem] = []
    events = []
    for log in ("Security", "System"):
        name = f"{log}.evtx"
        try:
            got = events_of(target, log, CLOCK_EVENTS)
        except Unsupported:
            raise
        except (FactError, TargetError, OSError) as exc:
            # This log is unreadable; what the other one proves still stands (fail first).
            problems.append(source_problem(name, exc))
            continue
        if got is None:
            if not target.is_live and not getattr(target, "volume", False):
                raise Unsupported("history.reason.no_event_logs")
            problems.append(SourceProblem(name, "history.reason.missing_log"))
            continue
        sources.append(name)
        events.extend(got)
    for change in clock_changes_from_events(events):
        when = parse_when(_latest(change), now)
        if when is None or when >= since:
            changes.append(change)
    return ClockHistory(changes=tuple(changes), sources=tuple(sources), problems=tuple(problems),
                        window_days=window_days)


def collect_clock_windows(ctx: CollectContext) -> ClockHistory:
    now = ctx.options.now or datetime.now(timezone.utc)
    days = ctx.policy.history.days
    return read_windows_clock(ctx.target, now - timedelta(days=days), now, days)


LINUX = {"history.clock": collect_clock}
WINDOWS = {"history.clock": collect_clock_windows}
