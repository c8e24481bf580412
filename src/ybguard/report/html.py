"""A self-contained HTML report (no scripts, no external resources) that an inspector can print
on A4 and sign: which terminal (host, OS, the hospital's own site fields), which policy (id,
version, labelled hash), the verdict and counts, then the failures with 依据/证据/整改, what
could not be checked, what is waived, and last every other check with what it examined.

Layout rules that a print test holds (tests/foundation/test_html_print.py): the table layout
is fixed to the page width, so no column is pushed off the paper; status and severity never
wrap (a 中文 status is two or three characters, not one per line); long host strings (paths,
hashes) break anywhere instead of widening a column; a finding is never split across pages.
"""

from __future__ import annotations

from html import escape
from typing import Iterable, List, Sequence

from ..i18n import has, t
from ..models import Finding, Report, Status

_CSS = """
@page{size:A4;margin:12mm 11mm 14mm 11mm}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-family:'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',
system-ui,sans-serif;font-size:10pt;line-height:1.45;color:#111;margin:0 auto;max-width:190mm;padding:6mm 0}
h1{font-size:16pt;margin:0 0 3mm}h2{font-size:12pt;margin:6mm 0 2mm;border-bottom:1.5px solid #333;padding-bottom:1mm;
break-after:avoid;page-break-after:avoid}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border:1px solid #999;padding:1.2mm 1.6mm;text-align:left;vertical-align:top;
overflow-wrap:anywhere;word-break:normal}
th{background:#eee;font-weight:bold;white-space:nowrap}
thead{display:table-header-group}
tr{break-inside:avoid;page-break-inside:avoid}
.ident th{width:36mm;white-space:nowrap}.ident td{font-size:9.5pt}
.verdict{display:flex;align-items:center;gap:4mm;margin:4mm 0;break-inside:avoid}
.v{font-size:15pt;font-weight:bold;padding:1.5mm 5mm;border:2px solid #333;white-space:nowrap}
.v.compliant{background:#d4edda}.v.non_compliant{background:#f8d7da}.v.incomplete{background:#fff3cd}
.counts{font-size:10.5pt}
.nowrap,.st,.sev{white-space:nowrap}
col.st{width:9.5%}col.sev{width:10%}col.chk{width:20%}col.fnd{width:26%}col.fix{width:19.5%}
col.rule{width:15%}col.chk2{width:30%}col.exm{width:50.5%}td.rule{font-size:8.5pt}
.st.fail{color:#a00;font-weight:bold}.st.error{color:#8a5a00;font-weight:bold}.st.pass{color:#176b2c}
.st.waived{color:#05607a;font-weight:bold}.st.not_applicable{color:#555}
tr.waived td{background:#e8f4f8}tr.waived td.st{background:#cfe9f2}tr.fail td.st{background:#fbe3e5}tr.error td.st{background:#fff4d6}
code,.id{font-family:'DejaVu Sans Mono',Consolas,monospace;font-size:8.5pt;overflow-wrap:anywhere}
.title{font-weight:bold}.subject{font-size:9pt}
ul{margin:1mm 0 0;padding-left:4mm}li{font-size:8.5pt;margin:0.5mm 0}
.src{color:#444}.note{font-size:9pt;color:#05607a}
.hash{font-family:'DejaVu Sans Mono',Consolas,monospace;font-size:8pt;overflow-wrap:anywhere}
.sign{margin-top:8mm;break-inside:avoid;page-break-inside:avoid}
.sign td{height:16mm;vertical-align:bottom;font-size:10.5pt}.sign th{width:28mm}
.footer{margin-top:4mm;font-size:8pt;color:#555}
@media screen{body{padding:8mm}}
"""


def _t(key: str, lang: str, **args: object) -> str:
    return escape(t(key, lang, **args))


def _target_kind(value: str, lang: str) -> str:
    key = f"target.kind.{value}"
    return t(key, lang) if has(key) else value


def _evidence(f: Finding) -> str:
    if not f.evidence:
        return ""
    items = "".join(f"<li><span class='src'>{escape(e.source)}</span>"
                    f"{'：' if e.detail else ''}{escape(e.detail)}</li>" for e in f.evidence)
    return f"<ul>{items}</ul>"


def _breakable_id(check_id: str) -> str:
    """A check id may break after a dot or a hyphen, never inside a word."""
    return escape(check_id).replace(".", ".<wbr>").replace("-", "-<wbr>")


def _check_cell(f: Finding) -> str:
    return (f"<div class='title'>{escape(f.title)}</div><div class='id'>{_breakable_id(f.check)}</div>"
            f"<div class='subject'>{escape(f.subject)}</div>")


def _detail_table(findings: Sequence[Finding], lang: str) -> str:
    """Failures, errors and waivers: 结果 · 级别 · 检查项 · 说明与证据 · 整改 · 依据."""
    head = ("<colgroup><col class='st'><col class='sev'><col class='chk'><col class='fnd'><col class='fix'>"
            "<col class='rule'></colgroup><thead><tr>"
            + "".join(f"<th>{_t(k, lang)}</th>" for k in ("console.col.status", "console.col.severity",
                                                          "console.col.check", "html.col.finding",
                                                          "console.remediation", "console.rule"))
            + "</tr></thead>")
    rows = []
    for f in findings:
        rows.append(
            f"<tr class='{f.status.value}'><td class='st {f.status.value}'>{_t('status.' + f.status.value, lang)}</td>"
            f"<td class='sev'>{_t('severity.' + f.severity.value, lang)}</td><td>{_check_cell(f)}</td>"
            f"<td>{escape(f.message)}{_evidence(f)}</td>"
            f"<td>{escape(f.remediation)}</td><td class='rule'>{escape(f.rule)}</td></tr>")
    return f"<table class='findings'>{head}<tbody>{''.join(rows)}</tbody></table>"


def _rest_table(findings: Sequence[Finding], lang: str) -> str:
    """Passes and not_applicable: 结果 · 级别 · 检查项 · 检查了什么（说明与证据）."""
    head = ("<colgroup><col class='st'><col class='sev'><col class='chk2'><col class='exm'></colgroup><thead><tr>"
            + "".join(f"<th>{_t(k, lang)}</th>" for k in ("console.col.status", "console.col.severity",
                                                          "console.col.check", "html.col.examined"))
            + "</tr></thead>")
    rows = [f"<tr class='{f.status.value}'><td class='st {f.status.value}'>{_t('status.' + f.status.value, lang)}</td>"
            f"<td class='sev'>{_t('severity.' + f.severity.value, lang)}</td><td>{_check_cell(f)}</td>"
            f"<td>{escape(f.message)}{_evidence(f)}</td></tr>" for f in findings]
    return f"<table class='findings rest'>{head}<tbody>{''.join(rows)}</tbody></table>"


def _identity(report: Report, lang: str) -> str:
    site = report.site
    host = report.host
    pol = report.policy
    os_text = host.os + (f" ({host.os_version})" if host.os_version and host.os_version not in host.os else "")
    rows = [
        ("html.hospital", site.hospital), ("html.department", site.department),
        ("html.asset_id", site.asset_id), ("html.location", site.location),
        ("html.hostname", host.hostname), ("html.os", os_text), ("html.kernel", " ".join(x for x in (host.kernel, host.arch) if x)),
        ("html.target", f"{_target_kind(host.target.value, lang)} · {host.root}"),
        ("html.policy", f"{pol.id} · {t('html.version', lang, version=pol.version)}" + (f" · {pol.title}" if pol.title else "")),
        ("html.policy_source", pol.source),
    ]
    cells = "".join(f"<tr><th>{_t(k, lang)}</th><td>{escape(v) if v else '&nbsp;'}</td></tr>" for k, v in rows)
    cells += (f"<tr><th>{_t('html.policy_sha256', lang)}</th><td class='hash'>{escape(pol.sha256 or '-')}</td></tr>"
              f"<tr><th>{_t('html.started', lang)}</th><td>{escape(report.started_at)} · "
              f"{_t('html.duration', lang, ms=report.duration_ms)} · ybguard {escape(report.tool_version)}</td></tr>")
    return f"<table class='ident'>{cells}</table>"


def _section(title_key: str, findings: List[Finding], lang: str, detail: bool) -> Iterable[str]:
    if not findings:
        return []
    table = _detail_table(findings, lang) if detail else _rest_table(findings, lang)
    return [f"<h2>{_t(title_key, lang)}（{len(findings)}）</h2>" if lang == "zh"
            else f"<h2>{_t(title_key, lang)} ({len(findings)})</h2>", table]


def _signature(lang: str) -> str:
    cells = "".join(f"<tr><th>{_t(k, lang)}</th><td></td><th>{_t('html.sign_date', lang)}</th><td></td></tr>"
                    for k in ("html.inspector", "html.responsible"))
    return (f"<div class='sign'><h2>{_t('html.signature', lang)}</h2>"
            f"<table class='signtable'><colgroup><col style='width:28mm'><col><col style='width:16mm'>"
            f"<col style='width:40mm'></colgroup>{cells}</table>"
            f"<p class='footer'>{_t('html.sign_note', lang)}</p></div>")


def _order(findings: Iterable[Finding]) -> List[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.area, f.check, f.subject))


def render(report: Report) -> str:
    lang = report.lang
    verdict = report.verdict.value
    by = {s: _order(f for f in report.findings if f.status is s) for s in Status}
    body = [
        f"<h1>{_t('console.title', lang)}</h1>",
        _identity(report, lang),
        f"<div class='verdict'><span class='v {verdict}'>{_t('verdict.' + verdict, lang)}</span>"
        f"<span class='counts'>{_t('console.counts', lang, **report.counts())}</span></div>",
        *_section("console.failures", by[Status.FAIL], lang, detail=True),
        *_section("console.errors", by[Status.ERROR], lang, detail=True),
        *_section("html.waived", by[Status.WAIVED], lang, detail=True),
        *_section("console.others", by[Status.PASS] + by[Status.NOT_APPLICABLE], lang, detail=False),
        _signature(lang),
    ]
    title = f"{t('console.title', lang)} — {report.host.hostname}"
    return (f"<!DOCTYPE html>\n<html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width\"><title>{escape(title)}</title>"
            f"<style>{_CSS}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n")
