"""Checks of the software area."""

from typing import Tuple

from .interface import Check

CHECKS: Tuple[Check, ...] = ()
