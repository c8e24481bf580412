"""Wi-Fi joins that NetworkManager wrote to the system log (``syslog``/``messages``, rotated and
``.gz``): the trace stays after the profile and its timestamps file are deleted.

NetworkManager logs one line per successful association, in two spellings:
- 1.x: ``device (wlp2s0): Activation: (wifi) Stage 2 of 5 (Device Configure) successful.
  Connected to wireless network "SSID"`` (older 1.x: without quotes);
- 0.9: ``Activation (wlan0/wireless) Stage 2 of 5 (Device Configure) successful.  Connected to
  wireless network 'SSID'.``
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Tuple, Union

from ..facts.network import KIND_WIRELESS, NetworkHistory
from ..target.interface import Target

LOG_GLOBS = ("/var/log/syslog*", "/var/log/messages*", "/var/log/daemon.log*")
_JOINED = re.compile(
    r"(?:device \((?P<dev1>[^)]+)\): Activation: \(wifi\)|Activation \((?P<dev0>[^/)]+)/wireless\)) "
    r"Stage 2 of 5 \(Device Configure\) successful\.\s+Connected to wireless network "
    r"(?:\"(?P<q2>.*)\"|'(?P<q1>.*)'\.?|(?P<bare>.+?))\s*$")


def parse_nm_wifi_log(lines: Union[str, Iterable[str]], source: str) -> Tuple[NetworkHistory, ...]:
    """One record per SSID: first and last join as the log stamps them, and the count."""
    from .clockhistory import _timestamp

    seen: Dict[str, List[str]] = {}
    where: Dict[str, str] = {}
    device: Dict[str, str] = {}
    it = lines.splitlines() if isinstance(lines, str) else lines
    for lineno, line in enumerate(it, 1):
        if "Connected to wireless network" not in line:
            continue
        m = _JOINED.search(line.rstrip("\n"))
        if not m:
            continue
        ssid = next(g for g in (m.group("q2"), m.group("q1"), m.group("bare"), "") if g is not None)
        stamps = seen.setdefault(ssid, [])
        stamps.append(_timestamp(line))
        where.setdefault(ssid, f"{source}:{lineno}")
        device[ssid] = m.group("dev1") or m.group("dev0") or ""
    out = []
    for ssid, stamps in seen.items():
        out.append(NetworkHistory(name=ssid, kind=KIND_WIRELESS, first_seen=stamps[0], last_seen=stamps[-1],
                                  source=where[ssid],
                                  detail=f"NetworkManager joined {ssid!r} on {device[ssid]} {len(stamps)}×"))
    return tuple(sorted(out, key=lambda h: h.name))


def read_nm_log_history(target: Target) -> Tuple[Tuple[NetworkHistory, ...], Tuple[str, ...],
                                                 List[Tuple[str, str]]]:
    """(joins, log files read, parts left unread) from every system log NetworkManager writes to."""
    from .usb import _log_lines, _rotation_key

    files = sorted({p for g in LOG_GLOBS for p in target.glob(g) if not target.is_dir(p)}, key=_rotation_key)
    merged: Dict[str, NetworkHistory] = {}
    gaps: List[Tuple[str, str]] = []
    for path in files:
        for h in parse_nm_wifi_log(_log_lines(target, path, gaps), path):
            old = merged.get(h.name)
            merged[h.name] = h if old is None else NetworkHistory(
                name=h.name, kind=h.kind, first_seen=old.first_seen or h.first_seen,
                last_seen=h.last_seen or old.last_seen, source=old.source, detail=old.detail)
    return tuple(sorted(merged.values(), key=lambda h: h.name)), tuple(files), gaps
