"""The 自查表 (self-inspection sheet) a hospital hands in: one CSV row per finding with the
GB/T 22239-2019 item, the check, its result, the evidence, the remediation and an empty
检查人 (inspector) column to sign.

UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens it without mojibake. Host
strings that start like a spreadsheet formula (``=``, ``+``, ``-``, ``@``) are quoted with a
leading apostrophe: a process or share name must never run as a formula.
"""

from __future__ import annotations

import csv
import io
from typing import List

from ..i18n import t
from ..models import Report

COLUMNS = ("selfcheck.clause", "selfcheck.item", "selfcheck.check", "selfcheck.subject", "selfcheck.result",
           "selfcheck.evidence", "selfcheck.remediation", "selfcheck.inspector")


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def rows(report: Report) -> List[List[str]]:
    lang = report.lang
    out = [[t(c, lang) for c in COLUMNS]]
    for f in report.findings:
        clause = "\n".join(f.clauses) or f.rule
        evidence = "\n".join(f"{e.source}: {e.detail}" for e in f.evidence)
        result = t(f"status.{f.status.value}", lang)
        out.append([_cell(x) for x in (clause, f.title, f.check, f.subject, result,
                                       f"{f.message}\n{evidence}".strip(), f.remediation, "")])
    return out


def render(report: Report) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows(report))
    return "\ufeff" + buf.getvalue()
