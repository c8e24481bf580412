"""ybguard's live Windows path end to end: the portable build under Wine, output piped.

Each test gets its own Wine prefix (a copy of one made per session), writes a registry state
with ``wine reg add`` and scans it with ``ybguard.cmd`` in a zh_CN (code page 936) or en_US
(code page 1252) locale. Wine lacks route.exe and w32tm.exe, answers ``net accounts`` with its
usage text, and psutil's process snapshot fails there: each of those must be an ``error``
finding naming what could not be read, never a crash and never a pass; and a violation the
registry proves (a static default gateway) is still a ``fail`` beside that error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest
from wine import CODE_PAGE, WinePrefix

from sntppeer import sntp_serve

pytestmark = [pytest.mark.wine, pytest.mark.slow]

CCS = "HKLM\\SYSTEM\\CurrentControlSet"
NET_CLASS = "{4d36e972-e325-11ce-bfc1-08002be10318}"
LEASED = "{5D1B4C2A-1111-4E0F-9C1A-0A0B0C0D0E01}"
WIFI = "{5D1B4C2A-2222-4E0F-9C1A-0A0B0C0D0E02}"
IS = "Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
UNINSTALL = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"

POLICY = """\
policy: {id: wine-terminal, version: 1}
network:
  leased_line: {interfaces: [医保专线]}
  allowed_networks: [10.50.0.0/16]
  allowed_dns: [10.50.0.53]
software:
  mode: denylist
  deny: [teamviewer*]
time:
  ntp_servers: [10.50.0.123]
backups:
  - paths: ['C:\\ybclient\\backup\\*.db', 'C:\\ybclient\\data\\yb.db', 'c:\\YBCLIENT\\DATA\\yb.db']
    min_copies: 3
    distinct_disks: false
    max_age_hours: 100
  - paths: ['\\\\?\\C:\\ybclient\\backup\\*.db', 'C:/ybclient/data/yb.db']
    min_copies: 2
    distinct_disks: true
    max_age_hours: 100
integrity:
  paths: ['C:\\ybclient\\bin']
"""

Entry = Tuple[str, str, str, str]


def adapter(index: str, guid: str, desc: str, medium: int, name: str, address: str, mask: str,
            dns: str, gateway: str = "") -> List[Entry]:
    """One network adapter as Windows records it: class key, connection name, Tcpip interface."""
    cls, iface = f"{CCS}\\Control\\Class\\{NET_CLASS}\\{index}", f"{CCS}\\Services\\Tcpip\\Parameters\\Interfaces\\{guid}"
    out = [(cls, "NetCfgInstanceId", "REG_SZ", guid), (cls, "DriverDesc", "REG_SZ", desc),
           (cls, "*PhysicalMediaType", "REG_DWORD", str(medium)),
           (f"{CCS}\\Control\\Network\\{NET_CLASS}\\{guid}\\Connection", "Name", "REG_SZ", name),
           (iface, "EnableDHCP", "REG_DWORD", "0"), (iface, "IPAddress", "REG_MULTI_SZ", address),
           (iface, "SubnetMask", "REG_MULTI_SZ", mask), (iface, "NameServer", "REG_SZ", dns)]
    return out + ([(iface, "DefaultGateway", "REG_MULTI_SZ", gateway)] if gateway else [])


def leased_line() -> List[Entry]:
    """The 医保 leased-line NIC: an Ethernet adapter with a static address, no gateway."""
    return adapter("0001", LEASED, "Intel(R) Ethernet Connection I219-LM", 14, "医保专线", "10.50.1.20",
                   "255.255.0.0", "10.50.0.53") + [
        (f"{CCS}\\Services\\Tcpip\\Parameters", "IPEnableRouter", "REG_DWORD", "0"),
        (f"{CCS}\\Services\\USBSTOR", "Start", "REG_DWORD", "4"),
        (f"{CCS}\\Services\\W32Time", "Start", "REG_DWORD", "2"),
        (f"{CCS}\\Services\\W32Time\\Parameters", "Type", "REG_SZ", "NTP"),
        (f"{CCS}\\Services\\W32Time\\Parameters", "NtpServer", "REG_SZ", "10.50.0.123,0x8"),
        ("HKCU\\" + IS, "ProxyEnable", "REG_DWORD", "0"),
    ]


def violations() -> List[Entry]:
    """A terminal that breaks every rule the registry can show."""
    profile = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\NetworkList\\Profiles\\{0B3E6E5C-3333-4E0F-9C1A-0A0B0C0D0E03}"
    usb = "USB\\VID_0781&PID_5567\\4C530001230724113363"
    return leased_line() + adapter("0002", WIFI, "Intel(R) Wi-Fi 6 AX201 160MHz", 9, "WLAN", "192.168.8.100",
                                   "255.255.255.0", "114.114.114.114", gateway="192.168.8.1") + [
        (f"{CCS}\\Services\\Tcpip\\Parameters", "IPEnableRouter", "REG_DWORD", "1"),
        (f"{CCS}\\Services\\SharedAccess", "Start", "REG_DWORD", "2"),
        (f"{CCS}\\Services\\USBSTOR", "Start", "REG_DWORD", "3"),
        (f"{CCS}\\Services\\USBSTOR\\Enum", "0", "REG_SZ", usb),
        (f"{CCS}\\Services\\USBSTOR\\Enum", "Count", "REG_DWORD", "1"),
        (f"{CCS}\\Enum\\USBSTOR\\Disk&Ven_SanDisk&Prod_Cruzer_Blade&Rev_1.00\\4C530001230724113363&0",
         "FriendlyName", "REG_SZ", "SanDisk Cruzer Blade USB Device"),
        (f"{CCS}\\Services\\W32Time\\Parameters", "NtpServer", "REG_SZ", "time.windows.com,0x9"),
        ("HKCU\\" + IS, "ProxyEnable", "REG_DWORD", "1"),
        ("HKCU\\" + IS, "ProxyServer", "REG_SZ", "203.0.113.8:8080"),
        (f"{UNINSTALL}\\TeamViewer", "DisplayName", "REG_SZ", "TeamViewer"),
        (f"{UNINSTALL}\\TeamViewer", "DisplayVersion", "REG_SZ", "15.49.2"),
        (profile, "ProfileName", "REG_SZ", "CMCC-5G"),
        (profile, "NameType", "REG_DWORD", "71"),
    ]


def scan(prefix: WinePrefix, tmp_path: Path, lang: str, *extra: str) -> Dict:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    from wine import windows_path

    proc = prefix.ybguard(["scan", "--policy", windows_path(policy), "--format", "json", "--lang", lang, *extra],
                          lang=lang)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode in (0, 1, 3), err
    assert "internal error" not in err and "Traceback" not in err, err
    report = json.loads(proc.stdout.decode("utf-8"))  # UTF-8 per RFC 8259, whatever the code page
    assert report["host"]["target"] == "windows-live"
    return report


def by_status(report: Dict, status: str) -> Dict[str, Set[str]]:
    out: Dict[str, Set[str]] = {}
    for f in report["findings"]:
        if f["status"] == status:
            out.setdefault(f["check"], set()).add(f["subject"])
    return out


def finding(report: Dict, check: str, status: str) -> Dict:
    return next(f for f in report["findings"] if f["check"] == check and f["status"] == status)


def test_help_and_code_pages_under_wine(wine_prefix: WinePrefix) -> None:
    """Code pages 936, 1252 and 950 (Big5 has no 证: the help text crashed there before)."""
    for lang in ("zh", "en", "tw"):
        proc = wine_prefix.ybguard(["--help"], lang=lang)
        assert proc.returncode == 0, proc.stderr
        assert "证明医保专线终端" in proc.stdout.decode("utf-8")
        probe = wine_prefix.wine([str(wine_prefix.build / "python" / "python.exe").replace("/", "\\"), "-c",
                                  "import locale; print(locale.getpreferredencoding())"], lang=lang)
        assert probe.stdout.decode().strip() == CODE_PAGE[lang]  # the locale really is that code page


def test_violations_are_fails_and_missing_tools_are_errors(wine_prefix: WinePrefix, tmp_path: Path) -> None:
    wine_prefix.reg_add(violations())
    report = scan(wine_prefix, tmp_path, "zh")  # JSON piped from a code page 936 process
    fails = by_status(report, "fail")
    assert fails["network.forbidden-interface"] == {"WLAN"}
    assert fails["network.default-route"] == {"default via 192.168.8.1 dev WLAN table main"}
    assert any("192.168.8.1" in s for s in fails["network.public-route"])
    assert fails["network.dns"] == {"114.114.114.114"}
    assert fails["network.ip-forwarding"]
    assert fails["network.shared-connection"]
    assert "203.0.113.8:8080" in json.dumps([f for f in report["findings"] if f["check"] == "network.proxy"
                                             and f["status"] == "fail"])
    assert fails["network.wireless-history"] == {"CMCC-5G"}
    assert fails["usb.storage-driver"] == {"USBSTOR"}
    assert fails["usb.storage-history"]
    assert fails["software.installed"] == {"TeamViewer"}
    assert fails["time.ntp-config"] == {"time.windows.com"}
    errors = by_status(report, "error")
    # Wine has no route.exe: the running route table is unknown, which is said beside the fails
    assert "route print" in errors["network.default-route"] and "route print" in errors["network.public-route"]
    assert "software.processes" in errors  # psutil's snapshot fails under Wine
    assert "network.sockets" in errors
    assert report["summary"]["status"] == "non_compliant"

    # the first crash: ✗ in a console report piped from a process in another code page
    proc = wine_prefix.ybguard(["scan", "--format", "console", "--lang", "zh"], lang="en")
    assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")
    text = proc.stdout.decode("utf-8")
    assert "✗" in text and "不合规" in text


def attached_media() -> List[Entry]:
    """A USB disk and a DVD drive plugged in now: the volatile Services\\<driver>\\Enum keys."""
    usb = "USBSTOR\\Disk&Ven_Kingston&Prod_DataTraveler_3.0&Rev_PMAP\\E0D55EA57412F4B0A9C2C7B1&0"
    dvd = "SCSI\\CdRom&Ven_HL-DT-ST&Prod_DVD+-RW_GU90N\\4&2e2b1e2&0&010000"
    return [
        (f"{CCS}\\Services\\USBSTOR\\Enum", "Count", "REG_DWORD", "1"),
        (f"{CCS}\\Services\\USBSTOR\\Enum", "0", "REG_SZ", usb),
        (f"{CCS}\\Enum\\{usb}", "FriendlyName", "REG_SZ", "Kingston DataTraveler 3.0 USB Device"),
        (f"{CCS}\\Services\\cdrom\\Enum", "Count", "REG_DWORD", "1"),
        (f"{CCS}\\Services\\cdrom\\Enum", "0", "REG_SZ", dvd),
        (f"{CCS}\\Enum\\{dvd}", "FriendlyName", "REG_SZ", "HL-DT-ST DVD+-RW GU90N"),
    ]


def test_live_media_accounts_time_backups_and_baseline(wine_prefix: WinePrefix, tmp_path: Path) -> None:
    """usb.attached (Services\\*\\Enum), accounts (netapi32), W32Time, backups over Windows paths
    (two spellings of one file are one copy), and a baseline made and checked by ybguard.cmd."""
    import os
    import time as _time

    wine_prefix.reg_add(leased_line() + attached_media())
    yb = wine_prefix.drive_c / "ybclient"
    for rel in ("backup/yb-20261201.db", "data/yb.db", "bin/ybclient.exe", "bin/conf/yb.ini"):
        (yb / rel).parent.mkdir(parents=True, exist_ok=True)
        (yb / rel).write_bytes(rel.encode())
    # a backup is a copy of the database (same content): backups.copies counts copies of one
    # piece of data, not every file its patterns match
    (yb / "backup/yb-20261201.db").write_bytes((yb / "data/yb.db").read_bytes())
    old = _time.time() - 3 * 86400
    os.utime(yb / "backup/yb-20261201.db", (old, old))

    made = wine_prefix.ybguard(["baseline", "create", "--policy", _policy(tmp_path), "-o", "C:\\baseline.json"])
    assert made.returncode == 0, made.stderr.decode("utf-8", "replace")
    assert (wine_prefix.drive_c / "baseline.json").is_file()
    (yb / "bin/conf/yb.ini").write_bytes(b"server=203.0.113.9\n")  # changed after the baseline

    report = scan(wine_prefix, tmp_path, "en", "--baseline", "C:\\baseline.json", "--capture", "1")
    fails, errors = by_status(report, "fail"), by_status(report, "error")
    assert any("Kingston" in s for s in fails["usb.storage-attached"]), fails
    assert any("GU90N" in s or "CdRom" in s for s in fails["usb.optical"]), fails
    assert "usb.storage-driver" not in fails  # USBSTOR Start=4
    # two copies (a backup three days old, the live database): 3 wanted; "c:\YBCLIENT\data\yb.db"
    # is the same file as "C:\ybclient\data\yb.db", not a third copy
    copies = finding(report, "backups.copies", "fail")
    assert len(copies["evidence"]) == 2 and "2" in copies["message"], copies
    # distinct disks needs the disk under each volume; Wine has no IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS
    assert "disk" in json.dumps(finding(report, "backups.copies", "error"), ensure_ascii=False)
    changed = finding(report, "integrity.baseline-files", "fail")
    assert "yb.ini" in changed["subject"], changed
    # Wine: no w32tm.exe (time.sync unknown), no NetUserModalsGet and `net accounts` prints its usage
    assert "time.sync" in errors and "time.ntp-config" not in fails
    assert "accounts.password-min-length" in errors
    capture = next(f for f in report["findings"] if f["check"] == "network.live-traffic")
    assert capture["status"] == "not_applicable" and "Npcap" in capture["message"], capture
    assert "network.default-route" not in fails


def _policy(tmp_path: Path, text: str = "") -> str:
    from wine import windows_path

    policy = tmp_path / "policy.yaml"
    policy.write_text(text or POLICY, encoding="utf-8")
    return windows_path(policy)


def test_probe_and_time_offset_through_windows_sockets(wine_prefix: WinePrefix, tmp_path: Path) -> None:
    """--probe on Windows: a TCP target that answers is a fail (the terminal reached it), and the
    clock offset is measured by the same SNTP code as on Linux (a server 300 s ahead: fail).
    Both servers listen on this machine's loopback only."""
    import socket
    import threading

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    ntp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ntp.bind(("127.0.0.1", 0))
    stop = threading.Event()
    server = threading.Thread(target=sntp_serve, args=(ntp, 300.0, stop), daemon=True)
    server.start()
    tcp_port, ntp_port = listener.getsockname()[1], ntp.getsockname()[1]
    text = POLICY.replace("ntp_servers: [10.50.0.123]", f"ntp_servers: ['127.0.0.1:{ntp_port}']").replace(
        "  allowed_dns: [10.50.0.53]\n", "  allowed_dns: [10.50.0.53]\n"
        f"  probe:\n    timeout_seconds: 3\n    targets:\n      - tcp: 127.0.0.1:{tcp_port}\n")
    try:
        wine_prefix.reg_add(leased_line())
        proc = wine_prefix.ybguard(["scan", "--policy", _policy(tmp_path, text), "--format", "json", "--probe",
                                    "--only", "network.probe", "--only", "time.offset"])
        assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")
        report = json.loads(proc.stdout.decode("utf-8"))
    finally:
        stop.set()
        server.join()
        ntp.close()
        listener.close()
    fails = by_status(report, "fail")
    assert fails["network.probe"] == {f"tcp 127.0.0.1:{tcp_port}"}
    offset = finding(report, "time.offset", "fail")
    assert "+30" in offset["message"] or "300" in offset["message"], offset
