"""Targets: the live host, a Linux root directory, a Windows image."""

from __future__ import annotations

import os
from typing import Optional

from .interface import NotRegularFile, Target, TargetError, ToolFailed, ToolMissing, Unsupported
from .linux import LiveLinuxTarget, RootfsTarget


def open_target(root: Optional[str] = None) -> Target:
    """The target for ``--root`` (None or "/" = this live host)."""
    if root is None or os.path.abspath(root) == "/":
        return LiveLinuxTarget()
    return RootfsTarget(root)


__all__ = ["NotRegularFile", "Target", "TargetError", "ToolFailed", "ToolMissing", "Unsupported", "LiveLinuxTarget", "RootfsTarget", "open_target"]
