"""Checks of the windows area."""

from typing import Tuple

from .interface import Check

CHECKS: Tuple[Check, ...] = ()
