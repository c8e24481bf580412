"""Opening an evidence bundle (``ybguard.evidence/v1``) with chain-of-custody checks.

A bundle is a folder, a ``.zip`` or a ``.tar.gz`` written by ``collect.sh`` / ``collect.cmd``.
Whatever its form, it is copied member by member into a private temporary directory while each
member is hashed; only when every member matches the manifest (same set, same sha256, same
size) is anything parsed. Refused, with the member named (exit 2): a path that is absolute or
holds ``..``, a link or device in the archive, a member the manifest does not list, one it lists
that is missing or altered, a member over ``MAX_MEMBER`` bytes, more than ``MAX_TOTAL`` bytes or
``MAX_MEMBERS`` members in all, and a compression ratio only a bomb has. Memory stays bounded:
members are streamed in ``CHUNK``-sized pieces, only the manifest is held whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from typing import IO, Any, Callable, Dict, Iterator, List, Mapping, Optional, Set, Tuple

from .interface import TargetError

SCHEMA = "ybguard.evidence/v1"
MANIFEST = "manifest.json"
MAX_MANIFEST = 64 * 1024 * 1024
MAX_MEMBER = 1024 * 1024 * 1024  # a SOFTWARE hive can pass 200 MB; nothing real reaches 1 GiB
MAX_TOTAL = 4 * 1024 * 1024 * 1024
MAX_MEMBERS = 200_000
MAX_RATIO = 200  # deflate of real files stays far below; a bomb of zeros is ~1000:1
RATIO_FLOOR = 1024 * 1024  # small members may compress well without being a bomb
CHUNK = 1024 * 1024

# Artifact kinds: what the manifest may say about one path.
CONTENT_KINDS = frozenset({"file", "command", "hive"})  # carry bytes, hashed
SHAPE_KINDS = frozenset({"dir", "link", "entry"})  # a directory, a symlink, a file seen but not copied
KIND_PREFIX = {"file": "files/", "dir": "files/", "link": "files/", "entry": "files/",
               "command": "commands/", "hive": "registry/"}


class BundleError(TargetError):
    """The bundle is refused (exit 2). ``member`` names what is wrong."""


@dataclass(frozen=True)
class Artifact:
    path: str
    kind: str
    sha256: Optional[str] = None  # None: nothing was produced (see exit_code / error)
    size: Optional[int] = None
    command: str = ""
    exit_code: Optional[int] = None
    started_at: str = ""
    source: str = ""
    error: str = ""
    mode: Optional[int] = None  # permission bits of a copied file or seen entry
    link: str = ""  # the target of a "link" artifact
    unhashed: bool = False  # the collector had no hash tool (Windows XP): hashed here, on arrival

    @property
    def has_content(self) -> bool:
        return self.kind in CONTENT_KINDS and (self.sha256 is not None or self.unhashed)


@dataclass(frozen=True)
class Manifest:
    collector_name: str
    collector_version: str
    os: str  # "linux" | "windows"
    host: Mapping[str, Any]
    started_at: str
    finished_at: str
    artifacts: Tuple[Artifact, ...]
    sha256: str  # of manifest.json's bytes: what a report cites

    @property
    def unhashed(self) -> int:
        return sum(1 for a in self.artifacts if a.unhashed)


@dataclass
class Bundle:
    """A verified bundle, copied into ``directory`` (private, removed by ``close``)."""

    source: str
    directory: str
    manifest: Manifest

    def path_of(self, artifact: Artifact) -> str:
        return os.path.join(self.directory, *artifact.path.split("/"))

    def close(self) -> None:
        shutil.rmtree(self._tmp, ignore_errors=True)

    _tmp: str = ""


# --- members ---------------------------------------------------------------------------------

@dataclass
class _Member:
    name: str  # as the archive spells it
    is_dir: bool
    size: int  # declared
    compressed: Optional[int]  # zip only
    open: Callable[[], IO[bytes]]


def _refuse(key: str, member: str, **args: object) -> BundleError:
    return BundleError(key, member=member, **args)


def clean_name(name: str) -> str:
    """A member name as a relative POSIX path; absolute paths, ``..``, drive letters and NUL are refused."""
    raw = name
    name = name.replace("\\", "/")
    if "\x00" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise _refuse("evidence.absolute", raw)
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise _refuse("evidence.dotdot", raw)
    if not parts:
        raise _refuse("evidence.bad_name", raw)
    return "/".join(parts)


def _dir_members(root: str) -> Iterator[_Member]:
    root = os.path.abspath(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(dirnames) + sorted(filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                raise _refuse("evidence.link", rel)
            if stat.S_ISDIR(st.st_mode):
                yield _Member(rel, True, 0, None, lambda: open(os.devnull, "rb"))
            elif stat.S_ISREG(st.st_mode):
                yield _Member(rel, False, st.st_size, None, lambda full=full: open(full, "rb"))  # type: ignore[misc]
            else:
                raise _refuse("evidence.special", rel)


def _zip_members(path: str) -> Iterator[_Member]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse("evidence.bad_archive", os.path.basename(path), reason=str(exc)) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _refuse("evidence.too_many", os.path.basename(path), limit=MAX_MEMBERS)
        for info in infos:
            ftype = stat.S_IFMT((info.external_attr >> 16) & 0xFFFF)  # Unix zips only; 0 from Windows
            if ftype and ftype not in (stat.S_IFREG, stat.S_IFDIR):
                raise _refuse("evidence.link" if ftype == stat.S_IFLNK else "evidence.special", info.filename)
            yield _Member(info.filename, info.is_dir(), info.file_size, info.compress_size,
                          lambda info=info: zf.open(info))  # type: ignore[misc]


def _tar_members(path: str) -> Iterator[_Member]:
    try:
        tf = tarfile.open(path, mode="r|*")  # a stream: one pass, no index held in memory
    except (tarfile.TarError, OSError) as exc:
        raise _refuse("evidence.bad_archive", os.path.basename(path), reason=str(exc)) from None
    with tf:
        try:
            for info in tf:
                if info.issym() or info.islnk():
                    raise _refuse("evidence.link", info.name)
                if not (info.isfile() or info.isdir()):
                    raise _refuse("evidence.special", info.name)
                if info.isdir():
                    yield _Member(info.name, True, 0, None, lambda: open(os.devnull, "rb"))
                    continue
                fh = tf.extractfile(info)
                assert fh is not None  # a regular member always has data
                yield _Member(info.name, False, info.size, None, lambda fh=fh: fh)  # type: ignore[misc]
        except (tarfile.TarError, EOFError, OSError, zipfile.BadZipFile) as exc:
            raise _refuse("evidence.bad_archive", os.path.basename(path), reason=str(exc)) from None


def _members(path: str) -> Iterator[_Member]:
    if os.path.isdir(path):
        return _dir_members(path)
    lower = path.lower()
    if lower.endswith(".zip"):
        return _zip_members(path)
    if lower.endswith((".tar.gz", ".tgz", ".tar")):
        return _tar_members(path)
    raise _refuse("evidence.unknown_form", os.path.basename(path))


# --- copying ---------------------------------------------------------------------------------

def _copy(member: _Member, name: str, dest: str, total: List[int]) -> Tuple[str, int]:
    """Stream one member to ``dest`` (created, never followed), hashing it; enforce the limits."""
    if member.size > MAX_MEMBER:
        raise _refuse("evidence.member_too_large", member.name, size=member.size, limit=MAX_MEMBER)
    if member.compressed is not None and member.size > RATIO_FLOOR \
            and member.size > MAX_RATIO * max(member.compressed, 1):
        raise _refuse("evidence.bomb", member.name, size=member.size, compressed=member.compressed)
    digest = hashlib.sha256()
    written = 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(dest, flags, 0o600)
    with os.fdopen(fd, "wb") as out, member.open() as src:
        while True:
            chunk = src.read(CHUNK)
            if not chunk:
                break
            written += len(chunk)
            total[0] += len(chunk)
            if written > MAX_MEMBER or written > max(member.size, 0) + (0 if member.compressed is not None else CHUNK):
                raise _refuse("evidence.member_too_large", member.name, size=written, limit=MAX_MEMBER)
            if total[0] > MAX_TOTAL:
                raise _refuse("evidence.total_too_large", member.name, limit=MAX_TOTAL)
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest(), written


def _extract(path: str, into: str) -> Tuple[Dict[str, Tuple[str, int]], Set[str]]:
    """Copy every member under ``into``; return {file name: (sha256, bytes)} and the directories."""
    files: Dict[str, Tuple[str, int]] = {}
    dirs: Set[str] = set()
    total = [0]
    count = 0
    try:
        for member in _members(path):
            count += 1
            if count > MAX_MEMBERS:
                raise _refuse("evidence.too_many", member.name, limit=MAX_MEMBERS)
            name = clean_name(member.name)
            if name in files or (name in dirs and not member.is_dir):
                raise _refuse("evidence.duplicate", member.name)
            dest = os.path.join(into, *name.split("/"))
            parent = os.path.dirname(name)
            if any(p in files for p in _parents(name)):
                raise _refuse("evidence.duplicate", member.name)
            os.makedirs(os.path.dirname(dest), mode=0o700, exist_ok=True)
            dirs.update(_parents(name) if parent else ())
            if member.is_dir:
                os.makedirs(dest, mode=0o700, exist_ok=True)
                dirs.add(name)
                continue
            files[name] = _copy(member, name, dest, total)
    except BundleError:
        raise
    except (OSError, ValueError, RuntimeError, EOFError, zipfile.BadZipFile, tarfile.TarError) as exc:
        raise _refuse("evidence.bad_archive", os.path.basename(path.rstrip("/")), reason=str(exc)) from None
    return files, dirs


def _parents(name: str) -> List[str]:
    parts = name.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


# --- the manifest ----------------------------------------------------------------------------

def _str(obj: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
    value = obj.get(key, None if required else "")
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise _refuse("evidence.manifest_field", MANIFEST, field=f"{where}{key}", expected="string")
    return value


def _opt_int(obj: Mapping[str, Any], key: str, where: str) -> Optional[int]:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse("evidence.manifest_field", MANIFEST, field=f"{where}{key}", expected="integer")
    return value


def _manifest_text(data: bytes) -> str:
    """UTF-8 (collect.sh); collect.cmd writes in the console's code page, which it names in
    ``host.codepage`` (cmd.exe cannot write UTF-8 on XP or 7 without breaking the batch file)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        m = re.search(rb'"codepage"\s*:\s*"(\d{3,5})"', data)
        if m is None:
            raise
        return data.decode(f"cp{m.group(1).decode()}")


def parse_manifest(data: bytes) -> Manifest:
    """The manifest's fields, checked for type and shape; any other problem names the field."""
    try:
        doc = json.loads(_manifest_text(data))
    except (UnicodeDecodeError, ValueError, LookupError) as exc:
        raise _refuse("evidence.manifest_json", MANIFEST, reason=str(exc)[:200]) from None
    if not isinstance(doc, dict):
        raise _refuse("evidence.manifest_field", MANIFEST, field="(top)", expected="object")
    if doc.get("schema") != SCHEMA:
        raise _refuse("evidence.schema", MANIFEST, found=str(doc.get("schema"))[:80], expected=SCHEMA)
    collector = doc.get("collector")
    host = doc.get("host", {})
    if not isinstance(collector, dict) or not isinstance(host, dict):
        raise _refuse("evidence.manifest_field", MANIFEST, field="collector/host", expected="object")
    os_name = _str(collector, "os", "collector.")
    if os_name not in ("linux", "windows"):
        raise _refuse("evidence.manifest_field", MANIFEST, field="collector.os", expected="linux | windows")
    items = doc.get("artifacts")
    if not isinstance(items, list):
        raise _refuse("evidence.manifest_field", MANIFEST, field="artifacts", expected="list")
    artifacts: List[Artifact] = []
    seen: Set[str] = set()
    for index, item in enumerate(items):
        where = f"artifacts[{index}]."
        if not isinstance(item, dict):
            raise _refuse("evidence.manifest_field", MANIFEST, field=f"artifacts[{index}]", expected="object")
        raw_path = _str(item, "path", where)
        path = clean_name(raw_path)
        kind = _str(item, "kind", where)
        if kind not in KIND_PREFIX:
            raise _refuse("evidence.manifest_field", raw_path, field=f"{where}kind",
                          expected=" | ".join(sorted(KIND_PREFIX)))
        if not path.startswith(KIND_PREFIX[kind]) or path == MANIFEST:
            raise _refuse("evidence.manifest_field", raw_path, field=f"{where}path",
                          expected=f"{KIND_PREFIX[kind]}…")
        if path in seen:
            raise _refuse("evidence.duplicate", raw_path)
        seen.add(path)
        sha = item.get("sha256")
        if kind in CONTENT_KINDS:
            if sha is not None and (not isinstance(sha, str) or len(sha) != 64
                                    or any(c not in "0123456789abcdef" for c in sha)):
                raise _refuse("evidence.manifest_field", raw_path, field=f"{where}sha256", expected="64 hex digits")
        elif sha is not None:
            raise _refuse("evidence.manifest_field", raw_path, field=f"{where}sha256", expected="none for a " + kind)
        mode = item.get("mode")
        if isinstance(mode, str):
            try:
                mode = int(mode, 8)
            except ValueError:
                raise _refuse("evidence.manifest_field", raw_path, field=f"{where}mode", expected="octal") from None
        if mode is not None and (not isinstance(mode, int) or isinstance(mode, bool)):
            raise _refuse("evidence.manifest_field", raw_path, field=f"{where}mode", expected="octal")
        artifacts.append(Artifact(
            path=path, kind=kind, sha256=sha, size=_opt_int(item, "bytes", where),
            command=_str(item, "command", where, required=False), exit_code=_opt_int(item, "exit_code", where),
            started_at=_str(item, "started_at", where, required=False),
            source=_str(item, "source", where, required=False), error=_str(item, "error", where, required=False),
            mode=(mode & 0o777) if mode is not None else None, link=_str(item, "target", where, required=False)
            if kind == "link" else "", unhashed=item.get("unhashed") is True and sha is None and kind in CONTENT_KINDS,
        ))
        if kind == "link" and not artifacts[-1].link:
            raise _refuse("evidence.manifest_field", raw_path, field=f"{where}target", expected="link target")
    return Manifest(
        collector_name=_str(collector, "name", "collector."), collector_version=_str(collector, "version", "collector."),
        os=os_name, host=host, started_at=_str(doc, "started_at", ""), finished_at=_str(doc, "finished_at", ""),
        artifacts=tuple(artifacts), sha256=hashlib.sha256(data).hexdigest(),
    )


def _verify(manifest: Manifest, files: Mapping[str, Tuple[str, int]], dirs: Set[str]) -> None:
    """Same set of members as the manifest lists, each with its sha256 and size."""
    listed = {a.path: a for a in manifest.artifacts}
    for name in sorted(files):
        art = listed.get(name)
        if name == MANIFEST:
            continue
        if art is None or not art.has_content:
            raise _refuse("evidence.extra", name)
        sha, size = files[name]
        if (not art.unhashed and sha != art.sha256) or (art.size is not None and size != art.size):
            raise _refuse("evidence.altered", name, expected=art.sha256, found=sha)
    for art in manifest.artifacts:
        if art.has_content and art.path not in files:
            raise _refuse("evidence.missing", art.path)
        if art.kind in SHAPE_KINDS and (art.path in files or art.path in dirs and art.kind != "dir"):
            raise _refuse("evidence.extra", art.path)
    needed = {p for a in manifest.artifacts for p in _parents(a.path)} | {a.path for a in manifest.artifacts
                                                                            if a.kind == "dir"}
    needed |= {"commands", "registry", "registry/users", "files"}  # empty top folders say nothing
    for d in sorted(dirs - needed):
        raise _refuse("evidence.extra", d + "/")


def _materialize(bundle_dir: str, manifest: Manifest) -> None:
    """Create what the manifest describes without bytes: directories, links and seen entries.
    Links are made only here, from the manifest, inside our own directory; the targets read
    them through ``resolve_inside``, so no link can lead out of the bundle."""
    base = os.path.realpath(bundle_dir)
    for art in sorted(manifest.artifacts, key=lambda a: (a.kind != "dir", a.path)):
        dest = os.path.join(bundle_dir, *art.path.split("/"))
        parent = os.path.dirname(dest)
        # every directory leading to an entry is ours: a link made earlier must not be walked through
        probe = parent
        while len(probe) > len(bundle_dir):
            if os.path.islink(probe):
                raise _refuse("evidence.bad_shape", art.path)
            probe = os.path.dirname(probe)
        if os.path.exists(parent) and not os.path.isdir(parent):
            raise _refuse("evidence.bad_shape", art.path)
        os.makedirs(parent, mode=0o700, exist_ok=True)
        if not os.path.realpath(parent).startswith(base + os.sep) and os.path.realpath(parent) != base:
            raise _refuse("evidence.bad_shape", art.path)
        try:
            if art.kind == "dir":
                os.makedirs(dest, mode=0o700, exist_ok=True)
            elif art.kind == "link":
                os.symlink(art.link, dest)
            elif art.kind == "entry" or (art.kind == "file" and not art.has_content and not os.path.lexists(dest)):
                # a file seen but not copied, or one the collector could not read: it exists, unread
                os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600))
        except OSError:
            raise _refuse("evidence.bad_shape", art.path) from None
        if art.kind in ("file", "entry") and art.mode is not None and not os.path.islink(dest) \
                and os.path.isfile(dest):
            os.chmod(dest, art.mode & 0o755 | 0o400)  # never setuid, always readable by us


def open_bundle(path: str) -> Bundle:
    """Verify and copy a bundle; raise BundleError naming the member at the first problem."""
    if not os.path.exists(path):
        raise _refuse("evidence.not_found", path)
    tmp = tempfile.mkdtemp(prefix="ybguard-evidence-")  # mode 0700
    try:
        raw = os.path.join(tmp, "b")
        os.mkdir(raw, 0o700)
        files, dirs = _extract(path, raw)
        prefix = ""
        if MANIFEST not in files:
            tops = {n.split("/", 1)[0] for n in files} | {d.split("/", 1)[0] for d in dirs}
            if len(tops) == 1 and f"{next(iter(tops))}/{MANIFEST}" in files:
                prefix = next(iter(tops)) + "/"
            else:
                raise _refuse("evidence.no_manifest", MANIFEST)
        files = {n[len(prefix):]: v for n, v in files.items() if n.startswith(prefix)}
        dirs = {d[len(prefix):] for d in dirs if d.startswith(prefix) and d != prefix.rstrip("/")}
        bundle_dir = os.path.join(raw, prefix.rstrip("/")) if prefix else raw
        if files[MANIFEST][1] > MAX_MANIFEST:
            raise _refuse("evidence.member_too_large", MANIFEST, size=files[MANIFEST][1], limit=MAX_MANIFEST)
        with open(os.path.join(bundle_dir, MANIFEST), "rb") as fh:
            manifest = parse_manifest(fh.read())
        _verify(manifest, files, dirs)
        _materialize(bundle_dir, manifest)
        bundle = Bundle(source=path, directory=bundle_dir, manifest=manifest)
        bundle._tmp = tmp
        return bundle
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
