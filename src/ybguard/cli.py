"""The ybguard command line: parse, call, write. Thin on purpose."""

from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
import tempfile
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple

import click

from . import __version__
from .i18n import default_lang, has, t
from .models import Severity
from .policy import Policy, PolicyError
from .streams import FILE_ERRORS, configure_std_streams, open_text_for_writing

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
    from . import checks
    from .policy import load_policy_file, resolve_policy_path

    try:  # a waiver must name a check that exists
        return load_policy_file(resolve_policy_path(path), tuple(c.id for c in checks.ALL_CHECKS))
    except PolicyError as exc:
        raise Abort2(exc.render(lang)) from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str, text: str, exclusive: bool = False) -> None:
    """Write through a temp file in the same directory and rename: never a half-written report.

    A cron job and node_exporter read these files while the next scan writes them; a reader
    sees the old report or the new one, never a torn one. ``exclusive``: only if ``path`` does
    not exist (FileExistsError otherwise) — the temp file is linked into place, and link(2)
    fails when the name exists, so a file created meanwhile is never overwritten.
    """
    try:
        existing = os.stat(path).st_mode
    except OSError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing):
        # /dev/null, a FIFO, a terminal: write into it. Renaming over it would replace the device
        # itself with a regular file (``--output /dev/null`` in a crontab did exactly that).
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".ybguard-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors=FILE_ERRORS) as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide the report from its readers
        if exclusive:
            os.link(tmp, path)
            os.unlink(tmp)
        else:
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
    # --format html -o html=FILE: the file is the html report; do not also dump it to stdout.
    duplicate = fmt is not None and output is None and any(name == fmt for name, _ in outs)
    if (fmt or output or not outs) and not duplicate:
        if fmt is None and output and output != "-":
            fmt = _EXTENSIONS.get(os.path.splitext(output)[1].lower(), "json")
        outs.insert(0, (fmt or ("console" if sys.stdout.isatty() else "json"), output or "-"))
    problems = [(path, why) for _name, path in outs if path != "-" for why in [_unwritable(path, lang)] if why]
    if len(problems) == len(outs):  # nothing could be kept: say so before spending a scan on it
        raise Abort2("; ".join(t("cli.write_failed", lang, path=p, reason=why) for p, why in problems))
    return outs


# --label keys: the report's site fields, also by their 中文 names.
LABEL_KEYS = {"hospital": "hospital", "医院": "hospital", "department": "department", "科室": "department",
              "asset_id": "asset_id", "资产编号": "asset_id", "location": "location", "位置": "location"}


def _labels(specs: Sequence[str], lang: str) -> Tuple[Tuple[str, str], ...]:
    out = []
    for spec in specs:
        key, sep, value = spec.partition("=")
        name = LABEL_KEYS.get(key.strip())
        if not sep or name is None:
            raise Abort2(t("cli.bad_label", lang, spec=spec, keys="hospital, department, asset_id, location"))
        out.append((name, value.strip()))
    return tuple(out)


def _help_lang() -> str:
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return default_lang()


_ENGLISH_HELP: Dict[int, Optional[str]] = {}


def _localize_help(command: click.Command, ctx: click.Context) -> None:
    """In 中文, a command's help and its options' help from the ``help.*`` catalogue keys (the
    English of cli.py otherwise)."""
    zh = _help_lang() == "zh"
    path = " ".join(ctx.command_path.split()[1:])
    items: List[Tuple[Any, str]] = [(command, f"help.{path}")]
    items += [(p, f"help.{path}.{p.name}") for p in command.params if isinstance(p, click.Option)]
    for obj, key in items:
        english = _ENGLISH_HELP.setdefault(id(obj), obj.help)
        obj.help = t(key, "zh") if zh and has(key) else english


class _Command(click.Command):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _localize_help(self, ctx)
        super().format_help(ctx, formatter)


class _Group(click.Group):
    command_class = _Command
    group_class = type  # subgroups (policy, baseline) are _Group as well

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _localize_help(self, ctx)
        super().format_help(ctx, formatter)


def _unwritable(path: str, lang: str) -> str:
    """Why ``path`` cannot be written ("" when it looks writable)."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        return t("cli.is_directory", lang)
    if not os.path.isdir(directory):
        return t("cli.no_directory", lang, dir=directory)
    if not os.access(directory, os.W_OK):
        return t("cli.not_writable", lang, dir=directory)
    return ""


def write_outputs(outputs: Sequence[Tuple[str, str, str]], lang: str) -> List[Tuple[str, str]]:
    """Write every (name, path, text); one that cannot be written never costs the others.

    Returns the (path, reason) of each output that was not written. A path that failed the
    check before the scan is still tried: the directory may exist by now.
    """
    failed: List[Tuple[str, str]] = []
    for _name, path, text in outputs:
        if path == "-":
            click.echo(text, nl=False)
            continue
        why = _unwritable(path, lang)
        if not why:
            try:
                write_atomic(path, text)
                continue
            except OSError as exc:
                why = exc.strerror or str(exc)
        failed.append((path, why))
    return failed


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--evidence", "evidence_path", metavar="PATH",
              help="Scan an evidence bundle from 'ybguard kit' (folder, .zip or .tar.gz).")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Report format on stdout (console on a TTY, else json); when -o already writes this format to a "
                   "file, nothing goes to stdout.")
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
@click.option("--label", "labels", multiple=True, metavar="KEY=VALUE",
              help="Site field for this report: hospital, department (科室), asset_id (资产编号) or location "
                   "(位置); overrides the policy's site: (repeatable).")
def scan(policy_path: Optional[str], root: Optional[str], hives: Optional[str], evidence_path: Optional[str],
         fmt: Optional[str], output: Optional[str],
         outputs: Sequence[str], capture_seconds: Optional[float], probe: Optional[bool], lang: Optional[str],
         fail_on: str, baseline_path: Optional[str], only: Sequence[str], skip: Sequence[str],
         color: Optional[bool], labels: Sequence[str]) -> None:
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
    site_labels = _labels(labels, lang)
    checks = select_checks(ALL_CHECKS, only, skip)
    if not checks:
        raise Abort2(t("cli.no_checks", lang))
    if hives is not None and (root is not None or not os.path.isdir(hives)):
        raise Abort2(t("cli.hives_bad", lang, path=hives))
    from .target import TargetError

    if evidence_path is not None and (root is not None or hives is not None):
        raise Abort2(t("cli.evidence_with_root", lang))
    try:
        if evidence_path is not None:
            from .target.evidence import open_evidence

            target = open_evidence(evidence_path)  # verified (every sha256) before anything is parsed
        else:
            target = open_target(root, hives)
    except TargetError as exc:
        raise Abort2(t(exc.key, lang, **exc.args_map)) from None
    click.get_current_context().call_on_close(target.close)  # an evidence bundle's private copy
    options = ScanOptions(lang=lang, now=datetime.now(timezone.utc).astimezone(), capture_seconds=capture_seconds,
                          probe=probe, baseline_path=baseline_path, labels=site_labels)
    if sys.stderr.isatty():  # progress goes to stderr so that stdout stays a clean report
        from rich.console import Console

        with Console(stderr=True, highlight=False).status(t("console.scanning", lang, n=len(checks))) as status:
            def progress(index: int, total: int, check: Check) -> None:
                status.update(t("console.progress", lang, index=index + 1, total=total, check=check.id))

            report = run_scan(policy, target, checks, options, progress=progress)
    else:
        report = run_scan(policy, target, checks, options)
    use_color = sys.stdout.isatty() if color is None else color
    rendered = []
    for name, path in outs:
        to_tty = path == "-" and sys.stdout.isatty()
        render = Format(name).renderer(color=use_color and path == "-", width=_width() if to_tty else _file_width())
        rendered.append((name, path, render(report)))
    failed = write_outputs(rendered, lang)
    if failed:  # every output that could be written is; the rest are named, and the run is a usage error
        for path, why in failed:
            click.echo(f"ybguard: {t('cli.write_failed', lang, path=path, reason=why)}", err=True)
        if len(rendered) > 1:
            paths = ", ".join(p for p, _ in failed)
            click.echo(f"ybguard: {t('cli.outputs_lost', lang, n=len(failed), total=len(rendered), paths=paths)}", err=True)
        sys.exit(2)
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
@click.option("--usb/--no-usb", default=True, show_default=True, help="Watch USB storage arrivals (kernel uevents).")
@click.option("--processes/--no-processes", default=True, show_default=True,
              help="Watch forbidden processes starting (process connector).")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Message language (default from the locale).")
def watch(policy_path: Optional[str], interval: float, output: str, use_syslog: bool, on_violation: Optional[str],
          capture: bool, max_flows: Optional[int], usb: bool, processes: bool, lang: Optional[str]) -> None:
    """Watch this host continuously: network, traffic, USB storage, forbidden processes; one JSON line
    per new violation and per resolved one.

    持续监视本机网络、流量、U盘与违禁进程：每出现一个新违规、每个违规消除，各输出一行 JSON。SIGTERM/SIGINT 正常退出（0）。
    """
    from .target import open_target
    from .watch import WatchOptions, run_watch

    lang = _lang(lang)
    policy = _load_policy(policy_path, lang)
    options = WatchOptions(interval=interval, capture=capture, max_flows=max_flows, on_violation=on_violation,
                           syslog=use_syslog, lang=lang, usb=usb, processes=processes)
    if output == "-":
        sys.exit(run_watch(policy, open_target(None), options, sys.stdout))
    try:
        out = open_text_for_writing(output, "a")
    except OSError as exc:
        raise Abort2(t("cli.write_failed", lang, path=output, reason=exc.strerror or str(exc))) from None
    with out:
        sys.exit(run_watch(policy, open_target(None), options, out))


@cli.command()
@click.option("--os", "os_name", type=click.Choice(["windows", "linux"]), required=True, help="Collector for this OS.")
@click.option("--out", "out_dir", required=True, metavar="DIR", help="Where to write the kit (created).")
@click.option("--lang", type=click.Choice(["zh", "en"]))
def kit(os_name: str, out_dir: str, lang: Optional[str]) -> None:
    """Write the evidence collector (collect.cmd / collect.sh) and its README into DIR.

    写出采集工具（collect.cmd / collect.sh）及说明到 DIR：在终端上运行它，再用
    ybguard scan --evidence 扫描采集结果，终端上无需安装任何软件。
    """
    from .kit import KitError, write_kit

    lang = _lang(lang)
    try:
        written = write_kit(os_name, out_dir)
    except KitError as exc:
        raise Abort2(t(exc.key, lang, path=out_dir)) from None
    except OSError as exc:
        raise Abort2(t("cli.write_failed", lang, path=out_dir, reason=exc.strerror or str(exc))) from None
    click.echo(t("cli.kit_written", lang, path=out_dir, files=", ".join(written)), err=True)


@cli.group()
def policy() -> None:
    """Validate and show policies. 校验与查看策略。"""


@policy.command("validate")
@click.argument("file")
@click.option("--lang", type=click.Choice(["zh", "en"]))
def policy_validate(file: str, lang: Optional[str]) -> None:
    """Check FILE; print file:line:column and what was expected on error (exit 2)."""
    from datetime import datetime, timezone

    from .policy.interface import translate
    from .policy.loader import policy_warnings

    lang = _lang(lang)
    pol = _load_policy(file, lang)
    for warning in policy_warnings(pol, datetime.now(timezone.utc)):
        click.echo(f"ybguard: {file}: {translate(warning, lang)}", err=True)
    click.echo(t("cli.policy_ok", lang, path=file, id=pol.meta.id, version=pol.meta.version))


@policy.command("show")
@click.argument("file", required=False)
@click.option("--lang", type=click.Choice(["zh", "en"]))
def policy_show(file: Optional[str], lang: Optional[str]) -> None:
    """Print the effective policy (defaults filled in) as YAML."""
    from .policy import dump_policy, resolve_policy_path

    lang = _lang(lang)
    path = resolve_policy_path(file)
    try:  # `policy show > /etc/ybguard/policy.yaml`: the shell emptied the file before we could read it
        same = os.path.samestat(os.fstat(sys.stdout.fileno()), os.stat(path))
    except (OSError, ValueError, AttributeError):
        same = False
    if same:
        raise Abort2(t("cli.show_into_itself", lang, path=path))
    click.echo(dump_policy(_load_policy(path, lang)), nl=False)


@policy.command("init")
@click.argument("file")
@click.option("--force", is_flag=True, help="Replace FILE if it exists (atomically).")
@click.option("--id", "policy_id", default="yb-terminal", show_default=True, help="policy.id of the new policy.")
@click.option("--leased-line", "leased", multiple=True, metavar="NIC", help="Leased-line NIC name or MAC (repeatable).")
@click.option("--allow", "allowed", multiple=True, metavar="CIDR", help="A network this terminal may reach (repeatable).")
@click.option("--dns", multiple=True, metavar="IP", help="A 医保 DNS server (repeatable).")
@click.option("--ntp", multiple=True, metavar="HOST", help="A 医保 NTP server (repeatable).")
@click.option("--lang", type=click.Choice(["zh", "en"]))
def policy_init(file: str, force: bool, policy_id: str, leased: Sequence[str], allowed: Sequence[str],
                dns: Sequence[str], ntp: Sequence[str], lang: Optional[str]) -> None:
    """Write a commented site policy (中文 + English) to FILE; never overwrites without --force.

    写出带中英文注释的本院策略文件；文件已存在时不覆盖（除非 --force）。写入后立即校验。
    """
    from .policy import load_policy_file, parse_policy_text
    from .policy.template import render_site_policy

    lang = _lang(lang)
    text = render_site_policy(file, policy_id, leased, allowed, dns, ntp)
    try:
        parse_policy_text(text, "ybguard policy init")  # a bad --allow/--dns value: refused, nothing written
    except PolicyError as exc:
        raise Abort2(exc.render(lang)) from None
    if os.path.lexists(file) and not force:
        raise Abort2(t("cli.init_exists", lang, path=file))
    try:
        write_atomic(file, text, exclusive=not force)
    except FileExistsError:
        raise Abort2(t("cli.init_exists", lang, path=file)) from None
    except OSError as exc:
        raise Abort2(t("cli.write_failed", lang, path=file, reason=exc.strerror or str(exc))) from None
    try:
        pol = load_policy_file(file)  # what is on disk is what a scan will read
    except PolicyError as exc:
        raise Abort2(exc.render(lang)) from None
    click.echo(t("cli.init_written", lang, path=file, id=pol.meta.id), err=True)


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
    from .target import TargetError

    try:
        target = open_target(root)
    except TargetError as exc:
        raise Abort2(t(exc.key, lang, **exc.args_map)) from None
    if not pol.integrity.paths:
        raise Abort2(t("cli.baseline_failed", lang, reason=t("cli.baseline_no_paths", lang)))
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
    if not doc["files"]:  # scanning against it would compare 0 files and pass
        raise Abort2(t("cli.baseline_failed", lang, reason=t("cli.baseline_empty", lang,
                                                                  paths=", ".join(pol.integrity.paths))))
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


from .fleet.cli import fleet as _fleet  # noqa: E402 - after Abort2, which its commands raise

cli.add_command(_fleet)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Entry point: unexpected failures become one line and exit 2, never a traceback.

    click's own standalone mode maps Ctrl-C to exit 1, which scripts would read as
    "non-compliant"; an interrupted scan is 130 here. Standard streams are made safe for any
    character first (UTF-8 to pipes and files: ybguard.streams).
    """
    configure_std_streams()
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
