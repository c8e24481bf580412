"""The built-in checks, registered explicitly in one literal tuple (no import side effects)."""

from __future__ import annotations

import fnmatch
from typing import Iterable, Sequence, Tuple

from . import (
    accounts,
    audit,
    capture,
    clauses,
    hardening,
    history,
    logon,
    malware,
    network,
    patches,
    software,
    usb,
    windows,
)
from .examined import with_examined
from .interface import Check

ALL_CHECKS: Tuple[Check, ...] = clauses.annotate(with_examined((
    *network.CHECKS,
    *capture.CHECKS,
    *usb.CHECKS,
    *software.CHECKS,
    *accounts.CHECKS,
    *windows.CHECKS,
    *logon.CHECKS,
    *audit.CHECKS,
    *hardening.CHECKS,
    *malware.CHECKS,
    *patches.CHECKS,
    *history.CHECKS,
)))


def select_checks(checks: Iterable[Check], only: Sequence[str] = (), skip: Sequence[str] = ()) -> Tuple[Check, ...]:
    """Checks whose id matches any ``only`` glob (all when none) and no ``skip`` glob."""
    out = []
    for check in checks:
        if only and not any(fnmatch.fnmatchcase(check.id, g) for g in only):
            continue
        if any(fnmatch.fnmatchcase(check.id, g) for g in skip):
            continue
        out.append(check)
    return tuple(out)


__all__ = ["ALL_CHECKS", "Check", "select_checks"]
