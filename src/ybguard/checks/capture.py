"""Checks of live traffic (``--capture``) and of the active probe (``--probe``).

A flow outside policy is a fail with the packets as evidence. A capture that could not see
everything (an interface not watched, packets dropped while filtering in Python) is never a
pass: without a violation to show it is an ``error`` that says what was missed.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Dict, Iterable, List, Sequence, Tuple

from ..facts.capture import CaptureResult, Flow, InterfaceCapture, NotRequested, ProbeResult
from ..models import Evidence, Severity
from ..policy.schema import Policy
from . import rules
from .interface import Check, Facts, Msg, Result, Said, error, fail, msg, not_applicable, passed


def _ts(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).astimezone().isoformat(timespec="milliseconds")


def capture_evidence(interfaces: Sequence[InterfaceCapture]) -> Tuple[Said, ...]:
    """The filter once per distinct (link type, where it ran), then each interface's counters."""
    groups: Dict[Tuple[str, str, bool, str], List[str]] = {}
    for i in interfaces:
        groups.setdefault((i.linktype, i.filter, i.kernel_filter, i.compile_error), []).append(i.name)
    out = []
    for (linktype, expression, kernel, err), names in groups.items():
        where = (msg("ev.capture_filter_kernel", ifaces=", ".join(names), linktype=linktype) if kernel
                 else msg("ev.capture_filter_python", ifaces=", ".join(names), linktype=linktype, error=err))
        out.append(Said(where, expression))
    for i in interfaces:
        out.append(Said(msg("ev.capture_counters", iface=i.name),
                        msg("ev.capture_counts", passed=i.passed, drops=i.drops, outside=i.outside_policy)))
    return tuple(out)


def flow_said(f: Flow) -> Said:
    return Said(msg("ev.live_capture", iface=f.interface),
                msg("ev.flow", flow=f.describe(), packets=f.packets, bytes=f.bytes, first=_ts(f.first_seen),
                    last=_ts(f.last_seen), process=f.process) if f.process else
                msg("ev.flow_unknown_process", flow=f.describe(), packets=f.packets, bytes=f.bytes,
                    first=_ts(f.first_seen), last=_ts(f.last_seen)))


def flow_evidence(f: Flow, lang: str = "en") -> Evidence:
    """``flow_said`` as plain text, for the watch loop, which builds its findings itself."""
    from ..i18n import t

    said_ = flow_said(f)
    source, detail = said_.source, said_.detail
    assert isinstance(source, Msg) and isinstance(detail, Msg)
    return Evidence(t(source.key, lang, **dict(source.args)), t(detail.key, lang, **dict(detail.args)))


def _live_traffic(facts: Facts, policy: Policy) -> Iterable[Result]:
    cap = facts["network.capture"]
    if isinstance(cap, NotRequested):
        return [not_applicable("host", msg(cap.reason))]
    assert isinstance(cap, CaptureResult)
    common = capture_evidence(cap.interfaces)
    out: List[Result] = []
    for f in sorted(cap.flows, key=lambda f: (f.first_seen, f.describe())):
        out.append(fail(f.describe(), msg("network.live-traffic.flow", flow=f.describe(), packets=f.packets,
                                          bytes=f.bytes, process=f.process or "?"),
                        flow_said(f), *common))
    if cap.overflow_flows:
        out.append(fail("flow table full", msg("network.live-traffic.overflow", flows=cap.overflow_flows,
                                               packets=cap.overflow_packets, max=cap.max_flows), *common))
    for i in cap.interfaces:
        if i.drops and i.kernel_filter:
            # Only packets outside policy pass the kernel filter, so every drop was one.
            out.append(fail(f"{i.name}: {i.drops} packets dropped", msg("network.live-traffic.dropped_outside",
                                                                        iface=i.name, drops=i.drops),
                            *capture_evidence((i,))))
    gaps = [(name, why) for name, why in cap.not_captured]
    gaps += [(i.name, f"{i.drops} packets dropped while filtering in Python")
             for i in cap.interfaces if i.drops and not i.kernel_filter]
    if gaps:
        out.append(error("capture incomplete", msg("network.live-traffic.incomplete",
                                                   gaps="; ".join(f"{n}: {w}" for n, w in gaps)), *common))
    if not out:
        names = ", ".join(i.name for i in cap.interfaces) or "-"
        python = [i.name for i in cap.interfaces if not i.kernel_filter]
        key = "network.live-traffic.clean_python" if python else "network.live-traffic.clean"
        out.append(passed("host", msg(key, seconds=f"{cap.seconds:g}", ifaces=names,
                                      python=", ".join(python)), *common))
    return out


def _probe(facts: Facts, policy: Policy) -> Iterable[Result]:
    res = facts["network.probe"]
    if isinstance(res, NotRequested):
        return [not_applicable("host", msg(res.reason))]
    assert isinstance(res, ProbeResult)
    tried = tuple(Said(msg("ev.probe", kind=o.kind, target=o.target),
                       (o.detail or "-", msg("ev.could_not_run", error=o.error) if o.error else "",
                        msg("ev.elapsed", ms=o.elapsed_ms))) for o in res.outcomes)
    out: List[Result] = []
    for o in res.outcomes:
        if o.reached:
            out.append(fail(f"{o.kind} {o.target}", msg("network.probe.reached", target=f"{o.kind} {o.target}",
                                                         iface=o.interface or "?", source=o.source or "?",
                                                         answer=o.detail),
                            Said(msg("ev.probe", kind=o.kind, target=o.target),
                                 msg("ev.probe_reached", iface=o.interface or "?", source=o.source or "?",
                                     detail=o.detail)), *tried))
    for o in res.outcomes:
        if o.error and not o.reached:
            out.append(error(f"{o.kind} {o.target}", msg("network.probe.could_not_run",
                                                          target=f"{o.kind} {o.target}", reason=o.error), *tried))
    if not out:
        out.append(passed("host", msg("network.probe.silent", n=len(res.outcomes),
                                      timeout=f"{res.timeout_seconds:g}"), *tried))
    return out


CHECKS: Tuple[Check, ...] = (
    Check("network.live-traffic", Severity.CRITICAL, rules.ISOLATION, ("network.capture",), _live_traffic),
    Check("network.probe", Severity.CRITICAL, rules.ISOLATION, ("network.probe",), _probe),
)
