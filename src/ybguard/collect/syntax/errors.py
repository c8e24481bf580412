"""What a file's owner does with a line it does not like: reject the file, or ignore the line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple


def where(path: str, line: Optional[int]) -> str:
    """``path:line`` (just ``path`` when the line is not known)."""
    return f"{path}:{line}" if line else path


class Rejected(ValueError):
    """A file its owning program refuses to load (or that cannot be read safely).

    ``affects`` names what the refused text could have said (record kinds such as "routes",
    "nat"); empty means anything. A reader that knows (a wpa_supplicant file holds no route)
    narrows it, so only the facts the file could change become errors.
    """

    def __init__(self, path: str, problem: str, affects: Tuple[str, ...] = ()) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem
        self.affects = affects


@dataclass(frozen=True)
class Ignored:
    """A line (or value) the owning program skips with a warning: ``source`` is ``path:line``."""

    source: str
    problem: str
