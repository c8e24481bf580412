"""Checks of the usb area."""

from typing import Tuple

from .interface import Check

CHECKS: Tuple[Check, ...] = ()
