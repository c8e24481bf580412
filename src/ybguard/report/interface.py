"""Reporters are pure: ``render(report) -> str``. The CLI decides where the text goes."""

from __future__ import annotations

import enum
from typing import Callable

from ..models import Report

Render = Callable[[Report], str]


class ReportError(Exception):
    """A report could not be rendered or written."""


class Format(str, enum.Enum):
    CONSOLE = "console"
    JSON = "json"
    HTML = "html"
    JUNIT = "junit"
    PROMETHEUS = "prometheus"
    CSV = "csv"  # the 自查表 (report/selfcheck.py)

    def renderer(self, color: bool = False, width: int = 100) -> Render:
        """Map every format to its renderer; adding a format without one fails here, loudly."""
        from . import console, html, json, junit, prometheus, selfcheck

        if self is Format.CONSOLE:
            return lambda report: console.render(report, color=color, width=width)
        if self is Format.JSON:
            return json.render
        if self is Format.HTML:
            return html.render
        if self is Format.JUNIT:
            return junit.render
        if self is Format.PROMETHEUS:
            return prometheus.render
        if self is Format.CSV:
            return selfcheck.render
        raise AssertionError(f"unhandled format {self!r}")
