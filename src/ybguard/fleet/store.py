"""The fleet store: one SQLite file (standard library; it exists on every terminal platform).

- WAL journal and a busy timeout, so two ``fleet ingest`` runs (a cron job and an Ansible
  play) and a ``fleet summary`` can work at once: writers queue, readers never block.
- Every batch is one ``BEGIN IMMEDIATE`` … ``COMMIT`` with ``synchronous=FULL``: a crash
  loses at most the batch being written, never one already committed.
- A terminal is its host name (case-folded: Windows names are case-insensitive) plus the
  report's ``host.machine_id``; two PCs both called ``DESKTOP-XXXX`` stay two terminals.
- A report is stored once however often it is fetched, copied or ingested: by the SHA-256
  of its bytes (a copy is recognised before it is parsed), and by what makes it that scan —
  terminal, start time, policy and counts — when it was re-encoded or re-indented. Only the findings the summary reads are kept (fail, error,
  waived, and any with a waiver); the counts of the others stay in the report row. The report
  files themselves remain the archive of evidence.

Keep the database on a local disk of the control node: SQLite's locking is not reliable on
SMB/NFS shares, which is where the reports (not the database) belong.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from typing import Any, Dict, Iterator, Mapping, Optional, Sequence, Tuple

from .interface import FleetError

STORE_VERSION = "1"
BUSY_TIMEOUT_S = 120.0  # a concurrent batch of 500 reports commits in well under a second

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS terminals (
  id INTEGER PRIMARY KEY,
  host_key TEXT NOT NULL,            -- lower-cased host name
  machine_id TEXT NOT NULL,          -- '' when the reports carry none
  hostname TEXT NOT NULL,            -- as the newest report spells it
  first_night TEXT,                  -- night of its earliest report (the trend's "no report" count)
  UNIQUE (host_key, machine_id)
);
CREATE TABLE IF NOT EXISTS reports (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  terminal_id INTEGER NOT NULL REFERENCES terminals(id),
  started_at TEXT NOT NULL,          -- as the report says it, with its offset
  started INTEGER NOT NULL,          -- Unix time
  night TEXT NOT NULL,               -- YYYY-MM-DD: the morning that ends the night of the scan
  status TEXT NOT NULL,              -- compliant | non_compliant | incomplete (from the findings)
  n_pass INTEGER NOT NULL, n_fail INTEGER NOT NULL, n_error INTEGER NOT NULL,
  n_not_applicable INTEGER NOT NULL, n_waived INTEGER NOT NULL,
  policy_id TEXT NOT NULL, policy_version INTEGER NOT NULL, policy_sha256 TEXT NOT NULL,
  tool_version TEXT NOT NULL, target TEXT NOT NULL, os TEXT NOT NULL,
  hospital TEXT NOT NULL, department TEXT NOT NULL, asset_id TEXT NOT NULL, location TEXT NOT NULL,
  source TEXT NOT NULL,              -- the file it was ingested from (first time)
  ingested INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_by_terminal ON reports (terminal_id, started);
CREATE INDEX IF NOT EXISTS reports_by_night ON reports (night, terminal_id, started, status);
-- the same scan re-encoded or re-indented (other bytes, same report): stored once
CREATE UNIQUE INDEX IF NOT EXISTS reports_same_scan ON reports (terminal_id, started_at, policy_sha256,
  status, n_pass, n_fail, n_error, n_not_applicable, n_waived);
CREATE TABLE IF NOT EXISTS findings (
  report_id INTEGER NOT NULL REFERENCES reports(id),
  check_id TEXT NOT NULL, subject TEXT NOT NULL, status TEXT NOT NULL, severity TEXT NOT NULL,
  message TEXT NOT NULL,
  waiver_expires TEXT, waiver_expires_at INTEGER, waiver_expired INTEGER,
  waiver_reason TEXT, waiver_approved_by TEXT
);
CREATE INDEX IF NOT EXISTS findings_by_report ON findings (report_id);
"""


@dataclass(frozen=True)
class ReportRow:
    """What the store keeps of one report (see ingest.to_row)."""

    sha256: str
    hostname: str
    machine_id: str
    started_at: str
    started: int
    night: str
    status: str
    counts: Mapping[str, int]
    policy_id: str
    policy_version: int
    policy_sha256: str
    tool_version: str
    target: str
    os: str
    site: Mapping[str, str]
    source: str
    findings: Tuple[Tuple[Any, ...], ...]  # (check, subject, status, severity, message, w_expires, w_at, w_expired, w_reason, w_by)


class Store:
    """An open fleet database. ``Store.open(path, create=True)`` for ingest, ``create=False`` to read."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str, create: bool, busy_timeout: float = BUSY_TIMEOUT_S) -> Store:
        if not create and not os.path.isfile(path):
            raise FleetError("fleet.db_missing", path=path)
        if os.path.isdir(path):
            raise FleetError("fleet.db_bad", path=path, reason="is a directory")
        try:
            conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise FleetError("fleet.db_bad", path=path, reason=str(exc)) from None
        store = cls(conn, path)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            store._ensure_schema(create)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise FleetError("fleet.db_bad", path=path, reason=str(exc)) from None
        return store

    def _ensure_schema(self, create: bool) -> None:
        have = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" in have:
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'store_version'").fetchone()
            if row is None or row[0] != STORE_VERSION:
                raise FleetError("fleet.db_version", path=self.path, found=row[0] if row else "?",
                                 expected=STORE_VERSION)
            return
        if have:
            raise FleetError("fleet.db_foreign", path=self.path)
        if not create:
            raise FleetError("fleet.db_missing", path=self.path)
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            if not self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
                for statement in _DDL.split(";"):  # executescript would COMMIT the transaction first
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute("INSERT INTO meta (key, value) VALUES ('store_version', ?)", (STORE_VERSION,))
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ------------------------------------------------------------------------------

    def add_batch(self, rows: Sequence[ReportRow], now: int) -> Tuple[int, int]:
        """Store ``rows`` in one transaction; (stored, duplicates). Nothing of a failed batch stays."""
        stored = duplicates = 0
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            terminals: Dict[Tuple[str, str], int] = {}
            for row in rows:
                key = (row.hostname.lower(), row.machine_id)
                tid = terminals.get(key)
                if tid is None:
                    conn.execute("INSERT OR IGNORE INTO terminals (host_key, machine_id, hostname) VALUES (?, ?, ?)",
                                 (key[0], key[1], row.hostname))
                    tid = conn.execute("SELECT id FROM terminals WHERE host_key = ? AND machine_id = ?",
                                       key).fetchone()[0]
                    terminals[key] = tid
                c = row.counts
                cur = conn.execute(
                    "INSERT OR IGNORE INTO reports (sha256, terminal_id, started_at, started, night, status, n_pass,"
                    " n_fail, n_error, n_not_applicable, n_waived, policy_id, policy_version, policy_sha256,"
                    " tool_version, target, os, hospital, department, asset_id, location, source, ingested)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (row.sha256, tid, row.started_at, row.started, row.night, row.status, c["pass"], c["fail"],
                     c["error"], c["not_applicable"], c["waived"], row.policy_id, row.policy_version,
                     row.policy_sha256, row.tool_version, row.target, row.os, row.site.get("hospital", ""),
                     row.site.get("department", ""), row.site.get("asset_id", ""), row.site.get("location", ""),
                     row.source, now))
                if cur.rowcount == 0:
                    duplicates += 1
                    continue
                stored += 1
                rid = cur.lastrowid
                if row.findings:
                    conn.executemany(
                        "INSERT INTO findings (report_id, check_id, subject, status, severity, message,"
                        " waiver_expires, waiver_expires_at, waiver_expired, waiver_reason, waiver_approved_by)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [(rid, *f) for f in row.findings])
                conn.execute("UPDATE terminals SET first_night = ? WHERE id = ? AND (first_night IS NULL"
                             " OR first_night > ?)", (row.night, tid, row.night))
                # the name as the newest report spells it
                conn.execute("UPDATE terminals SET hostname = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM reports"
                             " WHERE terminal_id = ? AND started > ?)", (row.hostname, tid, tid, row.started))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return stored, duplicates

    # --- reading ------------------------------------------------------------------------------

    def has_report(self, sha256: str) -> bool:
        return self.conn.execute("SELECT 1 FROM reports WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def query(self, sql: str, args: Sequence[Any] = ()) -> Iterator[sqlite3.Row]:
        cur = self.conn.cursor()
        cur.row_factory = sqlite3.Row
        return iter(cur.execute(sql, tuple(args)))

    def one(self, sql: str, args: Sequence[Any] = ()) -> Optional[sqlite3.Row]:
        return next(self.query(sql, args), None)
