"""Windows evidence: bundles assembled from real hives and real recorded tool output, and
collect.cmd itself run by Wine's cmd.

Hives: tests/data/windows/hives (copied from ../shared/fixtures/windows-hives; origin and licence
in tests/data/windows/hives/README.md). Tool output: tests/data/windows/real (captured on real
English and Chinese Windows by others; sources in tests/data/windows/README.md), written into the
bundle in the code page the tools write (cp936 on Chinese Windows, cp437 on US English).
"""

from __future__ import annotations

import hashlib
import json
import lzma
import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from bundlehelp import zip_of
from evidencekit import scan_bundle, write_kit

DATA = Path(__file__).resolve().parent.parent / "data" / "windows"
HIVES = DATA / "hives"


def _hive(name: str) -> bytes:
    data = (HIVES / name).read_bytes()
    return lzma.decompress(data) if name.endswith(".xz") else data


def windows_bundle(root: Path, hives: Dict[str, bytes], commands: Dict[str, bytes], codepage: str,
                   failed: Tuple[Tuple[str, int], ...] = (), host: str = "医保终端-01", user: str = "管理员") -> Path:
    """A bundle as collect.cmd lays it out: registry/NAME, commands/NAME.txt, manifest in ``codepage``."""
    import re

    arts: List[dict] = []
    for name, data in hives.items():
        (root / "registry").mkdir(parents=True, exist_ok=True)
        (root / "registry" / name).write_bytes(data)
        arts.append({"path": f"registry/{name}", "kind": "hive", "source": f"HKLM\\{name}", "exit_code": 0,
                     "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    (root / "commands").mkdir(parents=True, exist_ok=True)
    for cmd, data in commands.items():
        path = "commands/secedit.inf" if cmd.startswith("secedit") else "commands/" + re.sub(r"[^A-Za-z0-9._-]+", "_", cmd) + ".txt"
        (root / path).write_bytes(data)
        arts.append({"path": path, "kind": "command", "command": cmd, "exit_code": 0, "bytes": len(data),
                     "sha256": hashlib.sha256(data).hexdigest()})
    for cmd, code in failed:
        if cmd.startswith("secedit"):  # secedit writes its answer to a file: none when it fails
            arts.append({"path": "commands/secedit.inf", "kind": "command", "command": cmd, "exit_code": code,
                         "sha256": None})
            continue
        path = "commands/" + re.sub(r"[^A-Za-z0-9._-]+", "_", cmd) + ".txt"
        (root / path).write_bytes(b"")
        arts.append({"path": path, "kind": "command", "command": cmd, "exit_code": code, "bytes": 0,
                     "sha256": hashlib.sha256(b"").hexdigest()})
    doc = {"schema": "ybguard.evidence/v1", "collector": {"name": "ybguard-collect.cmd", "version": "0.1.0", "os": "windows"},
           "host": {"hostname": host, "os": "Windows", "user": user, "elevated": True, "codepage": codepage},
           "started_at": "2026-12-01T09:00:00+08:00", "finished_at": "2026-12-01T09:00:40+08:00", "artifacts": arts}
    (root / "manifest.json").write_bytes(json.dumps(doc, ensure_ascii=False, indent=1).encode(f"cp{codepage}"))
    return root


def by_check(report: dict, status: str = "fail") -> Dict[str, set]:
    out: Dict[str, set] = {}
    for f in report["findings"]:
        if f["status"] == status:
            out.setdefault(f["check"], set()).add(f["subject"])
    return out


def test_chinese_windows10_bundle(tmp_path: Path) -> None:
    """Win10 SYSTEM hive, a real Chinese ``route print`` with two default routes, a real Chinese
    ``net accounts`` and a secedit export; the manifest itself in cp936 (Chinese host and user)."""
    real = DATA / "real"
    commands = {
        "route print": (real / "route_print_zh_two_defaults.txt").read_text("utf-8").encode("cp936"),
        "net accounts": (real / "net_accounts_zh_win11_workstation.txt").read_text("utf-8").encode("cp936"),
        "secedit /export /cfg secedit.inf": (DATA / "secedit_hardened_zh.inf").read_bytes(),
    }
    src = windows_bundle(tmp_path / "PC01", {"SYSTEM": _hive("SYSTEM_win10_DESKTOP-PM6C56D.xz"),
                                             "SOFTWARE": _hive("SOFTWARE_delta_wincontainer_python-3.9.5.hiv")},
                         commands, "936", failed=(("netstat -ano", 1),))
    code, report, err = scan_bundle(zip_of(src, tmp_path / "PC01.zip"), "--lang", "zh")
    assert code == 1, err
    assert report["host"]["target"] == "windows-evidence" and report["host"]["hostname"] == "DESKTOP-PM6C56D"  # from the hive
    fails = by_check(report)
    # both default routes of the recorded routing table (172.16.0.254 and the public 130.233.90.254)
    routes = fails["network.public-route"]
    assert any(s.startswith("default via 172.16.0.254") for s in routes), routes
    assert any(s.startswith("default via 130.233.90.254") for s in routes), routes
    assert fails["network.default-route"] == {s for s in routes if s.startswith("default")}
    assert "130.233.0.0/16 dev 130.233.17.91 table main" in routes  # the public on-link subnet too
    # secedit (preferred over net accounts): MinimumPasswordLength 8, MaximumPasswordAge -1 (never)
    assert "accounts.password-max-age" in fails and "accounts.password-min-length" not in fails
    errors = by_check(report, "error")
    assert "network.sockets" in errors  # netstat failed when collecting: unknown, never a pass
    assert report["evidence"]["collector"] == "ybguard-collect.cmd 0.1.0 (windows)"


def test_english_windows7_bundle_without_secedit(tmp_path: Path) -> None:
    """Win7 SYSTEM hive, real English Windows 7 ``route print``; secedit was refused (not elevated)
    so ``net accounts`` (a real workstation's: max age 42 days, min length 0) decides."""
    real = DATA / "real"
    commands = {"route print": (real / "route_print_en_win7.txt").read_text("utf-8").encode("cp437"),
                "net accounts": (real / "net_accounts_en_workstation_lockout.txt").read_text("utf-8").encode("cp437")}
    src = windows_bundle(tmp_path / "WKS", {"SYSTEM": _hive("SYSTEM_win7_WKS-WIN732BITA.xz")}, commands, "437",
                         failed=(("secedit /export /cfg secedit.inf", 1),), host="WKS-WIN732BITA", user="nurse")
    code, report, err = scan_bundle(src)
    assert code in (1, 3), err
    fails = by_check(report)
    # the recorded table's "0.0.0.0 0.0.0.0 192.168.22.1 192.168.22.33 10"
    assert {s for s in fails["network.default-route"]} == {s for s in fails["network.public-route"] if s.startswith("default")}
    assert any(s.startswith("default via 192.168.22.1") for s in fails["network.default-route"])
    assert "accounts.password-min-length" in fails  # net accounts: minimum length 0


def _wine() -> Optional[str]:
    for candidate in ("/usr/lib/wine/wine64", shutil.which("wine64"), shutil.which("wine")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def test_collect_cmd_under_wine(tmp_path: Path) -> None:
    """collect.cmd's flow, quoting and error recording under Wine's cmd: Wine lacks route,
    auditpol and w32tm (exit 9009) and cannot reg save; every step is recorded with its exit code,
    and the failures become errors in the scan, never passes."""
    wine = _wine()
    if wine is None:
        pytest.skip("wine is not installed (make test installs it)")
    kit = write_kit(tmp_path / "kit", "windows")
    env = {**os.environ, "WINEPREFIX": str(tmp_path / "prefix"), "WINEDEBUG": "-all", "WINEDLLOVERRIDES": "mscoree,mshtml="}
    subprocess.run([wine, "wineboot", "-i"], env=env, capture_output=True, timeout=300)
    out = tmp_path / "out dir"  # a space in the path: quoting
    proc = subprocess.run([wine, "cmd", "/c", "Z:" + str(kit).replace("/", "\\"), "Z:" + str(out).replace("/", "\\")],
                          env=env, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    raw = (out / "manifest.json").read_bytes()
    doc = json.loads(raw.decode("utf-8", "replace"))
    arts = {a.get("command") or a.get("source"): a for a in doc["artifacts"]}
    contract = ["route print", "ipconfig /all", "netstat -ano", "tasklist /v /fo csv", "net accounts", "net user",
                "net localgroup administrators", "secedit /export /cfg secedit.inf", "auditpol /get /category:* /r",
                "w32tm /query /status", "netsh wlan show profiles", "netsh interface show interface",
                "netsh winhttp show proxy", "systeminfo", "wmic logicaldisk get Caption,DriveType,FileSystem,VolumeSerialNumber"]
    for cmd in contract:
        assert cmd in arts and isinstance(arts[cmd]["exit_code"], int), cmd
    assert arts["route print"]["exit_code"] == 9009  # not in Wine: recorded, and the script went on
    for hive in ("HKLM\\SYSTEM", "HKLM\\SOFTWARE", "HKLM\\SAM", "HKLM\\SECURITY"):
        assert arts[hive]["kind"] == "hive" and arts[hive]["exit_code"] != 0 and arts[hive]["sha256"] is None
    assert not (out / ".work").exists()
    code, report, err = scan_bundle(out)
    assert code == 3, err  # incomplete: what could not be collected is an error, nothing failed or passed by default
    assert report["host"]["target"] == "windows-evidence"
    errors = by_check(report, "error")
    assert {"network.public-route", "network.dns", "software.installed"} <= set(errors)
    reasons = " ".join(f["message"] for f in report["findings"] if f["status"] == "error")
    assert "reg save HKLM\\SYSTEM failed" in reasons
    assert report["evidence"].get("unhashed", 0) == len([a for a in doc["artifacts"] if a.get("unhashed")])
