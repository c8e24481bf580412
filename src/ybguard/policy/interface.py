"""The policy layer's error type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class PolicyError(Exception):
    """A policy that cannot be used: where (file:line:column), which field, and what was expected.

    ``message_key`` and ``args`` name an i18n message so the CLI can say it in 中文 or English.
    """

    file: str
    line: Optional[int]  # 1-based; None when the problem is the file as a whole
    column: Optional[int]
    path: str  # field path such as network.allowed_networks[1]; "" for the whole file
    message_key: str
    args: tuple = ()
    suffix: tuple = ()  # extra (key, args) pairs appended to the message, e.g. a suggestion

    def location(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    def render(self, lang: str) -> str:
        from ..i18n import t

        text = t(self.message_key, lang, **dict(self.args))
        for key, args in self.suffix:
            text += t(key, lang, **dict(args))
        where = self.location()
        field_part = f" {self.path}:" if self.path else ""
        return f"{where}:{field_part} {text}"

    def __str__(self) -> str:  # for logs and tests
        return self.render("en")
