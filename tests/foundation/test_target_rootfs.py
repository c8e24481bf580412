"""RootfsTarget: a golden image's links resolve inside the image, never on the scanning host."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from ybguard.target import LiveLinuxTarget, NotRegularFile, RootfsTarget, Unsupported, open_target
from ybguard.target.linux import resolve_inside


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "root"
    (r / "etc" / "ssh").mkdir(parents=True)
    (r / "run").mkdir()
    (r / "usr" / "lib").mkdir(parents=True)
    (r / "etc" / "hostname").write_text("inside\n")
    (r / "etc" / "shadow").write_text("root:!:19000::::::\n")
    (r / "run" / "resolv.conf").write_text("nameserver 10.50.0.53\n")
    (r / "usr" / "lib" / "os-release").write_text('PRETTY_NAME="Image OS"\n')
    # the scanning host's own files, just outside the root, that a hostile link would aim at
    (tmp_path / "host-secret").write_text("HOST\n")
    return r


def test_absolute_link_stays_inside(root):
    (root / "etc" / "resolv.conf").symlink_to("/run/resolv.conf")
    (root / "etc" / "os-release").symlink_to("../usr/lib/os-release")
    t = RootfsTarget(str(root))
    assert t.read_text("/etc/resolv.conf") == "nameserver 10.50.0.53\n"
    assert t.read_text("/etc/os-release") == 'PRETTY_NAME="Image OS"\n'
    assert t.host_path("/etc/resolv.conf") == str(root / "run" / "resolv.conf")


def test_hostile_links_cannot_escape(root):
    (root / "etc" / "evil-abs").symlink_to("/../../../host-secret")
    (root / "etc" / "evil-rel").symlink_to("../../../../../host-secret")
    (root / "etc" / "evil-dir").symlink_to("/..")
    t = RootfsTarget(str(root))
    for path in ("/etc/evil-abs", "/etc/evil-rel", "/etc/evil-dir/host-secret", "/../host-secret",
                 "/etc/../../host-secret"):
        with pytest.raises(FileNotFoundError):
            t.read_text(path)
        assert t.host_path(path).startswith(str(root) + os.sep)
    # a link that climbs out and back in lands on the image's file
    (root / "etc" / "climb").symlink_to("../../../../etc/hostname")
    assert t.read_text("/etc/climb") == "inside\n"
    assert t.read_text("/etc/evil-dir/etc/shadow").startswith("root:")


def test_link_loop_raises_instead_of_hanging(root):
    (root / "etc" / "a").symlink_to("b")
    (root / "etc" / "b").symlink_to("/etc/a")
    (root / "etc" / "self").symlink_to("self")
    t = RootfsTarget(str(root))
    for path in ("/etc/a", "/etc/self", "/etc/a/x"):
        with pytest.raises(OSError) as info:
            t.read_text(path)
        assert info.value.errno == errno.ELOOP
    assert t.exists("/etc/a") is False
    assert t.read_text_optional("/etc/hostname") == "inside\n"


def test_missing_and_optional(root):
    t = RootfsTarget(str(root))
    assert t.read_text_optional("/etc/nope") is None
    assert t.read_text_optional("/etc/hostname/sub") is None
    assert t.exists("/etc/hostname") and not t.exists("/etc/nope")
    assert t.is_dir("/etc") and not t.is_dir("/etc/hostname")


def test_listdir_and_glob(root):
    (root / "etc" / "ssh" / "sshd_config").write_text("")
    (root / "etc" / "ssh" / ".hidden").write_text("")
    (root / "etc" / "ssh" / "ssh_host_rsa_key").write_text("")
    (root / "etc" / "confdir").symlink_to("/etc/ssh")
    (root / "etc" / "dangling").symlink_to("/nowhere")
    t = RootfsTarget(str(root))
    assert t.listdir("/etc/ssh") == [".hidden", "ssh_host_rsa_key", "sshd_config"]
    assert t.listdir("/etc/absent") == [] and t.listdir("/etc/hostname") == []
    assert t.glob("/etc/ssh/ssh*") == ["/etc/ssh/ssh_host_rsa_key", "/etc/ssh/sshd_config"]
    assert t.glob("/etc/ssh/.h*") == ["/etc/ssh/.hidden"]
    assert t.glob("/etc/confdir/sshd_config") == ["/etc/confdir/sshd_config"]  # through a link, inside
    assert t.glob("/etc/*/sshd_config") == ["/etc/confdir/sshd_config", "/etc/ssh/sshd_config"]
    assert t.glob("/etc/dangling") == ["/etc/dangling"]  # like glob.glob, a broken link is listed
    assert t.glob("/nope/*") == []


def test_glob_survives_a_loop(root):
    (root / "etc" / "loop").symlink_to("loop")
    t = RootfsTarget(str(root))
    assert t.glob("/etc/loop/*") == []
    assert "/etc/loop" in t.glob("/etc/*")


def test_walk_does_not_follow_links_and_yields_target_paths(root):
    (root / "opt" / "yb" / "lib").mkdir(parents=True)
    (root / "opt" / "yb" / "client.bin").write_text("x")
    (root / "opt" / "yb" / "lib" / "a.so").write_text("x")
    (root / "opt" / "yb" / "host").symlink_to("/")
    t = RootfsTarget(str(root))
    walked = list(t.walk("/opt/yb"))
    assert walked == [("/opt/yb", ["host", "lib"], ["client.bin"]), ("/opt/yb/lib", [], ["a.so"])]
    assert list(t.walk("/opt/absent")) == []


def test_walk_raises_on_an_unreadable_directory(root, monkeypatch):
    (root / "opt" / "yb" / "secret").mkdir(parents=True)
    t = RootfsTarget(str(root))
    real = os.scandir
    denied = str(root / "opt" / "yb" / "secret")

    def scandir(path):  # type: ignore[no-untyped-def]
        if os.fspath(path) == denied:
            raise PermissionError(13, "Permission denied", denied)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(PermissionError):
        list(t.walk("/opt/yb"))


def test_fifo_and_devices_are_refused_not_waited_on(root):
    os.mkfifo(root / "etc" / "fifo")
    (root / "etc" / "zero").symlink_to("/dev/zero")  # inside the image: missing (no /dev in root)
    (root / "dev").mkdir()
    if os.geteuid() == 0:  # a real character device inside the image
        os.mknod(root / "dev" / "zero", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    t = RootfsTarget(str(root))
    with pytest.raises(NotRegularFile):
        t.read_text("/etc/fifo")
    if os.geteuid() == 0:
        with pytest.raises(NotRegularFile) as info:
            t.read_bytes("/etc/zero")
        assert str(info.value) == "not a regular file, refusing to read it: /etc/zero"


def test_live_target_refuses_a_fifo_too(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(NotRegularFile):
        LiveLinuxTarget().read_text(str(tmp_path / "fifo"))
    assert LiveLinuxTarget().read_text("/proc/self/status").startswith("Name:")


def test_lstat_does_not_follow_the_last_link(root):
    (root / "etc" / "link").symlink_to("/etc/hostname")
    t = RootfsTarget(str(root))
    assert stat.S_ISLNK(t.lstat("/etc/link").st_mode)
    assert stat.S_ISREG(t.stat("/etc/link").st_mode)
    assert t.lstat("/..").st_ino == os.lstat(root).st_ino  # "/.." is the root, not its parent


def test_offline_target_has_no_live_sources(root):
    t = open_target(str(root))
    assert isinstance(t, RootfsTarget) and not t.is_live
    with pytest.raises(Unsupported):
        t.run(["true"])
    with pytest.raises(Unsupported):
        t.require_live()
    assert isinstance(open_target("/"), LiveLinuxTarget) and isinstance(open_target(None), LiveLinuxTarget)


def test_live_run_reports_failures_in_both_languages():
    from ybguard.target import ToolFailed, ToolMissing

    t = LiveLinuxTarget()
    assert t.run(["sh", "-c", "echo $LC_ALL"]) == "C.UTF-8\n"
    with pytest.raises(ToolMissing):
        t.run(["definitely-not-a-tool-ybguard"])
    with pytest.raises(ToolFailed) as info:
        t.run(["sh", "-c", "echo nope >&2; exit 3"])
    assert str(info.value) == "sh -c echo nope >&2; exit 3 failed (exit 3): nope"
    assert isinstance(info.value, RuntimeError)
    with pytest.raises(ToolFailed):
        t.run(["sleep", "5"], timeout=0.2)


def test_resolve_inside_is_pure_path_logic(tmp_path):
    assert resolve_inside(str(tmp_path), "/a/./b/../c") == str(tmp_path / "a" / "c")
    assert resolve_inside(str(tmp_path), "../../..") == str(tmp_path)


def test_debian_root_identity(debian_root_path):
    """On a real debootstrap root: OS, hostname fallback and architecture come from the image."""
    from ybguard.collect import FactSet, ScanOptions, registry_for
    from ybguard.policy.schema import Policy

    t = RootfsTarget(str(debian_root_path))
    ident = FactSet(t, Policy(), ScanOptions(), registry_for("linux")).get("host.identity")
    assert ident.os.startswith("Debian GNU/Linux 12") and ident.os_version == "12"
    assert ident.arch == os.uname().machine
    assert t.read_text("/etc/os-release") == (Path(debian_root_path) / "usr/lib/os-release").read_text()
