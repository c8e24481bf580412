"""Message catalogues: every user-facing string exists in 中文 and English.

Each area keeps its own catalogue module (``core``, ``network`` …) holding ``MESSAGES``,
a mapping of key -> (zh, en). Check ids double as key prefixes:
``<check-id>.title`` and ``<check-id>.remediation`` are required for every check, and a
test enforces that both languages are present and carry the same ``{placeholders}``.
"""

from __future__ import annotations

import os
import string
from typing import Dict, Mapping, Optional, Tuple

from . import (
    accounts,
    capture,
    core,
    deploy,
    djbh,
    evidence,
    examined,
    fleet,
    help,
    history,
    netconfig,
    network,
    policy,
    software,
    usb,
    windows,
)

LANGS = ("zh", "en")

_CATALOGUES = (
    core,
    network,
    capture,
    usb,
    software,
    accounts,
    windows,
    netconfig,
    policy,
    evidence,
    examined,
    help,
    deploy,
    fleet,
    djbh,
    history,
)


def _merge() -> Dict[str, Tuple[str, str]]:
    merged: Dict[str, Tuple[str, str]] = {}
    for module in _CATALOGUES:
        for key, pair in module.MESSAGES.items():
            if key in merged:
                raise RuntimeError(f"duplicate message key {key!r} in {module.__name__}")
            merged[key] = pair
    return merged


CATALOG: Mapping[str, Tuple[str, str]] = _merge()


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, lang: str, /, **args: object) -> str:
    """Translate ``key`` to ``lang``; unknown keys come back as the key itself (visible, not fatal)."""
    pair = CATALOG.get(key)
    if pair is None:
        return key
    text = pair[0] if lang == "zh" else pair[1]
    if not args:
        return text
    return string.Formatter().vformat(text, (), _SafeDict(args))


def has(key: str) -> bool:
    return key in CATALOG


def default_lang(environ: Optional[Mapping[str, str]] = None) -> str:
    """zh when the locale says Chinese (LC_ALL, then LC_MESSAGES, then LANG), else en."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
