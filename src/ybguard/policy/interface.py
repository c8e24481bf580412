"""The policy layer's error type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional


@dataclass(frozen=True)
class Tr:
    """A message argument that is itself translatable (e.g. "a whole number" / "整数")."""

    key: str
    args: tuple = ()


@dataclass(frozen=True)
class EnglishOnly:
    """Text we did not write (PyYAML's description of a syntax error): shown in English
    messages, left out of 中文 ones, which say the same thing in their own words."""

    text: str


def _translate(value: Any, lang: str) -> Any:
    from ..i18n import t

    if isinstance(value, EnglishOnly):
        return value.text if lang == "en" else ""
    if isinstance(value, Tr):
        return t(value.key, lang, **{k: _translate(v, lang) for k, v in value.args})
    return value


def translate(value: Tr, lang: str) -> str:
    """A loader message (a warning of ``policy validate``) in ``lang``."""
    return str(_translate(value, lang))


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
    more: tuple = ()  # further PolicyErrors of the same file, reported together (up to a limit)

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
        """One line per problem: this one, then the others found in the same file."""
        field_part = f" {self.path}:" if self.path else ""
        first = f"{self.location()}:{field_part} {self.message(lang)}"
        return "\n".join([first] + [e.render(lang) for e in self.more])

    def all(self) -> tuple:
        """This problem and the others, in file order."""
        return (self,) + tuple(self.more)

    def __str__(self) -> str:  # for logs and tests
        return self.render("en")
