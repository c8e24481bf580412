"""history.* from evidence bundles: Windows event logs that collect.cmd exported with ``wevtutil
epl`` (real Security/System samples), and the Linux files collect.sh copies (dpkg.log, wtmp)."""

from __future__ import annotations

import hashlib
import json
import lzma
from pathlib import Path

from evidence.test_windows_bundles import HIVES, windows_bundle
from evidencekit import scan_bundle

EVTX = Path(__file__).resolve().parent.parent / "data" / "history" / "evtx"
POLICY = """policy:
  id: history-bundle
  version: 1
history:
  days: 10000
software:
  deny: [googleupdate*]
"""


def add_artifact(root: Path, path: str, data: bytes, command: str, exit_code: int = 0) -> None:
    manifest = root / "manifest.json"
    raw = manifest.read_bytes()
    doc = json.loads(raw.decode("cp936"))
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_bytes(data)
    doc["artifacts"].append({"path": path, "kind": "command", "command": command, "exit_code": exit_code,
                             "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    manifest.write_bytes(json.dumps(doc, ensure_ascii=False, indent=1).encode("cp936"))


def test_windows_bundle_event_logs_answer_the_history_checks(tmp_path: Path) -> None:
    system = lzma.decompress((HIVES / "SYSTEM_win10_DESKTOP-PM6C56D.xz").read_bytes())
    root = windows_bundle(tmp_path / "b", {"SYSTEM": system}, {}, "936")
    for log in ("Security", "System"):
        add_artifact(root, f"commands/{log}.evtx", (EVTX / f"{log.lower()}.evtx").read_bytes(),
                     f"wevtutil epl {log} {log}.evtx")
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    code, report, err = scan_bundle(root, "--policy", str(policy), "--only", "time.manual-change", "--only",
                                    "history.installs")
    got = {(f["check"], f["status"], f["subject"]) for f in report["findings"]}
    # the 26 clock changes in the real Security log are all by SYSTEM (VMware Tools): no private change
    assert ("time.manual-change", "pass", "time.manual-change") in got, got
    # the real System log's service installs include Google Update, denied by this policy
    assert ("history.installs", "fail", "Google Update Service (gupdate)") in got
    assert code == 1, err


def test_windows_bundle_without_the_logs_is_an_error(tmp_path: Path) -> None:
    system = lzma.decompress((HIVES / "SYSTEM_win10_DESKTOP-PM6C56D.xz").read_bytes())
    root = windows_bundle(tmp_path / "b", {"SYSTEM": system}, {}, "936")
    add_artifact(root, "commands/Security.evtx", b"", "wevtutil epl Security Security.evtx", exit_code=9009)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    code, report, err = scan_bundle(root, "--policy", str(policy), "--only", "time.manual-change")
    statuses = {f["status"] for f in report["findings"]}
    assert "error" in statuses and "pass" not in statuses, report["findings"]
    assert code == 3, err


def test_linux_bundle_dpkg_log_and_browser_history(tmp_path: Path) -> None:
    """What collect.sh copies for history.*: a removed remote-control tool in dpkg.log, and a
    user's Firefox database (the real one from tests/data/history)."""
    from bundlehelp import folder

    dpkg = (b"2026-11-20 10:01:03 install teamviewer:amd64 <none> 15.48.5\n"
            b"2026-11-21 09:00:00 remove teamviewer:amd64 15.48.5 <none>\n")
    places = (Path(__file__).resolve().parent.parent / "data/history/grr-firefox-places.sqlite").read_bytes()
    root = folder(tmp_path / "b", {
        "files/etc/os-release": b"ID=debian\n",
        "files/etc/passwd": b"root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n",
        "files/var/lib/dpkg/status": b"Package: nano\nStatus: install ok installed\nVersion: 7.2\n",
        "files/var/log/dpkg.log": dpkg,
        "files/home/alice/.mozilla/firefox/x.default/places.sqlite": places,
    })
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY.replace("[googleupdate*]", "[teamviewer*]"), encoding="utf-8")
    code, report, err = scan_bundle(root, "--policy", str(policy), "--only", "history.*")
    got = {(f["check"], f["status"], f["subject"]) for f in report["findings"]}
    assert ("history.installs", "fail", "teamviewer") in got, got
    assert ("history.web", "fail", "news.google.com (alice, Firefox)") in got, got
    assert code == 1, err
