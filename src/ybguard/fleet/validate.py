"""A structural check of ``ybguard.report/v1`` (docs/report.schema.json), without jsonschema.

The fleet store is fed by files from many terminals and a share anyone can write to, so a
report is taken only when it has every field the store and the summary read, of the right
type, and when its verdict is the one its findings give: a file that says ``compliant`` over a
``fail`` finding is refused, never stored as compliant. The test suite checks that every
report this validator accepts also passes the full JSON Schema.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .interface import FleetError

SCHEMA = "ybguard.report/v1"
STATUSES = ("pass", "fail", "error", "not_applicable", "waived")
SEVERITIES = ("info", "low", "medium", "high", "critical")
VERDICTS = ("compliant", "non_compliant", "incomplete")
SITE_FIELDS = ("hospital", "department", "asset_id", "location")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")
_CHECK_ID = re.compile(r"^[a-z0-9_-]+\.[a-z0-9_.-]+$")
_MACHINE_ID = re.compile(r"^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$")


def parse_time(text: Any) -> Optional[datetime]:
    """An ISO 8601 time with an offset (what reports carry), else None. 'Z' is UTC (Python 3.9)."""
    if not isinstance(text, str) or not _DATETIME.match(text):
        return None
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _where(path: Sequence[Any]) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _fail(path: Sequence[Any], key: str, **args: Any) -> FleetError:
    return FleetError(key, where=_where(path), **args)


def _obj(value: Any, path: Sequence[Any]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, "fleet.v.type", expected="object", got=type(value).__name__)
    return value


def _field(obj: Mapping[str, Any], name: str, path: Sequence[Any], kind: type, required: bool = True) -> Any:
    if name not in obj:
        if required:
            raise _fail([*path, name], "fleet.v.missing")
        return None
    value = obj[name]
    if kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind)
    if not ok:
        raise _fail([*path, name], "fleet.v.type", expected=kind.__name__, got=type(value).__name__)
    return value


def _enum(obj: Mapping[str, Any], name: str, path: Sequence[Any], choices: Sequence[str]) -> str:
    value = _field(obj, name, path, str)
    if value not in choices:
        raise _fail([*path, name], "fleet.v.enum", expected=", ".join(choices), got=value[:80])
    return str(value)


def _time(obj: Mapping[str, Any], name: str, path: Sequence[Any]) -> str:
    value = _field(obj, name, path, str)
    if parse_time(value) is None:
        raise _fail([*path, name], "fleet.v.time", got=value[:80])
    return str(value)


def verdict_of(statuses: Sequence[str]) -> str:
    """The verdict the findings give (DESIGN: any fail → non_compliant, else any error → incomplete)."""
    if "fail" in statuses:
        return "non_compliant"
    if "error" in statuses:
        return "incomplete"
    return "compliant"


_FINDING_KEYS = frozenset(("check", "status", "severity", "subject", "message", "rule", "remediation", "evidence"))
_STATUS_SET = frozenset(STATUSES)
_SEVERITY_SET = frozenset(SEVERITIES)


def _accepts(root: Any) -> bool:
    """The same rules as ``_explain``, without building paths: the fast path for the 300,000
    good reports of a month; any doubt goes to ``_explain``, which names what is wrong."""
    try:
        if type(root) is not dict or root.get("schema") != SCHEMA:
            return False
        tool, host, policy, summary, findings = root["tool"], root["host"], root["policy"], root["summary"], root["findings"]
        if type(tool) is not dict or type(tool.get("name")) is not str or type(tool.get("version")) is not str:
            return False
        if type(host) is not dict or any(type(host.get(k)) is not str for k in ("hostname", "os", "target", "root")):
            return False
        machine_id = host.get("machine_id", "")
        if not host["hostname"].strip() or type(machine_id) is not str or not _MACHINE_ID.match(machine_id):
            return False
        if type(policy) is not dict or type(policy.get("id")) is not str or type(policy.get("sha256")) is not str \
                or type(policy.get("version")) is not int:
            return False
        duration = root.get("duration_ms")
        if parse_time(root.get("started_at")) is None or type(duration) is not int or duration < 0:
            return False
        if "site" in root:
            site = root["site"]
            if type(site) is not dict or any(k in site and type(site[k]) is not str for k in SITE_FIELDS):
                return False
        counts = summary["counts"]
        if type(summary) is not dict or summary.get("status") not in VERDICTS or type(counts) is not dict:
            return False
        if any(type(counts.get(k)) is not int or counts[k] < 0 for k in STATUSES) or type(findings) is not list:
            return False
        tally = dict.fromkeys(STATUSES, 0)
        for f in findings:
            if type(f) is not dict or not _FINDING_KEYS <= f.keys():
                return False
            status, check = f["status"], f["check"]
            if status not in _STATUS_SET or f["severity"] not in _SEVERITY_SET or type(check) is not str \
                    or not _CHECK_ID.match(check):
                return False
            if type(f["subject"]) is not str or type(f["message"]) is not str or type(f["rule"]) is not str \
                    or type(f["remediation"]) is not str or type(f["evidence"]) is not list:
                return False
            for e in f["evidence"]:  # KeyError when a field is missing: caught below
                if type(e) is not dict or type(e["source"]) is not str or type(e["detail"]) is not str:
                    return False
            if "waiver" in f:
                w = f["waiver"]
                if type(w) is not dict or type(w.get("reason")) is not str or type(w.get("approved_by")) is not str \
                        or type(w.get("expired")) is not bool or parse_time(w.get("expires")) is None:
                    return False
            tally[status] += 1
        if any(counts[k] != tally[k] for k in STATUSES):
            return False
        statuses = ("fail",) if tally["fail"] else ("error",) if tally["error"] else ()
        return bool(summary["status"] == verdict_of(statuses))
    except (KeyError, TypeError, AttributeError):
        return False


def validate_report(data: Any) -> None:
    """Raise FleetError (JSON path + what was expected) unless ``data`` is a usable v1 report."""
    if not _accepts(data):
        _explain(data)


def _explain(data: Any) -> None:
    root = _obj(data, [])
    schema = root.get("schema")
    if schema != SCHEMA:
        raise _fail(["schema"], "fleet.v.schema", expected=SCHEMA, got=str(schema)[:80])
    tool = _obj(_field(root, "tool", [], dict), ["tool"])
    _field(tool, "name", ["tool"], str)
    _field(tool, "version", ["tool"], str)
    host = _field(root, "host", [], dict)
    for name in ("hostname", "os", "target", "root"):
        _field(host, name, ["host"], str)
    if not host["hostname"].strip():
        raise _fail(["host", "hostname"], "fleet.v.empty")
    machine_id = _field(host, "machine_id", ["host"], str, required=False)
    if machine_id is not None and not _MACHINE_ID.match(machine_id):
        raise _fail(["host", "machine_id"], "fleet.v.machine_id", got=machine_id[:80])
    policy = _field(root, "policy", [], dict)
    _field(policy, "id", ["policy"], str)
    _field(policy, "version", ["policy"], int)
    _field(policy, "sha256", ["policy"], str)
    _time(root, "started_at", [])
    duration = _field(root, "duration_ms", [], int)
    if duration < 0:
        raise _fail(["duration_ms"], "fleet.v.negative")
    site = _field(root, "site", [], dict, required=False)
    if site is not None:
        for name in SITE_FIELDS:
            _field(site, name, ["site"], str, required=False)
    summary = _field(root, "summary", [], dict)
    verdict = _enum(summary, "status", ["summary"], VERDICTS)
    counts = _field(summary, "counts", ["summary"], dict)
    for name in STATUSES:
        if _field(counts, name, ["summary", "counts"], int) < 0:
            raise _fail(["summary", "counts", name], "fleet.v.negative")
    findings = _field(root, "findings", [], list)
    tally: Dict[str, int] = {s: 0 for s in STATUSES}
    statuses: List[str] = []
    for i, item in enumerate(findings):
        path: List[Any] = ["findings", i]
        f = _obj(item, path)
        check = _field(f, "check", path, str)
        if not _CHECK_ID.match(check):
            raise _fail([*path, "check"], "fleet.v.check_id", got=check[:80])
        status = _enum(f, "status", path, STATUSES)
        _enum(f, "severity", path, SEVERITIES)
        for name in ("subject", "message", "rule", "remediation"):
            _field(f, name, path, str)
        for j, ev in enumerate(_field(f, "evidence", path, list)):
            e = _obj(ev, [*path, "evidence", j])
            _field(e, "source", [*path, "evidence", j], str)
            _field(e, "detail", [*path, "evidence", j], str)
        waiver = _field(f, "waiver", path, dict, required=False)
        if waiver is not None:
            for name in ("reason", "approved_by"):
                _field(waiver, name, [*path, "waiver"], str)
            _time(waiver, "expires", [*path, "waiver"])
            _field(waiver, "expired", [*path, "waiver"], bool)
        tally[status] += 1
        statuses.append(status)
    for name in STATUSES:
        if counts[name] != tally[name]:
            raise _fail(["summary", "counts", name], "fleet.v.counts", said=counts[name], found=tally[name])
    if verdict != verdict_of(statuses):
        raise _fail(["summary", "status"], "fleet.v.verdict", said=verdict, found=verdict_of(statuses))
