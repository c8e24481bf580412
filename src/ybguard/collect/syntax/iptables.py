"""The ``iptables-save`` / ``iptables-restore`` format (saved rules files, ufw's ``*.rules``,
the output of ``iptables-save`` and ``iptables-legacy-save``), one reader for live and offline."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import List, Sequence, Tuple

# Targets that rewrite addresses: the extension of the 医保 network the NAT check looks for.
NAT_TARGETS = {"MASQUERADE": "masquerade", "SNAT": "snat", "DNAT": "dnat", "NETMAP": "snat"}


@dataclass(frozen=True)
class SavedRule:
    table: str  # "nat", "filter" … (the ``*table`` block it is in)
    chain: str
    words: Tuple[str, ...]
    text: str  # the line as written
    line: int


def option(words: Sequence[str], flags: Sequence[str]) -> str:
    """The argument of the first of ``flags`` present in ``words`` ("" when none is)."""
    for f in flags:
        if f in words and words.index(f) + 1 < len(words):
            return words[words.index(f) + 1]
    return ""


def nat_kind(words: Sequence[str]) -> str:
    """"masquerade" / "snat" / "dnat" for a rule jumping to a NAT target, else ""."""
    return NAT_TARGETS.get(option(words, ("-j", "--jump")).upper(), "")


def parse_iptables_save(text: str) -> Tuple[SavedRule, ...]:
    """Every appended or inserted rule, with its table, chain and line number."""
    out: List[SavedRule] = []
    table = ""
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("*"):
            table = line[1:].strip()
            continue
        if line == "COMMIT":
            table = ""
            continue
        if not line.startswith(("-A", "-I", "--append", "--insert")):
            continue
        try:
            words = tuple(shlex.split(line))
        except ValueError:
            words = tuple(line.split())
        out.append(SavedRule(table, words[1] if len(words) > 1 else "", words, line, n))
    return tuple(out)
