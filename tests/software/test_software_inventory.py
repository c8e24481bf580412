"""Every package system of an image, and the installed-software check, on small fixture roots."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from swhelp import NOW, default_policy, installed_failures, policy_yaml, stanza

from ybguard.checks import ALL_CHECKS, select_checks
from ybguard.collect import ScanOptions
from ybguard.collect.interface import FactError
from ybguard.collect.software import read_packages
from ybguard.engine import run_scan
from ybguard.models import Status
from ybguard.target import RootfsTarget

SUNLOGIN_INFO = {
    "appid": "com.oray.sunlogin.client", "name": "向日葵远程控制", "version": "11.0.1.44968", "arch": ["amd64"],
    "permissions": {"autostart": True, "notification": True, "trayicon": True, "clipboard": True},
}


def uos_root(tmp: Path) -> Path:
    """A UOS-like image: dpkg, /opt/apps, a snap, a flatpak and a hand-copied frpc."""
    dpkg = tmp / "var/lib/dpkg"
    dpkg.mkdir(parents=True)
    (dpkg / "status").write_text("\n".join([
        stanza("bash", version="5.2.15-2+b7"),
        stanza("com.oray.sunlogin.client", version="11.0.1.44968"),
        stanza("com.yibao.client", version="3.2.1"),
        stanza("todesk", "deinstall ok config-files", "4.7.2.0"),
    ]))
    app = tmp / "opt/apps/com.oray.sunlogin.client"
    app.mkdir(parents=True)
    (app / "info").write_text(json.dumps(SUNLOGIN_INFO, ensure_ascii=False, indent=4))
    (tmp / "opt/apps/com.yibao.client").mkdir(parents=True)
    (tmp / "opt/apps/com.yibao.client/info").write_text('{"appid": "com.yibao.client", "name": {"zh_CN": "医保客户端"}}')
    (tmp / "var/lib/snapd/snaps").mkdir(parents=True)
    (tmp / "var/lib/snapd/snaps/ngrok_142.snap").write_bytes(b"hsqs")
    (tmp / "var/lib/flatpak/app/com.rustdesk.RustDesk/current").mkdir(parents=True)
    local = tmp / "usr/local/bin"
    local.mkdir(parents=True)
    (local / "frpc").write_bytes(b"\x7fELF")
    os.chmod(local / "frpc", 0o755)
    (local / "README").write_text("not executable\n")
    return tmp


def test_inventory_covers_every_package_system(tmp_path: Path) -> None:
    got = {(p.manager, p.name) for p in read_packages(RootfsTarget(str(uos_root(tmp_path))))}
    assert got == {("dpkg", "bash"), ("dpkg", "com.oray.sunlogin.client"), ("dpkg", "com.yibao.client"),
                   ("opt-apps", "com.oray.sunlogin.client"), ("opt-apps", "com.yibao.client"),
                   ("snap", "ngrok"), ("flatpak", "com.rustdesk.RustDesk"), ("local", "frpc")}


def test_opt_apps_names(tmp_path: Path) -> None:
    pkgs = {p.name: p for p in read_packages(RootfsTarget(str(uos_root(tmp_path)))) if p.manager == "opt-apps"}
    assert pkgs["com.oray.sunlogin.client"].display_name == "向日葵远程控制"
    assert pkgs["com.yibao.client"].display_name == "医保客户端"


def test_denylist_finds_store_names_snaps_flatpaks_and_stray_binaries(tmp_path: Path) -> None:
    assert installed_failures(uos_root(tmp_path), default_policy()) == {
        "com.oray.sunlogin.client", "ngrok", "com.rustdesk.RustDesk", "frpc"}


def test_example_policy_deny_list(tmp_path: Path, example_policy_path: Path) -> None:
    from ybguard.policy import load_policy_file

    assert installed_failures(uos_root(tmp_path), load_policy_file(str(example_policy_path))) == {
        "com.oray.sunlogin.client", "ngrok", "com.rustdesk.RustDesk", "frpc"}


def test_allowlist_lists_everything_not_allowed(tmp_path: Path) -> None:
    root = uos_root(tmp_path)
    policy = policy_yaml("software:\n  mode: allowlist\n  allow: [bash, 'com.yibao.*', 医保客户端]\n")
    assert installed_failures(root, policy) == {
        "com.oray.sunlogin.client", "ngrok", "com.rustdesk.RustDesk", "frpc"}
    policy = policy_yaml("software:\n  mode: allowlist\n  allow: [bash]\n")
    assert installed_failures(root, policy) == {
        "com.oray.sunlogin.client", "com.yibao.client", "ngrok", "com.rustdesk.RustDesk", "frpc"}


def test_display_name_can_be_denied(tmp_path: Path) -> None:
    policy = policy_yaml("software:\n  deny: ['向日葵*']\n  processes:\n    deny: []\n")
    assert installed_failures(uos_root(tmp_path), policy) == {"com.oray.sunlogin.client"}


def test_hostile_links_stay_inside_the_image(tmp_path: Path) -> None:
    root = uos_root(tmp_path)
    status = root / "var/lib/dpkg/status"
    status.unlink()
    status.symlink_to("/etc/yb-status")  # absolute: must mean the image's own (missing) file
    with pytest.raises(FactError) as info:
        read_packages(RootfsTarget(str(root)))
    assert info.value.key == "software.reason.no_dpkg_status"
    status.unlink()
    status.symlink_to("/var/lib/dpkg/status")  # a loop is unreadable: an error, never "nothing installed"
    with pytest.raises(OSError):
        read_packages(RootfsTarget(str(root)))
    status.unlink()
    (root / "var/lib/dpkg/real-status").write_text(stanza("teamviewer", version="15.48.4"))
    status.symlink_to("../../../../../../../../var/lib/dpkg/real-status")
    assert "teamviewer" in {p.name for p in read_packages(RootfsTarget(str(root)))}
    (root / "opt/apps/escape").symlink_to("/../../../../etc")  # lands on the image's /etc (absent)
    assert "escape" not in {p.name for p in read_packages(RootfsTarget(str(root)))}


def test_no_package_database_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    report = run_scan(default_policy(), RootfsTarget(str(tmp_path)), select_checks(ALL_CHECKS, ["software.installed"]),
                      ScanOptions(lang="en", now=NOW))
    assert [f.status for f in report.findings] == [Status.ERROR]
    assert "no package database" in report.findings[0].message


def test_broken_app_info_is_an_error(tmp_path: Path) -> None:
    root = uos_root(tmp_path)
    (root / "opt/apps/com.yibao.client/info").write_text("{not json")
    with pytest.raises(FactError):
        read_packages(RootfsTarget(str(root)))


def test_rpm_image_without_rpm_tool_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil as _shutil

    (tmp_path / "var/lib/rpm").mkdir(parents=True)
    (tmp_path / "var/lib/rpm/rpmdb.sqlite").write_bytes(b"SQLite format 3\x00")
    real_which = _shutil.which
    monkeypatch.setattr("ybguard.collect.software.shutil.which",
                        lambda name: None if name == "rpm" else real_which(name))
    report = run_scan(default_policy(), RootfsTarget(str(tmp_path)), select_checks(ALL_CHECKS, ["software.installed"]),
                      ScanOptions(lang="en", now=NOW))
    assert [f.status for f in report.findings] == [Status.ERROR]
    assert "no rpm tool" in report.findings[0].message


def test_allowlist_mode_still_honours_the_denylist(tmp_path: Path) -> None:
    """A broad allow pattern must not let a denied remote-control tool through: deny wins."""
    root = uos_root(tmp_path)
    policy = policy_yaml("software:\n  mode: allowlist\n  allow: ['*']\n  deny: [ngrok, 'com.rustdesk.*']\n")
    # the hand-copied /usr/local/bin/frpc is found by its file name, so the process patterns
    # (frpc*) apply to it too
    assert installed_failures(root, policy) == {"ngrok", "com.rustdesk.RustDesk", "frpc"}


def test_pending_dpkg_updates_are_read_like_dpkg_reads_them(tmp_path: Path) -> None:
    """An interrupted ``dpkg -i`` leaves the new record in /var/lib/dpkg/updates/NNNN, not yet
    merged into status; dpkg applies those on top of status, and so must we."""
    root = uos_root(tmp_path)
    updates = root / "var/lib/dpkg/updates"
    updates.mkdir()
    (updates / "0000").write_text(stanza("teamviewer", "install ok unpacked", "15.48.4"))
    (updates / "0001").write_text(stanza("com.oray.sunlogin.client", "deinstall ok config-files", "11.0.1.44968"))
    (updates / "tmp.i").write_text("half-written, dpkg ignores it")
    got = {(p.name, p.state) for p in read_packages(RootfsTarget(str(root))) if p.manager == "dpkg"}
    assert got == {("bash", "installed"), ("com.yibao.client", "installed"), ("teamviewer", "unpacked")}
    assert "teamviewer" in installed_failures(root, default_policy())


def test_empty_dpkg_status_is_an_error_not_a_clean_image(tmp_path: Path) -> None:
    """dpkg is itself a package: a status file that lists nothing was truncated or wiped."""
    root = tmp_path / "root"
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "var/lib/dpkg/status").write_text("")
    with pytest.raises(FactError) as info:
        read_packages(RootfsTarget(str(root)))
    assert info.value.key == "software.reason.empty_dpkg_status"
    report = run_scan(default_policy(), RootfsTarget(str(root)), select_checks(ALL_CHECKS, ["software.installed"]),
                      ScanOptions(lang="en", now=NOW))
    assert [f.status for f in report.findings] == [Status.ERROR]
