"""Windows event logs (.evtx): the events that prove past violations, read from a mounted
volume (``Windows/System32/winevt/Logs``) or, on a live host, from a private copy that
``wevtutil epl`` exports (the Event Log service holds the live files open).

The parser is the Rust-backed ``evtx`` package (pyevtx-rs; abi3 wheels for x86_64, aarch64 and
win_amd64, Python >= 3.7), imported lazily. It is chosen by measurement (bench/history.py): on a
2 MB Security.evtx of 2,261 records it takes 0.01 s where pure-Python ``python-evtx`` takes
17 s and, on a System.evtx, returned only 326 of 1,881 records. Where no ``evtx`` wheel exists
(loongarch64), ``python-evtx`` is used if installed, else the fact is an ``error`` naming the
missing parser — never a pass.

Only events whose provider and id are asked for are turned into records; the rest are skipped
on a cheap string test before any XML is parsed. Time stamps are UTC (the ``SystemTime`` the
log stores).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, FrozenSet, Iterator, List, Mapping, Optional, Tuple

from ..target.interface import FileTooLarge, NotRegularFile, Target, Unsupported
from .interface import FactError

MAX_LOG_BYTES = 1024 * 1024 * 1024
LOG_DIR = "Windows/System32/winevt/Logs"
_NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
_EVENT_ID = re.compile(r"<EventID[^>]*>(\d+)</EventID>")
_PROVIDER = re.compile(r'<Provider Name="([^"]*)"')

# Accounts that are the system itself: a clock set by one of them is a service, not a person.
SERVICE_SIDS = frozenset({"S-1-5-18", "S-1-5-19", "S-1-5-20"})


@dataclass(frozen=True)
class Event:
    provider: str
    event_id: int
    when: Optional[datetime]  # TimeCreated SystemTime, UTC
    record_id: int
    computer: str
    user_sid: str  # System/Security UserID ("" when the event has none)
    data: Mapping[str, str]  # EventData Name -> text
    source: str  # the log file, as named on the target


def is_user_sid(sid: str) -> bool:
    """A SID of a person's account (local or domain S-1-5-21-…, Azure AD S-1-12-1-…)."""
    return sid.upper().startswith(("S-1-5-21-", "S-1-12-1-"))


def parse_event_xml(xml: str, source: str, record_id: int = 0) -> Optional[Event]:
    """One event record's XML -> Event; None when it is not well-formed."""
    try:
        root = ET.fromstring(xml.encode("utf-8") if xml.startswith("<?xml") else xml)
    except ET.ParseError:
        return None
    system = root.find(f"{_NS}System")
    if system is None:
        return None
    provider = system.find(f"{_NS}Provider")
    eid = system.find(f"{_NS}EventID")
    created = system.find(f"{_NS}TimeCreated")
    security = system.find(f"{_NS}Security")
    computer = system.find(f"{_NS}Computer")
    rec = system.find(f"{_NS}EventRecordID")
    data: Dict[str, str] = {}
    for block in (root.find(f"{_NS}EventData"), root.find(f"{_NS}UserData")):
        if block is None:
            continue
        for item in block.iter():
            name = item.get("Name") if item.tag == f"{_NS}Data" else None
            if name:
                data[name] = (item.text or "").strip()
            elif item is not block and len(item) == 0 and item.tag.rsplit("}", 1)[-1] not in data:
                data[item.tag.rsplit("}", 1)[-1]] = (item.text or "").strip()  # UserData children
    try:
        event_id = int((eid.text or "").strip()) if eid is not None else -1
    except ValueError:
        event_id = -1
    return Event(
        provider=provider.get("Name", "") if provider is not None else "",
        event_id=event_id,
        when=parse_system_time(created.get("SystemTime", "")) if created is not None else None,
        record_id=int(rec.text or "0") if rec is not None and (rec.text or "").strip().isdigit() else record_id,
        computer=(computer.text or "").strip() if computer is not None else "",
        user_sid=security.get("UserID", "") if security is not None else "",
        data=data, source=source,
    )


def parse_system_time(text: str) -> Optional[datetime]:
    """``2016-07-08T22:16:31.245000Z`` (7 fraction digits too) -> aware UTC datetime."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z?$", text.strip())
    if not m:
        return None
    base = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    frac = (m.group(2) or "0")[:6].ljust(6, "0")
    return base.replace(microsecond=int(frac))


def _records(path: str) -> Iterator[Tuple[int, str]]:
    """(record id, XML) of every record in an .evtx file on the scanning host."""
    import importlib

    try:
        rust: Any = importlib.import_module("evtx")
    except ImportError:
        rust = None
    if rust is not None:
        for record in rust.PyEvtxParser(path).records():
            got: Mapping[str, Any] = record if isinstance(record, dict) else {}
            yield int(got.get("event_record_id") or 0), str(got.get("data") or "")
        return
    try:
        import Evtx.Evtx as pyevtx  # type: ignore[import-not-found]
    except ImportError:
        raise FactError("history.reason.no_evtx_parser") from None
    with pyevtx.Evtx(path) as log:
        for record in log.records():
            yield record.record_num(), record.xml()


def check_header(host_file: str, source: str) -> None:
    """An .evtx file starts with ``ElfFile\\0`` and a CRC32 of its first 120 bytes at offset 124.
    A parser given anything else may yield no records at all, which must not read as "no event"."""
    import zlib

    with open(host_file, "rb") as fh:
        head = fh.read(128)
    if len(head) < 128 or head[:8] != b"ElfFile\x00":
        raise FactError("history.reason.evtx_corrupt", source=source, detail="not an .evtx file (no ElfFile header)")
    if zlib.crc32(head[:120]) != int.from_bytes(head[124:128], "little"):
        raise FactError("history.reason.evtx_corrupt", source=source, detail="file header checksum mismatch")


def read_events(host_file: str, source: str, wanted: FrozenSet[Tuple[str, int]]) -> List[Event]:
    """Events of ``wanted`` (provider, id) in one .evtx file already on the scanning host."""
    check_header(host_file, source)
    out: List[Event] = []
    ids = {str(eid) for _, eid in wanted}
    providers = {p for p, _ in wanted}
    try:
        for record_id, xml in _records(host_file):
            m = _EVENT_ID.search(xml)
            if not m or m.group(1) not in ids:
                continue
            p = _PROVIDER.search(xml)
            if not p or p.group(1) not in providers:
                continue
            event = parse_event_xml(xml, source, record_id)
            if event is not None and (event.provider, event.event_id) in wanted:
                out.append(event)
    except FactError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser error on a hostile or damaged log
        raise FactError("history.reason.evtx_corrupt", source=source, detail=f"{type(exc).__name__}: {exc}"[:200]) \
            from None
    return out


def log_path(target: Target, name: str) -> str:
    """The target path of a log by channel file name (``Security``,
    ``Microsoft-Windows-WLAN-AutoConfig%4Operational``)."""
    if target.is_live:
        return os.path.join(os.environ.get("SystemRoot", "C:\\Windows"), "System32", "winevt", "Logs", f"{name}.evtx")
    return f"/{LOG_DIR}/{name}.evtx"


def events_of(target: Target, name: str, wanted: FrozenSet[Tuple[str, int]]) -> Optional[List[Event]]:
    """The wanted events of one log on the target; None when the target has no such log file.

    On a live Windows host the Event Log service keeps the file open, so the channel is exported
    with ``wevtutil epl`` into a private temporary directory and read there."""
    from ..target.windows import WindowsTarget

    if target.os_family != "windows" or not isinstance(target, WindowsTarget):
        raise Unsupported("reason.not_windows")
    if not target.is_live and not getattr(target, "volume", False):
        return None  # a --hives directory has no event logs
    path = log_path(target, name)
    with tempfile.TemporaryDirectory(prefix="ybguard-evtx-") as tmp:
        copy = os.path.join(tmp, f"{name}.evtx")
        if target.is_recorded:
            # collect.cmd ran ``wevtutil epl NAME NAME.evtx`` and kept the file (commands/NAME.evtx)
            target.run(["wevtutil", "epl", name, f"{name}.evtx"], timeout=120)
            with open(copy, "wb") as fh:
                fh.write(target.tool_file(f"{name}.evtx"))
        elif target.is_live:
            channel = name.replace("%4", "/")
            target.run(["wevtutil", "epl", channel, copy], timeout=120)
        else:
            if not target.exists(path):
                return None
            st = target.stat(path)
            if not stat.S_ISREG(st.st_mode):
                raise NotRegularFile("reason.not_regular", path=path)
            if st.st_size > MAX_LOG_BYTES:
                raise FileTooLarge("reason.too_large", path=path, limit=MAX_LOG_BYTES)
            copy = target.host_path(path)  # read in place: an offline image is not written by reading
        return read_events(copy, path, wanted)
