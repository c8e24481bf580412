"""Linux targets: the live host (root ``/``) and a Linux root directory (``--root DIR``)."""

from __future__ import annotations

import errno
import os
import stat

from ..models import TargetKind
from .interface import Target

MAX_LINK_HOPS = 40


def resolve_inside(root: str, path: str) -> str:
    """Resolve ``path`` as if ``root`` were ``/``: absolute links and ``..`` never leave ``root``.

    A golden image may hold ``/etc/resolv.conf -> /run/...`` or a hostile ``-> /../../etc/shadow``;
    both must land inside the image, never on the scanning host.
    """
    root = os.path.abspath(root)
    parts = [p for p in path.split("/") if p and p != "."]
    resolved: list = []
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = os.path.join(root, *resolved, part)
        if os.path.islink(candidate):
            hops += 1
            if hops > MAX_LINK_HOPS:
                raise OSError(errno.ELOOP, "Too many levels of symbolic links", path)
            link = os.readlink(candidate)
            if link.startswith("/"):
                resolved = []
            parts = [p for p in link.split("/") if p and p != "."] + parts
            continue
        resolved.append(part)
    return os.path.join(root, *resolved)


# Any one of these makes a directory a Linux root; what the collectors read first.
LINUX_ROOT_MARKERS = ("/etc/os-release", "/usr/lib/os-release", "/etc/passwd")


def is_linux_root(root: str) -> bool:
    """Whether ``root`` holds an os-release or a passwd file (links resolved inside ``root``)."""
    try:
        return any(os.path.isfile(resolve_inside(root, m)) for m in LINUX_ROOT_MARKERS)
    except OSError:  # a link loop where os-release should be: not an image we can read
        return False


class LiveLinuxTarget(Target):
    kind = TargetKind.LIVE
    os_family = "linux"

    def __init__(self) -> None:
        super().__init__("/")

    def host_path(self, path: str) -> str:
        return path if path.startswith("/") else "/" + path


class RootfsTarget(Target):
    """A Linux root directory scanned offline: read only, never executed, links kept inside."""

    kind = TargetKind.ROOTFS
    os_family = "linux"

    def __init__(self, root: str) -> None:
        super().__init__(os.path.abspath(root))

    def host_path(self, path: str) -> str:
        return resolve_inside(self.root, path)

    def _refuse(self, mode: int) -> bool:
        # Inside an image only regular files are configuration; /dev/zero would read forever.
        return not stat.S_ISREG(mode)
