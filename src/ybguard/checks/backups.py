"""backups.copies: 重要数据多份备份，存放于不同磁盘 — each piece of important data in several
copies, on different disks.

A copy is the same data: the same content (hash), or the same file name in another location
that is no older than ``max_age_hours`` (yesterday's backup of a database that changed since is
still its backup). Two different files that match the patterns (``settle.db``, ``patients.db``)
are two pieces of data with one copy each, not "2 copies". A link to a file is that file.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Dict, Iterable, List, Sequence, Tuple

from ..facts.accounts import BackupCopy, BackupSet
from ..policy.schema import BackupRule, Policy
from .interface import AnyEvidence, Facts, Msg, Result, Said, error, fail, msg, not_applicable, passed


@dataclass(frozen=True)
class Datum:
    """One piece of important data and the files that hold it."""

    name: str  # the file name of its newest copy
    newest: BackupCopy
    copies: Tuple[BackupCopy, ...]  # counted copies, newest first
    stale: Tuple[BackupCopy, ...]  # same name, other content, older than max_age_hours: not counted
    links: Tuple[BackupCopy, ...]  # links to a counted copy: not copies


def data_of(found: Sequence[BackupCopy], max_age_hours: float, now: float) -> List[Datum]:
    """Group the matching files into pieces of data (same content or same name), then count the
    copies of each: those with the newest copy's content, and recent ones of the same name."""
    real = [c for c in found if not c.same_as]
    parent = list(range(len(real)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_by: Dict[Tuple[str, str], int] = {}
    for i, c in enumerate(real):
        keys = [("name", os.path.basename(c.path))] + ([("hash", c.sha256)] if c.sha256 else [])
        for key in keys:
            j = first_by.setdefault(key, i)
            parent[root(i)] = root(j)
    groups: Dict[int, List[BackupCopy]] = {}
    for i, c in enumerate(real):
        groups.setdefault(root(i), []).append(c)
    limit = max_age_hours * 3600
    out = []
    for members in groups.values():
        members.sort(key=lambda c: (-c.mtime, c.path))
        newest = members[0]
        counted = [c for c in members
                   if c is newest or (c.sha256 and c.sha256 == newest.sha256) or now - c.mtime <= limit]
        stale = [c for c in members if c not in counted]
        paths = {c.path for c in counted}
        links = [c for c in found if c.same_as in paths]
        out.append(Datum(os.path.basename(newest.path), newest, tuple(counted), tuple(stale), tuple(links)))
    out.sort(key=lambda d: d.name)
    return out


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))


def _evidence(d: Datum) -> List[AnyEvidence]:
    """Which file is a copy of which, and why the others are not."""
    ev: List[AnyEvidence] = []
    for c in d.copies:
        if c is d.newest:
            key = "backups.ev.newest"
        elif c.sha256 and c.sha256 == d.newest.sha256:
            key = "backups.ev.same_content"
        else:
            key = "backups.ev.same_name"
        ev.append(Said(c.path, msg(key, of=d.newest.path, device=c.device, size=c.size, mtime=_when(c.mtime))))
    ev += [Said(c.path, msg("backups.ev.stale", of=d.newest.path, device=c.device, mtime=_when(c.mtime)))
           for c in d.stale]
    ev += [Said(c.path, msg("backups.ev.link", of=c.same_as, device=c.device)) for c in d.links]
    return ev


def _problems(d: Datum, rule: BackupRule, now: float, disks_known: bool = True) -> List[Msg]:
    problems = []
    copies = len(d.copies)
    if copies < rule.min_copies:
        problems.append(msg("backups.too_few", name=d.name, got=copies, want=rule.min_copies))
    disks = len({c.device for c in d.copies})
    if rule.distinct_disks and disks < rule.min_copies and disks_known:
        problems.append(msg("backups.same_disk", name=d.name, got=disks, want=rule.min_copies))
    age_h = (now - d.newest.mtime) / 3600
    if age_h > rule.max_age_hours:
        problems.append(msg("backups.too_old", name=d.name, age=f"{age_h:.1f}", want=rule.max_age_hours))
    return problems


def backup_copies(facts: Facts, policy: Policy) -> Iterable[Result]:
    """Per policy entry and piece of data: min_copies copies, on min_copies disks when
    distinct_disks, the newest no older than max_age_hours. An entry that matches no file fails."""
    sets: Sequence[BackupSet] = facts["backups.files"]
    if not policy.backups:
        yield not_applicable("backups", msg("backups.no_rules"))
        return
    for rule, found in zip(policy.backups, sets):
        subject = ", ".join(rule.paths)
        now = found.scanned_at or time.time()
        data = data_of(found.copies, rule.max_age_hours, now)
        if not data:
            yield fail(subject, msg("backups.none", want=rule.min_copies))
            continue
        for d in data:
            ev = _evidence(d)
            problems = _problems(d, rule, now, found.disks_unknown is None)
            for p in problems:
                yield fail(subject, p, *ev)
            if found.disks_unknown is not None and rule.distinct_disks:  # partial: never a pass
                key, args = found.disks_unknown
                yield error(subject, msg("backups.disks_unknown", reason=Msg(key, args)), *ev)
            elif not problems:
                yield passed(subject, msg("backups.ok", name=d.name, copies=len(d.copies),
                                          disks=len({c.device for c in d.copies})), *ev)
