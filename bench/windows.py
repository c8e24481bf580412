"""Windows speed: the portable build under Wine, and the offline scan of each real hive.

    .venv/bin/python bench/windows.py [HIVE_DIR] [--no-wine]

Portable build (dist/ybguard-VERSION-windows-amd64.zip, built when missing): the zip's size,
then under Wine (a fresh prefix, zh_CN locale, output piped) ``ybguard.cmd --help`` and a full
live scan of the Wine machine, median of 5 each, wall clock including Wine's process start.

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
from ybguard.collect.windows.common import REMOVABLE_POLICY, UNINSTALL
from ybguard.collect.windows.netservices import INTERNET_SETTINGS, _proxy_settings
from ybguard.collect.windows.software import _uninstall_entries
from ybguard.policy.schema import Policy
from ybguard.target import open_target
from ybguard.target.windows import RegipyHive, _user_hive

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent / "tests" / "data" / "windows" / "hives"
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


def wine_numbers() -> None:
    """Zip size; --help and a full live scan under Wine, median of 5 (seconds)."""
    sys.path.insert(0, str(HERE.parent / "tests" / "windows"))
    from wine import WinePrefix, build_dir, build_zip, make_template, wine_missing

    zip_path = build_zip()
    print(f"{zip_path.name}: {zip_path.stat().st_size / 1e6:.1f} MB")
    why = wine_missing()
    if why:
        print(f"wine: skipped ({why})")
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        build = build_dir(work / "build")
        template = make_template(work / "template")
        prefix = WinePrefix(template, work / "prefix", build)
        try:
            for label, args in (("ybguard.cmd --help", ["--help"]),
                                ("ybguard.cmd scan --format json (live, Wine)", ["scan", "--format", "json"])):
                runs = []
                for _ in range(RUNS):
                    t0 = time.perf_counter()
                    prefix.ybguard(args, lang="zh")
                    runs.append(time.perf_counter() - t0)
                print(f"{label:<48} median {statistics.median(runs):.2f} s (runs {', '.join(f'{r:.2f}' for r in runs)})")
        finally:
            prefix.close()


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--no-wine" not in sys.argv:
        wine_numbers()
    src = Path(args[0]) if args else DEFAULT
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
