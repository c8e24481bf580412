"""The Windows 等保 collectors on in-memory registries (the values no public hive holds), on the
real SYSTEM/NTUSER hives of ../shared, and on the live path with recorded tool output."""

from __future__ import annotations

import struct
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import pytest
from memreg import MemHive, base_system, mem_target

from djbhscan import messages, outcome, policy, scan
from ybguard.collect.audit import parse_auditpol_csv
from ybguard.collect.hardening import parse_netstat_listeners
from ybguard.collect.logon import parse_net_accounts_lockout
from ybguard.target.windows import Registry, UserHive, WindowsImageTarget, WindowsLiveTarget

DATA = Path(__file__).resolve().parent.parent / "data" / "windows"
MINUTE = 60 * 10 ** 7  # 100 ns ticks


def domain_f(complex_: bool = True, threshold: int = 5, lockout_min: Optional[int] = 30, window_min: int = 30,
             min_len: int = 8) -> bytes:
    data = bytearray(0x68)
    struct.pack_into("<q", data, 0x18, -90 * 1440 * MINUTE)
    struct.pack_into("<q", data, 0x30, -(2 ** 63) if lockout_min is None else -lockout_min * MINUTE)
    struct.pack_into("<q", data, 0x38, -window_min * MINUTE)
    struct.pack_into("<I", data, 0x4C, 1 if complex_ else 0)
    struct.pack_into("<H", data, 0x50, min_len)
    struct.pack_into("<H", data, 0x54, threshold)
    return bytes(data)


def user_fv(name: str, acb: int) -> Dict[str, bytes]:
    f = bytearray(0x50)
    struct.pack_into("<H", f, 0x38, acb)
    raw = name.encode("utf-16-le")
    v = bytearray(0xCC)
    struct.pack_into("<II", v, 0x0C, 0, len(raw))
    return {"F": bytes(f), "V": bytes(v) + raw}


def sam(users: Dict[int, Dict[str, bytes]], **f: Any) -> Dict[str, Any]:
    tree: Dict[str, Any] = {f"{rid:08X}": fv for rid, fv in users.items()}
    tree["Names"] = {}
    return {"SAM": {"Domains": {"Account": {"F": domain_f(**f), "Users": tree}}}}


ACB_DISABLED, ACB_PWNOTREQ, ACB_NORMAL = 0x1, 0x4, 0x10


def system(**extra: Any) -> Dict[str, Any]:
    tree = base_system(
        TermService={"Start": 3}, MpsSvc={"Start": 2}, EventLog={"Start": 2, "Security": {"MaxSize": 20971520,
                                                                                         "Retention": 0}},
        LanmanServer={"Start": 4, "Parameters": {}},
        SharedAccess={"Parameters": {"FirewallPolicy": {
            "DomainProfile": {"EnableFirewall": 1}, "StandardProfile": {"EnableFirewall": 1},
            "PublicProfile": {"EnableFirewall": 1}}}},
        WinDefend={"Start": 2})
    tree["ControlSet001"]["Control"].update({"Terminal Server": {"fDenyTSConnections": 1, "WinStations": {
        "RDP-Tcp": {"UserAuthentication": 1, "SecurityLayer": 2}}}, "Remote Assistance": {"fAllowToGetHelp": 0}})
    for path, value in extra.items():
        node = tree["ControlSet001"]
        parts = path.split("__")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return tree


def filetime(dt: datetime) -> bytes:
    return struct.pack("<Q", int((dt - datetime(1601, 1, 1, tzinfo=timezone.utc)).total_seconds() * 10 ** 7))


def software(updated: Optional[datetime] = None, **extra: Any) -> Dict[str, Any]:
    now = updated or datetime.now(timezone.utc)
    ft = int((now - datetime(1601, 1, 1, tzinfo=timezone.utc)).total_seconds() * 10 ** 7)
    tree: Dict[str, Any] = {"Microsoft": {
        "Windows Defender": {"Signature Updates": {"AVSignatureVersion": "1.403.1234.0",
                                                   "SignaturesLastUpdated": filetime(now)},
                             "Real-Time Protection": {}},
        "Windows": {"CurrentVersion": {
            "Policies": {"System": {"InactivityTimeoutSecs": 600},
                         "Explorer": {"NoDriveTypeAutoRun": 0xFF}},
            "Component Based Servicing": {"Packages": {
                "Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.4529.1.8": {
                    "CurrentState": 112, "InstallTimeHigh": ft >> 32, "InstallTimeLow": ft & 0xFFFFFFFF},
                "Package_for_KB5034441~31bf3856ad364e35~amd64~~19041.3920.1.0": {"CurrentState": 112}}},
            "Uninstall": {}}},
        "Windows NT": {"CurrentVersion": {"CurrentBuild": "19045", "UBR": 4529}}}}
    for path, value in extra.items():
        node = tree
        parts = path.split("__")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return tree


ADMIN_RENAMED = {500: user_fv("yb-admin", ACB_NORMAL), 501: user_fv("Guest", ACB_NORMAL | ACB_DISABLED),
                 1001: user_fv("医保操作员", ACB_NORMAL)}
DJBH = ("logon.*", "audit.*", "hardening.*", "malware.*", "patches.*")


def win(system_tree: Optional[Dict[str, Any]] = None, software_tree: Optional[Dict[str, Any]] = None,
        users: Sequence[tuple] = (), sam_tree: Optional[Dict[str, Any]] = None) -> WindowsImageTarget:
    return mem_target(system_tree or system(), software_tree if software_tree is not None else software(), users,
                      sam_tree if sam_tree is not None else sam(ADMIN_RENAMED))


def test_hardened_image_passes() -> None:
    got = outcome(scan(win(), *DJBH))
    bad = {c: s for c, s in got.items() if set(s) - {"pass", "not_applicable"}}
    assert bad == {}
    assert got["audit.events"] == {"not_applicable": {"audit policy"}}  # SECURITY hive: not read offline
    assert got["patches.kernel"] == {"not_applicable": {"kernel"}}


def test_sam_complexity_and_lockout() -> None:
    got = outcome(scan(win(sam_tree=sam(ADMIN_RENAMED, complex_=False, threshold=0)), "logon.password-complexity",
                       "logon.lockout"))
    assert got == {"logon.password-complexity": {"fail": {"password policy"}}, "logon.lockout": {"fail": {"lockout policy"}}}
    got = outcome(scan(win(sam_tree=sam(ADMIN_RENAMED, threshold=10, lockout_min=None)), "logon.lockout"))
    assert got == {"logon.lockout": {"fail": {"lockout policy"}}}  # 10 attempts; "forever" duration is fine
    assert "after 10 failures" in messages(scan(win(sam_tree=sam(ADMIN_RENAMED, threshold=10)), "logon.lockout"),
                                           "logon.lockout")
    got = outcome(scan(win(sam_tree=sam(ADMIN_RENAMED, lockout_min=5)), "logon.lockout"))
    assert got == {"logon.lockout": {"fail": {"lockout policy"}}}
    no_sam = mem_target(system(), software(), (), None)
    got = outcome(scan(no_sam, "logon.password-complexity", "logon.default-accounts"))
    assert got == {"logon.password-complexity": {"not_applicable": {"password policy"}},
                   "logon.default-accounts": {"not_applicable": {"accounts"}}}


def test_builtin_accounts_by_rid() -> None:
    users = {500: user_fv("Administrator", ACB_NORMAL), 501: user_fv("来宾", ACB_NORMAL),
             1001: user_fv("scanner", ACB_NORMAL | ACB_PWNOTREQ), 1002: user_fv("old", ACB_NORMAL | ACB_DISABLED | ACB_PWNOTREQ)}
    got = outcome(scan(win(sam_tree=sam(users)), "logon.default-accounts"))
    # a renamed Guest is still the guest (RID 501); a disabled account needs no password flag check
    assert got == {"logon.default-accounts": {"fail": {"Administrator", "来宾", "scanner"}}}
    users[500] = user_fv("Administrator", ACB_NORMAL | ACB_DISABLED)
    users[501] = user_fv("Guest", ACB_NORMAL | ACB_DISABLED)
    del users[1001]
    assert outcome(scan(win(sam_tree=sam(users)), "logon.default-accounts")) == {
        "logon.default-accounts": {"pass": {"accounts"}}}


def test_idle_lock_machine_and_users() -> None:
    soft = software()
    del soft["Microsoft"]["Windows"]["CurrentVersion"]["Policies"]["System"]["InactivityTimeoutSecs"]
    secure = {"Control Panel": {"Desktop": {"ScreenSaveActive": "1", "ScreenSaverIsSecure": "1", "ScreenSaveTimeOut": "600"}}}
    open_ = {"Control Panel": {"Desktop": {"ScreenSaveActive": "1", "ScreenSaverIsSecure": "0", "ScreenSaveTimeOut": "300"}}}
    got = outcome(scan(win(software_tree=soft, users=[("yb", secure), ("op", open_)]), "logon.idle-lock"))
    assert got == {"logon.idle-lock": {"pass": {"user yb"}, "fail": {"user op"}}}
    policy_tree = {"Software": {"Policies": {"Microsoft": {"Windows": {"Control Panel": {"Desktop": {
        "ScreenSaveActive": "1", "ScreenSaverIsSecure": "1", "ScreenSaveTimeOut": "900"}}}}}}}
    got = outcome(scan(win(software_tree=soft, users=[("op", {**open_, **policy_tree})]), "logon.idle-lock"))
    assert got == {"logon.idle-lock": {"pass": {"user op"}}}  # the user's policy wins over their own values
    got = outcome(scan(win(software_tree=soft), "logon.idle-lock"))
    assert set(got["logon.idle-lock"]) == {"error"}  # nothing machine-wide, no user to read
    soft["Microsoft"]["Windows"]["CurrentVersion"]["Policies"]["System"]["InactivityTimeoutSecs"] = 3600
    got = outcome(scan(win(software_tree=soft, users=[("yb", secure), ("op", open_)]), "logon.idle-lock"))
    assert got == {"logon.idle-lock": {"pass": {"user yb"}, "fail": {"user op"}}}  # an hour: each user decides
    got = outcome(scan(win(software_tree=soft), "logon.idle-lock"))
    assert got == {"logon.idle-lock": {"fail": {"machine (screen saver policy)"}}}


def test_remote_administration() -> None:
    tree = system()
    tree["ControlSet001"]["Control"]["Terminal Server"] = {"fDenyTSConnections": 0, "WinStations": {
        "RDP-Tcp": {"UserAuthentication": 0, "SecurityLayer": 0}}}
    tree["ControlSet001"]["Services"]["TlntSvr"] = {"Start": 2}
    got = outcome(scan(win(system_tree=tree), "logon.remote-admin"))
    assert got == {"logon.remote-admin": {"fail": {"RDP", "telnet"}}}
    tree["ControlSet001"]["Control"]["Terminal Server"]["WinStations"]["RDP-Tcp"] = {"UserAuthentication": 1,
                                                                                     "SecurityLayer": 2}
    del tree["ControlSet001"]["Services"]["TlntSvr"]
    assert outcome(scan(win(system_tree=tree), "logon.remote-admin")) == {"logon.remote-admin": {"pass": {"RDP"}}}
    soft = software()
    soft["Policies"] = {"Microsoft": {"Windows NT": {"Terminal Services": {"fDenyTSConnections": 1}}}}
    assert outcome(scan(win(system_tree=tree, software_tree=soft), "logon.remote-admin")) == {
        "logon.remote-admin": {"pass": {"remote administration"}}}  # group policy switches RDP off


def test_event_log_size_and_service() -> None:
    tree = system()
    tree["ControlSet001"]["Services"]["EventLog"]["Security"]["MaxSize"] = 1048576
    assert outcome(scan(win(system_tree=tree), "audit.log-storage")) == {
        "audit.log-storage": {"fail": {"Security event log"}}}
    soft = software()
    soft["Policies"] = {"Microsoft": {"Windows": {"EventLog": {"Security": {"MaxSize": 196608}}}}}  # KB
    assert outcome(scan(win(system_tree=tree, software_tree=soft), "audit.log-storage")) == {
        "audit.log-storage": {"pass": {"logs"}}}
    tree["ControlSet001"]["Services"]["EventLog"]["Start"] = 4
    assert outcome(scan(win(system_tree=tree, software_tree=soft), "audit.log-storage")) == {
        "audit.log-storage": {"fail": {"logs"}}}


def test_shares_smb1_and_services() -> None:
    tree = system()
    tree["ControlSet001"]["Services"].update({"LanmanServer": {"Start": 2, "Parameters": {}, "Shares": {
        "医保数据": ["Path=D:\\yb", "Permissions=0"]}}, "srv": {"Start": 3}, "RemoteRegistry": {"Start": 2}})
    got = outcome(scan(win(system_tree=tree), "hardening.services"))
    assert got == {"hardening.services": {"fail": {"LanmanServer", "RemoteRegistry", "administrative shares (C$, ADMIN$)",
                                                   "SMBv1 server", "shared folders"}}}
    tree["ControlSet001"]["Services"]["LanmanServer"] = {"Start": 2, "Parameters": {"AutoShareWks": 0, "SMB1": 0}}
    del tree["ControlSet001"]["Services"]["RemoteRegistry"]
    pol = policy(allowed_services=("LanmanServer",))
    assert outcome(scan(win(system_tree=tree), "hardening.services", pol=pol)) == {
        "hardening.services": {"pass": {"services"}}}


def test_autorun_and_firewall() -> None:
    soft = software()
    soft["Microsoft"]["Windows"]["CurrentVersion"]["Policies"]["Explorer"] = {"NoDriveTypeAutoRun": 0x91}
    assert outcome(scan(win(software_tree=soft), "hardening.autorun")) == {
        "hardening.autorun": {"fail": {"Explorer AutoRun/AutoPlay"}}}
    soft["Microsoft"]["Windows"]["CurrentVersion"]["Policies"]["Explorer"] = {"NoDriveTypeAutoRun": 0x91, "NoAutorun": 1}
    assert outcome(scan(win(software_tree=soft), "hardening.autorun")) == {
        "hardening.autorun": {"pass": {"Explorer AutoRun/AutoPlay"}}}
    tree = system()
    tree["ControlSet001"]["Services"]["SharedAccess"]["Parameters"]["FirewallPolicy"]["PublicProfile"] = {
        "EnableFirewall": 0}
    tree["ControlSet001"]["Services"]["SharedAccess"]["Parameters"]["FirewallPolicy"]["DomainProfile"][
        "DefaultInboundAction"] = 0
    assert outcome(scan(win(system_tree=tree), "hardening.firewall")) == {
        "hardening.firewall": {"fail": {"Public", "Domain"}}}
    tree = system()
    tree["ControlSet001"]["Services"]["MpsSvc"]["Start"] = 4
    assert outcome(scan(win(system_tree=tree), "hardening.firewall")) == {
        "hardening.firewall": {"fail": {"Public", "Private", "Domain"}}}


def test_defender_and_third_party() -> None:
    old = datetime.now(timezone.utc) - timedelta(days=40)
    got = outcome(scan(win(software_tree=software(updated=old)), "malware.*"))
    assert got["malware.signatures"] == {"fail": {"Microsoft Defender Antivirus"}}
    soft = software()
    soft["Microsoft"]["Windows Defender"]["Real-Time Protection"] = {"DisableRealtimeMonitoring": 1}
    assert outcome(scan(win(software_tree=soft), "malware.realtime")) == {"malware.realtime": {"fail": {"antivirus"}}}
    # Defender switched off by policy, 火绒 installed and starting at boot
    soft = software()
    soft["Policies"] = {"Microsoft": {"Windows Defender": {"DisableAntiSpyware": 1}}}
    soft["Microsoft"]["Windows"]["CurrentVersion"]["Uninstall"] = {"HuorongSysdiag": {"DisplayName": "火绒安全软件"}}
    tree = system()
    tree["ControlSet001"]["Services"]["HipsDaemon"] = {"Start": 2}
    got = outcome(scan(win(system_tree=tree, software_tree=soft), "malware.*"))
    assert got["malware.antivirus"] == {"pass": {"火绒安全 Huorong"}}
    assert set(got["malware.signatures"]) == {"error"}  # its signature date is not in the registry: check by hand
    assert set(got["malware.realtime"]) == {"error"}  # nor whether it scans on access
    # the Security Center says it is on and up to date (STATE 0x1000 = on, signatures current)
    soft["Microsoft"]["Security Center"] = {"Provider": {"Av": {"{X}": {"DISPLAYNAME": "火绒安全软件", "STATE": 0x1000}}}}
    got = outcome(scan(win(system_tree=tree, software_tree=soft), "malware.*"))
    assert got["malware.signatures"] == {"pass": {"火绒安全 Huorong"}} and got["malware.realtime"] == {
        "pass": {"火绒安全 Huorong"}}
    soft["Microsoft"]["Security Center"]["Provider"]["Av"]["{X}"]["STATE"] = 0x0010  # off, out of date
    got = outcome(scan(win(system_tree=tree, software_tree=soft), "malware.*"))
    assert got["malware.signatures"] == {"fail": {"火绒安全 Huorong"}} and got["malware.realtime"] == {
        "fail": {"antivirus"}}
    soft["Microsoft"]["Windows"]["CurrentVersion"]["Uninstall"] = {}
    del tree["ControlSet001"]["Services"]["HipsDaemon"]
    assert outcome(scan(win(system_tree=tree, software_tree=soft), "malware.antivirus")) == {
        "malware.antivirus": {"fail": {"antivirus"}}}


def test_patches_build_age_reboot() -> None:
    old = datetime.now(timezone.utc) - timedelta(days=200)
    assert outcome(scan(win(software_tree=software(updated=old)), "patches.security-updates")) == {
        "patches.security-updates": {"fail": {"updates"}}}
    pol = policy(min_windows_build="19045.5000")
    assert outcome(scan(win(), "patches.security-updates", pol=pol)) == {"patches.security-updates": {"fail": {"build"}}}
    soft = software()
    soft["Microsoft"]["Windows"]["CurrentVersion"]["Component Based Servicing"]["RebootPending"] = {}
    assert outcome(scan(win(software_tree=soft), "patches.security-updates")) == {
        "patches.security-updates": {"fail": {"reboot"}}}
    assert "19045.4529" in messages(scan(win(), "patches.security-updates"), "patches.security-updates")


# --- real hives ---------------------------------------------------------------------------------

def real(hive_files: Dict[str, Path], key: str, user: bool = False) -> WindowsImageTarget:
    from ybguard.target.windows import RegipyHive

    users = [UserHive("vibranium", RegipyHive(str(hive_files["ntuser"]), "HKU\\vibranium"))] if user else []
    registry = Registry(system=lambda: RegipyHive(str(hive_files[key]), "HKLM\\SYSTEM"),
                        software=lambda: MemHive("HKLM\\SOFTWARE", {}), sam=lambda: None, ntusers=lambda: users)
    return WindowsImageTarget("/nonexistent", registry, volume=False)


def test_real_win7_system_hive(hive_files: Dict[str, Path]) -> None:
    """WKS-WIN732BITA: RDP on without NLA, Remote Assistance allowed, a 4 MB Security log,
    SMB1 (srv) and admin shares on, firewall on in all three profiles — as the hive says."""
    report = scan(real(hive_files, "win7", user=True), "logon.remote-admin", "audit.log-storage", "hardening.*",
                  "logon.idle-lock")
    got = outcome(report)
    assert got["logon.remote-admin"] == {"fail": {"RDP", "Remote Assistance"}}
    assert "UserAuthentication=0" in messages(report, "logon.remote-admin")
    assert got["audit.log-storage"] == {"fail": {"Security event log"}}
    assert {"administrative shares (C$, ADMIN$)", "SMBv1 server", "LanmanServer"} <= got["hardening.services"]["fail"]
    assert got["hardening.firewall"] == {"pass": {"firewall"}}
    # vibranium's NTUSER: ScreenSaveActive=1 but no timeout and not secure; the per-user
    # NoDriveTypeAutoRun=0x91 protects only that user and is the default
    assert got["logon.idle-lock"] == {"fail": {"user vibranium"}}
    assert got["hardening.autorun"] == {"fail": {"Explorer AutoRun/AutoPlay"}}


@pytest.mark.parametrize("key", ["win10", "win10_1709"])
def test_real_win10_system_hives(hive_files: Dict[str, Path], key: str) -> None:
    got = outcome(scan(real(hive_files, key), "logon.remote-admin", "audit.log-storage", "hardening.firewall"))
    assert got["logon.remote-admin"] == {"fail": {"Remote Assistance"}}  # RDP denied, RA allowed
    assert got["audit.log-storage"] == {"pass": {"logs"}}  # 20 MB
    assert got["hardening.firewall"] == {"pass": {"firewall"}}


def test_real_hive_patched_firewall_off(hive_files: Dict[str, Path], tmp_path: Path) -> None:
    """Binary-patch PublicProfile\\EnableFirewall (an inline DWORD) in a copy of the Windows 10 hive."""
    from ybguard.target.windows import RegipyHive

    data = bytearray(hive_files["win10"].read_bytes())
    hive = RegipyHive(str(hive_files["win10"]), "HKLM\\SYSTEM")
    key = hive.key("ControlSet001\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\PublicProfile")
    assert key is not None and key.int_value("EnableFirewall") == 1
    # every vk cell named EnableFirewall: 'vk', name length, data size (0x80000004 = inline DWORD),
    # the DWORD itself, type, flags, spare, name; patch each candidate until PublicProfile reads 0
    needle = b"vk" + struct.pack("<H", len("EnableFirewall"))
    at, patched = data.find(needle), None
    while at >= 0 and patched is None:
        if data[at + 20:at + 34] == b"EnableFirewall" and struct.unpack_from("<II", data, at + 4) == (0x80000004, 1):
            copy = bytearray(data)
            struct.pack_into("<I", copy, at + 8, 0)
            path = tmp_path / f"SYSTEM_{at:x}"
            path.write_bytes(bytes(copy))
            probe = RegipyHive(str(path), "HKLM\\SYSTEM").key(
                "ControlSet001\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\PublicProfile")
            if probe is not None and probe.int_value("EnableFirewall") == 0:
                patched = path
        at = data.find(needle, at + 1)
    assert patched is not None
    hive_files = {**hive_files, "patched": patched}
    got = outcome(scan(real(hive_files, "patched"), "hardening.firewall"))
    assert got == {"hardening.firewall": {"fail": {"Public"}}}


# --- live path, recorded output -----------------------------------------------------------------

class Recorded(WindowsLiveTarget):
    def __init__(self, registry: Registry, outputs: Dict[str, str], secedit: str = "") -> None:
        super().__init__(registry)
        self.outputs = outputs
        self.secedit = secedit
        self.calls: List[str] = []

    def run(self, argv: Sequence[str], timeout: float = 10.0) -> str:
        self.calls.append(" ".join(argv))
        if list(argv[:3]) == ["secedit", "/export", "/cfg"] and len(argv) == 4:
            if not self.secedit:
                raise RuntimeError("secedit exited 1: not elevated")
            Path(argv[3]).write_bytes(self.secedit.encode("utf-16"))
            return ""
        return self.outputs[" ".join(argv)]


def live(outputs: Dict[str, str], secedit: str = "") -> Recorded:
    registry = Registry(system=lambda: MemHive("HKLM\\SYSTEM", system()),
                        software=lambda: MemHive("HKLM\\SOFTWARE", software()), sam=lambda: None,
                        ntusers=lambda: [], control_set="ControlSet001")
    return Recorded(registry, outputs, secedit)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_auditpol_by_guid_in_both_languages(lang: str) -> None:
    text = (DATA / "djbh" / f"auditpol_r_{lang}.txt").read_text("utf-8")
    rows = parse_auditpol_csv(text)
    assert rows["{0CCE9215-69AE-11D9-BED3-505054503030}"][1:] == (True, True)
    target = live({"auditpol /get /category:* /r": text})
    report = scan(target, "audit.events")
    assert {f.subject for f in report.findings if f.status.value == "fail"} == {"Account Lockout", "User Account Management",
                                                                                 "Credential Validation"}
    assert "auditpol /get /category:* /r" in target.calls


def test_auditpol_unknown_language_is_an_error() -> None:
    text = (DATA / "djbh" / "auditpol_r_en.txt").read_text("utf-8").replace("Success and Failure", "Erfolg und Fehler")
    report = scan(live({"auditpol /get /category:* /r": text}), "audit.events")
    assert {f.status.value for f in report.findings} == {"error"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_netstat_listeners_by_shape(lang: str) -> None:
    text = (DATA / "djbh" / f"netstat_ano_{lang}.txt").read_text("utf-8")
    got = {(x.proto, x.address, x.port) for x in parse_netstat_listeners(text)}
    assert got == {("tcp", "0.0.0.0", 135), ("tcp", "0.0.0.0", 445), ("tcp", "10.88.0.2", 139),
                   ("tcp", "127.0.0.1", 36677), ("tcp", "::", 135), ("tcp", "::1", 49669), ("udp", "0.0.0.0", 5353),
                   ("udp", "127.0.0.1", 1900)}
    report = scan(live({"netstat -ano": text}), "hardening.services", pol=policy(allowed_listen_ports=(5353,)))
    fails = {f.subject for f in report.findings if f.status.value == "fail"}
    assert fails == {"tcp/135", "tcp/445", "tcp/139"}  # loopback listeners are not exposed


@pytest.mark.parametrize("name,want", [
    ("net_accounts_en_workstation_lockout.txt", (5, 30, 30)),
    ("net_accounts_zh_win11_workstation.txt", (0, None, 10)),  # 锁定阈值: 从不
])
def test_net_accounts_lockout_real_samples(name: str, want: tuple) -> None:
    lo = parse_net_accounts_lockout((DATA / "real" / name).read_text("utf-8"))
    assert (lo.threshold, lo.duration_minutes, lo.reset_minutes) == want


def test_live_lockout_and_complexity_from_secedit_then_net_accounts() -> None:
    inf = (DATA / "real" / "secedit_en_server2016.inf").read_bytes().decode("utf-16")
    target = live({}, secedit=inf)
    got = outcome(scan(target, "logon.password-complexity", "logon.lockout"))
    assert "secedit /export /cfg" in target.calls[0]
    assert set(got) == {"logon.password-complexity", "logon.lockout"}
    fallback = live({"net accounts": (DATA / "real" / "net_accounts_zh_win11_workstation.txt").read_text("utf-8")})
    got = outcome(scan(fallback, "logon.lockout", "logon.password-complexity"))
    assert got["logon.lockout"] == {"fail": {"lockout policy"}}  # 从不 = never locks
    assert set(got["logon.password-complexity"]) == {"error"}  # net accounts does not say; never a pass


class Answering(WindowsImageTarget):
    """An offline target that answers recorded commands (what the evidence target of contract 1 does)."""

    def __init__(self, registry: Registry, outputs: Dict[str, str]) -> None:
        super().__init__("/nonexistent", registry, volume=False)
        self.outputs = outputs

    def run(self, argv: Sequence[str], timeout: float = 10.0) -> str:
        return self.outputs[" ".join(argv)]


def test_recorded_commands_answer_an_offline_target() -> None:
    image = win()
    outputs = {"auditpol /get /category:* /r": (DATA / "djbh" / "auditpol_r_zh.txt").read_text("utf-8"),
               "netstat -ano": (DATA / "djbh" / "netstat_ano_en.txt").read_text("utf-8")}
    target = Answering(image.registry, outputs)
    got = outcome(scan(target, "audit.events", "hardening.services"))
    assert got["audit.events"] == {"fail": {"Account Lockout", "User Account Management", "Credential Validation"}}
    assert {"tcp/135", "tcp/445", "tcp/139", "udp/5353"} <= got["hardening.services"]["fail"]
