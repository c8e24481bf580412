"""Facts of a clean, compliant terminal and a policy that turns every check on: every built-in
check passes on them. Used to prove that each pass says what it examined, and that a 中文
report over them carries no English of ybguard's own."""

from __future__ import annotations

import ipaddress
from typing import Any, Dict

from ybguard.baseline import Baseline
from ybguard.facts.accounts import (
    Account,
    AccountMaxAge,
    BackupCopy,
    BackupSet,
    FileDigest,
    GatewayNeighbour,
    NtpSample,
    PasswordAging,
    PasswordPolicy,
    TimeSync,
)
from ybguard.facts.capture import CaptureResult, InterfaceCapture, ProbeOutcome, ProbeResult
from ybguard.facts.djbh import (
    AntiMalware,
    AuditEvents,
    Autorun,
    BuiltinAccount,
    Complexity,
    Exposure,
    Firewall,
    FirewallProfile,
    IdleScope,
    IdleSetting,
    KernelState,
    Lockout,
    LogStorage,
    PatchState,
    RemoteService,
    ServiceState,
)
from ybguard.facts.history import ClockHistory, Install, InstallHistory, WebHistory, WebHost
from ybguard.facts.network import (
    Address,
    Forwarding,
    ForwardingSetting,
    Interface,
    NetworkHistory,
    Resolver,
    Route,
    Routing,
    Rule,
    Socket,
)
from ybguard.facts.software import Package, Process
from ybguard.facts.usb import DriverState
from ybguard.policy.schema import (
    AccountsPolicy,
    BackupRule,
    IntegrityPolicy,
    LeasedLine,
    NetworkPolicy,
    Policy,
    PolicyMeta,
    SoftwarePolicy,
    TimePolicy,
)

NOW = 1_795_000_000.0  # 2026-11-18, a fixed clock

POLICY = Policy(
    meta=PolicyMeta(id="yb-clean", version=4, title="clean terminal"),
    network=NetworkPolicy(leased_line=LeasedLine(("eth0",)),
                          allowed_networks=(ipaddress.ip_network("10.50.0.0/16"),),
                          allowed_dns=(ipaddress.ip_address("10.50.0.53"),)),
    software=SoftwarePolicy(),
    accounts=AccountsPolicy(),
    time=TimePolicy(ntp_servers=("10.50.0.123",)),
    backups=(BackupRule(paths=("/var/lib/ybclient/yb.db", "/backup/yb.db")),),
    integrity=IntegrityPolicy(paths=("/opt/ybclient",)),
    sha256="1" * 64,
)

ETH0 = Interface("eth0", "ethernet", mac="52:54:00:12:34:56", up=True,
                 addresses=(Address(ipaddress.ip_address("10.50.3.7"), 24),), driver="e1000e", bus="pci",
                 source="/sys/class/net/eth0")
LO = Interface("lo", "loopback", up=True, addresses=(Address(ipaddress.ip_address("127.0.0.1"), 8),))
DIGEST = FileDigest("/opt/ybclient/ybclient.bin", "a" * 64, 1024, 0o100755)


def clean_facts() -> Dict[str, Any]:
    routes = (
        Route(ipaddress.ip_network("10.50.0.0/16"), gateway="10.50.3.1", dev="eth0", source="ip -json route show table all"),
        Route(ipaddress.ip_network("10.50.3.0/24"), dev="eth0", protocol="kernel", source="ip -json route show table all"),
    )
    rules = (Rule(0, "table", "local", 255, "from all", 4, "0: from all lookup local"),
             Rule(32766, "table", "main", 254, "from all", 4, "32766: from all lookup main"),
             Rule(32767, "table", "default", 253, "from all", 4, "32767: from all lookup default"))
    return {
        "host.identity": None,
        "network.routing": Routing(routes, rules),
        "network.interfaces": (LO, ETH0),
        "network.forwarding": Forwarding((ForwardingSetting(4, "all", False, "/proc/sys/net/ipv4/ip_forward"),
                                          ForwardingSetting(6, "all", False, "/proc/sys/net/ipv6/conf/all/forwarding"))),
        "network.nat": (),
        "network.shared": (),
        "network.resolvers": (Resolver("10.50.0.53", "/etc/resolv.conf:2"),),
        "network.proxies": (),
        "network.sockets": (Socket("tcp", 4, "10.50.3.7", 50412, "10.50.0.10", 443, "ESTABLISHED", 812, "ybclient"),),
        "network.capture": CaptureResult(10.0, NOW, NOW + 10, (InterfaceCapture("eth0", "ethernet", "not net 10.50.0.0/16",
                                                                               True, passed=0),), ()),
        "network.probe": ProbeResult(2.0, (ProbeOutcome("tcp", "198.51.100.10:443", False, detail="timed out"),)),
        "network.history": (NetworkHistory("leased line", "ethernet", source="NetworkList"),),
        "usb.attached": (),
        "usb.mounts": (),
        "usb.driver": (DriverState("usb-storage", True, "install usb-storage /bin/false in /etc/modprobe.d/yb.conf:1",
                                   False, "/etc/modprobe.d/yb.conf"),),
        "usb.history": (),
        "software.packages": (Package("bash", "5.2.15-2", "dpkg", source="/var/lib/dpkg/status"),
                              Package("ybclient", "3.2.1", "dpkg", source="/var/lib/dpkg/status")),
        "software.processes": (Process(1, "systemd", "/usr/lib/systemd/systemd", "root"),
                               Process(812, "ybclient", "/opt/ybclient/ybclient.bin", "yb")),
        "accounts.password_policy": PasswordPolicy(10, 60, (("/etc/security/pwquality.conf", "minlen=10"),
                                                            ("/etc/login.defs", "PASS_MAX_DAYS=60"))),
        "accounts.max_age": PasswordAging(True, 60, (AccountMaxAge("root", 60, "/etc/shadow:1"),
                                                     AccountMaxAge("yb", 60, "/etc/shadow:20")),
                                          (("/etc/login.defs", "PASS_MAX_DAYS=60"),)),
        "accounts.users": (Account("root", 0, True, "set", int(NOW // 86400) - 10, 60, "/etc/shadow", 10),
                           Account("yb", 1000, True, "set", int(NOW // 86400) - 5, 60, "/etc/shadow", 5)),
        "time.sync": TimeSync("chrony", ("10.50.0.123",), True, 0.002, (("/etc/chrony/chrony.conf", "server 10.50.0.123"),),
                              live=True),
        "time.probe": (NtpSample("10.50.0.123", 0.004, address="10.50.0.123"),),
        "backups.files": (BackupSet(("/var/lib/ybclient/yb.db", "/backup/yb.db"),
                                    (BackupCopy("/var/lib/ybclient/yb.db", 4096, NOW - 3600, "disk sda", sha256="b" * 64),
                                     BackupCopy("/backup/yb.db", 4096, NOW - 1800, "disk sdb", sha256="b" * 64)),
                                    scanned_at=NOW),),
        "integrity.baseline": Baseline("2026-11-01T09:00:00+08:00", "yb-term-07", "1" * 64, ("/opt/ybclient",),
                                       {DIGEST.path: (DIGEST.sha256, DIGEST.size, DIGEST.mode)},
                                       (("dpkg", "bash", "5.2.15-2"), ("dpkg", "ybclient", "3.2.1")),
                                       (("eth0", ETH0.mac, "ethernet"),), (("10.50.3.1", "52:54:00:aa:bb:cc", "eth0"),),
                                       (), {}, "/etc/ybguard/baseline.json"),
        "integrity.files": (DIGEST,),
        "integrity.gateway": (GatewayNeighbour("10.50.3.1", "52:54:00:aa:bb:cc", "eth0", "REACHABLE"),),
        # 等保 2.0 controls of a hardened Debian terminal
        "logon.complexity": Complexity(True, 3, True, (("/etc/security/pwquality.conf", "minclass=3"),
                                                       ("/etc/security/pwquality.conf", "enforce_for_root"))),
        "logon.lockout": Lockout(5, 15, 15, (("/etc/security/faillock.conf", "deny=5"),
                                             ("/etc/security/faillock.conf", "unlock_time=900"))),
        "logon.idle": (IdleScope("shell", (IdleSetting(600, True, "/etc/profile.d/tmout.sh", "TMOUT=600"),)),),
        "logon.default_accounts": (BuiltinAccount("root", "0", "administrator", True, source="/etc/shadow"),
                                   BuiltinAccount("guest", "1001", "guest", False, source="/etc/shadow")),
        "logon.remote": (RemoteService("sshd", False, (), "/etc/systemd/system/multi-user.target.wants",
                                       "ssh.service: disabled"),),
        "audit.events": AuditEvents("auditd", True, (), (("/etc/audit/rules.d/yb.rules", "-w /etc/passwd -p wa"),)),
        "audit.storage": LogStorage((("journald", True, "Storage=persistent"),), None,
                                    (("/etc/systemd/journald.conf", "Storage=persistent"),)),
        "hardening.exposure": Exposure((),  # live: nothing listens beyond loopback
                                       (ServiceState("smbd", False, "SMB file sharing (445)", "systemctl"),), ()),
        "hardening.autorun": Autorun("GNOME (gvfs/udisks)", True,
                                     (("/etc/dconf/db/local.d/00-media", "automount=false"),)),
        "hardening.firewall": Firewall((FirewallProfile("nftables inet yb input", True, True, "nft -j list ruleset",
                                                        "hook input drop"),), "any"),
        "malware.products": (AntiMalware("ClamAV", True, True, True, 1.0, "systemctl", "clamav-daemon active"),),
        "patches.state": PatchState("2026-11-15", 3, pending=(), lists_age_days=1,
                                    sources=(("/var/lib/apt/lists", "1 day old"),), kind="apt"),
        "patches.kernel": KernelState("6.1.0-27-amd64", "6.1.0-27-amd64", (("/proc/sys/kernel/osrelease",
                                                                            "6.1.0-27-amd64"),)),
        # traces of past violations: only the leased line's own systems
        "history.web": WebHistory((WebHost("yb", "Firefox", "10.50.0.10", 12, "2026-11-01T01:00:00Z",
                                           "2026-11-17T08:00:00Z", "/home/yb/.mozilla/firefox/x.default/places.sqlite"),),
                                  ("/home/yb/.mozilla/firefox/x.default/places.sqlite",), visits_examined=12),
        "history.installs": InstallHistory((Install("ybclient", "3.2.1", "2026-11-02T02:00:00Z",
                                                    "/var/log/dpkg.log:12"),), ("/var/log/dpkg.log",)),
        "history.clock": ClockHistory((), ("/var/log/wtmp", "/var/log/auth.log")),
    }

