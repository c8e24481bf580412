"""Build evidence bundles by hand, as a hostile or broken collector would, for the custody tests."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import zipfile
from pathlib import Path
from typing import Dict, List, Mapping, Optional

SCHEMA = "ybguard.evidence/v1"


def manifest(artifacts: List[dict], os_name: str = "linux", **host: object) -> dict:
    return {"schema": SCHEMA, "collector": {"name": "test-kit", "version": "0.0.1", "os": os_name},
            "host": {"hostname": "term-01", "os": "Test Linux", "user": "root", "elevated": True, **host},
            "started_at": "2026-12-01T02:00:00+08:00", "finished_at": "2026-12-01T02:00:09+08:00",
            "artifacts": artifacts}


def content(path: str, data: bytes, kind: str = "file", **extra: object) -> dict:
    return {"path": path, "kind": kind, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), **extra}


def command(cmd: str, data: bytes, exit_code: int = 0, **extra: object) -> dict:
    import re

    path = "commands/" + re.sub(r"[^A-Za-z0-9._-]+", "_", cmd) + ".txt"
    return content(path, data, kind="command", command=cmd, exit_code=exit_code, **extra)


def folder(root: Path, files: Mapping[str, bytes], artifacts: Optional[List[dict]] = None,
           doc: Optional[dict] = None) -> Path:
    """A bundle folder holding ``files``; the manifest lists ``artifacts`` (default: exactly the files)."""
    root.mkdir(parents=True)
    for name, data in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    if doc is None:
        arts = artifacts if artifacts is not None else [
            command(name[len("commands/"):-4], data) if name.startswith("commands/") else content(name, data)
            for name, data in files.items()]
        doc = manifest(arts)
    (root / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")
    return root


def zip_of(src: Path, dest: Path, prefix: str = "bundle/") -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for dirpath, _dirs, names in os.walk(src):
            for name in names:
                full = Path(dirpath) / name
                zf.write(full, prefix + str(full.relative_to(src)))
    return dest


def tar_of(src: Path, dest: Path, prefix: str = "bundle") -> Path:
    with tarfile.open(dest, "w:gz") as tf:
        tf.add(src, arcname=prefix)
    return dest


def tar_with(dest: Path, members: Dict[str, bytes], extra: Optional[List[tarfile.TarInfo]] = None,
             raw_header: Optional[tarfile.TarInfo] = None) -> Path:
    """A .tar.gz of ``members`` plus hand-made headers (links, devices) and optionally a header whose
    declared size is not followed by data (a 2 GB member costs nothing to build)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for info in extra or ():
            tf.addfile(info)
        if raw_header is not None:
            tf.fileobj.write(raw_header.tobuf())  # type: ignore[union-attr]
            tf.fileobj.write(b"\0" * 4096)  # type: ignore[union-attr]
            tf.offset += 512 + 4096
    import gzip

    dest.write_bytes(gzip.compress(buf.getvalue()))
    return dest
