"""Collectors of the windows area (read through the Target, then parse with pure functions)."""

from typing import Dict

from .interface import Collector

WINDOWS: Dict[str, Collector] = {}
