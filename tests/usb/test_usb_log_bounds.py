"""Kernel logs are read within bounds (issue 11 item 15): a gzip that inflates to gigabytes, a
file of newlines, one endless line or a sparse 2 GiB syslog cost seconds and megabytes, and
the report says what was not read. Limits are lowered here where the real ones would make the
test slow; bench/hostile.py measures the real ones on the full-size files."""

from __future__ import annotations

import gzip
import resource
import time
import zlib
from pathlib import Path

import pytest
from usbhelp import DATA, NOW, default_policy

from ybguard.checks import ALL_CHECKS, select_checks
from ybguard.collect import ScanOptions
from ybguard.collect import usb as usbmod
from ybguard.engine import run_scan
from ybguard.models import Status
from ybguard.target import RootfsTarget

KERN = (DATA / "logs" / "kern.log").read_bytes()
MiB = 1024 * 1024


def _gzip_stream(path: Path, prefix: bytes, filler: bytes, total: int, suffix: bytes = b"") -> None:
    """A .gz of ``total`` bytes of ``filler`` without ever holding them (2 MB on disk for 2 GiB)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = filler * (MiB // len(filler))
    with open(path, "wb") as fh:
        fh.write(comp.compress(prefix))
        for _ in range(total // len(block)):
            fh.write(comp.compress(block))
        fh.write(comp.compress(suffix))
        fh.write(comp.flush())


def _history(root: Path):  # type: ignore[no-untyped-def]
    return usbmod.read_history(RootfsTarget(str(root)))


def _logdir(tmp: Path) -> Path:
    d = tmp / "var/log"
    d.mkdir(parents=True)
    return d


def test_gzip_bomb_stops_at_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usbmod, "MAX_LOG_BYTES", 8 * MiB)
    _gzip_stream(_logdir(tmp_path) / "kern.log.1.gz", KERN, b"x" * 99 + b"\n", 64 * MiB)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    got = _history(tmp_path)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 64 * 1024  # KiB
    assert [s.device for s in got] == ["SanDisk Cruzer Blade", "Seagate Expansion"]  # read before the limit
    assert got.gaps == (("/var/log/kern.log.1.gz", "stopped after 8 MiB of text"),)


def test_all_newlines_stop_at_the_time_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usbmod, "MAX_LOG_SECONDS", 0.3)
    _gzip_stream(_logdir(tmp_path) / "kern.log.1.gz", b"", b"\n", 48 * MiB)
    start = time.monotonic()
    got = _history(tmp_path)
    assert time.monotonic() - start < 10
    assert len(got.gaps) == 1 and "stopped after 0 s" in got.gaps[0][1]


def test_endless_line_is_cut_and_the_next_lines_still_read(tmp_path: Path) -> None:
    (_logdir(tmp_path) / "kern.log").write_bytes(b"A" * (40 * MiB) + b"\n" + KERN)
    got = _history(tmp_path)
    assert [s.device for s in got] == ["SanDisk Cruzer Blade", "Seagate Expansion"]
    assert got.gaps == (("/var/log/kern.log", "1 lines longer than 16 KiB cut"),)


def test_sparse_2gib_syslog_is_read_from_its_end(tmp_path: Path) -> None:
    path = _logdir(tmp_path) / "syslog"
    with open(path, "wb") as fh:
        fh.truncate(2 * 1024 * MiB)  # sparse: no disk used
        fh.seek(0, 2)
        fh.write(b"\n" + KERN)
    start = time.monotonic()
    got = _history(tmp_path)
    assert time.monotonic() - start < 60
    assert [s.device for s in got] == ["SanDisk Cruzer Blade", "Seagate Expansion"]  # the newest lines
    assert ("/var/log/syslog", "only the last 256 MiB of 2048 MiB read") in got.gaps


def test_corrupt_gzip_is_a_gap(tmp_path: Path) -> None:
    data = gzip.compress(KERN * 50)
    (_logdir(tmp_path) / "kern.log.2.gz").write_bytes(data[: len(data) // 2])
    got = _history(tmp_path)
    assert got.gaps and got.gaps[0][0] == "/var/log/kern.log.2.gz" and "unreadable" in got.gaps[0][1]


def test_check_says_what_was_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usbmod, "MAX_LOG_BYTES", 1 * MiB)
    logs = _logdir(tmp_path)
    _gzip_stream(logs / "kern.log.1.gz", b"", b"x" * 99 + b"\n", 8 * MiB, KERN)  # sighting past the limit
    checks = select_checks(ALL_CHECKS, ["usb.storage-history"])
    report = run_scan(default_policy(), RootfsTarget(str(tmp_path)), checks, ScanOptions(lang="en", now=NOW))
    [f] = report.findings
    assert f.status is Status.ERROR  # nothing found in what was read proves nothing for the rest
    assert [(e.source, e.detail) for e in f.evidence] == [("/var/log/kern.log.1.gz", "stopped after 1 MiB of text")]
    (logs / "kern.log").write_bytes(KERN)
    report = run_scan(default_policy(), RootfsTarget(str(tmp_path)), checks, ScanOptions(lang="en", now=NOW))
    assert {f.status for f in report.findings} == {Status.FAIL}
    assert all(any(e.detail == "stopped after 1 MiB of text" for e in f.evidence) for f in report.findings)
