"""Backup copies: every file matching a policy ``backups`` entry, with the disk it lives on.

Every file matching the entry's patterns is collected with its size, age and disk; files that
share their size with another match are hashed too, so the check can tell a copy (the same
data: same content, or the same name in another location and recent) from another file that
merely matches the pattern (``settle.db`` is no copy of ``patients.db``). The regulation asks for
copies on *different disks* (不同磁盘), so two partitions of one disk are one disk: a file's
``st_dev`` is mapped through ``/sys/dev/block/MAJ:MIN`` to the whole disk (a partition's
parent; device-mapper/md devices to the disks under ``slaves/``). A filesystem with no block
device behind it (tmpfs, NFS, overlay) is its own "disk", named by its device number and
mount. The stat and the sysfs lookup happen on the scanning machine: for ``--root`` that
is where the image's files really are.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import replace
from typing import Callable, Dict, List, Optional, Tuple

from ..facts.accounts import BackupCopy, BackupSet
from ..target.interface import Target
from .interface import CollectContext, Collector, FactError

SYS_DEV_BLOCK = "/sys/dev/block"


def parse_mountinfo(text: str) -> Dict[str, Tuple[str, str, str]]:
    """/proc/self/mountinfo -> {"MAJ:MIN": (mountpoint, fstype, source)}; first mount wins."""
    out: Dict[str, Tuple[str, str, str]] = {}
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        fields = left.split()
        rest = right.split()
        if not sep or len(fields) < 5 or len(rest) < 2:
            continue
        mountpoint = fields[4].replace("\\040", " ")
        out.setdefault(fields[2], (mountpoint, rest[0], rest[1]))
    return out


def disks_of(majmin: str, sys_dev_block: str = SYS_DEV_BLOCK) -> Optional[Tuple[str, ...]]:
    """Whole-disk names behind a block device number, or None when it is not a block device."""
    link = os.path.join(sys_dev_block, majmin)
    if not os.path.exists(link):
        return None
    return tuple(sorted(_disks(os.path.realpath(link), 0)))


def _disks(path: str, depth: int) -> List[str]:
    if os.path.exists(os.path.join(path, "partition")):
        return [os.path.basename(os.path.dirname(path))]
    slaves = os.path.join(path, "slaves")
    names = sorted(os.listdir(slaves)) if os.path.isdir(slaves) else []
    if names and depth < 8:
        out: List[str] = []
        for name in names:
            out += _disks(os.path.realpath(os.path.join(slaves, name)), depth + 1)
        return sorted(set(out))
    return [os.path.basename(path)]


def device_label(st_dev: int, mounts: Dict[str, Tuple[str, str, str]]) -> str:
    majmin = f"{os.major(st_dev)}:{os.minor(st_dev)}"
    disks = disks_of(majmin)
    if disks:
        return "disk " + "+".join(disks)
    mount = mounts.get(majmin)
    where = f" {mount[1]} at {mount[0]}" if mount else ""
    return f"device {majmin}{where} (no backing disk)"


def collect_backups(ctx: CollectContext) -> Tuple[BackupSet, ...]:
    target = ctx.target
    rules = ctx.policy.backups
    if not rules:
        return ()
    if target.is_recorded:
        # Copies are told apart by the disk they live on (st_dev); a bundle's copy of a file lives
        # on the scanning machine's disk, so it cannot say that: unknown, never "one disk".
        raise FactError("evidence.reason.no_disks")
    with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as fh:
        mounts = parse_mountinfo(fh.read())
    return backup_sets(ctx, lambda path, st, needed: device_label(st.st_dev, mounts))


DiskOf = Callable[[str, os.stat_result, bool], str]


def backup_sets(ctx: CollectContext, disk_of: DiskOf) -> Tuple[BackupSet, ...]:
    """Every copy of every policy entry; ``disk_of(path, stat, needed)`` names the disk a copy
    is on (asked once per filesystem: st_dev; ``needed`` is False when the entry does not ask
    for distinct disks), so Linux and Windows differ only there."""
    target = ctx.target
    labels: Dict[Tuple[int, bool], str] = {}
    scanned_at = ctx.options.now.timestamp() if ctx.options.now else time.time()
    out = []
    for rule in ctx.policy.backups:
        seen = set()
        files: Dict[Tuple[int, int], str] = {}  # (st_dev, st_ino) -> first path: links are one file
        copies = []
        unknown: Optional[Tuple[str, Tuple[Tuple[str, object], ...]]] = None
        for pattern in rule.paths:
            for path in target.glob(pattern):
                if path in seen:
                    continue
                seen.add(path)
                st = target.stat(path)
                if not os.path.isfile(target.host_path(path)):
                    continue
                key = (st.st_dev, rule.distinct_disks)
                if key not in labels:
                    try:
                        labels[key] = disk_of(path, st, rule.distinct_disks)
                    except FactError as exc:  # partial: the copies and their ages are still known
                        unknown = unknown or (exc.key, tuple(sorted(exc.args_map.items())))
                        labels[key] = f"volume {st.st_dev} (disk unknown)"
                same_as = files.setdefault((st.st_dev, st.st_ino), path)
                copies.append(BackupCopy(path=path, size=st.st_size, mtime=st.st_mtime, device=labels[key],
                                         same_as="" if same_as == path else same_as))
        out.append(BackupSet(patterns=tuple(rule.paths), copies=_hash_same_sizes(target, copies),
                             scanned_at=scanned_at, disks_unknown=unknown))
    return tuple(out)


def _hash_same_sizes(target: Target, copies: List[BackupCopy]) -> Tuple[BackupCopy, ...]:
    """Hash only what could be the same data: a file whose size no other file shares has no
    twin by content (and a backup set of large databases is not read needlessly)."""
    sizes: Dict[int, int] = {}
    for c in copies:
        if not c.same_as:
            sizes[c.size] = sizes.get(c.size, 0) + 1
    return tuple(replace(c, sha256=file_sha256(target, c.path)) if not c.same_as and sizes[c.size] > 1 else c
                 for c in copies)


def file_sha256(target: Target, path: str) -> str:
    digest = hashlib.sha256()
    with target.open_bytes(path) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


LINUX: Dict[str, Collector] = {"backups.files": collect_backups}
