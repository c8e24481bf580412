"""Fixtures of the Linux 等保 tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def hardened(tmp_path: Path) -> Path:
    """A small root: passwd/shadow/login.defs plus every 等保 control in place."""
    from djbhroots import harden_djbh, write

    root = tmp_path / "root"
    write(root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
          "yb:x:1000:1000::/home/yb:/bin/bash\n")
    write(root, "/etc/shadow", "root:$y$j9T$abc:20000:0:90:7:::\ndaemon:*:20000:0:99999:7:::\nyb:$y$j9T$def:20000:0:90:7:::\n")
    write(root, "/etc/login.defs", "UID_MIN 1000\nPASS_MAX_DAYS 90\n")
    write(root, "/lib/systemd/systemd-journald", "")
    harden_djbh(root)
    return root
