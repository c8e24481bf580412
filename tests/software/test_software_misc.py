"""rpm output parsing, snap layouts and the usb/software message catalogues."""

from __future__ import annotations

import string
from pathlib import Path

from ybguard.checks.software import first_match, name_candidates
from ybguard.collect.software import parse_rpm_qa, read_snaps
from ybguard.i18n import software as i18n_software
from ybguard.i18n import usb as i18n_usb
from ybguard.target import RootfsTarget

# rpm -qa --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{VENDOR}\n' on openEuler 22.03
RPM_QA = (
    "bash\t0:5.1.8-6.oe2203sp3\topenEuler\n"
    "gpg-pubkey\t0:b675600b-5d69c1c8\t(none)\n"
    "teamviewer\t0:15.48.4-1\tTeamViewer Germany GmbH\n"
)


def test_rpm_query_output() -> None:
    got = parse_rpm_qa(RPM_QA)
    assert [(p.name, p.version, p.publisher) for p in got] == [
        ("bash", "0:5.1.8-6.oe2203sp3", "openEuler"), ("gpg-pubkey", "0:b675600b-5d69c1c8", ""),
        ("teamviewer", "0:15.48.4-1", "TeamViewer Germany GmbH")]


def test_snaps_from_files_and_mount_points(tmp_path: Path) -> None:
    (tmp_path / "var/lib/snapd/snaps").mkdir(parents=True)
    (tmp_path / "var/lib/snapd/snaps/core22_1122.snap").write_bytes(b"")
    (tmp_path / "var/lib/snapd/snaps/partial").mkdir()
    (tmp_path / "snap/zerotier/current").mkdir(parents=True)
    (tmp_path / "snap/bin").mkdir()
    assert [(p.name, p.version) for p in read_snaps(RootfsTarget(str(tmp_path)))] == [
        ("core22", "1122"), ("zerotier", "")]


def test_reverse_dns_names() -> None:
    assert first_match(["todesk*"], name_candidates("com.todesk.app")) == "todesk*"
    assert first_match(["sunloginclient*"], name_candidates("com.oray.sunlogin.client")) == "sunloginclient*"
    assert first_match(["com*"], name_candidates("bash")) is None
    assert first_match(["client*"], name_candidates("com.yibao.client")) == "client*"  # a deny this broad is the policy's choice
    assert first_match(["todesk*"], name_candidates("libtodesk-helper")) is None


def test_catalogues_have_both_languages_and_same_placeholders() -> None:
    fmt = string.Formatter()
    for catalogue in (i18n_usb.MESSAGES, i18n_software.MESSAGES):
        for key, (zh, en) in catalogue.items():
            assert zh.strip() and en.strip(), key
            zh_names = {f[1] for f in fmt.parse(zh) if f[1]}
            en_names = {f[1] for f in fmt.parse(en) if f[1]}
            assert zh_names == en_names, key
    from ybguard.checks import software as csw
    from ybguard.checks import usb as cusb

    for check in (*cusb.CHECKS, *csw.CHECKS):
        for suffix in ("title", "remediation"):
            assert f"{check.id}.{suffix}" in {**i18n_usb.MESSAGES, **i18n_software.MESSAGES}


def test_local_binary_that_cannot_be_stat_ed_is_an_error(tmp_path: Path) -> None:
    """/usr/local/bin readable but not searchable (mode 744) for the scanning user: names list,
    stat() fails with EACCES. That is not a dangling link; skipping frpc would pass the check."""
    import json
    import os
    import shutil
    import subprocess
    import tempfile

    import pytest

    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to drop to an unprivileged user")
    base = Path(tempfile.mkdtemp(prefix="ybsw-"))
    try:
        os.chmod(base, 0o755)
        root = base / "img"
        (root / "var/lib/dpkg").mkdir(parents=True)
        (root / "var/lib/dpkg/status").write_text("Package: bash\nStatus: install ok installed\nVersion: 5.2\n")
        (root / "etc").mkdir()
        (root / "etc/os-release").write_text("ID=debian\n")
        os.chmod(root / "etc", 0o755)
        os.chmod(root / "etc/os-release", 0o644)
        bindir = root / "usr/local/bin"
        bindir.mkdir(parents=True)
        (bindir / "frpc").write_bytes(b"\x7fELF")
        os.chmod(bindir / "frpc", 0o755)
        for d in (root, root / "usr", root / "usr/local", root / "var", root / "var/lib", root / "var/lib/dpkg"):
            os.chmod(d, 0o755)
        os.chmod(bindir, 0o744)
        import unpriv  # the checkout may sit where uid 65534 cannot enter (mode 700)

        proc = subprocess.run(unpriv.ybguard_argv("scan", "--root", str(root), "--only", "software.installed",
                                                  "--format", "json"), capture_output=True, timeout=60, cwd="/",
                              env=unpriv.env())
        report = json.loads(proc.stdout)
        assert [(f["status"], f["subject"]) for f in report["findings"]] == [("error", "host")]
        assert proc.returncode == 3
    finally:
        os.chmod(base / "img/usr/local/bin", 0o755)
        shutil.rmtree(base)
