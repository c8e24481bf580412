"""The built-in checks, registered explicitly in one literal tuple (no import side effects)."""

from __future__ import annotations

import fnmatch
from typing import Iterable, Sequence, Tuple

from . import accounts, capture, history, network, software, usb, windows
from .interface import Check

ALL_CHECKS: Tuple[Check, ...] = (
    *network.CHECKS,
    *capture.CHECKS,
    *usb.CHECKS,
    *software.CHECKS,
    *accounts.CHECKS,
    *windows.CHECKS,
    *history.CHECKS,
)


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
