"""The policy layer's error type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional


@dataclass(frozen=True)
class Tr:
    """A message argument that is itself translatable (e.g. "a whole number" / "整数")."""

    key: str
    args: tuple = ()


def _translate(value: Any, lang: str) -> Any:
    from ..i18n import t

    if isinstance(value, Tr):
        return t(value.key, lang, **{k: _translate(v, lang) for k, v in value.args})
    return value


@dataclass(eq=False)  # not frozen: Python sets __traceback__ on exceptions as they propagate
class PolicyError(Exception):
    """A policy that cannot be used: where (file:line:column), which field, and what was expected.

    ``message_key`` and ``args`` name an i18n message so the CLI can say it in 中文 or English;
    an argument may itself be a ``Tr`` so that "expected …, found …" reads naturally in both.
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

    def message(self, lang: str) -> str:
        """The message without location and field path."""
        text: str = _translate(Tr(self.message_key, self.args), lang)
        for key, args in self.suffix:
            text += _translate(Tr(key, args), lang)
        return text

    def render(self, lang: str) -> str:
        field_part = f" {self.path}:" if self.path else ""
        return f"{self.location()}:{field_part} {self.message(lang)}"

    def __str__(self) -> str:  # for logs and tests
        return self.render("en")
