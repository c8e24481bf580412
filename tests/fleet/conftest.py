"""Fixtures of the fleet tests: a report writer and the real CLI in a subprocess."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleetdata import make_report, write_report  # noqa: E402
from fleethelpers import FWD, MIDS, ROUTE, WLAN, ybguard  # noqa: E402


@pytest.fixture
def reports(tmp_path: Path):  # type: ignore[no-untyped-def]
    """write(name, hostname, machine_id, started_at, **findings) -> Path under tmp_path/reports."""
    base = tmp_path / "reports"

    def write(name: str, hostname: str, machine_id: str, started_at: str, **kw: Any) -> Path:
        return write_report(base / name, make_report(hostname, machine_id, started_at, **kw))

    write.base = base  # type: ignore[attr-defined]
    return write




@pytest.fixture
def fleet_db(tmp_path, reports):
    """Five terminals over three nights (nights are named by their morning; NOW is 12-02 08:00 +08:00)."""
    site = {"hospital": "市第一人民医院", "department": "门诊收费", "asset_id": "YB-0017"}
    # t1: default route on night 1, fixed on night 2 but forwarding appeared
    reports("n1/t1.json", "YB-T1", MIDS["t1"], "2026-12-01T02:00:00+08:00", fails=[ROUTE], site=site)
    reports("n2/t1.json", "YB-T1", MIDS["t1"], "2026-12-02T02:00:00+08:00", fails=[FWD], site=site)
    # t2: compliant both nights, a waiver in force that expires in 3 days, another in 30 days
    waivers = [(*WLAN, "2026-12-05T18:00:00+08:00", False), ("usb.storage-attached", "sdb", "2027-01-01T00:00:00+08:00", False)]
    reports("n1/t2.json", "YB-T2", MIDS["t2"], "2026-12-01T02:00:00+08:00", waivers=waivers)
    reports("n2/t2.json", "YB-T2", MIDS["t2"], "2026-12-02T02:05:00+08:00", waivers=waivers)
    # t3: last reported two nights ago (off since) -> stale; its waiver had expired: a fail
    reports("n0/t3.json", "YB-T3", MIDS["t3"], "2026-11-30T02:00:00+08:00",
            waivers=[(*WLAN, "2026-11-29T18:00:00+08:00", True)])
    # t4: incomplete (shadow unreadable) then the same error again: nothing new
    reports("n1/t4.json", "YB-T4", MIDS["t4"], "2026-12-01T02:00:00+08:00", errors=["accounts.empty-password"])
    reports("n2/t4.json", "YB-T4", MIDS["t4"], "2026-12-02T02:00:00+08:00", errors=["accounts.empty-password"])
    # t5: a second PC also called YB-T1 (same default name), first report this night, default route
    reports("n2/t5.json", "YB-T1", MIDS["t5"], "2026-12-02T01:50:00+08:00", fails=[ROUTE])
    db = tmp_path / "fleet.db"
    r = ybguard("fleet", "ingest", "--db", str(db), str(reports.base))
    assert r.returncode == 0, r.stderr
    return db
