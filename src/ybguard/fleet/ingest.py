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
        st = os.stat(path)
    except OSError as exc:
        raise FleetError("fleet.unreadable", reason=exc.strerror or str(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise FleetError("fleet.not_regular")
    if st.st_size > limit:
        raise FleetError("fleet.too_large", size=st.st_size, limit=limit)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped for a FIFO since the stat
                raise FleetError("fleet.not_regular")
            raw = fh.read(limit + 1)
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


def ingest(store: Store, paths: Iterable[str], batch: int = BATCH, progress: Optional[Progress] = None,
           now: Optional[datetime] = None) -> IngestResult:
    """Validate and store every report under ``paths``; bad files are skipped and returned."""
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

    for path, problem in expand(paths):
        files += 1
        if problem is None:
            try:
                raw = read_bytes(path)
                sha = hashlib.sha256(raw).hexdigest()
                if sha in seen or store.has_report(sha):
                    duplicates += 1  # a copy of a stored report: not even parsed
                else:
                    seen.add(sha)
                    pending.append(to_row(parse_report(raw), os.path.abspath(path), sha))
            except FleetError as exc:
                problem = exc
        if problem is not None:
            skipped.append(Skipped(path, problem))
        if progress is not None:
            progress(path, problem)
        if len(pending) >= batch:
            flush()
    flush()
    return IngestResult(files=files, stored=stored, duplicates=duplicates, skipped=tuple(skipped))
