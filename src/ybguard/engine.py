"""plan -> collect once -> evaluate -> apply waivers -> Report."""

from __future__ import annotations

import fnmatch
import time
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence

from . import __version__
from .checks.interface import Check, Msg, Result
from .collect import FactSet, ScanOptions, registry_for
from .collect.interface import Collector, reason_of
from .i18n import t
from .models import Evidence, Finding, HostInfo, PolicyRef, Report, Status, WaiverNote
from .policy.schema import Policy, Waiver
from .target.interface import Target, TargetError, Unsupported


def _text(message: Msg, lang: str) -> str:
    return t(message.key, lang, **dict(message.args))


def _reason_text(exc: BaseException, lang: str) -> str:
    reason = reason_of(exc)
    return t(reason.key, lang, **reason.args_map)


def evaluate_check(check: Check, facts: FactSet, policy: Policy, lang: str) -> List[Finding]:
    """Run one check; a fact that could not be read decides the outcome before evaluate runs."""

    def make(result: Result) -> Finding:
        return Finding(
            check=check.id, status=result.status, severity=result.severity or check.severity,
            subject=result.subject, message=_text(result.message, lang), rule=check.rule,
            remediation=check.remediation(lang), title=check.title(lang), area=check.area,
            evidence=result.evidence,
        )

    got: Dict[str, Any] = {}
    for key in check.needs:
        try:
            got[key] = facts.get(key)
        except Unsupported as exc:
            return [make(Result(Status.NOT_APPLICABLE, check.subject,
                                Msg("engine.fact_unsupported", (("fact", key), ("reason", _reason_text(exc, lang))))))]
        except Exception as exc:  # noqa: BLE001 - fail closed: unreadable facts are errors
            return [make(Result(Status.ERROR, check.subject,
                                Msg("engine.fact_error", (("fact", key), ("reason", _reason_text(exc, lang))))))]
    try:
        results = list(check.evaluate(got, policy))
    except Unsupported as exc:
        return [make(Result(Status.NOT_APPLICABLE, check.subject,
                            Msg("engine.fact_unsupported", (("fact", check.id), ("reason", _reason_text(exc, lang))))))]
    except TargetError as exc:
        return [make(Result(Status.ERROR, check.subject,
                            Msg("engine.fact_error", (("fact", check.id), ("reason", _reason_text(exc, lang))))))]
    except Exception as exc:  # noqa: BLE001 - a crashing check must never read as a pass
        return [make(Result(Status.ERROR, check.subject,
                            Msg("engine.check_crashed", (("reason", f"{type(exc).__name__}: {exc}"),))))]
    if not results:
        results = [Result(Status.PASS, check.subject, Msg("engine.no_violation"))]
    return [make(r) for r in results]


def apply_waivers(findings: Sequence[Finding], waivers: Sequence[Waiver], now: datetime, lang: str) -> List[Finding]:
    """A fail matched by a waiver (check glob + subject glob) becomes ``waived`` until it expires."""
    out: List[Finding] = []
    for f in findings:
        if f.status is not Status.FAIL:
            out.append(f)
            continue
        match = next((w for w in waivers
                      if fnmatch.fnmatchcase(f.check, w.check) and fnmatch.fnmatchcase(f.subject, w.subject)), None)
        if match is None:
            out.append(f)
            continue
        expired = now >= match.expires
        args = {"reason": match.reason, "approved_by": match.approved_by, "expires": match.expires.isoformat()}
        note = WaiverNote(match.reason, match.approved_by, match.expires.isoformat(), expired)
        if expired:
            out.append(_replace(f, message=f"{f.message} — {t('engine.waiver_expired', lang, **args)}", waiver=note))
        else:
            out.append(_replace(f, status=Status.WAIVED, message=f"{f.message} — {t('engine.waived', lang, **args)}",
                                waiver=note))
    return out


def _replace(f: Finding, **changes: Any) -> Finding:
    from dataclasses import replace

    return replace(f, **changes)


def _host_info(facts: FactSet, target: Target) -> HostInfo:
    try:
        ident = facts.get("host.identity")
        return HostInfo(hostname=ident.hostname, os=ident.os, kernel=ident.kernel, target=target.kind,
                        root=target.root, arch=ident.arch)
    except Exception:  # noqa: BLE001 - identity is best effort; checks carry the verdict
        return HostInfo(hostname="unknown", os="unknown", kernel="", target=target.kind, root=target.root)


def run_scan(policy: Policy, target: Target, checks: Sequence[Check], options: ScanOptions,
             registry: Optional[Mapping[str, Collector]] = None, facts: Optional[FactSet] = None) -> Report:
    started = options.now or datetime.now(timezone.utc).astimezone()
    t0 = time.perf_counter()
    if facts is None:
        facts = FactSet(target, policy, options, registry if registry is not None else registry_for(target.os_family))
    findings: List[Finding] = []
    for check in checks:
        findings.extend(evaluate_check(check, facts, policy, options.lang))
    findings = apply_waivers(findings, policy.waivers, started, options.lang)
    host = _host_info(facts, target)
    duration_ms = int((time.perf_counter() - t0) * 1000)
    return Report(
        tool_version=__version__, host=host,
        policy=PolicyRef(policy.meta.id, policy.meta.version, policy.sha256, policy.source),
        started_at=started.isoformat(timespec="seconds"), duration_ms=duration_ms, lang=options.lang,
        findings=tuple(findings),
    )


def evidence(source: str, detail: str) -> Evidence:
    return Evidence(source, detail)


__all__ = ["run_scan", "evaluate_check", "apply_waivers"]
