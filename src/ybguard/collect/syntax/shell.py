"""A small tokenizer for the shell around network commands — not a shell.

rc.local, ifupdown ``up``/``post-up`` lines, the scripts they call and ``ExecStart=`` of
systemd units wrap ``ip route add …`` in ``if …; then …; fi``, ``&&``, ``;``, ``$(…)`` and
variables. :func:`simple_commands` cuts such text into the simple commands the shell would run
(keywords such as ``then``/``do`` dropped, ``sudo``/``exec``/``env`` prefixes removed,
``sh -c '…'`` and ``$(…)`` bodies followed) and expands variables assigned earlier in the same
text. A command whose words still hold an expansion it could not resolve (``$1``, ``$(…)``,
a loop variable, a glob) is marked ``resolved=False``: the caller must report it, never drop it.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from .lines import logical_lines

# Words that open, continue or close a compound command: what follows them is a command.
KEYWORDS = frozenset({"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}",
                      "time", "esac", "in"})
# Commands that run their arguments as a command.
PREFIXES = frozenset({"sudo", "exec", "command", "nohup", "builtin", "nice", "ionice", "chroot", "timeout"})
SHELLS = frozenset({"sh", "bash", "dash", "ash", "ksh", "zsh", "busybox"})
OPERATORS = frozenset({";", "&&", "||", "|", "&", "(", ")", ";;", "|&", ";&"})
UNRESOLVED = "\x00"  # stands for an expansion whose value is not known statically
_ASSIGN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)|([0-9@*#?$!-])|\{[^}]*\})")
MAX_DEPTH = 8


@dataclass(frozen=True)
class Command:
    line: int
    words: Tuple[str, ...]
    resolved: bool  # False: some word holds an expansion that cannot be known statically

    @property
    def program(self) -> str:
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""

    @property
    def text(self) -> str:
        return " ".join(w.replace(UNRESOLVED, "$?") for w in self.words)


def _substitutions(line: str) -> Tuple[str, List[str]]:
    """``line`` with each ``$(…)`` / backquoted command replaced by UNRESOLVED, and their bodies."""
    if "$(" not in line and "`" not in line:
        return line, []
    out: List[str] = []
    bodies: List[str] = []
    i, quote = 0, ""
    while i < len(line):
        ch = line[i]
        if quote == "'":
            out.append(ch)
            quote = "" if ch == "'" else quote
            i += 1
            continue
        if ch == "\\" and i + 1 < len(line):
            out.append(line[i:i + 2])
            i += 2
            continue
        if ch == "'" and not quote:
            quote = "'"
        elif ch == '"':
            quote = "" if quote == '"' else '"'
        if line.startswith("$(", i) and not line.startswith("$((", i):
            depth, j = 1, i + 2
            while j < len(line) and depth:
                depth += {"(": 1, ")": -1}.get(line[j], 0)
                j += 1
            bodies.append(line[i + 2:j - 1])
            out.append(UNRESOLVED)
            i = j
            continue
        if ch == "`":
            j = line.find("`", i + 1)
            j = len(line) if j < 0 else j
            bodies.append(line[i + 1:j])
            out.append(UNRESOLVED)
            i = j + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out), bodies


def _expand(word: str, env: Mapping[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2) or m.group(3)  # ``$1`` too, when the caller knows it
        if name and name in env:
            return env[name]
        return UNRESOLVED

    return _VAR.sub(sub, word)


_PLAIN_TOKEN = re.compile(r"[;&|()]+|[^\s;&|()]+")


def _tokens(line: str) -> Optional[List[str]]:
    if not any(c in line for c in "'\"\\#"):
        return _PLAIN_TOKEN.findall(line)  # no quoting or comment: what shlex would return, faster
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:  # an unterminated quote: the shell would fail here too
        return None


def simple_commands(text: str, env: Optional[Dict[str, str]] = None, first_line: int = 0,
                    depth: int = 0) -> Iterator[Command]:
    """The simple commands of a shell text in order, with the line each starts on.

    ``first_line`` offsets line numbers (text cut out of a larger file); ``env`` holds variables
    known beforehand (``IFACE`` for ifupdown); assignments in the text update it as they run
    (pass the same dict for several pieces of one script).
    """
    known: Dict[str, str] = env if env is not None else {}
    lines = logical_lines(text) if first_line == 0 else [(first_line, text)]
    for n, raw in lines:
        line, bodies = _substitutions(raw)
        for body in bodies:
            if depth < MAX_DEPTH:
                yield from simple_commands(body, dict(known), n, depth + 1)  # a subshell
        tokens = _tokens(line)
        if tokens is None:
            yield Command(n, (UNRESOLVED,) + tuple(raw.split()), False)
            continue
        current: List[str] = []
        for tok in tokens + [";"]:
            if tok not in OPERATORS:
                current.append(tok)
                continue
            yield from _one(current, known, n, depth)
            current = []


def _one(words: Sequence[str], env: Dict[str, str], n: int, depth: int) -> Iterator[Command]:
    words = list(words)
    while words and words[0] in KEYWORDS:
        words.pop(0)
    if words and words[0] in ("for", "case", "select"):
        # ``for x in …`` binds a loop variable we cannot follow: anything using it is unresolved.
        if len(words) > 1:
            env.pop(words[1], None)
        return
    assigned: Dict[str, str] = {}
    while words and _ASSIGN.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        assigned[name] = _expand(value, env)
    if not words:
        env.update(assigned)  # a plain assignment: later commands see it
        return
    while words and (words[0].rsplit("/", 1)[-1] in PREFIXES or words[0] in ("env", "/usr/bin/env")):
        words.pop(0)
        while words and (words[0].startswith("-") or _ASSIGN.match(words[0])):
            words.pop(0)
        if words and words[0].isdigit():  # timeout 5 cmd
            words.pop(0)
    if not words:
        return
    scope = {**env, **assigned}
    if words[0].rsplit("/", 1)[-1] in SHELLS and "-c" in words[1:]:
        i = words.index("-c")
        if i + 1 < len(words) and depth < MAX_DEPTH:
            yield from simple_commands(words[i + 1], dict(scope), n, depth + 1)
            return
    expanded = tuple(_expand(w, scope) for w in words)
    resolved = not any(UNRESOLVED in w or any(c in w for c in "*?[") for w in expanded[1:]) \
        and UNRESOLVED not in expanded[0]
    yield Command(n, expanded, resolved)


def quote(words: Sequence[str]) -> str:
    return " ".join(shlex.quote(w) for w in words)
