"""Targets: the live host, a Linux root directory, a Windows image."""

from __future__ import annotations

import os
import sys
from typing import Optional

from .interface import NotRegularFile, Target, TargetError, ToolFailed, ToolMissing, Unsupported
from .linux import LiveLinuxTarget, RootfsTarget, is_linux_root


def open_target(root: Optional[str] = None, hives: Optional[str] = None) -> Target:
    """The target for ``--root`` / ``--hives`` (neither, or root "/", = this live host).

    A ``--root`` holding Windows/System32/config/SYSTEM is a Windows volume; ``--hives`` is a
    directory of Windows hive files. A ``--root`` that is neither a Windows volume nor a Linux
    root (an unmounted mount point, a tarball unpacked one level too deep) is refused: scanned,
    it would read as a host with no routes, no interfaces and no software — a false pass.
    """
    if hives is not None:
        from .windows import WindowsImageTarget

        return WindowsImageTarget.from_hives(hives)
    if root is None and sys.platform == "win32":
        from .windows import WindowsLiveTarget

        return WindowsLiveTarget()
    if root is None or os.path.abspath(root) == "/":
        return LiveLinuxTarget()
    from .windows import WindowsImageTarget, find_windows_volume

    if find_windows_volume(root):
        return WindowsImageTarget.from_root(root)
    if not is_linux_root(root):
        raise TargetError("target.not_an_image", path=root)
    return RootfsTarget(root)


__all__ = ["NotRegularFile", "Target", "TargetError", "ToolFailed", "ToolMissing", "Unsupported", "LiveLinuxTarget", "RootfsTarget", "open_target"]
