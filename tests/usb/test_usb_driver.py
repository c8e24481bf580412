"""Driver state from modprobe.d, modules.builtin, /proc/modules and USBGuard, on small fixture roots."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict

import pytest
from usbhelp import NOW, default_policy, policy_yaml

from ybguard.checks import ALL_CHECKS, select_checks
from ybguard.collect import ScanOptions
from ybguard.collect.usb import (
    install_is_noop,
    modprobe_files,
    parse_modprobe_conf,
    read_driver_state,
    usbguard_rule_may_allow_storage,
)
from ybguard.engine import run_scan
from ybguard.models import Status, TargetKind
from ybguard.target import RootfsTarget


class LiveFixture(RootfsTarget):
    """A fixture root that answers like a live host (/proc/modules, running processes)."""

    kind = TargetKind.LIVE


def make_root(tmp: Path, files: Dict[str, str]) -> Path:
    for rel, text in files.items():
        p = tmp / rel.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp


def states(root: Path, live: bool = False) -> Dict[str, bool]:
    target = LiveFixture(str(root)) if live else RootfsTarget(str(root))
    return {s.module: s.disabled for s in read_driver_state(target)}


def test_nothing_configured_means_enabled(tmp_path: Path) -> None:
    assert states(tmp_path) == {"usb-storage": False, "uas": False}


def test_install_false_disables_both_because_uas_needs_usb_storage(tmp_path: Path) -> None:
    make_root(tmp_path, {"/etc/modprobe.d/yb.conf": "# 医保终端禁用U盘\ninstall usb_storage /bin/false\n"})
    got = {s.module: s for s in read_driver_state(RootfsTarget(str(tmp_path)))}
    assert got["usb-storage"].disabled and got["uas"].disabled
    assert got["usb-storage"].source == "/etc/modprobe.d/yb.conf:2"


def test_blacklist_usb_storage_alone_leaves_uas_enabled(tmp_path: Path) -> None:
    """A blacklist does not reach dependencies: modprobe uas still pulls in usb-storage."""
    make_root(tmp_path, {"/etc/modprobe.d/blacklist-usb.conf": "blacklist usb-storage\n"})
    assert states(tmp_path) == {"usb-storage": True, "uas": False}


def test_blacklist_both_with_underscores_and_dashes(tmp_path: Path) -> None:
    make_root(tmp_path, {"/etc/modprobe.d/a.conf": "blacklist usb_storage\nblacklist uas\n"})
    assert states(tmp_path) == {"usb-storage": True, "uas": True}


def test_install_true_counts_and_a_real_command_does_not(tmp_path: Path) -> None:
    make_root(tmp_path, {"/etc/modprobe.d/a.conf": "install usb-storage /bin/true\n"
                                                   "install uas /sbin/modprobe --ignore-install uas\n"})
    assert states(tmp_path) == {"usb-storage": True, "uas": True}  # uas cannot load without usb-storage
    make_root(tmp_path, {"/etc/modprobe.d/a.conf": "install usb-storage /sbin/modprobe --ignore-install usb-storage\n"})
    assert states(tmp_path) == {"usb-storage": False, "uas": False}


def test_etc_file_hides_lib_file_of_the_same_name(tmp_path: Path) -> None:
    make_root(tmp_path, {"/lib/modprobe.d/usb.conf": "install usb-storage /bin/false\n",
                         "/etc/modprobe.d/usb.conf": "# emptied by the vendor image\n"})
    assert modprobe_files(RootfsTarget(str(tmp_path))) == ["/etc/modprobe.d/usb.conf"]
    assert states(tmp_path)["usb-storage"] is False


def test_first_install_in_file_name_order_wins(tmp_path: Path) -> None:
    make_root(tmp_path, {"/usr/lib/modprobe.d/10-a.conf": "install usb-storage /sbin/modprobe --ignore-install usb-storage\n",
                         "/etc/modprobe.d/90-yb.conf": "install usb-storage /bin/false\n"})
    assert states(tmp_path)["usb-storage"] is False


def test_builtin_driver_cannot_be_disabled_by_modprobe(tmp_path: Path) -> None:
    make_root(tmp_path, {"/etc/modprobe.d/a.conf": "install usb-storage /bin/false\ninstall uas /bin/false\n",
                         "/lib/modules/6.1.0-26-amd64/modules.builtin": "kernel/drivers/usb/storage/usb-storage.ko\n"})
    got = {s.module: s for s in read_driver_state(RootfsTarget(str(tmp_path)))}
    assert got["usb-storage"].disabled is False and "built into" in got["usb-storage"].how
    assert got["uas"].disabled is True


def test_kernel_without_the_module_counts_as_disabled(tmp_path: Path) -> None:
    make_root(tmp_path, {"/lib/modules/6.1.0-26-amd64/modules.builtin": "kernel/drivers/usb/core/usbcore.ko\n",
                         "/lib/modules/6.1.0-26-amd64/modules.dep": "kernel/drivers/usb/serial/usbserial.ko.xz:\n"})
    assert states(tmp_path) == {"usb-storage": True, "uas": True}
    (tmp_path / "lib/modules/6.1.0-26-amd64/modules.dep").write_text(
        "kernel/drivers/usb/storage/usb-storage.ko.xz: kernel/drivers/scsi/scsi_mod.ko.xz\n"
        "kernel/drivers/usb/storage/uas.ko.xz: kernel/drivers/usb/storage/usb-storage.ko.xz\n")
    assert states(tmp_path) == {"usb-storage": False, "uas": False}


def test_live_loaded_module_is_enabled_even_if_blacklisted(tmp_path: Path) -> None:
    make_root(tmp_path, {"/etc/modprobe.d/a.conf": "blacklist usb-storage\nblacklist uas\n",
                         "/proc/modules": "uas 28672 0 - Live 0x0000000000000000\n"
                                          "usb_storage 81920 1 uas, Live 0x0000000000000000\n",
                         "/proc/cmdline": "BOOT_IMAGE=/vmlinuz root=/dev/sda2 ro quiet\n"})
    got = {s.module: s for s in read_driver_state(LiveFixture(str(tmp_path)))}
    assert got["usb-storage"].disabled is False and got["usb-storage"].loaded is True
    (tmp_path / "proc/modules").write_text("ext4 1036288 1 - Live 0x0000000000000000\n")
    got = {s.module: s for s in read_driver_state(LiveFixture(str(tmp_path)))}
    assert got["usb-storage"].disabled is True and got["usb-storage"].loaded is False


def test_kernel_command_line_module_blacklist(tmp_path: Path) -> None:
    make_root(tmp_path, {"/proc/modules": "ext4 1036288 1 - Live 0x0000000000000000\n",
                         "/proc/cmdline": "root=/dev/sda2 ro module_blacklist=usb_storage,uas quiet\n"})
    assert states(tmp_path, live=True) == {"usb-storage": True, "uas": True}


USBGUARD_CONF = "RuleFile=/etc/usbguard/rules.conf\nImplicitPolicyTarget=block\nPresentDevicePolicy=apply-policy\n"
RULES_HID_ONLY = ('allow id 046d:c31c serial "" name "USB Keyboard" hash "x" with-interface { 03:01:01 03:00:00 }\n'
                  "allow with-interface equals { 09:00:* }\n")


def test_usbguard_blocking_counts_as_disabled(tmp_path: Path) -> None:
    make_root(tmp_path, {"/usr/sbin/usbguard-daemon": "", "/etc/usbguard/usbguard-daemon.conf": USBGUARD_CONF,
                         "/etc/usbguard/rules.conf": RULES_HID_ONLY,
                         "/etc/systemd/system/multi-user.target.wants/usbguard.service": ""})
    assert states(tmp_path) == {"usb-storage": True, "uas": True}


def test_usbguard_not_enabled_or_allowing_storage_does_not_count(tmp_path: Path) -> None:
    make_root(tmp_path, {"/usr/sbin/usbguard-daemon": "", "/etc/usbguard/usbguard-daemon.conf": USBGUARD_CONF,
                         "/etc/usbguard/rules.conf": RULES_HID_ONLY})
    assert states(tmp_path) == {"usb-storage": False, "uas": False}  # not enabled at boot
    make_root(tmp_path, {"/etc/systemd/system/multi-user.target.wants/usbguard.service": "",
                         "/etc/usbguard/rules.conf": RULES_HID_ONLY + 'allow id 0781:5567 serial "4C53"\n'})
    assert states(tmp_path) == {"usb-storage": False, "uas": False}  # a stick is allowed by id


def test_usbguard_live_needs_the_daemon_running(tmp_path: Path) -> None:
    make_root(tmp_path, {"/usr/sbin/usbguard-daemon": "", "/etc/usbguard/usbguard-daemon.conf": USBGUARD_CONF,
                         "/etc/usbguard/rules.conf": RULES_HID_ONLY,
                         "/proc/modules": "ext4 1036288 1 - Live 0x0\n", "/proc/1/comm": "systemd\n"})
    assert states(tmp_path, live=True) == {"usb-storage": False, "uas": False}
    make_root(tmp_path, {"/proc/812/comm": "usbguard-daemon\n"})
    assert states(tmp_path, live=True) == {"usb-storage": True, "uas": True}


@pytest.mark.parametrize("rule,allows", [
    ("allow", True),
    ("allow with-interface equals { 08:06:50 }", True),
    ("allow with-interface one-of { 03:*:* 08:*:* }", True),
    ("allow with-interface equals { 03:01:01 }", False),
    ("allow id 046d:c31c with-interface { 03:01:01 03:00:00 }", False),
    ("allow with-interface none-of { 03:*:* }", True),
    ("block with-interface equals { 08:*:* }", False),
    ("reject", False),
])
def test_usbguard_rule_reading(rule: str, allows: bool) -> None:
    assert usbguard_rule_may_allow_storage(rule) is allows


@pytest.mark.parametrize("command,noop", [("/bin/false", True), ("/bin/true", True), ("/usr/bin/false", True),
                                          ("exit 1", True), ("/sbin/modprobe --ignore-install usb-storage", False)])
def test_install_commands(command: str, noop: bool) -> None:
    assert install_is_noop(command) is noop


def test_our_reading_matches_kmod(tmp_path: Path) -> None:
    """kmod itself normalises names the way we do (modprobe --showconfig on the same files)."""
    modprobe = shutil.which("modprobe") or "/usr/sbin/modprobe"
    if not os.path.exists(modprobe):
        pytest.skip("kmod is not installed (make test installs it)")
    conf = tmp_path / "conf"
    conf.mkdir()
    text = "blacklist usb-storage\ninstall uas \\\n    /bin/false\ninstall usb_storage /bin/true\n"
    (conf / "yb.conf").write_text(text)
    out = subprocess.run([modprobe, "--showconfig", f"--config={conf}"], capture_output=True, text=True,
                         check=True).stdout
    kmod = {(w[0], w[1], " ".join(w[2:])) for w in (line.split() for line in out.splitlines())
            if w and w[0] in ("blacklist", "install") and w[1] in ("usb_storage", "uas")}
    ours = {(r.kind, r.module, r.command) for r in parse_modprobe_conf(text, "yb.conf")}
    assert ours == kmod


def test_driver_check_findings_on_an_offline_root(tmp_path: Path) -> None:
    make_root(tmp_path, {"/etc/modprobe.d/a.conf": "blacklist usb-storage\n"})
    checks = select_checks(ALL_CHECKS, ["usb.storage-driver"])
    report = run_scan(default_policy(), RootfsTarget(str(tmp_path)), checks, ScanOptions(now=NOW))
    assert {f.subject for f in report.findings if f.status is Status.FAIL} == {"uas"}
    relaxed = policy_yaml("usb:\n  require_driver_disabled: false\n")
    report = run_scan(relaxed, RootfsTarget(str(tmp_path)), checks, ScanOptions(now=NOW))
    assert [f.status for f in report.findings] == [Status.PASS]
    assert "require_driver_disabled" in report.findings[0].message
