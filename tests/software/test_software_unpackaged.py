"""Software outside the package databases (issue 11 item 10): /opt/<vendor>, binaries in /usr/bin
that no package owns, enabled systemd units and autostart entries that start denied software."""

from __future__ import annotations

import os
from pathlib import Path

from swhelp import default_policy, installed_failures, policy_yaml, stanza

from ybguard.collect.software import owned_files, read_packages
from ybguard.target import RootfsTarget


def _exe(path: Path, data: bytes = b"\x7fELF\x02\x01\x01") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.chmod(path, 0o755)


def debian_like(tmp: Path) -> Path:
    dpkg = tmp / "var/lib/dpkg"
    (dpkg / "info").mkdir(parents=True)
    (dpkg / "status").write_text("\n".join([stanza("coreutils"), stanza("mawk"), stanza("yibao-client")]))
    (dpkg / "info/coreutils.list").write_text("/.\n/bin\n/bin/ls\n/usr/bin/true\n")
    (dpkg / "info/mawk.list").write_text("/usr/bin/mawk\n")
    (dpkg / "info/yibao-client.list").write_text("/opt/yibao\n/opt/yibao/bin/ybclient\n")
    (dpkg / "diversions").write_text("/usr/bin/true\n/usr/bin/true.distrib\ncoreutils\n")
    (tmp / "usr/bin").mkdir(parents=True)
    os.symlink("usr/bin", tmp / "bin")
    _exe(tmp / "usr/bin/ls")
    _exe(tmp / "usr/bin/true.distrib")
    _exe(tmp / "usr/bin/mawk")
    os.makedirs(tmp / "etc/alternatives")
    os.symlink("/usr/bin/mawk", tmp / "etc/alternatives/awk")
    os.symlink("/etc/alternatives/awk", tmp / "usr/bin/awk")  # update-alternatives: owned through its target
    _exe(tmp / "opt/yibao/bin/ybclient")  # the 医保 client, packaged
    return tmp


def test_clean_debian_like_root_passes(tmp_path: Path) -> None:
    root = debian_like(tmp_path)
    assert installed_failures(root, default_policy()) == set()
    assert "/usr/bin/ls" in owned_files(RootfsTarget(str(root)))


def test_vendor_directory_in_opt_is_found_by_its_executables(tmp_path: Path) -> None:
    root = debian_like(tmp_path)
    _exe(root / "opt/teamviewer/tv_bin/TeamViewer")   # tar.gz install: no dpkg record
    _exe(root / "opt/helper/bin/sunloginclient")       # a renamed vendor directory
    assert installed_failures(root, default_policy()) == {"teamviewer", "helper"}


def test_usr_bin_binary_no_package_owns(tmp_path: Path) -> None:
    root = debian_like(tmp_path)
    _exe(root / "usr/bin/todesk")
    os.symlink("/opt/x/AnyDesk", root / "usr/bin/remote")   # dangling link: runs nothing
    _exe(root / "usr/share/x/rustdesk")
    os.symlink("/usr/share/x/rustdesk", root / "usr/bin/rd")  # a link to an unowned binary, by its target's name
    assert installed_failures(root, default_policy()) == {"todesk", "rd"}


def test_enabled_unit_and_autostart_entry_pointing_to_denied_software(tmp_path: Path) -> None:
    root = debian_like(tmp_path)
    units = root / "etc/systemd/system"
    (units / "multi-user.target.wants").mkdir(parents=True)
    (units / "netassist.service").write_text("[Service]\nExecStart=-/usr/lib/netassist/frpc -c /etc/frpc.ini\n")
    os.symlink("/etc/systemd/system/netassist.service", units / "multi-user.target.wants/netassist.service")
    (units / "helper.service").write_text("[Service]\nExecStart=/usr/lib/h/h\n")  # not enabled, harmless name
    os.makedirs(root / "usr/lib/systemd/system")
    (root / "usr/lib/systemd/system/zerotier-one.service").write_text("[Service]\nExecStart=/usr/sbin/zt\n")
    os.symlink("/usr/lib/systemd/system/zerotier-one.service", units / "multi-user.target.wants/zerotier-one.service")
    auto = root / "home/alice/.config/autostart"
    auto.mkdir(parents=True)
    (auto / "tray.desktop").write_text("[Desktop Entry]\nType=Application\nName=Tray\n"
                                       "Exec=env LANG=zh_CN.UTF-8 /usr/local/share/oray/SunloginClient --tray\n")
    got = installed_failures(root, default_policy())
    assert got == {"netassist.service", "zerotier-one.service", "tray.desktop"}


def test_allowlist_mode_flags_unpackaged_software_but_not_pointers(tmp_path: Path) -> None:
    root = debian_like(tmp_path)
    _exe(root / "opt/vendortool/bin/tool")
    _exe(root / "usr/bin/handmade")
    policy = policy_yaml("software:\n  mode: allowlist\n  allow: [coreutils, mawk, yibao-client]\n")
    assert installed_failures(root, policy) == {"vendortool", "handmade"}


def test_inventory_lists_the_new_sources(tmp_path: Path) -> None:
    root = debian_like(tmp_path)
    _exe(root / "opt/teamviewer/tv_bin/TeamViewer")
    got = {(p.manager, p.name) for p in read_packages(RootfsTarget(str(root)))}
    assert ("opt", "teamviewer") in got
    assert ("opt", "yibao") not in got  # owned by the yibao-client package
