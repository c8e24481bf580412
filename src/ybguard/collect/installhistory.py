"""Programs installed inside the window (history.installs): Windows service installs (System
log, Service Control Manager 7045 — how 向日葵, ToDesk, TeamViewer, AnyDesk install themselves)
and Debian packages (``/var/log/dpkg.log*``, the ``install`` action dpkg writes). A tool that was
installed, used and removed before tonight's scan still leaves this trace."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Iterable, List, Tuple, Union

from ..facts.history import Install, InstallHistory, SourceProblem
from ..target.interface import Target, TargetError, Unsupported
from .clockhistory import source_problem
from .interface import CollectContext, FactError

SERVICE_INSTALLS = frozenset({("Service Control Manager", 7045)})
DPKG_LOGS = ("/var/log/dpkg.log", "/var/log/dpkg.log.*")
# dpkg(1) log format: "YYYY-MM-DD HH:MM:SS install <package>:<arch> <old-version> <new-version>"
_DPKG_INSTALL = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) install (\S+?)(?::\S+)? (\S+) (\S+)\s*$")


def parse_dpkg_log(lines: Union[str, Iterable[str]], source: str) -> Tuple[Install, ...]:
    out: List[Install] = []
    it = lines.splitlines() if isinstance(lines, str) else lines
    for lineno, line in enumerate(it, 1):
        if " install " not in line:
            continue
        m = _DPKG_INSTALL.match(line.rstrip("\n"))
        if m:
            when = m.group(1).replace(" ", "T")
            out.append(Install(name=m.group(2), image=m.group(4), when=when, source=f"{source}:{lineno}"))
    return tuple(out)


def _after(when: str, since: datetime) -> bool:
    try:
        got = datetime.fromisoformat(when)
    except ValueError:
        return True  # unreadable time: keep it (fail closed)
    if got.tzinfo is None:
        got = got.replace(tzinfo=since.tzinfo or timezone.utc)
    return got >= since


def read_linux_installs(target: Target, since: datetime, window_days: int) -> InstallHistory:
    from .usb import _log_lines, _rotation_key

    installs: List[Install] = []
    sources: List[str] = []
    problems: List[SourceProblem] = []
    files = sorted({p for g in DPKG_LOGS for p in target.glob(g) if not target.is_dir(p)}, key=_rotation_key)
    if not files:
        if target.exists("/var/lib/dpkg/status"):
            # dpkg keeps this log from the first install on: gone means deleted (or rotated away)
            raise FactError("history.reason.install_log_missing", path="/var/log/dpkg.log")
        raise Unsupported("history.reason.no_install_log")
    for path in files:
        sources.append(path)
        try:
            gaps: List[Tuple[str, str]] = []
            installs.extend(i for i in parse_dpkg_log(_log_lines(target, path, gaps), path) if _after(i.when, since))
            problems.extend(SourceProblem(g_path, "history.reason.partial_log", detail) for g_path, detail in gaps)
        except (OSError, EOFError, TargetError) as exc:
            problems.append(source_problem(path, exc))
    return InstallHistory(tuple(installs), tuple(sources), tuple(problems), window_days)


def read_windows_installs(target: Target, since: datetime, window_days: int) -> InstallHistory:
    from .eventlog import events_of

    try:
        events = events_of(target, "System", SERVICE_INSTALLS)
    except Unsupported:
        raise
    except (FactError, TargetError, OSError) as exc:
        return InstallHistory((), (), (source_problem("System.evtx", exc),), window_days)
    if events is None:
        if not target.is_live and not getattr(target, "volume", False):
            raise Unsupported("history.reason.no_event_logs")
        return InstallHistory((), (), (SourceProblem("System.evtx", "history.reason.missing_log"),), window_days)
    installs = tuple(
        Install(name=e.data.get("ServiceName", ""), image=e.data.get("ImagePath", ""),
                when=e.when.isoformat(timespec="seconds") if e.when else "", source=f"{e.source}#{e.record_id}",
                account=e.data.get("AccountName", ""))
        for e in events if e.when is None or e.when >= since)
    return InstallHistory(installs, ("System.evtx",), (), window_days)


def collect_installs(ctx: CollectContext) -> InstallHistory:
    now = ctx.options.now or datetime.now(timezone.utc)
    days = ctx.policy.history.days
    reader = read_windows_installs if ctx.target.os_family == "windows" else read_linux_installs
    return reader(ctx.target, now - timedelta(days=days), days)


COLLECTORS = {"history.installs": collect_installs}
