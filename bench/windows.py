"""Offline Windows scan speed, per hive: open the hive and collect every fact that reads it.

    .venv/bin/python bench/windows.py [path/to/shared/fixtures/windows-hives]

SYSTEM hives: a --hives directory holding only that SYSTEM, every Windows fact collected
(the SOFTWARE-only facts fail fast and count too). SOFTWARE and NTUSER hives: the hive
opened and everything the collectors read from it (Uninstall in both views, policies,
NetworkList, proxy settings). Median of 5 runs, in milliseconds; the target is < 1000 ms each.
"""

from __future__ import annotations

import lzma
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List

from ybguard.collect import FactSet, ScanOptions, registry_for
from ybguard.collect.windows import (
    INTERNET_SETTINGS,
    REMOVABLE_POLICY,
    UNINSTALL,
    _proxy_settings,
    _uninstall_entries,
)
from ybguard.policy.schema import Policy
from ybguard.target import open_target
from ybguard.target.windows import RegipyHive, _user_hive

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent.parent / "shared" / "fixtures" / "windows-hives"
RUNS = 5


def median_ms(fn: Callable[[], object]) -> float:
    times: List[float] = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def unpack(src: Path, dest: Path) -> Path:
    if src.suffix == ".xz":
        with lzma.open(src) as fin, open(dest, "wb") as fout:
            shutil.copyfileobj(fin, fout)
    else:
        shutil.copyfile(src, dest)
    return dest


def system_scan(directory: Path) -> None:
    target = open_target(None, str(directory))
    facts = FactSet(target, Policy(), ScanOptions(), registry_for("windows"))
    for key in registry_for("windows"):
        try:
            facts.get(key)
        except Exception:  # noqa: BLE001 - failures are part of the work measured
            pass


def software_scan(path: Path) -> None:
    hive = RegipyHive(str(path), "HKLM\\SOFTWARE")
    _uninstall_entries(hive.key(UNINSTALL))
    _uninstall_entries(hive.key(f"WOW6432Node\\{UNINSTALL}"))
    hive.key(REMOVABLE_POLICY)
    hive.key("Microsoft\\Windows NT\\CurrentVersion\\NetworkList\\Profiles")
    _proxy_settings(hive.key(INTERNET_SETTINGS))


def ntuser_scan(path: Path) -> None:
    user = _user_hive(str(path), "user")
    _uninstall_entries(user.software_key(UNINSTALL))
    _proxy_settings(user.software_key(INTERNET_SETTINGS))
    user.software_key(REMOVABLE_POLICY)


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"{'hive':<48} {'bytes':>10} {'ms':>8}")
        for name in sorted(p.name for p in src.iterdir() if p.name != "README.md"):
            path = unpack(src / name, work / name.replace(".xz", ""))
            if name.startswith("SYSTEM"):
                directory = work / (name + ".d")
                directory.mkdir()
                shutil.copyfile(path, directory / "SYSTEM")
                ms = median_ms(lambda d=directory: system_scan(d))
            elif name.startswith("SOFTWARE"):
                ms = median_ms(lambda p=path: software_scan(p))
            else:
                ms = median_ms(lambda p=path: ntuser_scan(p))
            print(f"{name:<48} {path.stat().st_size:>10} {ms:>8.1f}")


if __name__ == "__main__":
    main()
