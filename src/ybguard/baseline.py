"""Golden-image baselines: record a known-good terminal, later report how it drifted.

``create`` reads facts through a FactSet (so ``--root`` images and live hosts are recorded
the same way) and returns the versioned JSON document (schema ``ybguard.baseline/v1``,
docs/baseline.schema.json). ``load`` validates a file into a frozen ``Baseline``. The
``diff_*`` functions are pure: baseline + current facts -> drift items, which the
integrity.baseline-* checks turn into findings.

A section that could not be recorded (e.g. packages when no package collector exists for
the target) is stored as ``null`` with the reason under ``unrecorded``; drift for it is then
"not recorded", never a silent pass.
"""

from __future__ import annotations

import json
import os
import posixpath
import stat
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .facts.accounts import FileDigest, GatewayNeighbour

SCHEMA = "ybguard.baseline/v1"


class BaselineError(Exception):
    """The baseline file is missing, not JSON, or not a ybguard.baseline/v1 document."""


@dataclass(frozen=True)
class Baseline:
    created_at: str
    host: str
    policy_sha256: str
    integrity_paths: Tuple[str, ...]
    files: Mapping[str, Tuple[str, int, int]]  # path -> (sha256, size, mode)
    packages: Optional[Tuple[Tuple[str, str, str], ...]]  # (manager, name, version); None: not recorded
    interfaces: Optional[Tuple[Tuple[str, str, str], ...]]  # (name, mac, kind)
    gateways: Optional[Tuple[Tuple[str, str, str], ...]]  # (ip, mac, dev)
    usb_devices: Optional[Tuple[Tuple[str, str], ...]]  # (device, serial)
    unrecorded: Mapping[str, str]
    source: str = ""


@dataclass(frozen=True)
class Drift:
    subject: str
    change: str  # added | removed | modified | renamed | mac-changed | version-changed
    before: str = ""
    after: str = ""


# --- creating ---------------------------------------------------------------------------------

def _section(facts: Any, key: str, unrecorded: Dict[str, str], name: str) -> Optional[Any]:
    """A fact's value, or None with the reason noted (a baseline records what it could read)."""
    from .collect.interface import reason_of
    from .i18n import t

    try:
        return facts.get(key)
    except Exception as exc:  # noqa: BLE001 - recorded as "not recorded", shown to the user
        reason = reason_of(exc)  # "no collector for this target" comes from the FactSet itself
        unrecorded[name] = f"{key}: {t(reason.key, 'en', **reason.args_map)}"
        return None


def create(facts: Any, now: datetime) -> Dict[str, Any]:
    """The baseline document for the target behind ``facts`` (a FactSet). File hashes must be
    readable: an unreadable file raises, because a baseline with holes would hide later changes."""
    policy = facts.ctx.policy
    files: Sequence[FileDigest] = facts.get("integrity.files")
    unrecorded: Dict[str, str] = {}
    packages = _section(facts, "software.packages", unrecorded, "packages")
    interfaces = _section(facts, "network.interfaces", unrecorded, "interfaces")
    gateways = _section(facts, "integrity.gateway", unrecorded, "gateways")
    attached = _section(facts, "usb.attached", unrecorded, "usb_attached")
    history = _section(facts, "usb.history", unrecorded, "usb_history")
    host = "unknown"
    try:
        host = facts.get("host.identity").hostname
    except Exception:  # noqa: BLE001 - the host name is a label only
        pass
    usb: Optional[List[Dict[str, str]]] = None
    if attached is not None or history is not None:
        seen = [(getattr(d, "vendor", "") + " " + getattr(d, "product", "")).strip() or d.name for d in attached or ()]
        usb_pairs = [(name, getattr(d, "serial", "")) for name, d in zip(seen, attached or ())]
        usb_pairs += [(d.device, d.serial) for d in history or ()]
        usb = [{"device": dev, "serial": serial} for dev, serial in sorted(set(usb_pairs))]
    return {
        "schema": SCHEMA,
        "created_at": now.isoformat(timespec="seconds"),
        "host": host,
        "target": facts.ctx.target.kind.value,
        "policy": {"id": policy.meta.id, "version": policy.meta.version, "sha256": policy.sha256},
        "integrity_paths": list(policy.integrity.paths),
        "files": {d.path: {"sha256": d.sha256, "size": d.size, "mode": d.mode} for d in files},
        "packages": None if packages is None else sorted(
            ({"name": p.name, "version": p.version, "manager": p.manager} for p in packages),
            key=lambda p: (p["manager"], p["name"], p["version"])),
        "interfaces": None if interfaces is None else sorted(
            ({"name": i.name, "mac": i.mac, "kind": i.kind} for i in interfaces if i.kind != "loopback"),
            key=lambda i: i["name"]),
        "gateways": None if gateways is None else [{"ip": g.ip, "mac": g.mac, "dev": g.dev} for g in gateways],
        "usb_devices": usb,
        "unrecorded": unrecorded,
    }


# --- loading ----------------------------------------------------------------------------------

def _need(doc: Mapping[str, Any], key: str, kind: type) -> Any:
    value = doc.get(key)
    if not isinstance(value, kind):
        raise BaselineError(f"field {key!r} must be {kind.__name__}")
    return value


def _rows(doc: Mapping[str, Any], key: str, fields: Sequence[str]) -> Optional[Tuple[Any, ...]]:
    value = doc.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise BaselineError(f"field {key!r} must be a list of objects or null")
    try:
        return tuple(tuple(str(r[f]) for f in fields) for r in value)
    except KeyError as exc:
        raise BaselineError(f"an entry of {key!r} lacks {exc}") from None


def parse(doc: Any, source: str = "") -> Baseline:
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise BaselineError(f"not a {SCHEMA} document")
    raw_files = _need(doc, "files", dict)
    files: Dict[str, Tuple[str, int, int]] = {}
    for path, rec in raw_files.items():
        if not isinstance(rec, dict) or not isinstance(rec.get("sha256"), str):
            raise BaselineError(f"files[{path!r}] needs sha256, size, mode")
        files[path] = (rec["sha256"], int(rec.get("size", 0)), int(rec.get("mode", 0)))
    policy = doc.get("policy") or {}
    usb = _rows(doc, "usb_devices", ("device", "serial"))
    return Baseline(
        created_at=str(_need(doc, "created_at", str)), host=str(doc.get("host", "")),
        policy_sha256=str(policy.get("sha256", "")) if isinstance(policy, dict) else "",
        integrity_paths=tuple(str(p) for p in _need(doc, "integrity_paths", list)),
        files=files,
        packages=_rows(doc, "packages", ("manager", "name", "version")),
        interfaces=_rows(doc, "interfaces", ("name", "mac", "kind")),
        gateways=_rows(doc, "gateways", ("ip", "mac", "dev")),
        usb_devices=None if usb is None else tuple((a, b) for a, b in usb),
        unrecorded={str(k): str(v) for k, v in (doc.get("unrecorded") or {}).items()},
        source=source,
    )


MAX_BASELINE_BYTES = 512 * 1024 * 1024  # a baseline of a very large image is tens of MB


def load(path: str) -> Baseline:
    """Read a baseline file; a device, FIFO or directory is refused up front (reading /dev/zero
    never ends, and opening a FIFO waits for a writer forever), and the read is bounded."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise BaselineError(f"{path}: not a regular file")
            data = fh.read(MAX_BASELINE_BYTES + 1)
    except OSError as exc:
        raise BaselineError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > MAX_BASELINE_BYTES:
        raise BaselineError(f"{path}: larger than {MAX_BASELINE_BYTES} bytes")
    try:
        doc = json.loads(data.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise BaselineError(f"{path}: not JSON: {exc}") from None
    return parse(doc, os.path.abspath(path))


# --- comparing (pure) ------------------------------------------------------------------------

def _windows_style(path: str) -> bool:
    return path[1:3] in (":\\", ":/") or path.startswith("\\\\")


def _under(path: str, roots: Sequence[str]) -> bool:
    """``path`` is one of ``roots`` or inside one. Windows paths (``C:\\…``, ``\\\\server\\…``)
    compare with either separator and in any case, as NTFS does."""
    for root in roots:
        if _windows_style(root) or _windows_style(path):
            p, r = path.replace("/", "\\").lower(), root.replace("/", "\\").rstrip("\\").lower()
            if p == r or p.startswith(r + "\\"):
                return True
            continue
        root = root.rstrip("/") or "/"
        if path == root or path.startswith(root if root == "/" else root + "/"):
            return True
    return False


def uncovered_roots(baseline: Baseline, policy_paths: Sequence[str]) -> List[str]:
    """Baseline roots the current policy does not hash (their files cannot be compared)."""
    return [r for r in baseline.integrity_paths if not _under(posixpath.normpath(r), policy_paths)]


def diff_files(baseline: Baseline, current: Sequence[FileDigest]) -> List[Drift]:
    roots = baseline.integrity_paths
    now = {d.path: d for d in current if _under(d.path, roots)}
    out: List[Drift] = []
    for path, (sha, size, mode) in sorted(baseline.files.items()):
        cur = now.get(path)
        if cur is None:
            out.append(Drift(path, "removed", f"sha256 {sha[:16]} size {size}"))
        elif cur.sha256 != sha:
            out.append(Drift(path, "modified", f"sha256 {sha[:16]} size {size}",
                             f"sha256 {cur.sha256[:16]} size {cur.size}"))
        elif cur.mode != mode:
            out.append(Drift(path, "mode-changed", oct(mode), oct(cur.mode)))
    for path in sorted(set(now) - set(baseline.files)):
        out.append(Drift(path, "added", "", f"sha256 {now[path].sha256[:16]} size {now[path].size}"))
    return out


def diff_packages(base: Sequence[Tuple[str, str, str]], current: Sequence[Any]) -> List[Drift]:
    def index(rows: Sequence[Tuple[str, str, str]]) -> Dict[Tuple[str, str], str]:
        return {(m, n): v for m, n, v in rows}

    before = index(base)
    after = index([(p.manager, p.name, p.version) for p in current])
    out = []
    for key in sorted(set(before) | set(after)):
        label = f"{key[1]} ({key[0]})" if key[0] else key[1]
        if key not in after:
            out.append(Drift(label, "removed", before[key]))
        elif key not in before:
            out.append(Drift(label, "added", "", after[key]))
        elif before[key] != after[key]:
            out.append(Drift(label, "version-changed", before[key], after[key]))
    return out


def diff_interfaces(base: Sequence[Tuple[str, str, str]], current: Sequence[Any]) -> List[Drift]:
    """NIC drift; a NIC whose MAC moved to another name is reported once, as renamed."""
    before = {n: (m, k) for n, m, k in base}
    after = {i.name: (i.mac, i.kind) for i in current if i.kind != "loopback"}
    out: List[Drift] = []
    gone = sorted(set(before) - set(after))
    new = sorted(set(after) - set(before))
    for name in list(gone):
        mac = before[name][0]
        match = next((n for n in new if mac and after[n][0] == mac), None)
        if match:
            out.append(Drift(name, "renamed", f"{name} {mac}", f"{match} {mac}"))
            gone.remove(name)
            new.remove(match)
    out += [Drift(n, "removed", f"{before[n][0]} {before[n][1]}") for n in gone]
    out += [Drift(n, "added", "", f"{after[n][0]} {after[n][1]}") for n in new]
    for name in sorted(set(before) & set(after)):
        if before[name][0] != after[name][0]:
            out.append(Drift(name, "mac-changed", before[name][0], after[name][0]))
    return sorted(out, key=lambda d: d.subject)


def diff_gateways(base: Sequence[Tuple[str, str, str]], current: Sequence[GatewayNeighbour]) -> List[Drift]:
    before = {(ip, dev): mac for ip, mac, dev in base}
    after = {(g.ip, g.dev): g.mac for g in current}
    out = []
    for key in sorted(set(before) | set(after)):
        label = f"{key[0]} dev {key[1]}"
        if key not in after:
            out.append(Drift(label, "removed", before[key]))
        elif key not in before:
            out.append(Drift(label, "added", "", after[key]))
        elif before[key] != after[key]:
            out.append(Drift(label, "mac-changed", before[key] or "?", after[key] or "?"))
    return out
