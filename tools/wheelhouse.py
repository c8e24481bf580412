"""Fill a wheelhouse: ybguard and every wheel it needs on each terminal platform, offline-installable.

    python tools/wheelhouse.py DIR --python 3.9 ... --platform manylinux_2_17_x86_64 ...

DIR must already hold the ybguard wheel (``make wheelhouse`` builds it). For every
(Python version, platform) pair this runs ``pip download --only-binary=:all:`` and then
checks the result by resolving ybguard's requirements *as that terminal would*: pip
evaluates environment markers against the machine it runs on, so a Linux build host skips
``colorama; platform_system == "Windows"`` (click needs it on Windows) and any
``python_version < "3.11"`` backport. Whatever a target still lacks is downloaded for it;
the run fails, naming the target and requirement, if a wheel cannot be found.

It also leaves ``DIR/bootstrap/pip.whl`` (a pip that runs on the oldest requested Python):
a terminal without ensurepip installs with ``python wheelhouse/bootstrap/pip.whl/pip install
--no-index --find-links wheelhouse ybguard``. ``SHA256SUMS`` lists every file.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

try:
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.tags import Tag, compatible_tags, cpython_tags
    from packaging.utils import canonicalize_name, parse_wheel_filename
    from packaging.version import Version
except ImportError:  # pragma: no cover - pip always vendors it
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.specifiers import SpecifierSet  # type: ignore[no-redef]
    from pip._vendor.packaging.tags import Tag, compatible_tags, cpython_tags  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import canonicalize_name, parse_wheel_filename  # type: ignore[no-redef]
    from pip._vendor.packaging.version import Version  # type: ignore[no-redef]

MANYLINUX = re.compile(r"^manylinux_2_(\d+)_(\w+)$")
LEGACY = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def platforms(platform: str) -> List[str]:
    """Every platform tag a terminal of ``platform`` accepts (manylinux_2_17 accepts 2_5 … 2_17)."""
    m = MANYLINUX.match(platform)
    if not m:
        return [platform]
    glibc, arch = int(m.group(1)), m.group(2)
    out = []
    for minor in range(glibc, 4, -1):
        out.append(f"manylinux_2_{minor}_{arch}")
        if minor in LEGACY:
            out.append(f"{LEGACY[minor]}_{arch}")
    return out


def marker_env(python: str, platform: str) -> Dict[str, str]:
    windows = platform.startswith("win")
    machine = {"win_amd64": "AMD64", "win32": "x86"}.get(platform, platform.rsplit("_", 1)[-1])
    if platform.endswith("aarch64"):
        machine = "aarch64"
    elif platform.endswith("x86_64"):
        machine = "x86_64"
    return {"python_version": python, "python_full_version": f"{python}.0", "implementation_name": "cpython",
            "implementation_version": f"{python}.0", "platform_python_implementation": "CPython",
            "os_name": "nt" if windows else "posix", "sys_platform": "win32" if windows else "linux",
            "platform_system": "Windows" if windows else "Linux", "platform_machine": machine,
            "platform_release": "", "platform_version": "", "extra": ""}


def target_tags(python: str, platform: str) -> Set[Tag]:
    major, minor = (int(x) for x in python.split("."))
    plats = platforms(platform)
    abis = [f"cp{major}{minor}", "abi3", "none"]
    return set(cpython_tags((major, minor), abis, plats)) | set(compatible_tags((major, minor), f"cp{major}{minor}", plats))


def metadata(wheel: Path) -> Tuple[str, Optional[str], List[str]]:
    """(name, Requires-Python, Requires-Dist lines) of a wheel."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        text = zf.read(name).decode("utf-8", "replace")
    headers = text.split("\n\n", 1)[0].splitlines()
    get = lambda key: [h.split(":", 1)[1].strip() for h in headers if h.lower().startswith(key.lower() + ":")]  # noqa: E731
    requires_python = get("Requires-Python")
    return get("Name")[0], requires_python[0] if requires_python else None, get("Requires-Dist")


def runs_on(wheel: Path, python: str) -> bool:
    """Whether the wheel's Requires-Python admits ``python``."""
    requires_python = metadata(wheel)[1]
    return not requires_python or SpecifierSet(requires_python).contains(Version(f"{python}.0"), prereleases=True)


def wheels(directory: Path) -> Iterator[Tuple[str, Version, Set[Tag], Path]]:
    for path in sorted(directory.glob("*.whl")):
        name, version, _build, tags = parse_wheel_filename(path.name)
        yield canonicalize_name(name), version, set(tags), path


def missing(directory: Path, root: str, python: str, platform: str) -> List[str]:
    """Requirements (closure of ``root``) that no wheel in ``directory`` satisfies for this target."""
    env, tags = marker_env(python, platform), target_tags(python, platform)
    have = [w for w in wheels(directory) if w[2] & tags]
    todo, seen, lacking = [Requirement(root)], set(), []
    while todo:
        req = todo.pop()
        key = str(req)
        if key in seen:
            continue
        seen.add(key)
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        candidates = []
        for name, version, _tags, path in have:
            if name != canonicalize_name(req.name) or not req.specifier.contains(version, prereleases=True):
                continue
            if not runs_on(path, python):
                continue
            candidates.append((version, path))
        if not candidates:
            lacking.append(str(req).split(";")[0].strip())
            continue
        _version, best = max(candidates)
        todo.extend(Requirement(line) for line in metadata(best)[2])  # extras of a dependency: none are used
    return lacking


def pip_download(directory: Path, python: str, platform: str, requirements: Sequence[str]) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--only-binary=:all:",
           "--implementation", "cp", "--python-version", python, "-d", str(directory)]
    for plat in platforms(platform):
        cmd += ["--platform", plat]
    subprocess.run(cmd + list(requirements), check=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("directory", type=Path)
    ap.add_argument("--python", action="append", required=True, help="a terminal's Python version, e.g. 3.9")
    ap.add_argument("--platform", action="append", required=True, help="e.g. manylinux_2_17_x86_64, win_amd64")
    args = ap.parse_args(argv)
    directory: Path = args.directory
    local = sorted(directory.glob("ybguard-*.whl"))
    if not local:
        ap.error(f"{directory} holds no ybguard wheel: build it first (make wheelhouse)")
    root = f"ybguard=={parse_wheel_filename(local[-1].name)[1]}"
    problems = []
    for python in args.python:
        for platform in args.platform:
            pip_download(directory, python, platform, [str(local[-1])])
            for _round in range(5):  # what the host's markers hid, and what that needs in turn
                lacking = missing(directory, root, python, platform)
                if not lacking:
                    break
                pip_download(directory, python, platform, lacking)
            lacking = missing(directory, root, python, platform)
            if lacking:
                problems.append(f"Python {python} on {platform}: no wheel for {', '.join(lacking)}")
            else:
                print(f"wheelhouse: Python {python} on {platform}: complete")
    oldest = min(args.python, key=lambda v: tuple(int(x) for x in v.split(".")))
    pip_download(directory, oldest, args.platform[0], ["pip"])
    pips = [(version, path) for name, version, _t, path in wheels(directory) if name == "pip" and runs_on(path, oldest)]
    (directory / "bootstrap").mkdir(exist_ok=True)
    shutil.copyfile(max(pips)[1], directory / "bootstrap" / "pip.whl")
    files = sorted(p for p in directory.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    with open(directory / "SHA256SUMS", "w", encoding="utf-8") as fh:
        for p in files:
            fh.write(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(directory).as_posix()}\n")
    for problem in problems:
        print(f"wheelhouse: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
