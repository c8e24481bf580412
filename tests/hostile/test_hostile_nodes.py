"""Device nodes and FIFOs inside an image are never opened (issue 11 item 17): opening a
watchdog or tape node on the scanning host has effects of its own, so the file type is
checked with stat() before any open(). inotify (IN_OPEN) shows whether an open happened."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import stat
import struct
from pathlib import Path
from typing import Iterator

import pytest

from ybguard.target import RootfsTarget
from ybguard.target.interface import NotRegularFile

IN_OPEN = 0x20
IN_NONBLOCK = os.O_NONBLOCK


class Opens:
    """Counts IN_OPEN events on one path (a device node or FIFO reports them like a file)."""

    def __init__(self, path: Path) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self.fd = libc.inotify_init1(IN_NONBLOCK)
        assert self.fd >= 0, os.strerror(ctypes.get_errno())
        assert libc.inotify_add_watch(self.fd, str(path).encode(), IN_OPEN) >= 0

    def count(self) -> int:
        n = 0
        while select.select([self.fd], [], [], 0.2)[0]:
            data = os.read(self.fd, 4096)
            off = 0
            while off < len(data):
                _wd, mask, _cookie, length = struct.unpack_from("iIII", data, off)
                n += bool(mask & IN_OPEN)
                off += 16 + length
        return n

    def close(self) -> None:
        os.close(self.fd)


@pytest.fixture
def image(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "etc").mkdir()
    yield tmp_path


def _node(image: Path, kind: str) -> Path:
    path = image / "etc/resolv.conf"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        if os.geteuid() != 0:
            pytest.skip("mknod needs root (CI runs as root)")
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # the null device: harmless if opened
    return path


@pytest.mark.parametrize("kind", ["fifo", "chardev"])
@pytest.mark.parametrize("how", ["read_bytes", "open_bytes", "read_text_optional"])
def test_node_in_image_is_refused_without_being_opened(image: Path, kind: str, how: str) -> None:
    path = _node(image, kind)
    watch = Opens(path)
    try:
        target = RootfsTarget(str(image))
        with pytest.raises(NotRegularFile):
            getattr(target, how)("/etc/resolv.conf")
        assert watch.count() == 0
    finally:
        watch.close()


def test_link_to_a_node_is_refused_without_opening_it(image: Path) -> None:
    node = _node(image, "fifo")
    os.rename(node, image / "etc/fifo")
    os.symlink("/etc/fifo", image / "etc/resolv.conf")
    watch = Opens(image / "etc/fifo")
    try:
        with pytest.raises(NotRegularFile):
            RootfsTarget(str(image)).read_bytes("/etc/resolv.conf")
        assert watch.count() == 0
    finally:
        watch.close()


def test_regular_files_still_read(image: Path) -> None:
    (image / "etc/hostname").write_text("golden\n")
    watch = Opens(image / "etc/hostname")
    try:
        assert RootfsTarget(str(image)).read_text("/etc/hostname") == "golden\n"
        assert watch.count() == 1  # the check itself works
    finally:
        watch.close()
