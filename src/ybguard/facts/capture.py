"""Live-traffic and probe facts (live only).

Fact keys and their values:
  network.capture -> CaptureResult | NotRequested   (``--capture SECONDS`` / policy capture.seconds)
  network.probe   -> ProbeResult | NotRequested     (``--probe`` / policy probe.enabled)

``NotRequested`` is a value, not an error: the operator did not ask for packets to be watched
or sent, so the check says exactly that (``not_applicable``) instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple


@dataclass(frozen=True)
class NotRequested:
    reason: str  # i18n key, e.g. "capture.not_requested"


@dataclass(frozen=True)
class Flow:
    """Packets outside policy that share interface, protocol, addresses and ports (both directions)."""

    interface: str
    protocol: str  # "tcp", "udp", "icmp", "icmp6", "ip-proto-47", "ethertype-0x8864"
    src: str  # address of the first packet's sender (MAC for non-IP frames)
    dst: str
    sport: Optional[int] = None
    dport: Optional[int] = None
    packets: int = 0
    bytes: int = 0
    first_seen: float = 0.0  # epoch seconds
    last_seen: float = 0.0
    process: str = ""  # "name (pid N)"; "" when the kernel could not tell us

    def describe(self) -> str:
        a = self.src if self.sport is None else _endpoint(self.src, self.sport)
        b = self.dst if self.dport is None else _endpoint(self.dst, self.dport)
        return f"{self.interface} {self.protocol} {a} -> {b}"


def _endpoint(addr: str, port: int) -> str:
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


@dataclass(frozen=True)
class InterfaceCapture:
    """How one interface was watched: the filter, whether the kernel ran it, and its counters."""

    name: str
    linktype: str  # "ethernet" | "raw"
    filter: str  # tcpdump syntax, exactly as compiled
    kernel_filter: bool  # False: the filter could not be compiled, every packet went to Python
    compile_error: str = ""
    passed: int = 0  # packets the kernel handed to ybguard (PACKET_STATISTICS tp_packets)
    drops: int = 0  # packets the kernel dropped because ybguard's socket buffer was full
    outside_policy: int = 0  # packets ybguard counted into flows


@dataclass(frozen=True)
class CaptureResult:
    seconds: float
    started: float  # epoch seconds
    ended: float
    interfaces: Tuple[InterfaceCapture, ...]
    flows: Tuple[Flow, ...]
    max_flows: int = 0
    overflow_flows: int = 0  # flows not kept because the flow table was full
    overflow_packets: int = 0
    not_captured: Tuple[Tuple[str, str], ...] = ()  # (interface, why) — up but not watched


@dataclass(frozen=True)
class ProbeOutcome:
    kind: str  # tcp | dns | http
    target: str  # as written in the policy
    reached: bool  # True: something on the far side answered
    answered_by: str = ""  # "198.51.100.10:443", "resolver 198.51.100.53" …
    peer: str = ""  # the bare address that answered (for the route lookup)
    interface: str = ""  # the interface the kernel chose
    source: str = ""  # our source address
    detail: str = ""  # what answered, or why nothing did
    error: str = ""  # the probe could not be run at all (not a quiet failure)
    elapsed_ms: int = 0


@dataclass(frozen=True)
class ProbeResult:
    timeout_seconds: float
    outcomes: Tuple[ProbeOutcome, ...]
