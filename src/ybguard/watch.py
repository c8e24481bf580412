"""``ybguard watch``: keep a terminal that must stay isolated under continuous watch.

The network checks are re-run whenever the kernel announces a link, address, route or rule
change (rtnetlink multicast groups on a plain AF_NETLINK socket), and at least every
``interval`` seconds for what has no event (sysctls, NAT rules, resolv.conf). A capture keeps
running with the policy's kernel filter. Each new violation — and its end — becomes one JSON
line, optionally a syslog record, and ``--on-violation CMD`` runs with the finding as JSON on
stdin, so a hospital can cut the terminal off the moment the 医保 network is threatened.

Memory stays bounded over days: the flow table is capped and flows that fall silent are
reported as ended and dropped; the finding state holds one entry per current problem.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, Any, Dict, List, Optional, Sequence, Tuple

from .checks import ALL_CHECKS, select_checks
from .checks.capture import CHECKS as CAPTURE_CHECKS
from .checks.capture import flow_evidence
from .checks.interface import Check
from .collect import ScanOptions
from .collect.capture import Capturer, read_links
from .collect.interface import FactError
from .engine import apply_waivers, run_scan
from .facts.capture import Flow
from .i18n import t
from .models import Finding, Status
from .policy.schema import Policy
from .report.json import finding_data
from .target.interface import Target, TargetError

NETLINK_ROUTE = 0
# Legacy rtnetlink multicast group bits: link, IPv4/IPv6 addresses, routes and rules.
RTMGRP = 0x1 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | (1 << 18)
MAX_PENDING_HOOKS = 64
DEBOUNCE = 0.1  # let a burst of netlink messages (ifup adds address + routes) settle
LIVE_TRAFFIC = next(c for c in CAPTURE_CHECKS if c.id == "network.live-traffic")


@dataclass(frozen=True)
class WatchOptions:
    interval: float = 2.0  # seconds between re-checks when nothing announced a change
    capture: bool = True
    max_flows: Optional[int] = None  # None: the policy's network.capture.max_flows
    flow_idle: float = 30.0  # a flow silent this long has ended
    on_violation: Optional[str] = None  # shell command, finding JSON on stdin
    hook_timeout: float = 30.0
    syslog: bool = False
    lang: str = "en"


def watch_checks(checks: Sequence[Check] = ALL_CHECKS) -> Tuple[Check, ...]:
    """The network checks that make sense on repeat: not the probe (it sends), not the capture (we hold it)."""
    return select_checks(checks, ("network.*",), ("network.probe", "network.live-traffic"))


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="milliseconds")


class Watcher:
    """One watch session: the last findings (to diff against), the running capture, pending hooks."""

    def __init__(self, policy: Policy, target: Target, checks: Sequence[Check], options: WatchOptions,
                 out: IO[str], err: IO[str] = sys.stderr) -> None:
        self.policy = policy
        self.target = target
        self.checks = tuple(checks)
        self.opts = options
        self.out = out
        self.err = err
        self.active: Dict[Tuple[str, str, str], Finding] = {}
        self.since: Dict[Tuple[str, str, str], str] = {}
        self.hooks: List[threading.Thread] = []
        self._hook_slots = threading.Semaphore(4)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self.stopping = False
        self.capturer: Optional[Capturer] = None
        self._overflow_seen = 0
        self._sync_problem = ""
        self._waived_flows: set = set()
        self._overflow_next = 0.0
        self.netlink: Optional[socket.socket] = None
        self.host = socket.gethostname()

    # --- output ----------------------------------------------------------------------------
    def emit(self, event: str, data: Dict[str, object]) -> None:
        record = {"event": event, "time": _now(), "host": self.host, **data}
        line = json.dumps(record, ensure_ascii=False)
        self.out.write(line + "\n")
        self.out.flush()
        if self.opts.syslog:
            import syslog

            level = syslog.LOG_NOTICE if event == "resolved" else (
                syslog.LOG_CRIT if data.get("severity") in ("critical", "high") else syslog.LOG_WARNING)
            syslog.syslog(level, line)
        if event == "violation" and self.opts.on_violation:
            self._run_hook(line)

    def _run_hook(self, line: str) -> None:
        cmd, timeout = self.opts.on_violation or "", self.opts.hook_timeout

        def run() -> None:
            with self._hook_slots:
                try:
                    proc = subprocess.Popen(["/bin/sh", "-c", cmd], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.PIPE)
                    try:
                        _, stderr = proc.communicate(line.encode() + b"\n", timeout=timeout)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                        self._note("watch.hook_failed", reason=f"timed out after {timeout:g} s")
                        return
                    if proc.returncode != 0:
                        self._note("watch.hook_failed",
                                   reason=f"exit {proc.returncode}: {stderr.decode(errors='replace').strip()[:200]}")
                except OSError as exc:
                    self._note("watch.hook_failed", reason=str(exc))

        self.hooks = [h for h in self.hooks if h.is_alive()]
        if len(self.hooks) >= MAX_PENDING_HOOKS:  # a flood of violations must not become a flood of threads
            self._note("watch.hook_failed", reason=f"{len(self.hooks)} commands still pending, this event skipped")
            return
        th = threading.Thread(target=run, daemon=True, name="on-violation")
        th.start()
        self.hooks.append(th)

    def _note(self, key: str, **args: object) -> None:
        self.err.write(f"ybguard watch: {t(key, self.opts.lang, **args)}\n")
        self.err.flush()

    # --- the network checks ----------------------------------------------------------------
    def recheck(self) -> None:
        report = run_scan(self.policy, self.target, self.checks,
                          ScanOptions(lang=self.opts.lang, now=datetime.now(timezone.utc).astimezone()))
        current = {(f.check, f.subject, f.status.value): f for f in report.findings
                   if f.status in (Status.FAIL, Status.ERROR)}
        for key, f in current.items():
            if key not in self.active:
                self.since[key] = _now()
                self.emit("violation" if f.status is Status.FAIL else "error", finding_data(f))
        for key in [k for k in self.active if k not in current]:
            f = self.active[key]
            self.emit("resolved", {"check": f.check, "status": f.status.value, "severity": f.severity.value,
                                   "subject": f.subject, "since": self.since.pop(key, ""),
                                   "message": t("watch.resolved", self.opts.lang, subject=f.subject)})
        self.active = current

    # --- live traffic ----------------------------------------------------------------------
    def flow_finding(self, flow: Flow) -> Finding:
        lang = self.opts.lang
        return Finding(check=LIVE_TRAFFIC.id, status=Status.FAIL, severity=LIVE_TRAFFIC.severity,
                       subject=flow.describe(),
                       message=t("network.live-traffic.flow", lang, flow=flow.describe(), packets=flow.packets,
                                 bytes=flow.bytes, process=flow.process or "?"),
                       rule=LIVE_TRAFFIC.rule, remediation=LIVE_TRAFFIC.remediation(lang),
                       title=LIVE_TRAFFIC.title(lang), area=LIVE_TRAFFIC.area, evidence=(flow_evidence(flow),))

    def _start_capture(self) -> None:
        max_flows = self.opts.max_flows or self.policy.network.capture.max_flows
        cap = Capturer(self.policy.network.allowed_networks, max_flows)
        try:
            cap.sync(read_links(self.target))
        except (FactError, TargetError, OSError) as exc:
            cap.close()
            reason = t(exc.key, self.opts.lang, **getattr(exc, "args_map", {})) \
                if isinstance(exc, (FactError, TargetError)) else str(exc)
            self.emit("error", {"check": LIVE_TRAFFIC.id, "status": "error", "severity": LIVE_TRAFFIC.severity.value,
                                "subject": "capture", "message": t("watch.capture_unavailable", self.opts.lang,
                                                                   reason=reason)})
            return
        self.capturer = cap

    def _waived(self, finding: Finding) -> bool:
        """The policy's waivers cover live traffic too (an approved, time-limited Internet access)."""
        (result,) = apply_waivers([finding], self.policy.waivers, datetime.now(timezone.utc), self.opts.lang)
        return result.status is Status.WAIVED

    def _sync_capture(self) -> None:
        """Follow interfaces that came or went; a failure is reported once, and the watch goes on."""
        if self.capturer is None:
            return
        try:
            self.capturer.sync(read_links(self.target))
            problem = ""
        except Exception as exc:  # noqa: BLE001 - reported as an error event, never silent
            problem = t(exc.key, self.opts.lang, **exc.args_map) if isinstance(exc, FactError) else f"{type(exc).__name__}: {exc}"
        if problem and problem != self._sync_problem:
            self.emit("error", {"check": LIVE_TRAFFIC.id, "status": "error", "severity": LIVE_TRAFFIC.severity.value,
                                "subject": "capture", "message": problem})
        self._sync_problem = problem

    def _flows_changed(self) -> None:
        cap = self.capturer
        if cap is None:
            return
        for flow in cap.take_new():
            finding = self.flow_finding(flow)
            if self._waived(finding):
                self._waived_flows.add(finding.subject)
                continue
            self.emit("violation", finding_data(finding))
        if cap.overflow_flows > self._overflow_seen and time.monotonic() >= self._overflow_next:
            # The table is full: say so (rate-limited) instead of silently not tracking new flows.
            self._overflow_seen = cap.overflow_flows
            self._overflow_next = time.monotonic() + self.opts.flow_idle
            lang = self.opts.lang
            self.emit("violation", {
                "check": LIVE_TRAFFIC.id, "status": "fail", "severity": LIVE_TRAFFIC.severity.value,
                "subject": "flow table full", "title": LIVE_TRAFFIC.title(lang), "area": LIVE_TRAFFIC.area,
                "message": t("network.live-traffic.overflow", lang, flows=cap.overflow_flows,
                             packets=cap.overflow_packets, max=cap.max_flows),
                "rule": LIVE_TRAFFIC.rule, "remediation": LIVE_TRAFFIC.remediation(lang), "evidence": []})
        for flow in cap.expire(self.opts.flow_idle):
            if flow.describe() in self._waived_flows:
                self._waived_flows.discard(flow.describe())
                continue
            self.emit("resolved", {"check": LIVE_TRAFFIC.id, "status": "fail", "severity": LIVE_TRAFFIC.severity.value,
                                   "subject": flow.describe(), "packets": flow.packets, "bytes": flow.bytes,
                                   "message": t("watch.flow_ended", self.opts.lang, flow=flow.describe(),
                                                packets=flow.packets, bytes=flow.bytes)})

    # --- the loop --------------------------------------------------------------------------
    def _open_netlink(self) -> Optional[socket.socket]:
        try:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
            sock.bind((0, RTMGRP))
            sock.setblocking(False)
            return sock
        except (OSError, AttributeError):
            return None  # polling every interval still covers everything

    def stop(self, *_args: object) -> None:
        self.stopping = True
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    def run(self) -> int:
        self.netlink = self._open_netlink()
        if self.opts.syslog:
            import syslog

            syslog.openlog("ybguard-watch", syslog.LOG_PID, syslog.LOG_DAEMON)
        if self.opts.capture:
            self._start_capture()
        lang = self.opts.lang
        self._note("watch.started", n=len(self.checks), interval=f"{self.opts.interval:g}",
                   capture=t("watch.yes" if self.capturer else "watch.no", lang),
                   netlink=t("watch.yes" if self.netlink else "watch.no", lang))
        next_check = 0.0
        next_expire = time.monotonic() + 1.0
        try:
            while not self.stopping:
                now = time.monotonic()
                if now >= next_check:
                    self.recheck()
                    self._sync_capture()
                    next_check = time.monotonic() + self.opts.interval
                taps = {tap.sock.fileno(): tap for tap in self.capturer.taps.values()} if self.capturer else {}
                fds = [self._wake_r, *taps] + ([self.netlink.fileno()] if self.netlink else [])
                timeout = max(0.0, min(next_check, next_expire) - time.monotonic())
                ready, _, _ = select.select(fds, [], [], timeout)
                for fd in ready:
                    if fd == self._wake_r:
                        os.read(self._wake_r, 64)
                    elif self.netlink is not None and fd == self.netlink.fileno():
                        self._drain_netlink()
                        next_check = min(next_check, time.monotonic() + DEBOUNCE)
                    elif fd in taps and self.capturer is not None:
                        self.capturer.drain(taps[fd])
                if self.capturer is not None and (self.capturer.new_keys or time.monotonic() >= next_expire):
                    self._flows_changed()
                    next_expire = time.monotonic() + 1.0
        finally:
            self.close()
        self._note("watch.stopped")
        return 0

    def _drain_netlink(self) -> None:
        assert self.netlink is not None
        while True:
            try:
                self.netlink.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # ENOBUFS: we missed messages; the re-check reads everything anyway
                return

    def close(self) -> None:
        if self.capturer is not None:
            self.capturer.close()
        if self.netlink is not None:
            self.netlink.close()
        deadline = time.monotonic() + min(self.opts.hook_timeout, 10.0)
        for th in self.hooks:  # a cut-off command started just before SIGTERM still gets to finish
            th.join(max(0.0, deadline - time.monotonic()))
        wake = (self._wake_r, self._wake_w)
        self._wake_r = self._wake_w = -1  # a late signal must not write into a reused descriptor
        for fd in wake:
            os.close(fd)


def run_watch(policy: Policy, target: Target, options: WatchOptions, out: IO[str],
              checks: Optional[Sequence[Check]] = None, err: IO[str] = sys.stderr,
              install_signals: bool = True) -> int:
    """Watch until SIGTERM/SIGINT; returns the exit code (0 on a clean stop)."""
    target.require_live()
    watcher = Watcher(policy, target, watch_checks() if checks is None else checks, options, out, err)
    previous: List[Tuple[Any, Any]] = []
    if install_signals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous.append((sig, signal.signal(sig, watcher.stop)))  # type: ignore[arg-type]
    try:
        return watcher.run()
    finally:
        for sig, handler in previous:
            signal.signal(sig, handler)
