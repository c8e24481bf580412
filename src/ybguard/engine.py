"""plan -> collect once -> evaluate -> apply waivers -> Report."""

from __future__ import annotations

import fnmatch
import time
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from . import __version__
from .checks.interface import AnyEvidence, Check, Msg, Result, Words, msg
from .collect import FactSet, ScanOptions, registry_for
from .collect.interface import Collector, PartialFact, reason_of
from .i18n import phrases, t
from .models import Evidence, Finding, HostInfo, PolicyRef, Report, Site, Status, WaiverNote
from .policy.schema import SITE_FIELDS, Policy, Waiver
from .target.interface import Target, TargetError, Unsupported


def _text(message: Msg, lang: str) -> str:
    """A message in ``lang``; an argument that is itself a Msg (a reason) is translated too, and
    the fixed phrases ybguard still writes as plain text are localized."""
    return t(message.key, lang, **{k: _text(v, lang) if isinstance(v, Msg) else
                                   phrases.localize(v, lang) if isinstance(v, str) else v for k, v in message.args})


def _reason_text(exc: BaseException, lang: str) -> str:
    reason = reason_of(exc)
    return t(reason.key, lang, **reason.args_map)


def _clean(text: str) -> str:
    """Host strings may hold undecodable bytes (surrogate escapes from os.listdir) or control
    characters; neither may reach a report file or a terminal as-is."""
    if not isinstance(text, str):
        text = str(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:  # bytes that were not UTF-8 on the host: show them as \xff
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if any(ord(ch) < 0x20 and ch not in "\t\n" or ch == "\x7f" for ch in text):
        text = "".join(ch if ch in "\t\n" or (0x20 <= ord(ch) != 0x7f) else f"\\x{ord(ch):02x}" for ch in text)
    return text


def evaluate_check(check: Check, facts: FactSet, policy: Policy, lang: str) -> List[Finding]:
    """Run one check; a fact that could not be read decides the outcome before evaluate runs.

    Fail closed throughout: a fact that raised, a check that crashed part-way (its fails so far
    are kept) and a malformed result all become ``error`` findings, never a pass.
    """

    def make(result: Result) -> Finding:
        return Finding(
            check=check.id, status=result.status, severity=result.severity or check.severity,
            subject=_clean(result.subject), message=_clean(_text(result.message, lang)), rule=check.rule,
            remediation=check.remediation(lang, result.message), title=check.title(lang),
            area=check.area, evidence=tuple(_evidence(e, lang) for e in result.evidence),
            clauses=check.clause_refs(policy.djbh_level),
        )

    def problem(status: Status, key: str, subject: str = "", **args: Any) -> Finding:
        return make(Result(status, subject or check.subject, msg(key, **args)))

    if check.min_level > policy.djbh_level:
        return [problem(Status.NOT_APPLICABLE, "djbh.level_only", level=check.min_level, policy=policy.djbh_level)]
    got: Dict[str, Any] = {}
    partial: List[Finding] = []  # sources of a fact that were refused: errors beside what the rest shows
    notes: List[Evidence] = []
    for key in check.needs:
        try:
            got[key] = facts.get(key)
        except Unsupported as exc:
            return [problem(Status.NOT_APPLICABLE, "engine.fact_unsupported", fact=key, reason=_reason_text(exc, lang))]
        except PartialFact as exc:
            got[key] = exc.value
            partial.extend(problem(Status.ERROR, "engine.fact_error", str(e.args_map.get("path", "")), fact=key,
                                   reason=_reason_text(e, lang)) for e in exc.errors)
        except Exception as exc:  # noqa: BLE001 - fail closed: unreadable facts are errors
            return [problem(Status.ERROR, "engine.fact_error", fact=key, reason=_reason_text(exc, lang))]
        notes.extend(Evidence(_clean(n.source), _clean(t(n.key, lang, **dict(n.args)))) for n in facts.notes(key))

    out: List[Finding] = []
    try:
        for result in check.evaluate(got, policy):
            if not isinstance(result, Result) or result.status is Status.WAIVED:
                out.append(problem(Status.ERROR, "engine.bad_result", value=repr(result)[:200]))
                continue
            out.append(make(result))
    except Unsupported as exc:
        if not out:
            return [problem(Status.NOT_APPLICABLE, "engine.fact_unsupported", fact=check.id,
                            reason=_reason_text(exc, lang))]
        out.append(problem(Status.ERROR, "engine.fact_error", fact=check.id, reason=_reason_text(exc, lang)))
    except TargetError as exc:
        out.append(problem(Status.ERROR, "engine.fact_error", fact=check.id, reason=_reason_text(exc, lang)))
    except Exception as exc:  # noqa: BLE001 - a crashing check must never read as a pass
        out.append(problem(Status.ERROR, "engine.check_crashed", reason=f"{type(exc).__name__}: {exc}"))
    out.extend(partial)
    if not out or any(r.status is Status.PASS and not r.evidence for r in out):
        try:
            seen = check.examined(got, policy) if check.examined is not None else None
        except Exception as exc:  # noqa: BLE001 - a pass that cannot say what it saw is no pass
            return out_without_passes(out) + [problem(Status.ERROR, "engine.check_crashed",
                                                      reason=f"{type(exc).__name__}: {exc}")]
        if not out:
            out.append(make(Result(Status.PASS, check.subject, seen.message if seen else msg("engine.no_violation"),
                                   seen.evidence if seen else ())))
        elif seen is not None:
            out = [replace(f, evidence=tuple(_evidence(e, lang) for e in seen.evidence))
                   if f.status is Status.PASS and not f.evidence else f for f in out]
    if notes:
        out = [replace(f, evidence=f.evidence + tuple(notes)) for f in out]
    return out


def out_without_passes(findings: List[Finding]) -> List[Finding]:
    return [f for f in findings if f.status is not Status.PASS]


def _words(text: Words, lang: str) -> str:
    if isinstance(text, tuple):
        return " ".join(w for w in (_words(part, lang) for part in text) if w)
    return _clean(phrases.localize(text, lang) if isinstance(text, str) else _text(text, lang))


def _evidence(e: AnyEvidence, lang: str) -> Evidence:
    """Host text is kept as it is; ybguard's own words (``Said``, and the few fixed phrases
    still written as plain text: i18n/phrases.py) are translated."""
    return Evidence(_words(e.source, lang), _words(e.detail, lang))


# Subjects that are ybguard's words, not host strings: translated in the report's language.
GENERIC_SUBJECTS = {"host": "subject.host", "password policy": "subject.password_policy",
                    "time sync": "subject.time_sync", "backups": "subject.backups", "baseline": "subject.baseline",
                    # the 等保 checks' declared subjects
                    "lockout policy": "subject.lockout_policy", "idle lock": "subject.idle_lock",
                    "accounts": "subject.accounts", "remote administration": "subject.remote_admin",
                    "audit policy": "subject.audit_policy", "logs": "subject.logs", "services": "subject.services",
                    "autorun": "subject.autorun", "firewall": "subject.firewall", "antivirus": "subject.antivirus",
                    "updates": "subject.updates", "kernel": "subject.kernel"}


def localize_subjects(findings: Sequence[Finding], checks: Sequence[Check], lang: str) -> List[Finding]:
    """A check's own subject ("host", "password policy") in the report's language. A fail's
    subject named "host" may be a host string (a user called host), so only the check's declared
    subject is translated, and "host" only when it is not a fail."""
    declared = {c.id: c.subject for c in checks}
    out = []
    for f in findings:
        key = GENERIC_SUBJECTS.get(f.subject)
        own = declared.get(f.check) == f.subject or f.subject == "host"
        if key and own and not (f.subject == "host" and f.status in (Status.FAIL, Status.WAIVED)):
            f = replace(f, subject=t(key, lang))
        out.append(f)
    return out


def apply_waivers(findings: Sequence[Finding], waivers: Sequence[Waiver], now: datetime, lang: str) -> List[Finding]:
    """A fail matched by a waiver (check glob + subject glob) becomes ``waived`` until it expires.

    Only fails are waivable: an error means we do not know, and a waiver cannot vouch for that.
    When several waivers match, one still in force wins over expired ones.
    """
    out: List[Finding] = []
    for f in findings:
        if f.status is not Status.FAIL:
            out.append(f)
            continue
        matches = [w for w in waivers
                   if fnmatch.fnmatchcase(f.check, w.check) and fnmatch.fnmatchcase(f.subject, w.subject)]
        if not matches:
            out.append(f)
            continue
        valid = [w for w in matches if now < w.expires]
        match = valid[0] if valid else max(matches, key=lambda w: w.expires)
        expired = not valid
        args = {"reason": match.reason, "approved_by": match.approved_by, "expires": match.expires.isoformat()}
        note = WaiverNote(match.reason, match.approved_by, match.expires.isoformat(), expired)
        if expired:
            out.append(_replace(f, message=f"{f.message} — {t('engine.waiver_expired', lang, **args)}", waiver=note))
        else:
            out.append(_replace(f, status=Status.WAIVED, message=f"{f.message} — {t('engine.waived', lang, **args)}",
                                waiver=note))
    return out


def _replace(f: Finding, **changes: Any) -> Finding:
    return replace(f, **changes)


def _host_info(facts: FactSet, target: Target) -> HostInfo:
    try:
        ident = facts.get("host.identity")
        return HostInfo(hostname=_clean(ident.hostname), os=_clean(ident.os), kernel=_clean(ident.kernel),
                        target=target.kind, root=target.root, arch=_clean(ident.arch),
                        os_version=_clean(getattr(ident, "os_version", "")),
                        machine_id=_clean(getattr(ident, "machine_id", "")))
    except Exception:  # noqa: BLE001 - identity is best effort; checks carry the verdict
        return HostInfo(hostname="unknown", os="unknown", kernel="", target=target.kind, root=target.root)


Progress = Callable[[int, int, Check], None]  # (index, total, check about to run)


def run_scan(policy: Policy, target: Target, checks: Sequence[Check], options: ScanOptions,
             registry: Optional[Mapping[str, Collector]] = None, facts: Optional[FactSet] = None,
             progress: Optional[Progress] = None) -> Report:
    started = options.now or datetime.now(timezone.utc).astimezone()
    t0 = time.perf_counter()
    if facts is None:
        facts = FactSet(target, policy, options, registry if registry is not None else registry_for(target.os_family))
    findings: List[Finding] = []
    for index, check in enumerate(checks):
        if progress is not None:
            progress(index, len(checks), check)
        findings.extend(evaluate_check(check, facts, policy, options.lang))
    findings = apply_waivers(findings, policy.waivers, started, options.lang)
    findings = localize_subjects(findings, checks, options.lang)
    host = _host_info(facts, target)
    duration_ms = int((time.perf_counter() - t0) * 1000)
    return Report(
        tool_version=__version__, host=host,
        policy=PolicyRef(policy.meta.id, policy.meta.version, policy.sha256, policy.source,
                         _clean(policy.meta.title)),
        started_at=started.isoformat(timespec="seconds"), duration_ms=duration_ms, lang=options.lang,
        findings=tuple(findings), evidence=target.evidence, site=site_of(policy, options.labels),
    )


def site_of(policy: Policy, labels: Sequence[Tuple[str, str]]) -> Site:
    """The policy's ``site:`` with ``--label`` values over it."""
    given = dict(labels)
    return Site(**{name: _clean(given.get(name, getattr(policy.site, name))) for name in SITE_FIELDS})


def evidence(source: str, detail: str) -> Evidence:
    return Evidence(source, detail)


__all__ = ["run_scan", "evaluate_check", "apply_waivers"]
