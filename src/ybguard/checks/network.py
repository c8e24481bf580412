"""Checks of the network area."""

from typing import Tuple

from .interface import Check

CHECKS: Tuple[Check, ...] = ()
