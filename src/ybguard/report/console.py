"""The terminal report: verdict first, then what failed (with evidence and the fix), then the rest.

Host strings (interface, package, process names) are untrusted: they only ever enter rich as
``Text`` objects, never as markup.
"""

from __future__ import annotations

import io
from itertools import groupby
from typing import List

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.text import Text

from ..i18n import has, t
from ..models import Finding, Report, Status

_VERDICT_STYLE = {"compliant": "bold white on green", "non_compliant": "bold white on red",
                  "incomplete": "bold black on yellow"}
_MARK = {Status.PASS: "✓", Status.FAIL: "✗", Status.ERROR: "!", Status.NOT_APPLICABLE: "-", Status.WAIVED: "~"}
_STATUS_STYLE = {Status.PASS: "green", Status.FAIL: "bold red", Status.ERROR: "bold yellow",
                 Status.NOT_APPLICABLE: "dim", Status.WAIVED: "cyan"}


def _label(key: str, lang: str) -> str:
    """"证据：" in 中文 (full-width colon), "Evidence: " in English."""
    return t(key, lang) + ("：" if lang == "zh" else ": ")


def _count(text: str, n: int, lang: str) -> str:
    return f"{text}（{n}）" if lang == "zh" else f"{text} ({n})"


def _finding_block(f: Finding, lang: str) -> List[RenderableType]:
    head = Text()
    mark = "✗" if f.status is Status.FAIL else "!"
    severity = t('severity.' + f.severity.value, lang)
    head.append(f"{mark} 【{severity}】" if lang == "zh" else f"{mark} [{severity}] ", style=_STATUS_STYLE[f.status])
    head.append(f.check, style="bold")
    head.append("  ")
    head.append(f.subject)
    body = [Text(f.title, style="dim"), Text(f.message)]
    for e in f.evidence:
        line = Text(_label("console.evidence", lang), style="dim")
        line.append(f"{e.source}{'：' if lang == 'zh' else ': '}{e.detail}" if e.detail else e.source)
        body.append(line)
    body.append(Text(_label("console.remediation", lang), style="bold").append(Text(f.remediation, style="")))
    body.append(Text(_label("console.rule", lang) + f.rule, style="dim"))
    # Padding keeps wrapped lines under their text instead of at column 0.
    return [head, *(Padding(line, (0, 0, 0, 4)) for line in body)]


def _other_block(f: Finding, lang: str) -> List[RenderableType]:
    head = Text()
    head.append(f"{_MARK[f.status]} {t('status.' + f.status.value, lang)}", style=_STATUS_STYLE[f.status])
    head.append("  ")
    head.append(f.check, style="bold")
    head.append("  ")
    head.append(f.subject)
    detail = Text(f"{f.title}{'：' if lang == 'zh' else ': '}", style="dim")
    detail.append(f.message)
    return [head, Padding(detail, (0, 0, 0, 4))]


def render(report: Report, color: bool = False, width: int = 100) -> str:
    lang = report.lang
    buf = io.StringIO()
    con = Console(file=buf, width=width, force_terminal=color, no_color=not color, color_system="standard" if color else None,
                  highlight=False, emoji=False, soft_wrap=False)
    verdict = report.verdict.value
    verdict_line = Text.assemble(Text(f" {t('verdict.' + verdict, lang)} ", style=_VERDICT_STYLE[verdict]),
                                 Text(" " + t("console.counts", lang, **report.counts())))
    con.print(verdict_line)
    host = Text(_label("console.host", lang))
    host.append(f"{report.host.hostname} · {report.host.os}")
    if report.host.kernel:
        host.append(f" · {report.host.kernel}")
    con.print(host)
    kind = f"target.kind.{report.host.target.value}"
    con.print(Text(f"{_label('console.target', lang)}{t(kind, lang) if has(kind) else report.host.target.value} "
                   f"{report.host.root}  ·  {_label('console.policy', lang)}{report.policy.id} "
                   f"{t('html.version', lang, version=report.policy.version)}"
                   + (f" {report.policy.title}" if report.policy.title else "")))
    site = " · ".join(x for x in (report.site.hospital, report.site.department, report.site.asset_id,
                                  report.site.location) if x)
    if site:
        con.print(Text(_label("console.site", lang) + site))
    con.print(Text(f"{_label('console.started', lang)}{report.started_at}  ·  "
                   f"{_label('console.duration', lang)}{t('html.duration_ms', lang, ms=report.duration_ms)}"))

    by_area = lambda f: f.area  # noqa: E731
    for status, heading in ((Status.FAIL, "console.failures"), (Status.ERROR, "console.errors")):
        chosen = sorted((f for f in report.findings if f.status is status),
                        key=lambda f: (f.area, -f.severity.rank, f.check, f.subject))
        if not chosen:
            continue
        con.print()
        con.print(Text(_count(t(heading, lang), len(chosen), lang), style="bold underline"))
        for area, items in groupby(chosen, key=by_area):
            con.print(Text(f"■ {t('area.' + area, lang) if has('area.' + area) else area}", style="bold"))
            for f in items:
                for line in _finding_block(f, lang):
                    con.print(line)

    rest = [f for f in report.findings if f.status not in (Status.FAIL, Status.ERROR)]
    if rest:
        con.print()
        con.print(Text(_count(t("console.others", lang), len(rest), lang), style="bold underline"))
        # One entry per finding, not a table: at 80 columns a table folded check ids mid-word
        # ("network.captu / re"); here an id is one token on its own line and never breaks.
        for f in sorted(rest, key=lambda f: (f.area, f.check, f.subject)):
            for line in _other_block(f, lang):
                con.print(line)
    con.print()
    con.print(verdict_line)  # again at the end: a long report scrolls the first one away
    # rich pads table titles to the full width; trailing blanks only make diffs and mail noisy
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())
