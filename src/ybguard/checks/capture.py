"""Checks of the capture area."""

from typing import Tuple

from .interface import Check

CHECKS: Tuple[Check, ...] = ()
