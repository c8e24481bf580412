"""Line-level syntax: logical lines (backslash continuations) and shell-variable files."""

from __future__ import annotations

import re
import shlex
from typing import Dict, Iterator, Mapping, Optional, Tuple

from .errors import Rejected, where


def logical_lines(text: str, comments: str = "#", comments_inside: bool = False) -> Iterator[Tuple[int, str]]:
    """(first line number, stripped text) of each logical line: a trailing backslash joins the
    next line; a line starting with a comment character is skipped — inside a continuation only
    with ``comments_inside`` (systemd skips them there, ifupdown keeps them as text); blank
    lines are skipped."""
    buf, start = "", 0
    for n, raw in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        line = raw.rstrip()
        stripped = line.lstrip()
        if stripped and stripped[0] in comments and (comments_inside or not buf):
            continue
        if not buf:
            start = n
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        if buf.strip():
            yield start, buf.strip()
        buf = ""
    if buf.strip():
        yield start, buf.strip()


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def expand(text: str, env: Mapping[str, str]) -> str:
    """``$NAME`` and ``${NAME}`` from ``env`` (unset: empty, as the shell does)."""
    return _VAR.sub(lambda m: env.get(m.group(1) or m.group(2), ""), text)


def parse_shell_vars(path: str, text: str,
                     env: Optional[Mapping[str, str]] = None) -> Dict[str, Tuple[str, int]]:
    """``KEY=value`` / ``export KEY=value`` lines of a sourced shell file -> {KEY: (value, line)}.

    Quotes are removed as the shell removes them; ``$NAME`` / ``${NAME}`` outside single quotes
    are expanded from earlier assignments of the file (then from ``env``). Lines that are not
    assignments are skipped; an unterminated quote is ``Rejected`` (the shell stops there).
    """
    out: Dict[str, Tuple[str, int]] = {}
    known: Dict[str, str] = dict(env or {})
    for n, line in logical_lines(text):
        if line.startswith("export "):
            line = line[len("export "):].strip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not _NAME.fullmatch(key):
            continue
        try:
            words = shlex.split(value, comments=True)
        except ValueError as exc:
            raise Rejected(where(path, n), f"{key}: {exc}") from None
        if "$" in value and not value.lstrip().startswith("'"):
            words = [expand(w, known) for w in words]
        out[key] = (" ".join(words), n)
        known[key] = out[key][0]
    return out
