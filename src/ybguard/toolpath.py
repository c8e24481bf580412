"""Where ybguard finds the host's tools, whatever PATH it was started with.

cron starts jobs with ``PATH=/usr/bin:/bin`` and ``nft``, ``iptables-save``, ``ip`` (on some
systems), ``sysctl`` live in ``/usr/sbin`` or ``/sbin``: a nightly scan would report every one
of them missing. The system directories are therefore always searched after the caller's PATH
— the caller's own choices still come first.
"""

from __future__ import annotations

import os
import shutil
from typing import Mapping, MutableMapping, Optional

SYSTEM_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def exec_path(environ: Optional[Mapping[str, str]] = None) -> str:
    """The caller's PATH with every system directory it lacks appended."""
    env = os.environ if environ is None else environ
    parts = [p for p in env.get("PATH", "").split(os.pathsep) if p]
    parts += [d for d in SYSTEM_DIRS if d not in parts]
    return os.pathsep.join(parts)


def tool_env(environ: Optional[Mapping[str, str]] = None, **extra: str) -> MutableMapping[str, str]:
    """An environment for running a host tool: the caller's, PATH completed, plus ``extra``."""
    env = dict(os.environ if environ is None else environ)
    env["PATH"] = exec_path(env)
    env.update(extra)
    return env


def which(name: str) -> Optional[str]:
    """shutil.which over :func:`exec_path`."""
    return shutil.which(name, path=exec_path())
