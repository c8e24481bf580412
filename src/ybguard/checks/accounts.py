"""Checks of the accounts area."""

from typing import Tuple

from .interface import Check

CHECKS: Tuple[Check, ...] = ()
