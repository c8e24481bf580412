"""IP forwarding as sysctl.d(5) and the commands run at boot leave it."""

from __future__ import annotations

import re
from typing import Dict, List, Sequence, Set, Tuple

from ...facts.network import (
    Forwarding,
    ForwardingSetting,
)
from ..interface import CollectContext
from ..syntax.dropins import dropin_paths, systemd_dirs
from ..syntax.errors import where
from . import saved
from .commands import forwarding_key
from .model import (
    read_file,
    read_once,
)


def parse_sysctl(path: str, text: str) -> Tuple[ForwardingSetting, ...]:
    """Forwarding assignments of one sysctl.conf(5) file, in file order."""
    out: List[ForwardingSetting] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;" or "=" not in line:
            continue
        key, _, value = line.partition("=")
        fk = forwarding_key(key)
        if fk:
            out.append(ForwardingSetting(fk[0], fk[1], value.strip() not in ("0", ""), where(path, n)))
    return tuple(out)


def effective_forwarding(assignments: Sequence[ForwardingSetting]) -> Forwarding:
    """The last assignment of each (family, scope) wins; unset "all" is the kernel default (off)."""
    last: Dict[Tuple[int, str], ForwardingSetting] = {}
    for s in assignments:
        last[(s.family, s.scope)] = s
    for fam in (4, 6):
        last.setdefault((fam, "all"), ForwardingSetting(fam, "all", False, "kernel default"))
    return Forwarding(tuple(last[k] for k in sorted(last, key=lambda k: (k[0], k[1] != "all", k[1]))))


def collect_forwarding_offline(ctx: CollectContext) -> Forwarding:
    target = ctx.target
    assignments: List[ForwardingSetting] = []
    seen_hosts: Set[str] = set()
    paths = dropin_paths(target, systemd_dirs("sysctl.d"), ".conf")
    paths.append("/etc/sysctl.conf")  # procps `sysctl --system` reads it last (Debian links 99-sysctl.conf to it)
    ufw_enabled = re.search(r"(?m)^\s*ENABLED\s*=\s*yes", read_file(target, "/etc/ufw/ufw.conf") or "")
    if ufw_enabled:
        paths.append("/etc/ufw/sysctl.conf")  # ufw applies it when it starts, after systemd-sysctl
    for path, text in read_once(target, paths, seen_hosts, target.host_path):
        assignments.extend(parse_sysctl(path, text))
    conf = saved.config(ctx)  # ifupdown up-commands, rc.local and networkd run after sysctl
    assignments.extend(conf.forwarding)
    return saved.outcome(ctx, effective_forwarding(assignments), ("forwarding",))
