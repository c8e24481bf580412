"""Collectors of the network area (read through the Target, then parse with pure functions)."""

from typing import Dict

from .interface import Collector

LINUX: Dict[str, Collector] = {}
