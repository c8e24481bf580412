"""Output never breaks on a code page: pipes and files are UTF-8, a terminal gets replacement.

The code pages are those of the terminals (936 simplified Chinese, 950 traditional, 1252
western, 65001 UTF-8), simulated on Linux with PYTHONIOENCODING, which is how Python picks a
stream's encoding from the ANSI code page on Windows. The Wine tests (test_win_wine.py) do the
same under a real cp936 Windows process.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
from winhives import make_hives_dir

from ybguard.cli import write_atomic
from ybguard.streams import configure_std_streams

CODE_PAGES = ["cp936", "cp950", "cp1252", "utf-8"]


@pytest.fixture(scope="module")
def hives(hive_files: Dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_hives_dir(tmp_path_factory.mktemp("enc"), hive_files, SYSTEM="win7")


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def run(args: List[str], encoding: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "YBGUARD_POLICY": "", "LC_ALL": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "ybguard", *args], capture_output=True, env=env, timeout=120)


@pytest.mark.parametrize("encoding", CODE_PAGES)
def test_piped_console_report_is_utf8(hives: Path, encoding: str) -> None:
    proc = run(["scan", "--hives", str(hives), "--format", "console", "--lang", "zh"], encoding)
    assert proc.returncode in (1, 3), proc.stderr.decode("utf-8", "replace")
    text = proc.stdout.decode("utf-8")  # strict: every byte is UTF-8
    assert "✗" in text and "不合规" in text


@pytest.mark.parametrize("encoding", CODE_PAGES)
def test_piped_json_is_utf8_per_rfc8259(hives: Path, encoding: str) -> None:
    proc = run(["scan", "--hives", str(hives), "--format", "json", "--lang", "zh"], encoding)
    assert proc.returncode in (1, 3), proc.stderr.decode("utf-8", "replace")
    report = json.loads(proc.stdout.decode("utf-8"))
    assert any(has_chinese(f["message"]) for f in report["findings"])


@pytest.mark.parametrize("encoding", ["cp936", "cp1252"])
def test_report_files_are_utf8(hives: Path, tmp_path: Path, encoding: str) -> None:
    outs = {"json": tmp_path / "r.json", "console": tmp_path / "r.txt", "html": tmp_path / "r.html",
            "junit": tmp_path / "r.xml"}
    args = ["scan", "--hives", str(hives), "--lang", "zh"]
    for fmt, path in outs.items():
        args += ["-o", f"{fmt}={path}"]
    proc = run(args, encoding)
    assert proc.returncode in (1, 3), proc.stderr.decode("utf-8", "replace")
    for path in outs.values():
        assert has_chinese(path.read_bytes().decode("utf-8")), path
    json.loads(outs["json"].read_bytes().decode("utf-8"))


def test_usage_error_on_stderr_is_utf8() -> None:
    proc = run(["scan", "--root", "/nonexistent-目录", "--lang", "zh"], "cp1252")
    assert proc.returncode == 2
    assert "/nonexistent-目录" in proc.stderr.decode("utf-8")


@pytest.mark.parametrize("encoding", ["cp1252", "cp936", "ascii"])
def test_terminal_that_cannot_show_a_character_gets_replacement(hives: Path, encoding: str) -> None:
    """A real terminal keeps its encoding; ✗ on a cp1252 terminal becomes ?, never a crash."""
    env = {**os.environ, "PYTHONIOENCODING": encoding, "YBGUARD_POLICY": "", "LC_ALL": "C.UTF-8",
           "COLUMNS": "100", "TERM": "dumb"}
    pid, fd = pty.fork()
    if pid == 0:  # child: stdout and stderr are the pty
        os.execve(sys.executable, [sys.executable, "-m", "ybguard", "scan", "--hives", str(hives),
                                   "--format", "console", "--lang", "zh", "--no-color"], env)
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    out = b"".join(chunks).decode(encoding if encoding != "ascii" else "utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) in (1, 3), out
    assert "internal error" not in out and "UnicodeEncodeError" not in out
    if encoding == "cp1252":  # (click itself turns an "ascii" stream into UTF-8)
        assert "?" in out and "✗" not in out


def test_a_lone_surrogate_never_breaks_a_report_file(tmp_path: Path) -> None:
    """An undecodable file name arrives as a surrogate; the report is still written, as valid JSON."""
    name = "bad-\udcff-name"
    path = tmp_path / "r.json"
    write_atomic(str(path), json.dumps({"subject": name}, ensure_ascii=False))
    raw = path.read_bytes()
    raw.decode("utf-8")
    assert json.loads(raw)["subject"] == name


def test_configure_reencodes_a_pipe_and_keeps_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import io

    pipe = io.TextIOWrapper(io.BytesIO(), encoding="gbk")
    monkeypatch.setattr(sys, "stdout", pipe)
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(io.BytesIO(), encoding="cp1252"))
    configure_std_streams()
    assert sys.stdout.encoding == "utf-8" and sys.stderr.encoding == "utf-8"
    sys.stdout.write("✗ 不合规 \udcff")
    sys.stdout.flush()
    assert pipe.buffer.getvalue().decode("utf-8") == "✗ 不合规 \\udcff"  # type: ignore[attr-defined]
