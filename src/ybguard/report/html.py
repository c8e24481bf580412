"""A self-contained HTML report (no scripts, no external resources), for printing or mailing."""

from __future__ import annotations

from html import escape

from ..i18n import t
from ..models import Report, Status

_CSS = """body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2em;color:#222}
.v{font-size:1.6em;font-weight:bold;padding:.4em .8em;display:inline-block;border-radius:4px}
.compliant{background:#d4edda}.non_compliant{background:#f8d7da}.incomplete{background:#fff3cd}
table{border-collapse:collapse;width:100%;margin-top:1em}td,th{border:1px solid #ccc;padding:4px 8px;
text-align:left;vertical-align:top}.fail{color:#a00;font-weight:bold}.error{color:#a60;font-weight:bold}
ul{margin:0;padding-left:1.2em}"""


def render(report: Report) -> str:
    lang = report.lang
    verdict = report.verdict.value
    counts = t("console.counts", lang, **report.counts())
    order = {Status.FAIL: 0, Status.ERROR: 1, Status.WAIVED: 2, Status.NOT_APPLICABLE: 3, Status.PASS: 4}
    rows = []
    for f in sorted(report.findings, key=lambda f: (order[f.status], -f.severity.rank, f.check)):
        ev = "".join(f"<li>{escape(e.source)}: {escape(e.detail)}</li>" for e in f.evidence)
        rows.append(
            f"<tr><td class='{f.status.value}'>{escape(t('status.' + f.status.value, lang))}</td>"
            f"<td>{escape(t('severity.' + f.severity.value, lang))}</td><td><code>{escape(f.check)}</code><br>"
            f"{escape(f.title)}</td><td>{escape(f.subject)}</td><td>{escape(f.message)}<ul>{ev}</ul></td>"
            f"<td>{escape(f.remediation if f.status in (Status.FAIL, Status.ERROR) else '')}</td></tr>")
    head = "".join(f"<th>{escape(t(k, lang))}</th>" for k in (
        "console.col.status", "console.col.severity", "console.col.check", "console.col.subject",
        "console.evidence", "console.remediation"))
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<title>{escape(t('console.title', lang))} — {escape(report.host.hostname)}</title><style>{_CSS}</style></head>
<body><h1>{escape(t('console.title', lang))}</h1>
<div class="v {verdict}">{escape(t('verdict.' + verdict, lang))}</div>
<p>{escape(counts)}</p>
<p>{escape(t('console.host', lang))}: {escape(report.host.hostname)} · {escape(report.host.os)} ·
{escape(report.host.kernel)}<br>{escape(t('console.target', lang))}: {escape(report.host.target.value)}
{escape(report.host.root)}<br>{escape(t('console.policy', lang))}: {escape(report.policy.id)} v{report.policy.version}{escape(" " + report.policy.title if report.policy.title else "")}
<code>{escape(report.policy.sha256[:16])}</code><br>{escape(t('console.duration', lang))}: {report.duration_ms} ms ·
{escape(report.started_at)}</p>
<table><tr>{head}</tr>{''.join(rows)}</table></body></html>
"""
