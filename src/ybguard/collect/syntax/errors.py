"""What a file's owner does with a line it does not like: reject the file, or ignore the line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


def where(path: str, line: Optional[int]) -> str:
    """``path:line`` (just ``path`` when the line is not known)."""
    return f"{path}:{line}" if line else path


class Rejected(ValueError):
    """A file its owning program refuses to load (or that cannot be read safely)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class Ignored:
    """A line (or value) the owning program skips with a warning: ``source`` is ``path:line``."""

    source: str
    problem: str
