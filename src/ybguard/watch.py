"""``ybguard watch``: keep a terminal that must stay isolated under continuous watch.

What the rules forbid is watched as the kernel announces it, with no polling loop:

- **network** — the ``network.*`` checks are re-run when rtnetlink announces a link, address,
  route or rule change, and at least every ``interval`` seconds for what has no event
  (sysctls, NAT rules, resolv.conf). Each route message is also judged *by itself* before
  the tables are re-read: a default route held for 50 ms, or one in a burst of hundreds of
  changes, is reported even though it is gone when the tables are read.
- **live traffic** — a capture runs with the policy's kernel filter; a new flow outside policy
  also re-runs the network checks at once, so the socket that sent it (``network.sockets``,
  with its process) is reported while it is still open.
- **USB storage** — a kernel uevent (netlink, before udev) for a USB, SCSI or block device
  re-runs the ``usb.*`` checks of attached media.
- **forbidden processes** — the process connector announces every exec; the new process is
  read at once and judged by ``software.processes``; its exit re-runs the check.

Every finding comes from the engine (``evaluate_check`` of the real checks, waivers applied);
this module only decides *when* to evaluate and *which facts* to hand over. Each new violation
— and its end — becomes one JSON line, optionally a syslog record, and ``--on-violation CMD``
runs with the finding as JSON on stdin. Event queues are bounded; what did not fit, and what
the kernel itself dropped (ENOBUFS), is counted and reported as a ``dropped`` event.

Memory stays bounded over days: the flow table is capped and flows that fall silent are
reported as ended and dropped; the finding state holds one entry per current problem.
"""

from __future__ import annotations

import json
import math
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from .checks import ALL_CHECKS, select_checks
from .checks.capture import CHECKS as CAPTURE_CHECKS
from .checks.interface import Check
from .collect import FactSet, ScanOptions, kevents, registry_for
from .collect.capture import Capturer, read_links
from .collect.interface import FactError
from .engine import apply_waivers, evaluate_check
from .facts.capture import CaptureResult, Flow
from .facts.network import Route, Routing, Rule
from .i18n import t
from .models import Finding, Status
from .policy.schema import Policy
from .report.json import finding_data
from .target.interface import Target, TargetError

MAX_PENDING_HOOKS = 64
MAX_QUEUED = 8192  # route messages / exec'd pids waiting for evaluation; beyond this they are dropped (and counted)
DRAIN_BATCH = 256  # datagrams read from one source before the queued events are judged
DEBOUNCE = 0.1  # let a burst of netlink messages (ifup adds address + routes) settle before re-reading
MAX_SETTLE = 1.0  # … but re-read at least this soon after a burst began
USB_SETTLE = 0.3  # a plugged stick announces its USB device, interface, SCSI host and disk within this
LIVE_TRAFFIC = next(c for c in CAPTURE_CHECKS if c.id == "network.live-traffic")
ROUTE_CHECKS = ("network.public-route", "network.default-route")  # judged on each route message too
USB_CHECKS = ("usb.storage-attached", "usb.optical")
PROCESS_CHECKS = ("software.processes",)
USB_SUBSYSTEMS = frozenset({"usb", "block", "scsi", "scsi_disk", "scsi_device"})
_PID_SUBJECT = re.compile(r"\(pid (\d+)\)$")


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
    usb: bool = True  # watch USB storage arrivals (uevents)
    processes: bool = True  # watch forbidden processes (process connector)


def watch_checks(checks: Sequence[Check] = ALL_CHECKS) -> Tuple[Check, ...]:
    """The network checks that make sense on repeat: not the probe (it sends), not the capture (we hold it)."""
    return select_checks(checks, ("network.*",), ("network.probe", "network.live-traffic"))


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="milliseconds")


@dataclass
class Counter:
    """Events of one source: received, dropped by us (queue full), lost by the kernel (ENOBUFS)."""

    received: int = 0
    dropped: int = 0
    overruns: int = 0
    vanished: int = 0  # processes that exited before /proc could be read
    reported: Tuple[int, int] = (0, 0)

    def unreported(self) -> bool:
        return (self.dropped, self.overruns) != self.reported


@dataclass
class Source:
    """One kernel event socket and what to do with its datagrams."""

    name: str
    sock: socket.socket
    handle: Callable[[bytes], None]
    counter: Counter = field(default_factory=Counter)


class Watcher:
    """One watch session: the last findings (to diff against), the running capture, pending hooks."""

    def __init__(self, policy: Policy, target: Target, checks: Sequence[Check], options: WatchOptions,
                 out: IO[str], err: IO[str] = sys.stderr, all_checks: Sequence[Check] = ALL_CHECKS) -> None:
        self.policy = policy
        self.target = target
        self.checks = tuple(checks)
        self.opts = options
        self.out = out
        self.err = err
        self.registry = registry_for(target.os_family)
        self.route_checks = tuple(c for c in self.checks if c.id in ROUTE_CHECKS)
        self.usb_checks = select_checks(all_checks, USB_CHECKS) if options.usb else ()
        self.process_checks = select_checks(all_checks, PROCESS_CHECKS) if options.processes else ()
        self.active: Dict[Tuple[str, str, str], Finding] = {}
        self.since: Dict[Tuple[str, str, str], str] = {}
        self.hooks: List[threading.Thread] = []
        self._hook_slots = threading.Semaphore(4)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self.stopping = False
        self.capturer: Optional[Capturer] = None
        self._overflow_seen = 0
        self._overflow_next = 0.0
        self._sync_problem = ""
        self._waived_flows: set = set()
        self.sources: Dict[int, Source] = {}
        self.polled: Tuple[Check, ...] = ()  # event checks whose source is unavailable: re-run every interval
        self.host = socket.gethostname()
        # network: route messages waiting to be judged, and what the last full read knew
        self._routes: List[Route] = []
        self._rules: Tuple[Rule, ...] = ()
        self._ifnames: Dict[int, str] = {}
        self._table_names: Dict[int, str] = dict(kevents.KERNEL_TABLES)
        self._recheck_due = 0.0
        self._burst_start: Optional[float] = None
        # USB and processes: what is due, and what triggered it
        self._usb_due = math.inf
        self._usb_trigger: Dict[str, Any] = {}
        self._exec_pids: Dict[int, None] = {}  # insertion-ordered set, bounded by MAX_QUEUED
        self._processes_due = math.inf

    # --- output ----------------------------------------------------------------------------
    def emit(self, event: str, data: Mapping[str, object]) -> None:
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

    # --- evaluation through the engine -----------------------------------------------------
    def _facts(self, **preload: Any) -> FactSet:
        now = datetime.now(timezone.utc).astimezone()
        facts = FactSet(self.target, self.policy, ScanOptions(lang=self.opts.lang, now=now), self.registry)
        for key, value in preload.items():
            facts.preload(key.replace("__", "."), value)
        return facts

    def evaluate(self, checks: Sequence[Check], facts: Optional[FactSet] = None, complete: bool = True,
                 trigger: Optional[Mapping[str, Any]] = None) -> FactSet:
        """Run ``checks`` on ``facts`` (a fresh read when None) and report what changed.

        ``complete``: the facts are the whole state, so an active problem of these checks that
        is no longer found has ended. A partial view (one route message, the processes just
        exec'd) only adds problems.
        """
        facts = facts if facts is not None else self._facts()
        lang = self.opts.lang
        findings: List[Finding] = []
        for check in checks:
            findings.extend(evaluate_check(check, facts, self.policy, lang))
        findings = apply_waivers(findings, self.policy.waivers, datetime.now(timezone.utc), lang)
        current = {(f.check, f.subject, f.status.value): f for f in findings if f.status in (Status.FAIL, Status.ERROR)}
        for key, f in current.items():
            if key not in self.active:
                self.since[key] = _now()
                data: Dict[str, Any] = dict(finding_data(f))
                if trigger:
                    data["trigger"] = dict(trigger)
                self.emit("violation" if f.status is Status.FAIL else "error", data)
            self.active[key] = f
        if complete:
            scope = {c.id for c in checks}
            for key in [k for k in self.active if k[0] in scope and k not in current]:
                f = self.active.pop(key)
                self.emit("resolved", {"check": f.check, "status": f.status.value, "severity": f.severity.value,
                                       "subject": f.subject, "since": self.since.pop(key, ""),
                                       "message": t("watch.resolved", lang, subject=f.subject)})
        return facts

    def recheck(self) -> None:
        """Everything re-read: the network checks, and the event checks whose source is unavailable."""
        facts = self.evaluate(self.checks + self.polled)
        try:
            routing: Routing = facts.get("network.routing")
            self._rules = routing.rules
        except Exception:  # noqa: BLE001 - reported by the check itself; route messages then use the kernel's default rules
            pass

    # --- rtnetlink: judge each route message -----------------------------------------------
    def _on_rtnetlink(self, data: bytes) -> None:
        counter = self._source("rtnetlink").counter
        resolve = kevents.ifname_resolver(self._ifnames)
        for mtype, _flags, payload in kevents.netlink_messages(data):
            counter.received += 1
            if mtype == kevents.RTM_NEWLINK:
                named = kevents.link_name(payload)
                if named:
                    self._ifnames[named[0]] = named[1]
            elif mtype == kevents.RTM_NEWROUTE and self.route_checks:
                if len(self._routes) >= MAX_QUEUED:
                    counter.dropped += 1
                    continue
                self._routes.extend(kevents.routes_of_message(payload, resolve, self._table_names))
        self._settle()

    def _settle(self) -> None:
        """Re-read once a burst has been quiet for DEBOUNCE, but never later than MAX_SETTLE after its
        start: a steady stream of changes must not postpone the re-read for ever."""
        now = time.monotonic()
        if self._burst_start is None:
            self._burst_start = now
        self._recheck_due = min(now + DEBOUNCE, self._burst_start + MAX_SETTLE)

    def judge_route_messages(self) -> None:
        routes, self._routes = self._routes, []
        if not routes:
            return
        routing = Routing(routes=tuple(routes), rules=self._rules, source="rtnetlink")
        self.evaluate(self.route_checks, self._facts(network__routing=routing), complete=False,
                      trigger={"source": "rtnetlink", "routes": len(routes)})

    # --- uevents: USB storage --------------------------------------------------------------
    def _on_uevent(self, data: bytes) -> None:
        self._source("uevent").counter.received += 1
        ev = kevents.parse_uevent(data)
        if ev is None or ev.get("SUBSYSTEM") not in USB_SUBSYSTEMS:
            return
        if not self._usb_trigger:  # the first event of a burst names it
            self._usb_trigger = {"source": "uevent", **{k.lower(): ev[k] for k in
                                                        ("ACTION", "DEVPATH", "SUBSYSTEM", "DEVTYPE", "DEVNAME",
                                                         "DRIVER", "SEQNUM", "SYNTH_UUID") if k in ev}}
        self._usb_due = min(self._usb_due, time.monotonic() + USB_SETTLE)

    def check_usb(self) -> None:
        trigger, self._usb_trigger, self._usb_due = self._usb_trigger, {}, math.inf
        self.evaluate(self.usb_checks, trigger=trigger)

    # --- process connector: forbidden processes --------------------------------------------
    def _on_proc_event(self, data: bytes) -> None:
        counter = self._source("process").counter
        for ev in kevents.parse_proc_events(data):
            counter.received += 1
            if ev.what in (kevents.PROC_EVENT_EXEC, kevents.PROC_EVENT_COMM):
                if len(self._exec_pids) >= MAX_QUEUED:
                    counter.dropped += 1
                    self._processes_due = time.monotonic()  # what we could not queue, a full read still sees
                    continue
                self._exec_pids[ev.tgid] = None
            elif ev.what == kevents.PROC_EVENT_EXIT and ev.pid == ev.tgid and ev.tgid in self._flagged_pids():
                self._processes_due = min(self._processes_due, time.monotonic())

    def _flagged_pids(self) -> Set[int]:
        out = set()
        for check, subject, _status in self.active:
            m = _PID_SUBJECT.search(subject) if check in PROCESS_CHECKS else None
            if m:
                out.add(int(m.group(1)))
        return out

    def judge_new_processes(self) -> None:
        from .collect.software import read_process

        pids, self._exec_pids = list(self._exec_pids), {}
        procs = tuple(p for p in (read_process(pid) for pid in pids) if p is not None)
        self._source("process").counter.vanished += len(pids) - len(procs)
        if procs:
            self.evaluate(self.process_checks, self._facts(software__processes=procs), complete=False,
                          trigger={"source": "process connector", "exec": len(pids)})

    def check_processes(self) -> None:
        self._processes_due = math.inf
        self.evaluate(self.process_checks, trigger={"source": "process connector", "exit": True})

    # --- live traffic ----------------------------------------------------------------------
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

    def _flow_findings(self, flows: Sequence[Flow], overflow: bool) -> List[Finding]:
        """network.live-traffic, through the engine, on the new flows (and the table-full notice)."""
        cap = self.capturer
        assert cap is not None
        now = time.time()
        result = CaptureResult(seconds=0.0, started=now, ended=now, interfaces=(), flows=tuple(flows),
                               max_flows=cap.max_flows, overflow_flows=cap.overflow_flows if overflow else 0,
                               overflow_packets=cap.overflow_packets if overflow else 0)
        facts = self._facts(network__capture=result)
        findings = evaluate_check(LIVE_TRAFFIC, facts, self.policy, self.opts.lang)
        findings = apply_waivers(findings, self.policy.waivers, datetime.now(timezone.utc), self.opts.lang)
        return [f for f in findings if f.status in (Status.FAIL, Status.WAIVED, Status.ERROR)]

    def _flows_changed(self) -> None:
        cap = self.capturer
        if cap is None:
            return
        new = cap.take_new()
        overflow = cap.overflow_flows > self._overflow_seen and time.monotonic() >= self._overflow_next
        if new or overflow:
            if overflow:  # the table is full: say so (rate-limited) instead of silently not tracking new flows
                self._overflow_seen = cap.overflow_flows
                self._overflow_next = time.monotonic() + self.opts.flow_idle
            for finding in self._flow_findings(new, overflow):
                if finding.status is Status.WAIVED:
                    self._waived_flows.add(finding.subject)
                    continue
                self.emit("violation" if finding.status is Status.FAIL else "error", finding_data(finding))
        if new:  # a packet outside policy: the socket that sent it is open now — look at once
            self._settle()
        for flow in cap.expire(self.opts.flow_idle):
            if flow.describe() in self._waived_flows:
                self._waived_flows.discard(flow.describe())
                continue
            self.emit("resolved", {"check": LIVE_TRAFFIC.id, "status": "fail", "severity": LIVE_TRAFFIC.severity.value,
                                   "subject": flow.describe(), "packets": flow.packets, "bytes": flow.bytes,
                                   "message": t("watch.flow_ended", self.opts.lang, flow=flow.describe(),
                                                packets=flow.packets, bytes=flow.bytes)})

    # --- event sources ---------------------------------------------------------------------
    def _source(self, name: str) -> Source:
        return next(s for s in self.sources.values() if s.name == name)

    def _open_sources(self) -> Dict[str, str]:
        """Open every kernel event socket; returns name -> "" (on) or why it is off."""
        wanted: List[Tuple[str, Callable[[], socket.socket], Callable[[bytes], None], Tuple[Check, ...]]] = [
            ("rtnetlink", kevents.open_rtnetlink, self._on_rtnetlink, ()),
            ("uevent", kevents.open_uevents, self._on_uevent, self.usb_checks),
            ("process", kevents.open_proc_connector, self._on_proc_event, self.process_checks),
        ]
        status: Dict[str, str] = {}
        polled: List[Check] = []
        for name, opener, handle, checks in wanted:
            if name != "rtnetlink" and not checks:
                status[name] = t("watch.source_disabled", self.opts.lang)
                continue
            try:
                sock = opener()
            except (OSError, AttributeError) as exc:
                polled.extend(checks)  # no events: the interval re-check covers them instead
                status[name] = getattr(exc, "strerror", None) or str(exc)
                continue
            self.sources[sock.fileno()] = Source(name, sock, handle)
            status[name] = ""
        self.polled = tuple(polled)
        return status

    def _drain(self, source: Source) -> None:
        """Read what is queued, at most DRAIN_BATCH datagrams: the loop judges them before reading on,
        so a long burst waits in the kernel's buffer rather than overflowing ours."""
        for _ in range(DRAIN_BATCH):
            try:
                data = source.sock.recv(1 << 16)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # ENOBUFS: the kernel dropped messages for us; say so, and re-read the state
                source.counter.overruns += 1
                self._recheck_due = time.monotonic()
                if source.name == "uevent":
                    self._usb_due = time.monotonic()
                if source.name == "process":
                    self._processes_due = time.monotonic()
                continue
            source.handle(data)

    def _report_drops(self) -> None:
        for source in self.sources.values():
            c = source.counter
            if c.unreported():
                c.reported = (c.dropped, c.overruns)
                self.emit("dropped", {"source": source.name, "dropped": c.dropped, "kernel_overruns": c.overruns,
                                      "received": c.received,
                                      "message": t("watch.dropped", self.opts.lang, source=source.name,
                                                   dropped=c.dropped, overruns=c.overruns)})

    # --- the loop --------------------------------------------------------------------------
    def stop(self, *_args: object) -> None:
        self.stopping = True
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    def run(self) -> int:
        lang = self.opts.lang
        try:
            self._table_names.update({v: k for k, v in _table_names(self.target).items()})
        except Exception:  # noqa: BLE001 - unnamed tables are shown by number, as ip does
            pass
        status = self._open_sources()
        if self.opts.syslog:
            import syslog

            syslog.openlog("ybguard-watch", syslog.LOG_PID, syslog.LOG_DAEMON)
        if self.opts.capture:
            self._start_capture()
        on, off = t("watch.yes", lang), t("watch.no", lang)
        self._note("watch.started", n=len(self.checks), interval=f"{self.opts.interval:g}",
                   capture=on if self.capturer else off, netlink=on if not status["rtnetlink"] else off)
        self._note("watch.sources", usb=on if not status["uevent"] else f"{off} ({status['uevent']})",
                   processes=on if not status["process"] else f"{off} ({status['process']})")
        if self.usb_checks:
            self.evaluate(self.usb_checks)  # what is plugged in already
        if self.process_checks:
            self.evaluate(self.process_checks)  # what runs already
        next_check = 0.0
        next_expire = time.monotonic() + 1.0
        self._recheck_due = math.inf
        try:
            while not self.stopping:
                now = time.monotonic()
                if now >= min(next_check, self._recheck_due):
                    self.recheck()
                    self._sync_capture()
                    next_check = time.monotonic() + self.opts.interval
                    self._recheck_due, self._burst_start = math.inf, None
                taps = {tap.sock.fileno(): tap for tap in self.capturer.taps.values()} if self.capturer else {}
                fds = [self._wake_r, *taps, *self.sources]
                wake = min(next_check, next_expire, self._recheck_due, self._usb_due, self._processes_due)
                ready, _, _ = select.select(fds, [], [], max(0.0, wake - time.monotonic()))
                for fd in ready:
                    if fd == self._wake_r:
                        os.read(self._wake_r, 64)
                    elif fd in self.sources:
                        self._drain(self.sources[fd])
                    elif fd in taps and self.capturer is not None:
                        self.capturer.drain(taps[fd])
                self.judge_route_messages()
                if self._exec_pids:
                    self.judge_new_processes()
                if time.monotonic() >= self._processes_due:
                    self.check_processes()
                if time.monotonic() >= self._usb_due:
                    self.check_usb()
                self._report_drops()
                if self.capturer is not None and (self.capturer.new_keys or time.monotonic() >= next_expire):
                    self._flows_changed()
                    next_expire = time.monotonic() + 1.0
        finally:
            self.close()
        counts = {s.name: s.counter for s in self.sources.values()}
        self._note("watch.stopped")
        for name, c in counts.items():
            self._note("watch.counts", source=name, received=c.received, dropped=c.dropped, overruns=c.overruns)
            if c.vanished:
                self._note("watch.vanished", n=c.vanished)
        return 0

    def close(self) -> None:
        if self.capturer is not None:
            self.capturer.close()
        for source in self.sources.values():
            source.sock.close()
        deadline = time.monotonic() + min(self.opts.hook_timeout, 10.0)
        for th in self.hooks:  # a cut-off command started just before SIGTERM still gets to finish
            th.join(max(0.0, deadline - time.monotonic()))
        wake = (self._wake_r, self._wake_w)
        self._wake_r = self._wake_w = -1  # a late signal must not write into a reused descriptor
        for fd in wake:
            os.close(fd)


def _table_names(target: Target) -> Dict[str, int]:
    from .collect.network import read_table_names

    return read_table_names(target)


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
