"""Read report files into the store: each file is taken whole or named and skipped.

A file is refused by its size before a byte is read (a 2 GB file on the share costs nothing),
must be a regular file (a FIFO would block the nightly job), UTF-8 JSON, and a valid
``ybguard.report/v1`` (validate.py). Files go to the store in batches, one transaction each.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple

from .interface import FleetError
from .store import ReportRow, Store
from .validate import SITE_FIELDS, parse_time, validate_report, verdict_of

MAX_REPORT_BYTES = 64 * 1024 * 1024  # a real report is tens of KB; a capture with many flows a few MB
BATCH = 500
KEPT = ("fail", "error", "waived")  # findings the summary reads; the rest are counted, not stored
MAX_TEXT = 500  # stored message length: the report file keeps the whole text


@dataclass(frozen=True)
class Skipped:
    path: str
    error: FleetError


@dataclass(frozen=True)
class IngestResult:
    files: int
    stored: int
    duplicates: int
    skipped: Tuple[Skipped, ...]


def expand(paths: Iterable[str]) -> Iterator[Tuple[str, Optional[FleetError]]]:
    """Each REPORT as given; each DIR walked for ``*.json`` (sorted, hidden files skipped).

    A generator, one directory listing at a time: memory follows the largest directory, not
    the number of reports.
    """
    for path in paths:
        if os.path.isdir(path):
            yield from _walk(path)
        elif os.path.lexists(path):
            yield path, None
        else:
            yield path, FleetError("fleet.not_found")


def _walk(directory: str) -> Iterator[Tuple[str, Optional[FleetError]]]:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        yield directory, FleetError("fleet.unreadable", reason=exc.strerror or str(exc))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue  # .ybguard-*.tmp: a report being written right now
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(entry.path)
        elif entry.name.lower().endswith(".json"):
            yield entry.path, None


def read_bytes(path: str, limit: int = MAX_REPORT_BYTES) -> bytes:
    """The whole file, refused by its size before reading and unless it is a regular file."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # not even opened: opening a device can act
            raise FleetError("fleet.not_regular")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise FleetError("fleet.unreadable", reason=exc.strerror or str(exc)) from None
    try:
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):  # a FIFO would block the nightly job, a device never end
                raise FleetError("fleet.not_regular")
            if st.st_size > limit:
                raise FleetError("fleet.too_large", size=st.st_size, limit=limit)
            raw = fh.read(st.st_size + 1)  # read(limit) would allocate 64 MiB for every report
            if len(raw) > st.st_size:  # grew since the stat
                raw += fh.read(limit + 1 - len(raw))
    except OSError as exc:
        raise FleetError("fleet.unreadable", reason=exc.strerror or str(exc)) from None
    if len(raw) > limit:
        raise FleetError("fleet.too_large", size=len(raw), limit=limit)
    return raw


def parse_report(raw: bytes) -> Dict[str, Any]:
    """UTF-8 JSON that is a valid ``ybguard.report/v1``, else FleetError saying what is wrong."""
    if not raw.strip():
        raise FleetError("fleet.empty")
    try:
        data = json.loads(raw)  # bytes: UTF-8 (a BOM allowed); anything else raises below
    except UnicodeDecodeError as exc:
        raise FleetError("fleet.not_utf8", offset=exc.start) from None
    except json.JSONDecodeError as exc:
        raise FleetError("fleet.not_json", line=exc.lineno, column=exc.colno, reason=exc.msg) from None
    except RecursionError:
        raise FleetError("fleet.not_json", line=0, column=0, reason="nested too deeply") from None
    validate_report(data)
    return data  # type: ignore[no-any-return]


def read_report(path: str, limit: int = MAX_REPORT_BYTES) -> Tuple[bytes, Dict[str, Any]]:
    """The file's bytes and its validated JSON; FleetError says what is wrong with it."""
    raw = read_bytes(path, limit)
    return raw, parse_report(raw)


def night_of(started: datetime) -> str:
    """Nights run noon to noon in the terminal's own time and are named by the morning that ends
    them: the 02:00 scan of 26 November and a 23:30 scan of the 25th both belong to 2026-11-26."""
    return (started + timedelta(hours=12)).date().isoformat()


def to_row(data: Dict[str, Any], source: str, sha256: str) -> ReportRow:
    started = parse_time(data["started_at"])
    assert started is not None  # validated
    findings: List[Tuple[Any, ...]] = []
    statuses = []
    for f in data["findings"]:
        statuses.append(f["status"])
        waiver = f.get("waiver")
        if f["status"] not in KEPT and waiver is None:
            continue
        if waiver is not None:
            expires = parse_time(waiver["expires"])
            w: Tuple[Any, ...] = (waiver["expires"], int(expires.timestamp()) if expires else None,
                                  1 if waiver["expired"] else 0, waiver["reason"][:MAX_TEXT],
                                  waiver["approved_by"][:MAX_TEXT])
        else:
            w = (None, None, None, None, None)
        findings.append((f["check"], f["subject"][:MAX_TEXT], f["status"], f["severity"], f["message"][:MAX_TEXT], *w))
    site = data.get("site") or {}
    host = data["host"]
    return ReportRow(
        sha256=sha256, hostname=host["hostname"].strip(), machine_id=host.get("machine_id", ""),
        started_at=data["started_at"], started=int(started.timestamp()), night=night_of(started),
        status=verdict_of(statuses), counts=data["summary"]["counts"], policy_id=data["policy"]["id"],
        policy_version=data["policy"]["version"], policy_sha256=data["policy"]["sha256"],
        tool_version=data["tool"]["version"], target=host["target"], os=host["os"],
        site={k: str(site.get(k, "")) for k in SITE_FIELDS}, source=source, findings=tuple(findings))


Progress = Callable[[str, Optional[FleetError]], None]
# (path, sha256, row or None when the store already has it, problem)
Prepared = Tuple[str, str, Optional[ReportRow], Optional[FleetError]]


def prepare(path: str, problem: Optional[FleetError], known: Callable[[str], bool]) -> Prepared:
    """Read, hash, and — unless ``known`` says the store has those bytes — parse and validate one file."""
    if problem is not None:
        return path, "", None, problem
    try:
        raw = read_bytes(path)
        sha = hashlib.sha256(raw).hexdigest()
        if known(sha):
            return path, sha, None, None  # a copy of a stored report: not even parsed
        return path, sha, to_row(parse_report(raw), os.path.abspath(path), sha), None
    except FleetError as exc:
        return path, "", None, exc


_WORKER_DB: List[Any] = []


def _worker_start(db: str) -> None:
    import sqlite3

    _WORKER_DB.append(sqlite3.connect(db, timeout=60))  # a reader of its own (WAL: never blocked)


def _worker_known(sha: str) -> bool:
    return _WORKER_DB[0].execute("SELECT 1 FROM reports WHERE sha256 = ?", (sha,)).fetchone() is not None


def _worker(item: Tuple[str, Optional[FleetError]]) -> Prepared:
    return prepare(item[0], item[1], _worker_known)


def ingest(store: Store, paths: Iterable[str], batch: int = BATCH, progress: Optional[Progress] = None,
           now: Optional[datetime] = None, jobs: int = 1) -> IngestResult:
    """Validate and store every report under ``paths``; bad files are skipped and returned.

    ``jobs`` > 1 reads and parses in that many worker processes (JSON parsing is most of the
    cost); this process alone writes, in file order, so batches and results are the same.
    """
    stamp = int((now or datetime.now(timezone.utc)).timestamp())
    files = stored = duplicates = 0
    skipped: List[Skipped] = []
    pending: List[ReportRow] = []
    seen: Set[str] = set()  # hashes of this batch, not yet in the store

    def flush() -> None:
        nonlocal stored, duplicates
        if pending:
            s, d = store.add_batch(pending, stamp)
            stored, duplicates = stored + s, duplicates + d
            pending.clear()
            seen.clear()

    def take(prepared: Iterable[Prepared]) -> None:
        nonlocal files, duplicates
        for path, sha, row, problem in prepared:
            files += 1
            if problem is not None:
                skipped.append(Skipped(path, problem))
            elif row is None or sha in seen:
                duplicates += 1
            else:
                seen.add(sha)
                pending.append(row)
            if progress is not None:
                progress(path, problem)
            if len(pending) >= batch:
                flush()

    if jobs <= 1:
        take(prepare(path, problem, store.has_report) for path, problem in expand(paths))
    else:
        import multiprocessing

        # spawn: a forked child would inherit this process's open SQLite connection
        with multiprocessing.get_context("spawn").Pool(jobs, _worker_start, (store.path,)) as pool:
            take(pool.imap(_worker, expand(paths), chunksize=32))
    flush()
    return IngestResult(files=files, stored=stored, duplicates=duplicates, skipped=tuple(skipped))
