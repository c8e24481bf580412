"""``ybguard kit`` and what an evidence target answers from a recording (without a namespace)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bundlehelp import command, content, folder, manifest
from ybguard import __version__
from ybguard.target.bundle import open_bundle
from ybguard.target.evidence import (
    LinuxEvidenceTarget,
    NotRecorded,
    parse_fd_sockets,
    parse_netsh_interfaces,
    parse_netstat_ano,
    parse_proc_links,
    parse_proc_net,
    parse_tasklist_csv,
)
from ybguard.target.interface import ToolFailed, ToolMissing


def kit(tmp_path: Path, os_name: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ybguard", "kit", "--os", os_name, "--out", str(tmp_path / os_name)],
                          capture_output=True, timeout=60)


def test_linux_kit(tmp_path: Path) -> None:
    assert kit(tmp_path, "linux").returncode == 0
    sh = tmp_path / "linux" / "collect.sh"
    text = sh.read_text(encoding="utf-8")
    assert f"KIT_VERSION='{__version__}'" in text and "@VERSION@" not in text and "\r" not in text
    assert sh.stat().st_mode & 0o111
    readme = (tmp_path / "linux" / "README.txt").read_text(encoding="utf-8")
    assert "sh collect.sh" in readme and "请以 root" not in readme.split("English")[1] and "中文" in readme
    # a kit is never written over something else
    proc = kit(tmp_path, "linux")
    assert proc.returncode == 2 and b"not an empty directory" in proc.stderr


def test_windows_kit(tmp_path: Path) -> None:
    assert kit(tmp_path, "windows").returncode == 0
    cmd = (tmp_path / "windows" / "collect.cmd").read_bytes()
    assert cmd.isascii() and b"\r\n" in cmd and b"\n" not in cmd.replace(b"\r\n", b"")  # cmd.exe wants CRLF
    assert f"set KIT_VERSION={__version__}".encode() in cmd
    readme = (tmp_path / "windows" / "README.txt").read_bytes()
    assert readme.startswith(b"\xef\xbb\xbf") and "管理员身份".encode() in readme and b"\r\n" in readme


def _target(tmp_path: Path, artifacts: list, files: dict) -> LinuxEvidenceTarget:
    src = folder(tmp_path / "b", files, artifacts=artifacts)
    return LinuxEvidenceTarget(open_bundle(str(src)))


def test_run_answers_from_the_recording(tmp_path: Path) -> None:
    """A recorded command returns its bytes; one not found, failed or never recorded raises what a
    live host raises (and the facts that need it become errors)."""
    ok = b'[{"dst":"default","gateway":"10.88.0.1","dev":"eth0"}]'
    arts = [command("ip -json -4 route show table all", ok),
            {"path": "commands/nft_-j_list_ruleset.txt", "kind": "command", "command": "nft -j list ruleset",
             "exit_code": 127, "bytes": 0, "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
            command("iptables-save -t nat", b"", exit_code=4, error="iptables: permission denied")]
    files = {"commands/ip_-json_-4_route_show_table_all.txt": ok, "commands/nft_-j_list_ruleset.txt": b"",
             "commands/iptables-save_-t_nat.txt": b""}
    t = _target(tmp_path, arts, files)
    try:
        assert t.run(["ip", "-json", "-4", "route", "show", "table", "all"]) == ok.decode()
        with pytest.raises(ToolMissing):
            t.run(["nft", "-j", "list", "ruleset"])
        with pytest.raises(ToolFailed) as failed:
            t.run(["iptables-save", "-t", "nat"])
        assert "permission denied" in str(failed.value)
        with pytest.raises(NotRecorded):
            t.run(["ip", "-json", "-6", "route", "show", "table", "all"])
        assert t.is_live and t.is_recorded and not t.has_tool("nft") and t.has_tool("ip")
        with pytest.raises(Exception) as here:
            t.require_here()
        assert getattr(here.value, "key", "") == "reason.recorded"
    finally:
        t.close()


def test_entries_seen_but_not_copied_are_never_read(tmp_path: Path) -> None:
    arts = [{"path": "files/usr/local/bin/frpc", "kind": "entry", "mode": "755"},
            content("files/etc/hostname", b"term-01\n")]
    t = _target(tmp_path, arts, {"files/etc/hostname": b"term-01\n"})
    try:
        assert t.listdir("/usr/local/bin") == ["frpc"] and t.stat("/usr/local/bin/frpc").st_mode & 0o111
        with pytest.raises(NotRecorded):
            t.read_bytes("/usr/local/bin/frpc")
        assert t.read_text("/etc/hostname") == "term-01\n"
    finally:
        t.close()


# /proc/net/tcp as proc(5) documents it: local 127.0.0.1:53 listening; 10.88.0.2:43210 -> 192.168.77.1:8080
PROC_TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 17000 1 0000000000000000 100 0 0 10 0
   1: 0200580A:A8CA 014DA8C0:1F90 01 00000000:00000000 00:00000000 00000000     0        0 17123 1 0000000000000000 20 4 30 10 -1
"""
PROC_TCP6 = """\
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000200580A:A8CB 0000000000000000FFFF0000014DA8C0:1F91 01 00000000:00000000 00:00000000 00000000     0        0 17124 1 0000000000000000 20 4 30 10 -1
"""
LS_FD = """\
/proc/4242/fd:
total 0
lrwx------ 1 root root 64 Dec  2 03:00 0 -> /dev/null
lrwx------ 1 root root 64 Dec  2 03:00 3 -> socket:[17123]
lrwx------ 1 root root 64 Dec  2 03:00 4 -> socket:[17124]

/proc/4243/fd:
lr-x------ 1 root root 64 Dec  2 03:00 0 -> pipe:[99]
"""


def test_proc_net_and_socket_owners() -> None:
    import socket

    owners = parse_fd_sockets(LS_FD)
    assert owners == {17123: (4242, 3), 17124: (4242, 4)}
    conns = parse_proc_net(PROC_TCP, "tcp", socket.AF_INET, owners)
    assert [(c.laddr, c.raddr, c.status, c.pid) for c in conns] == [
        (("127.0.0.1", 53), (), "LISTEN", None), (("10.88.0.2", 43210), ("192.168.77.1", 8080), "ESTABLISHED", 4242)]
    [v6] = parse_proc_net(PROC_TCP6, "tcp", socket.AF_INET6, owners)
    assert v6.raddr == ("::ffff:192.168.77.1", 8081) and v6.pid == 4242
    assert parse_proc_links("lrwxrwxrwx 1 root root 0 Dec  2 03:00 /proc/1/exe -> /usr/lib/systemd/systemd\n") == {
        "/proc/1/exe": "/usr/lib/systemd/systemd"}


def test_windows_recorded_forms() -> None:
    netstat = ("\r\n活动连接\r\n\r\n  协议  本地地址          外部地址        状态           PID\r\n"
               "  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       884\r\n"
               "  TCP    10.88.0.2:49710        203.0.113.7:443        ESTABLISHED     4120\r\n"
               "  TCP    [::]:445               [::]:0                 LISTENING       4\r\n"
               "  UDP    0.0.0.0:123            *:*                                    1204\r\n")
    rows = [(c.laddr, c.raddr, c.status, c.pid) for c in parse_netstat_ano(netstat)]
    assert rows == [(("0.0.0.0", 135), (), "LISTEN", 884), (("10.88.0.2", 49710), ("203.0.113.7", 443), "ESTABLISHED", 4120),
                    (("::", 445), (), "LISTEN", 4), (("0.0.0.0", 123), (), "NONE", 1204)]
    tasks = parse_tasklist_csv('"映像名称","PID","会话名","会话#","内存使用","状态","用户名","CPU 时间","窗口标题"\r\n'
                               '"TeamViewer.exe","3120","Console","1","20,120 K","Running","PC01\\nurse","0:00:02","暂缺"\r\n')
    assert [(p.name, p.pid, p.user) for p in tasks] == [("TeamViewer.exe", 3120, "PC01\\nurse")]
    netsh = ("\r\n管理员状态     状态           类型             接口名称\r\n"
             "-------------------------------------------------------------------------\r\n"
             "已启用            已连接            专用               本地连接\r\n"
             "已启用            已断开连接          专用               无线网络连接\r\n")
    assert parse_netsh_interfaces(netsh) == {"本地连接": True, "无线网络连接": False}


def test_report_carries_the_bundle(tmp_path: Path) -> None:
    """host.target linux-evidence and the manifest's sha256 and times in the JSON report."""
    import hashlib
    import json

    hostname = b"term-01\n"
    arts = [command("uname -n", b"term-01\n"), command("uname -s", b"Linux\n"), command("uname -r", b"6.1.0\n"),
            command("uname -m", b"x86_64\n"), content("files/etc/os-release", b'PRETTY_NAME="Test Linux"\n')]
    files = {"commands/uname_-n.txt": hostname, "commands/uname_-s.txt": b"Linux\n",
             "commands/uname_-r.txt": b"6.1.0\n", "commands/uname_-m.txt": b"x86_64\n",
             "files/etc/os-release": b'PRETTY_NAME="Test Linux"\n'}
    src = folder(tmp_path / "b", files, doc=manifest(arts))
    proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--evidence", str(src), "--format", "json",
                           "--only", "network.dns"], capture_output=True, timeout=60)
    report = json.loads(proc.stdout)
    from reportschema import validate_report

    validate_report(report)
    assert report["host"]["target"] == "linux-evidence" and report["host"]["hostname"] == "term-01"
    assert report["host"]["kernel"] == "Linux 6.1.0"
    assert report["evidence"] == {"sha256": hashlib.sha256((src / "manifest.json").read_bytes()).hexdigest(),
                                  "started_at": "2026-12-01T02:00:00+08:00",
                                  "finished_at": "2026-12-01T02:00:09+08:00",
                                  "collector": "test-kit 0.0.1 (linux)"}
