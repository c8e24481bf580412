"""Every Linux 等保 check on fixture roots: the hardened root passes, each change fails (or errors)
with the exact subject, as the program that owns the file would read it."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from djbhroots import (
    PAM_AUTH,
    PAM_PASSWORD,
    SECURITY_LIST,
    add_dpkg,
    cvd_header,
    enable,
    security_lists,
    write,
)
from djbhscan import messages, policy, root_outcome, scan
from ybguard.target.linux import RootfsTarget

DJBH = ("logon.*", "audit.*", "hardening.*", "malware.*", "patches.*")


def test_hardened_root_passes_every_check(hardened: Path) -> None:
    got = root_outcome(hardened, *DJBH)
    assert {c for c, s in got.items() if set(s) - {"pass", "not_applicable"}} == set(), got
    assert got["patches.kernel"] == {"not_applicable": {"kernel"}}  # an image runs no kernel
    assert got["hardening.autorun"] == {"not_applicable": {"autorun"}}  # no desktop: nothing automounts
    assert "pass" in got["malware.realtime"]


def test_complexity(hardened: Path) -> None:
    conf = hardened / "etc/security/pwquality.conf"
    conf.write_text("minlen = 8\nminclass = 2\nenforce_for_root\n")
    assert root_outcome(hardened, "logon.password-complexity")["logon.password-complexity"] == {
        "fail": {"password policy"}}
    conf.write_text("dcredit = -1\nucredit = -1\nlcredit = -1\n")  # three required classes, root not enforced
    assert root_outcome(hardened, "logon.password-complexity")["logon.password-complexity"] == {
        "pass": {"password policy"}, "fail": {"root"}}
    conf.write_text("minclass = 4\nenforce_for_root\nenforcing = 0\n")  # only warns
    report = scan(RootfsTarget(str(hardened)), "logon.password-complexity")
    assert "not enforced" in messages(report, "logon.password-complexity")
    (hardened / "etc/pam.d/common-password").write_text(PAM_PASSWORD.replace("pam_pwquality.so", "pam_pwquality.so minclass=1"
                                                                              ).replace("requisite", "optional", 1))
    assert root_outcome(hardened, "logon.password-complexity")["logon.password-complexity"] == {
        "fail": {"password policy"}}  # an optional module decides nothing
    (hardened / "etc/pam.d/common-password").unlink()
    assert "error" in root_outcome(hardened, "logon.password-complexity")["logon.password-complexity"]


def test_complexity_weakest_stack_wins(hardened: Path) -> None:
    write(hardened, "/etc/pam.d/password-auth", "password required pam_unix.so sha512\n")
    assert root_outcome(hardened, "logon.password-complexity")["logon.password-complexity"] == {
        "fail": {"password policy"}}


@pytest.mark.parametrize("conf,status", [
    ("deny = 10\nunlock_time = 900\n", "fail"),  # too many attempts
    ("deny = 5\nunlock_time = 60\n", "fail"),  # locked for one minute only
    ("deny = 5\nunlock_time = 0\n", "pass"),  # until an administrator unlocks
    ("", "pass"),  # pam_faillock's defaults: deny=3, unlock_time=600
])
def test_lockout_faillock(hardened: Path, conf: str, status: str) -> None:
    (hardened / "etc/security/faillock.conf").write_text(conf)
    assert set(root_outcome(hardened, "logon.lockout")["logon.lockout"]) == {status}


def test_lockout_absent_tally2_and_missing(hardened: Path) -> None:
    auth = hardened / "etc/pam.d/common-auth"
    auth.write_text("auth [success=1 default=ignore] pam_unix.so nullok\nauth requisite pam_deny.so\n")
    assert root_outcome(hardened, "logon.lockout")["logon.lockout"] == {"fail": {"lockout policy"}}
    auth.write_text("auth required pam_tally2.so onerr=fail deny=3 unlock_time=600\n" + PAM_AUTH)
    assert root_outcome(hardened, "logon.lockout")["logon.lockout"] == {"pass": {"lockout policy"}}
    auth.unlink()
    assert set(root_outcome(hardened, "logon.lockout")["logon.lockout"]) == {"error"}


def test_idle_shell_and_desktop(hardened: Path) -> None:
    tm = hardened / "etc/profile.d/ybguard-tmout.sh"
    tm.write_text("export TMOUT=3600\n")
    assert root_outcome(hardened, "logon.idle-lock")["logon.idle-lock"] == {"fail": {"shell (TMOUT)"}}
    tm.unlink()
    assert root_outcome(hardened, "logon.idle-lock")["logon.idle-lock"] == {"fail": {"shell (TMOUT)"}}
    write(hardened, "/etc/profile", "if [ -d /etc/profile.d ]; then :; fi\nTMOUT=900; readonly TMOUT\n")
    write(hardened, "/usr/bin/gnome-shell", "")  # a GNOME desktop: its own lock is needed too
    assert root_outcome(hardened, "logon.idle-lock")["logon.idle-lock"] == {
        "pass": {"shell (TMOUT)"}, "fail": {"desktop GNOME"}}
    db = write(hardened, "/etc/dconf/db/local.d/00-screensaver",
               "[org/gnome/desktop/session]\nidle-delay=uint32 300\n\n[org/gnome/desktop/screensaver]\nlock-enabled=true\n")
    assert root_outcome(hardened, "logon.idle-lock")["logon.idle-lock"]["fail"] == {"desktop GNOME"}  # no profile
    write(hardened, "/etc/dconf/profile/user", "user-db:user\nsystem-db:local\n")
    assert root_outcome(hardened, "logon.idle-lock")["logon.idle-lock"]["fail"] == {"desktop GNOME"}  # not compiled
    write(hardened, "/etc/dconf/db/local", "GVariant")  # what dconf update writes
    assert root_outcome(hardened, "logon.idle-lock")["logon.idle-lock"] == {"pass": {"shell (TMOUT)", "desktop GNOME"}}
    db.write_text("[org/gnome/desktop/session]\nidle-delay=uint32 300\n\n[org/gnome/desktop/screensaver]\nlock-enabled=false\n")
    assert root_outcome(hardened, "logon.idle-lock")["logon.idle-lock"]["fail"] == {"desktop GNOME"}


def test_system_account_with_login_shell(hardened: Path) -> None:
    with open(hardened / "etc/passwd", "a") as fh:
        fh.write("backup:x:34:34:backup:/var/backups:/bin/bash\n")
    with open(hardened / "etc/shadow", "a") as fh:
        fh.write("backup:$y$j9T$xyz:20000:0:90:7:::\n")
    assert root_outcome(hardened, "logon.default-accounts")["logon.default-accounts"] == {"fail": {"backup"}}
    (hardened / "etc/shadow").unlink()
    assert set(root_outcome(hardened, "logon.default-accounts")["logon.default-accounts"]) == {"error"}


def test_sshd_first_value_wins_and_match(hardened: Path) -> None:
    enable(hardened, "ssh.service")
    write(hardened, "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n")
    write(hardened, "/etc/ssh/sshd_config.d/10-root.conf", "PermitRootLogin yes\n")
    got = root_outcome(hardened, "logon.remote-admin")["logon.remote-admin"]
    assert got == {"fail": {"sshd"}}  # the include comes first, and sshd keeps the first value
    (hardened / "etc/ssh/sshd_config.d/10-root.conf").unlink()
    assert root_outcome(hardened, "logon.remote-admin")["logon.remote-admin"] == {"pass": {"sshd"}}
    write(hardened, "/etc/ssh/sshd_config", "PermitRootLogin no\nMatch Address 10.50.0.0/16\n  PermitRootLogin yes\n")
    assert root_outcome(hardened, "logon.remote-admin")["logon.remote-admin"] == {"fail": {"sshd"}}
    write(hardened, "/etc/ssh/sshd_config", "# defaults: PermitRootLogin prohibit-password\n")
    assert root_outcome(hardened, "logon.remote-admin")["logon.remote-admin"] == {"pass": {"sshd"}}


def test_telnet_vnc_xrdp(hardened: Path) -> None:
    assert root_outcome(hardened, "logon.remote-admin")["logon.remote-admin"] == {"pass": {"remote administration"}}
    write(hardened, "/etc/inetd.conf", "telnet stream tcp nowait telnetd /usr/sbin/tcpd /usr/sbin/in.telnetd\n")
    enable(hardened, "x11vnc.service")
    enable(hardened, "xrdp.service")
    write(hardened, "/etc/xrdp/xrdp.ini", "[Globals]\nsecurity_layer=rdp\ncrypt_level=high\n")
    assert root_outcome(hardened, "logon.remote-admin")["logon.remote-admin"] == {"fail": {"telnet", "VNC", "xrdp"}}
    write(hardened, "/etc/xrdp/xrdp.ini", "[Globals]\nsecurity_layer=negotiate\n")
    assert root_outcome(hardened, "logon.remote-admin")["logon.remote-admin"] == {
        "fail": {"telnet", "VNC"}, "pass": {"xrdp"}}


def test_auditd(hardened: Path) -> None:
    (hardened / "etc/audit/rules.d/identity.rules").write_text("-w /var/log/faillog -p wa\n")
    assert root_outcome(hardened, "audit.events")["audit.events"] == {"fail": {"account changes"}}
    (hardened / "etc/systemd/system/multi-user.target.wants/auditd.service").unlink()
    assert root_outcome(hardened, "audit.events")["audit.events"] == {"fail": {"account changes", "auditd"}}
    (hardened / "usr/sbin/auditd").unlink()
    assert root_outcome(hardened, "audit.events")["audit.events"] == {"fail": {"auditd"}}


def test_log_storage(hardened: Path) -> None:
    (hardened / "etc/systemd/system/multi-user.target.wants/rsyslog.service").unlink()
    (hardened / "etc/rsyslog.conf").unlink()
    assert root_outcome(hardened, "audit.log-storage")["audit.log-storage"] == {"fail": {"logs"}}  # auto, no dir
    (hardened / "var/log/journal").mkdir(parents=True)
    assert root_outcome(hardened, "audit.log-storage")["audit.log-storage"] == {"pass": {"logs"}}
    write(hardened, "/etc/systemd/journald.conf.d/volatile.conf", "[Journal]\nStorage=volatile\n")
    assert root_outcome(hardened, "audit.log-storage")["audit.log-storage"] == {"fail": {"logs"}}


def test_services_and_shares_offline(hardened: Path) -> None:
    enable(hardened, "smbd.service")
    enable(hardened, "cups.socket", "sockets.target")
    write(hardened, "/etc/samba/smb.conf", "[global]\nworkgroup = YB\n[data]\npath = /srv/data\n")
    got = root_outcome(hardened, "hardening.services")["hardening.services"]
    assert got == {"fail": {"smbd.service", "cups.socket", "Samba shares"}}
    os.symlink("/dev/null", hardened / "etc/systemd/system/cups.socket")  # masked: not enabled
    pol = policy(allowed_services=("smbd.service",))
    assert root_outcome(hardened, "hardening.services", pol=pol)["hardening.services"] == {"fail": {"Samba shares"}}


def test_firewall_offline(hardened: Path) -> None:
    write(hardened, "/etc/default/ufw", 'DEFAULT_INPUT_POLICY="ACCEPT"\n')
    assert root_outcome(hardened, "hardening.firewall")["hardening.firewall"] == {"fail": {"firewall"}}
    enable(hardened, "nftables.service")
    write(hardened, "/etc/nftables.conf", "table inet filter {\n  chain input {\n"
          "    type filter hook input priority 0; policy drop;\n    iif lo accept\n  }\n}\n")
    assert root_outcome(hardened, "hardening.firewall")["hardening.firewall"] == {"pass": {"nftables.service"}}
    shutil.rmtree(hardened / "etc/ufw")
    (hardened / "etc/systemd/system/multi-user.target.wants/nftables.service").unlink()
    report = scan(RootfsTarget(str(hardened)), "hardening.firewall")
    assert "no host firewall" in messages(report, "hardening.firewall")


def test_autorun_desktop(hardened: Path) -> None:
    write(hardened, "/usr/bin/gnome-session", "")
    assert root_outcome(hardened, "hardening.autorun")["hardening.autorun"] == {"fail": {"GNOME"}}
    write(hardened, "/etc/dconf/db/local.d/10-media", "[org/gnome/desktop/media-handling]\nautomount=false\n"
          "automount-open=false\n")
    write(hardened, "/etc/dconf/profile/user", "user-db:user\nsystem-db:local\n")
    write(hardened, "/etc/dconf/db/local", "GVariant")
    assert root_outcome(hardened, "hardening.autorun")["hardening.autorun"] == {"pass": {"GNOME"}}


def test_antivirus_signatures_realtime(hardened: Path) -> None:
    sigs = hardened / "var/lib/clamav/daily.cld"
    sigs.write_bytes(cvd_header(datetime.now(timezone.utc) - timedelta(days=30)))
    got = root_outcome(hardened, "malware.*")
    assert got["malware.antivirus"] == {"pass": {"ClamAV"}} and got["malware.signatures"] == {"fail": {"ClamAV"}}
    (hardened / "etc/systemd/system/multi-user.target.wants/clamav-clamonacc.service").unlink()
    assert root_outcome(hardened, "malware.realtime")["malware.realtime"] == {"fail": {"antivirus"}}
    assert root_outcome(hardened, "malware.realtime", pol=policy(level=2))["malware.realtime"] == {
        "not_applicable": {"antivirus"}}  # a level-3-only item
    sigs.unlink()
    assert set(root_outcome(hardened, "malware.signatures")["malware.signatures"]) == {"error"}


def test_antivirus_absent_and_vendor_agent(hardened: Path) -> None:
    status = hardened / "var/lib/dpkg/status"
    status.write_text(status.read_text().replace("Package: clamav-daemon", "Package: clamav-freshclam"))
    (hardened / "etc/systemd/system/multi-user.target.wants/clamav-daemon.service").unlink()
    (hardened / "etc/systemd/system/multi-user.target.wants/clamav-clamonacc.service").unlink()
    got = root_outcome(hardened, "malware.*")
    assert got["malware.antivirus"] == {"fail": {"antivirus"}} and got["malware.signatures"] == {"fail": {"antivirus"}}
    (hardened / "opt/qaxsafe").mkdir(parents=True)  # 奇安信天擎 installed, its service unit not enabled
    report = scan(RootfsTarget(str(hardened)), "malware.antivirus")
    assert "installed but not running: 奇安信天擎 QAX" in messages(report, "malware.antivirus")
    shutil.rmtree(hardened / "opt/qaxsafe")
    (hardened / "opt/360safe").mkdir(parents=True)  # 360: no unit ybguard knows; running is unknown in an image
    got = root_outcome(hardened, "malware.*")
    assert got["malware.antivirus"] == {"pass": {"360 终端安全"}}
    assert set(got["malware.signatures"]) == {"error"} and set(got["malware.realtime"]) == {"error"}


def test_pending_security_update_and_stale_lists(hardened: Path) -> None:
    add_dpkg(hardened, "openssl", "3.0.15-1~deb12u1")
    security_lists(hardened, {"openssl": "3.0.17-1~deb12u2", "clamav-daemon": "1.0.7+dfsg-1~deb12u1"})
    report = scan(RootfsTarget(str(hardened)), "patches.security-updates")
    got = {f.subject for f in report.findings if f.status.value == "fail"}
    assert got == {"openssl"} and "3.0.17-1~deb12u2" in messages(report, "patches.security-updates")
    security_lists(hardened, {"openssl": "3.0.15-1~deb12u1"}, datetime.now(timezone.utc) - timedelta(days=200))
    assert root_outcome(hardened, "patches.security-updates")["patches.security-updates"] == {
        "fail": {"package lists"}}
    (hardened / SECURITY_LIST).unlink()
    assert root_outcome(hardened, "patches.security-updates")["patches.security-updates"] == {
        "fail": {"package lists"}}


def test_compressed_lists(hardened: Path) -> None:
    add_dpkg(hardened, "zlib1g", "1:1.2.13.dfsg-1")
    security_lists(hardened, {"zlib1g": "1:1.2.13.dfsg-1+deb12u1"})
    plain = hardened / SECURITY_LIST
    gz = plain.with_name(plain.name + ".gz")
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    assert root_outcome(hardened, "patches.security-updates")["patches.security-updates"] == {"fail": {"zlib1g"}}
    gz.unlink()
    lz4 = plain.with_name(plain.name + ".lz4")
    subprocess.run(["lz4", "-q", "-"], input=gzip.decompress(gzip.compress(
        b"Package: zlib1g\nVersion: 1:1.2.13.dfsg-1+deb12u1\nArchitecture: amd64\n\n" * 50)), stdout=open(lz4, "wb"),
        check=True)
    assert root_outcome(hardened, "patches.security-updates")["patches.security-updates"] == {"fail": {"zlib1g"}}
    lz4.write_bytes(b"\x04\x22\x4d\x18garbage")
    assert set(root_outcome(hardened, "patches.security-updates")["patches.security-updates"]) == {"error"}


def test_rpm_host_is_an_error_not_a_pass(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root, "/var/lib/rpm/.placeholder", "")
    report = scan(RootfsTarget(str(root)), "patches.security-updates",
                  preload={"software.packages": ()})
    assert {f.status.value for f in report.findings} == {"error"}


def test_debian_root_real_files(debian_root_path: Path) -> None:
    """The pristine debootstrap root, read as it is: what a minbase install lacks is named."""
    got = root_outcome(debian_root_path, *DJBH)
    assert got["logon.password-complexity"] == {"fail": {"password policy"}}  # pam_unix only
    assert got["logon.lockout"] == {"fail": {"lockout policy"}}
    assert got["logon.idle-lock"] == {"fail": {"shell (TMOUT)"}}
    assert got["logon.default-accounts"] == {"pass": {"accounts"}}  # its system accounts have nologin
    assert got["audit.events"] == {"fail": {"auditd"}}
    assert got["audit.log-storage"] == {"fail": {"logs"}}
    assert got["hardening.firewall"] == {"fail": {"firewall"}}
    assert got["malware.antivirus"] == {"fail": {"antivirus"}}
    assert got["patches.security-updates"] == {"fail": {"package lists"}}  # debootstrap fetched no security suite


def test_faillock_preauth_alone_counts_nothing(hardened: Path) -> None:
    """Without its authfail line pam_faillock records no failure, so the account never locks."""
    auth = hardened / "etc/pam.d/common-auth"
    auth.write_text("\n".join(line for line in PAM_AUTH.splitlines() if "authfail" not in line) + "\n")
    report = scan(RootfsTarget(str(hardened)), "logon.lockout")
    assert {f.status.value for f in report.findings} == {"fail"}
    assert any("no authfail line" in e.detail for f in report.findings for e in f.evidence)


UPDATEINFO = """<?xml version="1.0" encoding="UTF-8"?>
<updates>
  <update from="secalert@redhat.com" status="final" type="security" version="2">
    <id>RHSA-2024:0001</id>
    <pkglist><collection short="x"><name>x</name>
      <package name="openssl" version="3.0.7" release="25.el9_3" epoch="1" arch="x86_64"><filename>o.rpm</filename></package>
      <package name="openssl-libs" version="3.0.7" release="25.el9_3" epoch="1" arch="x86_64"><filename>l.rpm</filename></package>
    </collection></pkglist>
  </update>
  <update status="final" type="bugfix" version="2">
    <id>RHBA-2024:0002</id>
    <pkglist><collection short="y"><name>y</name>
      <package name="bash" version="5.1.8" release="9.el9" epoch="0" arch="x86_64"><filename>b.rpm</filename></package>
    </collection></pkglist>
  </update>
</updates>
"""


def test_rpm_host_pending_from_updateinfo(tmp_path: Path) -> None:
    """Constructed updateinfo.xml in createrepo_c's layout; only security advisories count."""
    from ybguard.facts.software import Package

    root = tmp_path / "root"
    repodata = root / "var/cache/dnf/baseos-0123456789abcdef/repodata"
    repodata.mkdir(parents=True)
    (repodata / "f00d-updateinfo.xml.gz").write_bytes(gzip.compress(UPDATEINFO.encode()))
    packages = (Package("openssl", "1:3.0.7-24.el9", "rpm"), Package("openssl-libs", "1:3.0.7-25.el9_3", "rpm"),
                Package("bash", "0:5.1.8-6.el9", "rpm"))
    report = scan(RootfsTarget(str(root)), "patches.security-updates", preload={"software.packages": packages})
    assert {(f.status.value, f.subject) for f in report.findings} == {("fail", "openssl")}
    assert "RHSA-2024:0001" in messages(report, "patches.security-updates")
    (repodata / "f00d-updateinfo.xml.gz").unlink()
    report = scan(RootfsTarget(str(root)), "patches.security-updates", preload={"software.packages": packages})
    assert {f.status.value for f in report.findings} == {"error"}  # no cache: unknown, never a pass
