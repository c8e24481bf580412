"""time.offset: a real SNTP exchange with a small NTP server on 127.0.0.1 (loopback only)."""

from __future__ import annotations

import socket
import threading
from typing import Iterator, Tuple

import pytest

from sntppeer import sntp_serve
from ybguard.checks import ALL_CHECKS, select_checks
from ybguard.collect import ScanOptions
from ybguard.collect.timesync import sntp_offset
from ybguard.engine import run_scan
from ybguard.models import Status
from ybguard.policy.schema import Policy, TimePolicy
from ybguard.target import LiveLinuxTarget

_serve = sntp_serve  # the shared loopback SNTP server (tests/sntppeer.py)


@pytest.fixture
def ntp_server(request: pytest.FixtureRequest) -> Iterator[Tuple[str, float]]:
    skew = request.param
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    stop = threading.Event()
    thread = threading.Thread(target=_serve, args=(sock, skew, stop), daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}", skew
    finally:
        stop.set()
        thread.join()
        sock.close()


@pytest.mark.parametrize("ntp_server", [0.0, 100.0, -300.0], indirect=True)
def test_sntp_measures_offset(ntp_server: Tuple[str, float]) -> None:
    server, skew = ntp_server
    sample = sntp_offset(server, timeout=2)
    assert sample.error == "" and sample.address == "127.0.0.1"
    assert sample.offset_seconds is not None and abs(sample.offset_seconds - skew) < 0.5


def _offset_scan(servers: Tuple[str, ...], probe: bool) -> dict:
    policy = Policy(time=TimePolicy(ntp_servers=servers, max_offset_seconds=60))
    report = run_scan(policy, LiveLinuxTarget(), select_checks(ALL_CHECKS, ["time.offset"]),
                      ScanOptions(probe=probe))
    return {(f.subject, f.status) for f in report.findings}


@pytest.mark.parametrize("ntp_server", [100.0], indirect=True)
def test_time_offset_check(ntp_server: Tuple[str, float]) -> None:
    server, _ = ntp_server
    closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    closed.bind(("127.0.0.1", 0))
    dead = f"127.0.0.1:{closed.getsockname()[1]}"
    closed.close()  # nobody listens: ICMP port unreachable on loopback
    assert _offset_scan((server, dead), probe=True) == {(server, Status.FAIL), (dead, Status.ERROR)}
    assert _offset_scan((server,), probe=False) == {("time sync", Status.NOT_APPLICABLE)}


@pytest.mark.parametrize("ntp_server", [3.0], indirect=True)
def test_time_offset_within_limit(ntp_server: Tuple[str, float]) -> None:
    server, _ = ntp_server
    assert _offset_scan((server,), probe=True) == {(server, Status.PASS)}
