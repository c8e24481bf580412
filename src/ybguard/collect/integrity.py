"""File integrity (sha256 of everything under ``integrity.paths``), the baseline given with
``--baseline``, and the leased-line gateway's MAC (live) — the facts behind baseline drift.

Hashing reads 1 MiB chunks into a reused buffer; ``hashlib`` releases the GIL on large
updates, so a small thread pool keeps the disk and the cores busy at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterable, List, Sequence, Tuple

from ..facts.accounts import FileDigest, GatewayNeighbour
from ..target.interface import Target, Unsupported
from .interface import CollectContext, Collector, FactError

CHUNK = 1 << 20
WORKERS = 4
_local = threading.local()


def sha256_file(host_path: str) -> str:
    buf = getattr(_local, "buf", None)
    if buf is None:
        buf = _local.buf = bytearray(CHUNK)
    view = memoryview(buf)
    digest = hashlib.sha256()
    with open(host_path, "rb", buffering=0) as fh:
        while True:
            n = fh.readinto(buf)
            if not n:
                break
            digest.update(view[:n])
    return digest.hexdigest()


def list_tree(target: Target, roots: Sequence[str]) -> List[Tuple[str, str, os.stat_result]]:
    """(target path, host path, lstat) of every non-directory entry under ``roots``; links not followed."""
    out: List[Tuple[str, str, os.stat_result]] = []
    for root in roots:
        top = root.rstrip("/") or "/"
        host_top = target.host_path(top)
        try:
            st = os.lstat(host_top)
        except FileNotFoundError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            out.append((top, host_top, st))
            continue

        def onerror(exc: OSError) -> None:
            raise exc

        for dirpath, dirnames, filenames in os.walk(host_top, onerror=onerror):
            dirnames.sort()
            rel = os.path.relpath(dirpath, host_top)
            tdir = top if rel == "." else os.path.join(top, rel)
            names = sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))])
            for name in names:
                hp = os.path.join(dirpath, name)
                out.append((os.path.join(tdir, name), hp, os.lstat(hp)))
    return out


def _digest(entry: Tuple[str, str, os.stat_result]) -> FileDigest:
    tpath, hpath, st = entry
    if stat.S_ISREG(st.st_mode):
        sha = sha256_file(hpath)
    elif stat.S_ISLNK(st.st_mode):
        sha = hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(hpath))).hexdigest()
    else:
        sha = ""  # fifos, sockets, devices: type and mode only, never opened
    return FileDigest(path=tpath, sha256=sha, size=st.st_size, mode=st.st_mode)


def hash_tree(target: Target, roots: Sequence[str], workers: int = WORKERS) -> Tuple[FileDigest, ...]:
    entries = list_tree(target, roots)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return tuple(sorted(pool.map(_digest, entries), key=lambda d: d.path))


def collect_files(ctx: CollectContext) -> Tuple[FileDigest, ...]:
    return hash_tree(ctx.target, ctx.policy.integrity.paths)


def collect_baseline(ctx: CollectContext) -> Any:
    path = ctx.options.baseline_path
    if not path:
        raise Unsupported("reason.no_baseline")
    from ..baseline import BaselineError, load

    try:
        return load(path)
    except BaselineError as exc:
        raise FactError("reason.bad_baseline", path=path, reason=str(exc)) from None


# --- leased-line gateway (live) ----------------------------------------------------------------

def leased_devices(names_or_macs: Iterable[str], macs: Dict[str, str]) -> List[str]:
    """Interface names of the leased line; policy entries may be names or MAC addresses."""
    wanted = [x.lower() for x in names_or_macs]
    return sorted(name for name, mac in macs.items() if name.lower() in wanted or mac.lower() in wanted)


def gateways_from_routes(routes: Sequence[Dict[str, Any]], devs: Sequence[str]) -> List[Tuple[str, str]]:
    """(gateway ip, dev) of every route through a leased-line device (``ip -json route``)."""
    out = []
    for r in routes:
        for hop in [r] + list(r.get("nexthops") or []):
            gw, dev = hop.get("gateway"), hop.get("dev", r.get("dev"))
            if gw and dev in devs and (gw, dev) not in out:
                out.append((gw, dev))
    return sorted(out)


def neighbour_macs(neigh: Sequence[Dict[str, Any]]) -> Dict[Tuple[str, str], Tuple[str, str]]:
    """(ip, dev) -> (mac, state) from ``ip -json neigh show``."""
    out = {}
    for n in neigh:
        state = n.get("state") or []
        out[(n.get("dst", ""), n.get("dev", ""))] = (str(n.get("lladdr", "")).lower(), ",".join(state))
    return out


def collect_gateway(ctx: CollectContext) -> Tuple[GatewayNeighbour, ...]:
    target = ctx.target
    target.require_live()
    macs = {n: (target.read_text_optional(f"/sys/class/net/{n}/address") or "").strip()
            for n in target.listdir("/sys/class/net")}
    devs = leased_devices(ctx.policy.network.leased_line.interfaces, macs)
    if not devs:
        return ()
    routes = json.loads(target.run(["ip", "-json", "route", "show", "table", "all"]) or "[]")
    routes6 = json.loads(target.run(["ip", "-6", "-json", "route", "show", "table", "all"]) or "[]")
    neigh = neighbour_macs(json.loads(target.run(["ip", "-json", "neigh", "show"]) or "[]"))
    out = []
    for ip, dev in gateways_from_routes(list(routes) + list(routes6), devs):
        mac, state = neigh.get((ip, dev), ("", ""))
        out.append(GatewayNeighbour(ip=ip, mac=mac, dev=dev, state=state))
    return tuple(out)


LINUX: Dict[str, Collector] = {
    "integrity.files": collect_files,
    "integrity.baseline": collect_baseline,
    "integrity.gateway": collect_gateway,
}
