"""Linux roots in the state the 等保 checks want, built file by file (what an administrator
would write: PAM lines, pwquality.conf, faillock, TMOUT, auditd rules, ufw, ClamAV, apt lists).

``harden_djbh(root)`` turns a root (the debootstrap one, or an empty tmp dir) into one that
passes every logon/audit/hardening/malware/patches check; tests then break one thing at a time.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

PAM_PASSWORD = """\
password\trequisite\t\t\tpam_pwquality.so retry=3
password\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt minlen=8
password\trequisite\t\t\tpam_deny.so
password\trequired\t\t\tpam_permit.so
"""
PAM_AUTH = """\
auth\trequired\t\t\tpam_faillock.so preauth
auth\t[success=2 default=ignore]\tpam_unix.so nullok
auth\t[default=die]\t\t\tpam_faillock.so authfail
auth\trequisite\t\t\tpam_deny.so
auth\trequired\t\t\tpam_permit.so
"""


def write(root: Path, path: str, text: str, mode: Optional[int] = None) -> Path:
    dest = root / path.lstrip("/")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text)
    if mode is not None:
        os.chmod(dest, mode)
    return dest


def enable(root: Path, unit: str, target: str = "multi-user.target") -> None:
    """What ``systemctl enable`` leaves: a link in /etc/systemd/system/TARGET.wants."""
    wants = root / "etc/systemd/system" / f"{target}.wants"
    wants.mkdir(parents=True, exist_ok=True)
    link = wants / unit
    if not link.is_symlink():
        os.symlink(f"/lib/systemd/system/{unit}", link)


def cvd_header(when: datetime) -> bytes:
    """The 512-byte header freshclam writes at the start of daily.cld (sigtool/cvd format)."""
    text = f"ClamAV-VDB:{when.strftime('%d %b %Y %H-%M')} +0000:27300:2061000:90:X:X:raynman:{int(when.timestamp())}"
    return text.encode("ascii").ljust(512, b" ")


def installed_version(root: Path, package: str) -> str:
    status = (root / "var/lib/dpkg/status").read_text()
    for stanza in status.split("\n\n"):
        if f"Package: {package}\n" in stanza + "\n":
            for line in stanza.splitlines():
                if line.startswith("Version: "):
                    return line.split(" ", 1)[1]
    raise KeyError(package)


def add_dpkg(root: Path, package: str, version: str) -> None:
    status = root / "var/lib/dpkg/status"
    status.parent.mkdir(parents=True, exist_ok=True)
    with open(status, "a") as fh:
        fh.write(f"Package: {package}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n\n")


SECURITY_LIST = "var/lib/apt/lists/deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages"
SECURITY_RELEASE = "var/lib/apt/lists/deb.debian.org_debian-security_dists_bookworm-security_InRelease"


def security_lists(root: Path, packages: dict, when: Optional[datetime] = None) -> None:
    when = when or datetime.now(timezone.utc)
    body = "".join(f"Package: {n}\nVersion: {v}\nArchitecture: amd64\n\n" for n, v in packages.items())
    write(root, SECURITY_LIST, body)
    write(root, SECURITY_RELEASE, "-----BEGIN PGP SIGNED MESSAGE-----\nOrigin: Debian\nSuite: bookworm-security\n"
          f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S UTC')}\n")


def harden_djbh(root: Path) -> None:
    write(root, "/etc/pam.d/common-password", PAM_PASSWORD)
    write(root, "/etc/security/pwquality.conf", "minlen = 8\nminclass = 3\nenforce_for_root\n")
    write(root, "/etc/pam.d/common-auth", PAM_AUTH)
    write(root, "/etc/security/faillock.conf", "deny = 5\nunlock_time = 900\n")
    write(root, "/etc/profile.d/ybguard-tmout.sh", "readonly TMOUT=600\nexport TMOUT\n")
    write(root, "/usr/sbin/auditd", "", 0o755)
    enable(root, "auditd.service")
    write(root, "/etc/audit/rules.d/identity.rules", "-w /etc/passwd -p wa -k identity\n-w /etc/shadow -p wa -k identity\n")
    write(root, "/etc/rsyslog.conf", "*.* /var/log/syslog\n")
    enable(root, "rsyslog.service")
    write(root, "/etc/ufw/ufw.conf", "ENABLED=yes\nLOGLEVEL=low\n")
    write(root, "/etc/default/ufw", 'IPV6=yes\nDEFAULT_INPUT_POLICY="DROP"\nDEFAULT_OUTPUT_POLICY="ACCEPT"\n')
    add_dpkg(root, "clamav-daemon", "1.0.7+dfsg-1~deb12u1")
    enable(root, "clamav-daemon.service")
    enable(root, "clamav-clamonacc.service")
    sigs = root / "var/lib/clamav/daily.cld"
    sigs.parent.mkdir(parents=True, exist_ok=True)
    sigs.write_bytes(cvd_header(datetime.now(timezone.utc)) + b"\0" * 64)
    security_lists(root, {"clamav-daemon": "1.0.7+dfsg-1~deb12u1"})
