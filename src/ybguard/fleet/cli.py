"""``ybguard fleet ingest|summary|show``: parse, call, write (the work is in ingest/summary/render)."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any, Callable, Optional, Sequence, TypeVar

import click

from ..i18n import default_lang, t
from .interface import FleetError

DEFAULT_DB = "ybguard-fleet.db"
_LANG = click.Choice(["zh", "en"])
T = TypeVar("T")


def _abort(exc: FleetError, lang: str) -> click.ClickException:
    from ..cli import Abort2

    return Abort2(exc.render(lang))


def _on_store(db: str, create: bool, lang: str, work: Callable[[Any], T]) -> T:
    """Open the store, run ``work`` on it, close it; a FleetError becomes one message and exit 2."""
    from .store import Store

    try:
        with Store.open(db, create=create) as store:
            return work(store)
    except FleetError as exc:
        raise _abort(exc, lang) from None


def _now(value: Optional[str], lang: str) -> Optional[datetime]:
    if value is None:
        return None
    from .validate import parse_time

    parsed = parse_time(value)
    if parsed is None:
        raise _abort(FleetError("fleet.bad_now", value=value), lang)
    return parsed


@click.group()
def fleet() -> None:
    """Many terminals, one view: store reports, summarise them. 汇总多台终端的报告。"""


@fleet.command("ingest")
@click.argument("paths", nargs=-1, required=True, metavar="REPORT|DIR...")
@click.option("--db", default=DEFAULT_DB, show_default=True, metavar="FILE", help="The fleet SQLite database.")
@click.option("--batch", type=click.IntRange(min=1, max=100000), default=500, show_default=True,
              help="Reports per transaction.")
@click.option("--jobs", "-j", type=click.IntRange(min=1, max=64), default=1, show_default=True,
              help="Processes that read and parse reports (one writes the database).")
@click.option("--lang", type=_LANG, help="Message language (default from the locale).")
@click.option("--quiet", "-q", is_flag=True, help="Print only skipped files.")
def ingest_cmd(paths: Sequence[str], db: str, batch: int, jobs: int, lang: Optional[str], quiet: bool) -> None:
    """Validate JSON reports (files, or *.json under directories) and store them in --db.

    The same report is stored once. A bad file is named on stderr and skipped; the rest is stored.
    Exit codes: 0 every file stored or already there · 1 some files skipped · 2 usage or database error.
    """
    from .ingest import ingest

    lang = lang or default_lang()
    result = _on_store(db, True, lang, lambda store: ingest(store, paths, batch=batch, jobs=jobs))
    for skipped in result.skipped:
        click.echo(t("fleet.skipped", lang, path=skipped.path, reason=skipped.error.render(lang)), err=True)
    if not quiet or result.skipped:
        click.echo(t("fleet.ingested", lang, files=result.files, stored=result.stored,
                     duplicates=result.duplicates, skipped=len(result.skipped), db=db), err=True)
    sys.exit(1 if result.skipped else 0)


@fleet.command("summary")
@click.option("--db", default=DEFAULT_DB, show_default=True, metavar="FILE", help="The fleet SQLite database.")
@click.option("--format", "fmt", type=click.Choice(["console", "json", "csv", "html", "prometheus"]),
              default="console",
              show_default=True)
@click.option("--output", default="-", show_default=True, metavar="PATH", help="Write here ('-' = stdout).")
@click.option("--stale", default="26h", show_default=True, metavar="DURATION",
              help="A terminal whose latest report is older has stopped reporting (e.g. 26h, 2d).")
@click.option("--waiver-days", type=click.IntRange(min=0, max=3650), default=7, show_default=True,
              help="List waivers that expire within this many days.")
@click.option("--nights", type=click.IntRange(min=1, max=366), default=14, show_default=True,
              help="Nights in the trend.")
@click.option("--now", "now_text", metavar="ISO-TIME", help="Summarise as of this time (reproducible output).")
@click.option("--lang", type=_LANG, help="Language (default from the locale).")
def summary_cmd(db: str, fmt: str, output: str, stale: str, waiver_days: int, nights: int,
                now_text: Optional[str], lang: Optional[str]) -> None:
    """Latest verdict per terminal, stopped terminals, new and fixed problems, failing checks,
    waivers about to expire, and the night-by-night trend."""
    from ..cli import Abort2, _file_width, _width, write_atomic
    from .render import SummaryFormat
    from .summary import build_summary, parse_duration

    lang = lang or default_lang()
    now = _now(now_text, lang)
    try:
        stale_seconds = parse_duration(stale)
    except FleetError as exc:
        raise _abort(exc, lang) from None
    summary = _on_store(db, False, lang, lambda store: build_summary(
        store, now=now, stale_seconds=stale_seconds, waiver_days=waiver_days, nights=nights))
    to_tty = output == "-" and sys.stdout.isatty()
    text = SummaryFormat(fmt).renderer(width=_width() if to_tty else _file_width(), color=to_tty)(summary, lang)
    if output == "-":
        click.echo(text, nl=False)
        return
    try:
        write_atomic(output, text)
    except OSError as exc:
        raise Abort2(t("cli.write_failed", lang, path=output, reason=exc.strerror or str(exc))) from None


@fleet.command("show")
@click.argument("host")
@click.option("--db", default=DEFAULT_DB, show_default=True, metavar="FILE", help="The fleet SQLite database.")
@click.option("--format", "fmt", type=click.Choice(["console", "json"]), default="console", show_default=True)
@click.option("--limit", type=click.IntRange(min=1, max=100000), default=30, show_default=True,
              help="Newest reports to show.")
@click.option("--lang", type=_LANG, help="Language (default from the locale).")
def show_cmd(host: str, db: str, fmt: str, limit: int, lang: Optional[str]) -> None:
    """One terminal's report history: HOST is a host name, HOST/ID-PREFIX or a machine-id prefix."""
    from .render import render_history
    from .summary import terminal_history

    lang = lang or default_lang()
    histories = _on_store(db, False, lang, lambda store: terminal_history(store, host, limit=limit))
    click.echo(render_history(histories, lang, fmt), nl=False)
