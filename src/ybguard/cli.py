"""The ybguard command line: parse, call, write. Thin on purpose."""

from __future__ import annotations

import json
import math
import os
import re
import sys
import tempfile
from datetime import datetime, timezone
from typing import List, Optional, Sequence, Tuple

import click

from . import __version__
from .i18n import default_lang, has, t
from .models import Severity
from .policy import Policy, PolicyError

FORMATS = ("console", "json", "html", "junit", "prometheus", "csv")
SEVERITIES = tuple(s.value for s in Severity)


class Abort2(click.ClickException):
    """A usage or input problem: one line on stderr, exit code 2, no traceback."""

    exit_code = 2

    def show(self, file=None) -> None:  # type: ignore[override]
        click.echo(f"ybguard: {self.message}", err=True)


class FiniteSeconds(click.FloatRange):
    """A duration: FloatRange lets nan and inf through, and a capture of nan seconds never ends."""

    name = "seconds"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            lang = default_lang()
            self.fail(t("cli.not_finite", lang, value=value), param, ctx)
        return number


def _lang(value: Optional[str]) -> str:
    return value or default_lang()


def _load_policy(path: Optional[str], lang: str) -> Policy:
    from .policy import load_policy_file, resolve_policy_path

    try:
        return load_policy_file(resolve_policy_path(path))
    except PolicyError as exc:
        raise Abort2(exc.render(lang)) from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str, text: str) -> None:
    """Write through a temp file in the same directory and rename: never a half-written report.

    A cron job and node_exporter read these files while the next scan writes them; a reader
    sees the old report or the new one, never a torn one.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".ybguard-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide the report from its readers
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_EXTENSIONS = {".json": "json", ".xml": "junit", ".html": "html", ".htm": "html", ".prom": "prometheus",
               ".txt": "console", ".log": "console", ".csv": "csv"}


def _outputs(fmt: Optional[str], output: Optional[str], specs: Sequence[str], lang: str) -> List[Tuple[str, str]]:
    """(format, path) pairs; "-" is stdout. Checked before scanning, so a typo costs no scan time."""
    outs: List[Tuple[str, str]] = []
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or name not in FORMATS or not path:
            raise Abort2(t("cli.bad_output", lang, spec=spec, formats=", ".join(FORMATS)))
        outs.append((name, path))
    if fmt or output or not outs:
        if fmt is None and output and output != "-":
            fmt = _EXTENSIONS.get(os.path.splitext(output)[1].lower(), "json")
        outs.insert(0, (fmt or ("console" if sys.stdout.isatty() else "json"), output or "-"))
    for _name, path in outs:
        if path == "-":
            continue
        directory = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(path):
            raise Abort2(t("cli.write_failed", lang, path=path, reason=t("cli.is_directory", lang)))
        if not os.path.isdir(directory):
            raise Abort2(t("cli.write_failed", lang, path=path, reason=t("cli.no_directory", lang, dir=directory)))
        if not os.access(directory, os.W_OK):
            raise Abort2(t("cli.write_failed", lang, path=path, reason=t("cli.not_writable", lang, dir=directory)))
    return outs


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ybguard")
def cli() -> None:
    """ybguard — prove a 医保 leased-line terminal is isolated from the Internet and follows the
    terminal rules, or show exactly how it is not.

    ybguard —— 证明医保专线终端与互联网隔离并遵守终端管理规定，或准确指出哪里不合规。
    """


@cli.command()
@click.option("--policy", "policy_path", metavar="FILE", help="Policy YAML (else $YBGUARD_POLICY, /etc/ybguard/policy.yaml, built-in).")
@click.option("--root", metavar="DIR", help="Scan an offline image mounted at DIR instead of this host.")
@click.option("--hives", metavar="DIR", help="Scan Windows registry hives in DIR (SYSTEM, SOFTWARE, SAM, NTUSER*.DAT).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Report format (console on a TTY, else json).")
@click.option("--output", metavar="PATH", help="Write the --format report to PATH ('-' = stdout).")
@click.option("-o", "outputs", multiple=True, metavar="FORMAT=PATH", help="Extra report, e.g. -o junit=report.xml (repeatable).")
@click.option("--capture", "capture_seconds", type=FiniteSeconds(min=0), metavar="SECONDS",
              help="Watch live traffic for SECONDS and report every packet outside policy.")
@click.option("--probe/--no-probe", default=None, help="Actively test reachability of the policy's probe targets (sends packets).")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Report language (default from the locale).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="info", show_default=True,
              help="Exit 1 only for fails at or above this severity (default: any fail).")
@click.option("--baseline", "baseline_path", metavar="FILE", help="Report drift against a baseline from 'ybguard baseline create'.")
@click.option("--only", multiple=True, metavar="GLOB", help="Run only checks whose id matches (repeatable).")
@click.option("--skip", multiple=True, metavar="GLOB", help="Skip checks whose id matches (repeatable).")
@click.option("--color/--no-color", default=None, help="Colour the console report (default: when stdout is a TTY).")
def scan(policy_path: Optional[str], root: Optional[str], hives: Optional[str], fmt: Optional[str], output: Optional[str],
         outputs: Sequence[str], capture_seconds: Optional[float], probe: Optional[bool], lang: Optional[str],
         fail_on: str, baseline_path: Optional[str], only: Sequence[str], skip: Sequence[str],
         color: Optional[bool]) -> None:
    """Scan this host (or an image with --root) against the policy.

    Exit codes: 0 compliant · 1 non-compliant · 2 usage or policy error · 3 incomplete.
    """
    from .checks import ALL_CHECKS, Check, select_checks
    from .collect import ScanOptions
    from .engine import run_scan
    from .models import exit_code
    from .report import Format
    from .target import open_target

    lang = _lang(lang)
    policy = _load_policy(policy_path, lang)
    if root is not None and not os.path.isdir(root):
        raise Abort2(t("cli.root_missing", lang, path=root))
    outs = _outputs(fmt, output, outputs, lang)
    checks = select_checks(ALL_CHECKS, only, skip)
    if not checks:
        raise Abort2(t("cli.no_checks", lang))
    if hives is not None and (root is not None or not os.path.isdir(hives)):
        raise Abort2(t("cli.hives_bad", lang, path=hives))
    from .target import TargetError

    try:
        target = open_target(root, hives)
    except TargetError as exc:
        raise Abort2(t(exc.key, lang, **exc.args_map)) from None
    options = ScanOptions(lang=lang, now=datetime.now(timezone.utc).astimezone(), capture_seconds=capture_seconds,
                          probe=probe, baseline_path=baseline_path)
    if sys.stderr.isatty():  # progress goes to stderr so that stdout stays a clean report
        from rich.console import Console

        with Console(stderr=True, highlight=False).status(t("console.scanning", lang, n=len(checks))) as status:
            def progress(index: int, total: int, check: Check) -> None:
                status.update(t("console.progress", lang, index=index + 1, total=total, check=check.id))

            report = run_scan(policy, target, checks, options, progress=progress)
    else:
        report = run_scan(policy, target, checks, options)
    use_color = sys.stdout.isatty() if color is None else color
    for name, path in outs:
        to_tty = path == "-" and sys.stdout.isatty()
        render = Format(name).renderer(color=use_color and path == "-", width=_width() if to_tty else _file_width())
        text = render(report)
        if path == "-":
            click.echo(text, nl=False)
        else:
            try:
                write_atomic(path, text)
            except OSError as exc:
                raise Abort2(t("cli.write_failed", lang, path=path, reason=exc.strerror or str(exc))) from None
    sys.exit(exit_code(report, Severity(fail_on)))


def _width() -> int:
    """The terminal's width (bounded), for output that goes to a terminal."""
    try:
        return max(40, min(os.get_terminal_size().columns, 140))
    except OSError:
        return _file_width()


def _file_width() -> int:
    """Console text for files, pipes and mail: $COLUMNS if set, else 80 columns."""
    try:
        return max(40, min(int(os.environ.get("COLUMNS", "80")), 240))
    except ValueError:
        return 80


@cli.command()
@click.option("--policy", "policy_path", metavar="FILE", help="Policy YAML (else $YBGUARD_POLICY, /etc/ybguard/policy.yaml, built-in).")
@click.option("--interval", type=FiniteSeconds(min=0.2), default=2.0, show_default=True,
              help="Re-check the network at least this often (seconds); kernel change events re-check at once.")
@click.option("--output", default="-", show_default=True, metavar="FILE|-", help="Append one JSON line per event here.")
@click.option("--syslog", "use_syslog", is_flag=True, help="Also send every event to syslog (daemon facility).")
@click.option("--on-violation", metavar="CMD", help="Run CMD (via /bin/sh) for each new violation, the finding as JSON on stdin.")
@click.option("--capture/--no-capture", default=True, show_default=True, help="Keep a live capture running.")
@click.option("--max-flows", type=click.IntRange(min=1), help="Cap of the flow table (default: policy network.capture.max_flows).")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Message language (default from the locale).")
def watch(policy_path: Optional[str], interval: float, output: str, use_syslog: bool, on_violation: Optional[str],
          capture: bool, max_flows: Optional[int], lang: Optional[str]) -> None:
    """Watch this host continuously; print one JSON line per new violation and per resolved one.

    持续监视本机网络：每出现一个新违规、每个违规消除，各输出一行 JSON。SIGTERM/SIGINT 正常退出（0）。
    """
    from .target import open_target
    from .watch import WatchOptions, run_watch

    lang = _lang(lang)
    policy = _load_policy(policy_path, lang)
    options = WatchOptions(interval=interval, capture=capture, max_flows=max_flows, on_violation=on_violation,
                           syslog=use_syslog, lang=lang)
    if output == "-":
        sys.exit(run_watch(policy, open_target(None), options, sys.stdout))
    try:
        out = open(output, "a", encoding="utf-8")
    except OSError as exc:
        raise Abort2(t("cli.write_failed", lang, path=output, reason=exc.strerror or str(exc))) from None
    with out:
        sys.exit(run_watch(policy, open_target(None), options, out))


@cli.group()
def policy() -> None:
    """Validate and show policies. 校验与查看策略。"""


@policy.command("validate")
@click.argument("file")
@click.option("--lang", type=click.Choice(["zh", "en"]))
def policy_validate(file: str, lang: Optional[str]) -> None:
    """Check FILE; print file:line:column and what was expected on error (exit 2)."""
    lang = _lang(lang)
    pol = _load_policy(file, lang)
    click.echo(t("cli.policy_ok", lang, path=file, id=pol.meta.id, version=pol.meta.version))


@policy.command("show")
@click.argument("file", required=False)
@click.option("--lang", type=click.Choice(["zh", "en"]))
def policy_show(file: Optional[str], lang: Optional[str]) -> None:
    """Print the effective policy (defaults filled in) as YAML."""
    from .policy import dump_policy

    click.echo(dump_policy(_load_policy(file, _lang(lang))), nl=False)


@cli.group()
def baseline() -> None:
    """Record a golden image or known-good terminal; compare with scan --baseline. 生成基线。"""


@baseline.command("create")
@click.option("--policy", "policy_path", metavar="FILE", help="Policy YAML (integrity.paths, leased line).")
@click.option("--root", metavar="DIR", help="Record an offline image mounted at DIR instead of this host.")
@click.option("-o", "--output", "output", required=True, metavar="PATH", help="Where to write baseline.json.")
@click.option("--lang", type=click.Choice(["zh", "en"]))
def baseline_create(policy_path: Optional[str], root: Optional[str], output: str, lang: Optional[str]) -> None:
    """Hash every file under integrity.paths and record packages, NICs, gateway MAC and USB devices."""
    from .baseline import create
    from .collect import FactSet, ScanOptions, registry_for
    from .target import open_target

    lang = _lang(lang)
    pol = _load_policy(policy_path, lang)
    if root is not None and not os.path.isdir(root):
        raise Abort2(t("cli.root_missing", lang, path=root))
    target = open_target(root)
    if not pol.integrity.paths:
        click.echo(t("cli.baseline_no_paths", lang), err=True)
    for path in pol.integrity.paths:
        if not target.exists(path):
            raise Abort2(t("cli.baseline_failed", lang, reason=t("cli.baseline_path_missing", lang, path=path)))
    now = datetime.now(timezone.utc).astimezone()
    facts = FactSet(target, pol, ScanOptions(lang=lang, now=now), registry_for(target.os_family))
    try:
        doc = create(facts, now)
    except Exception as exc:  # noqa: BLE001 - a baseline with unreadable files must not be written
        from .collect.interface import reason_of

        reason = reason_of(exc)
        raise Abort2(t("cli.baseline_failed", lang, reason=t(reason.key, lang, **reason.args_map))) from None
    for section, why in sorted(doc["unrecorded"].items()):
        click.echo(t("cli.baseline_unrecorded", lang, section=section, reason=why), err=True)
    try:
        write_atomic(output, json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    except OSError as exc:
        raise Abort2(t("cli.write_failed", lang, path=output, reason=exc.strerror or str(exc))) from None
    click.echo(t("cli.baseline_written", lang, path=output, files=len(doc["files"])), err=True)


@cli.command("checks")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]))
def checks_cmd(fmt: str, lang: Optional[str]) -> None:
    """List every check: id, area, severity, titles (中文/English) and the rule it enforces."""
    from .checks import ALL_CHECKS

    rows = [{"id": c.id, "area": c.area, "severity": c.severity.value, "title_zh": c.title("zh"),
             "title_en": c.title("en"), "rule": c.rule, "needs": list(c.needs),
             "remediation_zh": c.remediation("zh"), "remediation_en": c.remediation("en"),
             "clauses": [{"level2": k.level2, "level3": k.level3, "text": k.text} for k in c.clauses],
             "min_level": c.min_level} for c in ALL_CHECKS]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if fmt == "markdown":
        click.echo(_checks_markdown(rows), nl=False)
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    lang = _lang(lang)
    table = Table(show_lines=False)
    table.add_column(t("console.col.check", lang), no_wrap=True)
    for key in ("console.col.area", "console.col.severity", "console.col.title", "console.col.rule"):
        table.add_column(t(key, lang), overflow="fold")
    for r in rows:
        area = t(f"area.{r['area']}", lang) if has(f"area.{r['area']}") else str(r["area"])
        table.add_row(Text(str(r["id"])), Text(area), Text(t(f"severity.{r['severity']}", lang)),
                      Text(f"{r['title_zh']}\n{r['title_en']}"), Text(str(r["rule"])))
    Console(highlight=False, width=_width()).print(table)


def _clause_heading(k: dict) -> str:
    level2 = k["level2"] or "—"
    return f"{k['level3'] or '—'} (二级 level 2: {level2}) {k['text']}"


def _checks_markdown(rows: list) -> str:
    """The catalogue: first by GB/T 22239-2019 item (level-3 number, then level 2), then every check."""
    out = ["# Check catalogue · 检查项目录", "",
           "Generated by `ybguard checks --format markdown`; `make docs` refreshes it and a test keeps it",
           "in step with the code.", "",
           "## By GB/T 22239-2019 clause · 按等保 2.0 条款", "",
           "Level 3 numbers (`8.1.x`) first, level 2 (`7.1.x`) in brackets; the policy's `djbh_level` picks the",
           "one a report cites. 三级条款编号在前，括号内为二级编号；报告按策略 `djbh_level` 引用。", ""]
    by_clause: dict = {}
    for r in rows:
        for k in r["clauses"]:
            by_clause.setdefault(_clause_heading(k), []).append(r)

    def order(heading: str) -> list:
        return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", heading)]

    for heading in sorted(by_clause, key=order):
        out += [f"### {heading}", ""]
        out += [f"- `{r['id']}` {r['title_zh']} / {r['title_en']}" + (" (三级 level 3 only)" if r["min_level"] >= 3 else "")
                for r in by_clause[heading]]
        out.append("")
    plain = [r for r in rows if not r["clauses"]]
    if plain:
        out += ["### 仅医保规定 · 医保 rules only", ""]
        out += [f"- `{r['id']}` {r['title_zh']} / {r['title_en']}" for r in plain]
        out.append("")
    out += ["## Checks · 检查项", ""]
    for r in rows:
        clauses = "; ".join(f"{k['level3'] or '—'} / {k['level2'] or '—'}" for k in r["clauses"]) or "—"
        out += [f"## `{r['id']}`", "",
                f"- **{r['title_zh']}** / {r['title_en']}",
                f"- area 类别: `{r['area']}` · severity 级别: `{r['severity']}`",
                f"- rule 依据: {r['rule']}",
                f"- GB/T 22239-2019 三级 / 二级: {clauses}" + (" (三级 level 3 only)" if r["min_level"] >= 3 else ""),
                f"- facts 所需信息: {', '.join('`' + n + '`' for n in r['needs']) or '—'}",
                f"- 整改: {r['remediation_zh']}",
                f"- Fix: {r['remediation_en']}", ""]
    return "\n".join(out)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Entry point: unexpected failures become one line and exit 2, never a traceback.

    click's own standalone mode maps Ctrl-C to exit 1, which scripts would read as
    "non-compliant"; an interrupted scan is 130 here.
    """
    try:
        rv = cli.main(args=list(argv) if argv is not None else None, prog_name="ybguard", standalone_mode=False)
    except SystemExit:
        raise
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("ybguard: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("YBGUARD_DEBUG"):
            raise
        click.echo(f"ybguard: internal error: {type(exc).__name__}: {exc} (set YBGUARD_DEBUG=1 for details)", err=True)
        sys.exit(2)
    sys.exit(rv if isinstance(rv, int) else 0)
