"""A 中文 report carries no English that ybguard itself writes (issue 14 item 11).

The realistic report (every check over fixture facts, tests/foundation/sample.py) is rendered
in 中文 as JSON, console and HTML; every ASCII word in it must come from the host (the fixture
facts and the policy) or be a technical token that the 中文 catalogue uses too (a command, a
setting, a file name). An English word of ybguard's catalogues, or one of ybguard's known
evidence words, in that text is a leftover: "password policy", "host", "(unset)", "absent",
"installed, enabled", "stack minimum", a target kind such as "live".
"""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from typing import Any, Dict, Iterator, List, Set, Tuple

from ybguard.i18n import CATALOG
from ybguard.report import console, html
from ybguard.report import json as json_report

from .sample import sample_policy, sample_report, violating_facts

WORD = re.compile(r"[A-Za-z][A-Za-z'_-]*[A-Za-z]")
# English that ybguard writes outside the catalogue (f-strings, collector phrases, enum values).
KNOWN_ENGLISH = {
    "because", "state", "kind", "unset", "absent", "present", "installed", "enabled", "stack", "minimum",
    "bytes", "mtime", "disk", "device", "copies", "copy", "newest", "counted", "process", "unknown", "configured",
    "live", "rootfs", "host", "password", "policy", "sync", "time", "baseline", "backups", "empty", "field",
    "filter", "counters", "capture", "probe", "passed", "dropped", "outside", "interface", "address", "source",
    "mounted", "removable", "optical", "none", "found", "violation", "applicable", "waived",
}
# iproute2's own route syntax, shown as the tool prints it (like a command's output).
ROUTE_SYNTAX = {"default", "via", "dev", "table", "main", "proto", "metric", "from", "all", "lookup", "local"}


# Check ids, file names and command-line options are identifiers, the same in every language.
IDENTIFIER = re.compile(r"--[a-z][a-z-]*|[A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)+")


def _strings(value: Any, out: List[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _strings(getattr(value, f.name), out)
    elif isinstance(value, (tuple, list)):
        for v in value:
            _strings(v, out)
    elif isinstance(value, dict):  # keys are fact ids, not host strings
        for v in value.values():
            _strings(v, out)
    elif value is not None:
        out.append(str(value))


def _words(texts: List[str]) -> Set[str]:
    return {w.lower() for text in texts for w in WORD.findall(text)}


def ybguard_english() -> Set[str]:
    """English words of ybguard: its English catalogue and its known evidence words, minus what
    the 中文 catalogue writes as well (commands, settings, file names), minus host strings."""
    en = _words([pair[1] for pair in CATALOG.values()]) | KNOWN_ENGLISH
    zh = _words([pair[0] for pair in CATALOG.values()])
    host: List[str] = []
    _strings(violating_facts(), host)
    _strings(sample_policy(), host)
    return ((en - zh - _words(host)) | KNOWN_ENGLISH) - ROUTE_SYNTAX


class _Text(HTMLParser):
    """The text a reader sees: no CSS, no attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: List[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.skip += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _report_texts() -> Iterator[Tuple[str, str]]:
    report = sample_report("zh")
    data = json_report.report_data(report)
    for f in data["findings"]:
        for field in ("title", "message", "remediation", "subject"):
            yield f"{f['check']}.{field}", f[field]
        for e in f["evidence"]:
            yield f"{f['check']}.evidence.source", e["source"]
            yield f"{f['check']}.evidence.detail", e["detail"]
    yield "console", console.render(report, width=100)
    parser = _Text()
    parser.feed(html.render(report))
    yield "html", "".join(parser.parts)


def test_zh_report_has_no_english_of_ybguard() -> None:
    english = ybguard_english()
    leftovers: Dict[str, Set[str]] = {}
    for where, text in _report_texts():
        text = IDENTIFIER.sub(" ", text)
        for w in WORD.findall(text):
            if w.lower() in english:
                at = text.find(w)
                leftovers.setdefault(w, set()).add(f"{where}: {text[max(0, at - 40):at + 40]!r}")
    assert leftovers == {}, "\n".join(f"{w}: {sorted(v)[:3]}" for w, v in sorted(leftovers.items()))


def test_the_scan_finds_english_when_it_is_there() -> None:
    """The scan itself works: the same report in English is full of ybguard's English words."""
    english = ybguard_english()
    report = sample_report("en")
    found = {w.lower() for w in WORD.findall(console.render(report, width=100))} & english
    assert {"installed", "host", "disk"} <= found


ASCII_PUNCT_NEXT_TO_HAN = re.compile(r"[\u4e00-\u9fff][,;:!?()]|[,;:!?()][\u4e00-\u9fff]")
# "键: 值" is YAML and "文件:行:列" the location format: syntax, not punctuation
SYNTAX_EXAMPLES = {"policy.yaml.colon", "policy.expect.mapping", "policy.expect.hostport", "policy.bad_hostport", "help.policy validate"}


def test_zh_catalogue_uses_full_width_punctuation() -> None:
    bad = {k: zh for k, (zh, _) in CATALOG.items() if k not in SYNTAX_EXAMPLES and ASCII_PUNCT_NEXT_TO_HAN.search(zh)}
    assert bad == {}
