"""Files on Windows: backup copies and integrity hashes over Windows paths.

Policy paths are Windows paths (``C:\\ybclient\\backup\\*.db``, ``\\\\?\\D:\\bak\\yb.db``,
``\\\\nas\\share\\yb.db``), matched case-insensitively by the live target's glob. "Copies on
different disks" means different *physical* disks: each copy's volume is mapped to the disks
under it (IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS), so C: and D: on one drive are one disk.
Offline (a mounted image) the image's paths are Linux paths under ``--root``: the Linux
collectors serve it unchanged, and an image has no disks of its own, so the same-disk question
is asked of the machine that holds the image files (as on Linux).
"""

from __future__ import annotations

import os
from typing import Any, Dict, Tuple

from ...facts.accounts import BackupSet, FileDigest
from ...target.interface import Unsupported
from .. import integrity
from ..backups import backup_sets
from ..backups import collect_backups as collect_backups_linux
from ..interface import CollectContext, Collector, FactError
from .common import require_this_host


def _disk_label(path: str, st: os.stat_result, needed: bool) -> str:
    from . import live

    try:
        volume = live.volume_of(path)
    except OSError as exc:
        raise FactError("windows.disk_unknown", path=path, reason=str(exc)) from None
    if not needed:
        return f"volume {volume}"
    if volume.startswith("\\\\") and not volume.startswith("\\\\?\\"):
        return f"network share {volume}"  # its disks are the server's: a disk of its own
    try:
        disks = live.physical_disks(volume)
    except OSError as exc:
        raise FactError("windows.disk_unknown", path=path, reason=str(exc)) from None
    return "disk " + "+".join(f"PhysicalDrive{n}" for n in disks)


def collect_backups(ctx: CollectContext) -> Tuple[BackupSet, ...]:
    if not ctx.policy.backups:
        return ()
    if not ctx.target.is_live:
        if getattr(ctx.target, "volume", False):
            return collect_backups_linux(ctx)  # a mounted volume: its files are here
        raise Unsupported("windows.hives_only")
    require_this_host(ctx, "GetVolumePathNameW")
    return backup_sets(ctx, _disk_label)


def collect_files(ctx: CollectContext) -> Tuple[FileDigest, ...]:
    if not ctx.target.is_live and not getattr(ctx.target, "volume", False):
        raise Unsupported("windows.hives_only")
    if ctx.target.is_live:
        require_this_host(ctx, "the file system")
    return integrity.collect_files(ctx)


def collect_baseline(ctx: CollectContext) -> Any:
    return integrity.collect_baseline(ctx)


FACTS: Dict[str, Collector] = {
    "backups.files": collect_backups,
    "integrity.files": collect_files,
    "integrity.baseline": collect_baseline,
}
