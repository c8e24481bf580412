"""The Wine harness: the portable Windows build, run by the real Windows CPython 3.9 under Wine.

- ``build_dir()`` unzips ``dist/ybguard-VERSION-windows-amd64.zip`` (built by
  ``make dist-windows`` = tools/dist_windows.py, built here when missing);
- ``make_template()`` runs ``wineboot`` once per session (it is slow); each test then gets its
  own prefix, a copy of the template (``WinePrefix``), whose registry it sets with
  ``wine reg add`` and tears down with ``wineserver -k``;
- ``WinePrefix.ybguard(args, locale)`` runs ``ybguard.cmd`` with stdout and stderr on pipes: a
  Windows process whose standard handles are Linux *files* dies in Python's init_sys_streams.

Wine's own background processes (services.exe, winedevice.exe …) inherit whatever handles the
first Wine process of a prefix had, and outlive it: they are started first with /dev/null so a
test's pipes close when ybguard exits. Locales: zh_CN.UTF-8 gives code page 936, en_US.UTF-8
code page 1252, zh_TW.UTF-8 code page 950 (``make wine-deps`` generates them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent.parent
LOCALES = {"zh": "zh_CN.UTF-8", "en": "en_US.UTF-8", "tw": "zh_TW.UTF-8"}
CODE_PAGE = {"zh": "cp936", "en": "cp1252", "tw": "cp950"}


def wine_missing() -> Optional[str]:
    """Why Wine tests cannot run here, or None."""
    if shutil.which("wine") is None:
        return "wine is not installed (make wine-deps installs it)"
    have = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
    for name in LOCALES.values():
        if name.lower().replace("utf-8", "utf8") not in have:
            return f"locale {name} is not generated (make wine-deps generates it)"
    return None


def build_zip() -> Path:
    from ybguard import __version__

    zip_path = REPO / "dist" / f"ybguard-{__version__}-windows-amd64.zip"
    if not zip_path.is_file():
        subprocess.run([sys.executable, str(REPO / "tools" / "dist_windows.py")], check=True)
    return zip_path


def build_dir(dest: Path) -> Path:
    """The unzipped portable build (the folder holding ybguard.cmd)."""
    with zipfile.ZipFile(build_zip()) as zf:
        zf.extractall(dest)
    (folder,) = [p for p in dest.iterdir() if p.is_dir()]
    return folder


def _env(prefix: Path, lang: str = "en") -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHON", "DISPLAY", "WAYLAND"))}
    env.update(WINEPREFIX=str(prefix), WINEDEBUG="-all", WINEARCH="win64", LANG=LOCALES[lang],
               LC_ALL=LOCALES[lang], WINEDLLOVERRIDES="mscoree,mshtml=")  # no Mono/Gecko install prompt
    return env


def make_template(prefix: Path) -> Path:
    env = _env(prefix)
    subprocess.run(["wineboot", "-i"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=300, check=True)
    subprocess.run(["wineserver", "-w"], env=env, timeout=300, check=False)
    return prefix


def windows_path(path: Path) -> str:
    """A Linux path as Wine's Z: drive shows it."""
    return "Z:" + str(path).replace("/", "\\")


class WinePrefix:
    """One test's Windows machine: a hard-linked copy of the template, its registry files copied."""

    def __init__(self, template: Path, path: Path, build: Path) -> None:
        shutil.copytree(template, path, copy_function=os.link, symlinks=True)
        for reg in path.glob("*.reg"):  # the registry is rewritten: never write through a link
            reg.unlink()
            shutil.copyfile(template / reg.name, reg)
        self.path = path
        self.build = build
        self.drive_c = path / "drive_c"
        subprocess.run(["wineserver", "-p"], env=_env(path), check=True, timeout=60)
        self.wine(["cmd", "/c", "exit"], quiet=True)  # start Wine's services with /dev/null

    def wine(self, argv: Sequence[str], lang: str = "en", quiet: bool = False,
             timeout: float = 180) -> subprocess.CompletedProcess:
        out = subprocess.DEVNULL if quiet else subprocess.PIPE
        return subprocess.run(["wine", *argv], env=_env(self.path, lang), stdin=subprocess.DEVNULL,
                              stdout=out, stderr=out, timeout=timeout, check=False)

    def reg_add(self, entries: Sequence[Tuple[str, str, str, str]]) -> None:
        """``reg add KEY /v NAME /t TYPE /d DATA /f`` for each (key, name, type, data), all in one
        cmd.exe batch (one Wine start-up, not one per value). A name of "" creates just the key.

        The batch is written in code page 936 and run in the zh_CN locale, so cmd.exe reads the
        Chinese names as written. (Wine's cmd runs both sides of ``||``: errorlevel is checked.)
        """
        lines = ["@echo off"]
        for i, (key, name, kind, data) in enumerate(entries):
            line = f'reg add "{key}" /f'
            if name:
                line += f' /v "{name}" /t {kind} /d "{data}"'
            lines += [line + " >nul", f"if errorlevel 1 echo FAILED {i}"]
        script = self.drive_c / "ybtest-state.cmd"
        script.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
        proc = self.wine(["cmd", "/c", "C:\\ybtest-state.cmd"], lang="zh")
        script.unlink()
        out = proc.stdout.decode("gbk", "replace")
        failed = [entries[int(w.split()[1])] for w in out.splitlines() if w.startswith("FAILED ")]
        assert proc.returncode == 0 and not failed, (failed, out, proc.stderr.decode("gbk", "replace"))

    def reg_delete(self, key: str) -> None:
        self.wine(["reg", "delete", key, "/f"], quiet=True)

    def ybguard(self, args: List[str], lang: str = "en", timeout: float = 180) -> subprocess.CompletedProcess:
        """``ybguard.cmd ARGS`` from the unzipped build, stdout and stderr piped."""
        return self.wine(["cmd", "/c", windows_path(self.build / "ybguard.cmd"), *args], lang=lang, timeout=timeout)

    def close(self) -> None:
        subprocess.run(["wineserver", "-k"], env=_env(self.path), check=False, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.path, ignore_errors=True)
