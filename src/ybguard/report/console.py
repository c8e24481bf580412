"""The terminal report: verdict first, then what failed (with evidence and the fix), then the rest.

Host strings (interface, package, process names) are untrusted: they only ever enter rich as
``Text`` objects, never as markup.
"""

from __future__ import annotations

import io
from itertools import groupby
from typing import List

from rich import box
from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..i18n import has, t
from ..models import Finding, Report, Status

_VERDICT_STYLE = {"compliant": "bold white on green", "non_compliant": "bold white on red",
                  "incomplete": "bold black on yellow"}
_STATUS_STYLE = {Status.PASS: "green", Status.FAIL: "bold red", Status.ERROR: "bold yellow",
                 Status.NOT_APPLICABLE: "dim", Status.WAIVED: "cyan"}


def _finding_block(f: Finding, lang: str) -> List[RenderableType]:
    head = Text()
    mark = "✗" if f.status is Status.FAIL else "!"
    head.append(f"{mark} [{t('severity.' + f.severity.value, lang)}] ", style=_STATUS_STYLE[f.status])
    head.append(f.check, style="bold")
    head.append("  ")
    head.append(f.subject)
    body = [Text(f.title, style="dim"), Text(f.message)]
    for e in f.evidence:
        line = Text(f"{t('console.evidence', lang)}: ", style="dim")
        line.append(f"{e.source}: {e.detail}")
        body.append(line)
    body.append(Text(f"{t('console.remediation', lang)}: ", style="bold").append(Text(f.remediation, style="")))
    body.append(Text(f"{t('console.rule', lang)}: {f.rule}", style="dim"))
    # Padding keeps wrapped lines under their text instead of at column 0.
    return [head, *(Padding(line, (0, 0, 0, 4)) for line in body)]


def render(report: Report, color: bool = False, width: int = 100) -> str:
    lang = report.lang
    buf = io.StringIO()
    con = Console(file=buf, width=width, force_terminal=color, no_color=not color, color_system="standard" if color else None,
                  highlight=False, emoji=False, soft_wrap=False)
    verdict = report.verdict.value
    con.print(Text(f" {t('verdict.' + verdict, lang)} ", style=_VERDICT_STYLE[verdict]),
              Text(" " + t("console.counts", lang, **report.counts())))
    host = Text(f"{t('console.host', lang)}: ")
    host.append(f"{report.host.hostname} · {report.host.os}")
    if report.host.kernel:
        host.append(f" · {report.host.kernel}")
    con.print(host)
    con.print(Text(f"{t('console.target', lang)}: {report.host.target.value} {report.host.root}  ·  "
                   f"{t('console.policy', lang)}: {report.policy.id} v{report.policy.version}"
                   + (f" {report.policy.title}" if report.policy.title else "")))
    con.print(Text(f"{t('console.started', lang)}: {report.started_at}  ·  "
                   f"{t('console.duration', lang)}: {report.duration_ms} ms"))

    by_area = lambda f: f.area  # noqa: E731
    for status, heading in ((Status.FAIL, "console.failures"), (Status.ERROR, "console.errors")):
        chosen = sorted((f for f in report.findings if f.status is status),
                        key=lambda f: (f.area, -f.severity.rank, f.check, f.subject))
        if not chosen:
            continue
        con.print()
        con.print(Text(f"{t(heading, lang)} ({len(chosen)})", style="bold underline"))
        for area, items in groupby(chosen, key=by_area):
            con.print(Text(f"■ {t('area.' + area, lang) if has('area.' + area) else area}", style="bold"))
            for f in items:
                for line in _finding_block(f, lang):
                    con.print(line)

    rest = [f for f in report.findings if f.status not in (Status.FAIL, Status.ERROR)]
    if rest:
        con.print()
        # A light frame and a detail column that takes what the check ids leave: still readable at 80.
        table = Table(title=t("console.others", lang), title_justify="left", show_lines=False, expand=True,
                      box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column(t("console.col.check", lang), no_wrap=True)
        table.add_column(t("console.col.status", lang), no_wrap=True)
        table.add_column(t("console.col.subject", lang), overflow="fold", max_width=32)
        table.add_column(t("console.col.detail", lang), overflow="fold", ratio=1)
        for f in sorted(rest, key=lambda f: (f.area, f.check, f.subject)):
            table.add_row(Text(f.check), Text(t("status." + f.status.value, lang), style=_STATUS_STYLE[f.status]),
                          Text(f.subject), Text(f.message if f.status is not Status.PASS else f.title))
        con.print(table)
    # rich pads table titles to the full width; trailing blanks only make diffs and mail noisy
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())
