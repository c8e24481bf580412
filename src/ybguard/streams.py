"""How ybguard's text reaches bytes: standard streams and report files never break on a code page.

Chinese Windows runs programs in code page 936 (GBK): Python then encodes a piped stdout in
GBK, and a ``✗`` in the console report raised ``UnicodeEncodeError`` mid-report (a scheduled
task that logs to a file got exit 2 and half a report). The rules here:

- a pipe or a file (stdout, stderr, ``--output``) is always UTF-8, whatever the code page or
  ``PYTHONIOENCODING`` says: JSON is UTF-8 by RFC 8259, and every other consumer (a log file,
  ``findstr``, a fleet collector) gets the same bytes from every terminal;
- a terminal keeps its own encoding — on Windows, Python already writes to a real console
  through the console API (``WriteConsoleW``, PEP 528), which shows every character; on a
  legacy console or a Linux terminal in a narrow locale a character the terminal cannot show
  becomes ``?``, never an exception;
- what UTF-8 itself cannot encode (a lone surrogate from an undecodable file name) is written
  as a ``\\udcxx`` escape, which in a JSON string is the same character again.
"""

from __future__ import annotations

import sys
from typing import IO, Any

FILE_ERRORS = "backslashreplace"  # only lone surrogates can fail in UTF-8; keep them visible
TTY_ERRORS = "replace"


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def configure_std_streams() -> None:
    """Make ``sys.stdout``/``sys.stderr`` safe for any text: UTF-8 to pipes and files, the
    terminal's own encoding with replacement to a terminal. Called once, before any output."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None or not hasattr(stream, "reconfigure"):
            continue  # pythonw.exe has no streams; a test may have swapped in a StringIO
        try:
            if is_terminal(stream):
                stream.reconfigure(errors=TTY_ERRORS)
            else:
                stream.reconfigure(encoding="utf-8", errors=FILE_ERRORS)
        except (ValueError, OSError):  # closed, or already read from: leave it as it is
            continue


def open_text_for_writing(path: str, mode: str = "w") -> IO[str]:
    """A report or log file: UTF-8, never failing on a character."""
    return open(path, mode, encoding="utf-8", errors=FILE_ERRORS)
