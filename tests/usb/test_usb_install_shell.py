"""modprobe.d ``install`` commands run through /bin/sh (modprobe.d(5)): only a command that
cannot load anything counts as disabling the module (issue 11 item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ybguard.collect.usb import install_is_noop, read_driver_state
from ybguard.target import RootfsTarget


@pytest.mark.parametrize("command", [
    "/bin/true", "/bin/false", "true", "false", "exit", "exit 1", "exit 0", "  /bin/false  ",
    "/bin/true # 医保终端禁用U盘",
])
def test_commands_that_cannot_load_anything(command: str) -> None:
    assert install_is_noop(command)


@pytest.mark.parametrize("command", [
    "/bin/true; /sbin/modprobe --ignore-install usb-storage",
    "/bin/false || /sbin/modprobe --ignore-install usb-storage",
    "/bin/true && modprobe --ignore-install usb_storage",
    "exit 1; modprobe --ignore-install usb-storage",
    "true\nmodprobe --ignore-install usb-storage",
    "/bin/true $(modprobe --ignore-install usb-storage)",
    "/bin/true `insmod /lib/modules/x/usb-storage.ko`",
    "/bin/false | modprobe --ignore-install usb-storage",
    "/bin/true & modprobe --ignore-install usb-storage",
    "/bin/true > /dev/null; insmod usb-storage.ko",
    "/bin/true extra",
    "exit $(modprobe --ignore-install usb-storage)",
    "/tmp/true",
    "true;",
    "",
])
def test_commands_that_may_load_the_module(command: str) -> None:
    assert not install_is_noop(command)


def test_install_true_then_modprobe_is_not_disabled(tmp_path: Path) -> None:
    conf = tmp_path / "etc/modprobe.d/usb.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("install usb-storage /bin/true; /sbin/modprobe --ignore-install usb-storage\n")
    got = {s.module: s for s in read_driver_state(RootfsTarget(str(tmp_path)))}
    assert not got["usb-storage"].disabled
    assert not got["uas"].disabled
