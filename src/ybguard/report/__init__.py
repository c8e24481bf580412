"""Reporters: console, json, html, junit, prometheus — each a pure ``render(report) -> str``."""

from .interface import Format, Render, ReportError

__all__ = ["Format", "Render", "ReportError"]
