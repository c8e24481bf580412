"""Patch level (GB/T 22239-2019 8.1.4.4 e): pending security updates and the running kernel.

Linux (Debian family): the security suites' package lists apt already downloaded
(/var/lib/apt/lists/*security*_Packages, plain or compressed) against the dpkg database, with
dpkg's own version ordering; the lists' age says how current that answer can be. RPM hosts: the
security advisories in the dnf/yum ``updateinfo.xml`` caches against the rpm database, with rpm's
version ordering; no cache is an error, never a pass.
Windows: CurrentBuild.UBR, the servicing packages (KB and rollups) and their install time, and
a pending reboot.
"""

from __future__ import annotations

import functools
import io
import re
import struct
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Set, Tuple

from ..facts.djbh import KernelState, PatchState
from ..target.interface import Target, TargetError, Unsupported
from ..target.windows import filetime_to_datetime
from . import djbhbase as b
from .interface import CollectContext, Collector, FactError

# --- dpkg version ordering (deb-version(7)) ----------------------------------------------------


def _order(ch: str) -> int:
    if ch == "~":
        return -1
    if ch.isalpha():
        return ord(ch)
    return ord(ch) + 256


_DIGITS = re.compile(r"(\d+)")


def _compare_part(a: str, b_: str) -> int:
    """deb-version(7): alternate non-digit runs (letters before other characters, ``~`` before the
    end of the string) and digit runs (numerically)."""
    pa, pb = _DIGITS.split(a), _DIGITS.split(b_)
    for i in range(max(len(pa), len(pb))):
        x = pa[i] if i < len(pa) else ""
        y = pb[i] if i < len(pb) else ""
        if i % 2:  # a digit run
            diff = (int(x or 0) > int(y or 0)) - (int(x or 0) < int(y or 0))
        else:
            kx, ky = [_order(c) for c in x] + [0], [_order(c) for c in y] + [0]
            diff = (kx > ky) - (kx < ky)
        if diff:
            return diff
    return 0


@functools.lru_cache(maxsize=4096)
def dpkg_compare(a: str, b_: str) -> int:
    """-1, 0 or 1 as ``dpkg --compare-versions`` orders ``[epoch:]upstream[-revision]``."""
    def split(v: str) -> Tuple[int, str, str]:
        epoch, _, rest = v.partition(":") if ":" in v else ("0", "", v)
        upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "0")
        return int(epoch or 0), upstream, revision

    ea, ua, ra = split(a)
    eb, ub, rb = split(b_)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(ua, ub) or _compare_part(ra, rb)


# --- LZ4 frames (apt's default list compression on Debian 12 / Ubuntu) -------------------------

def lz4_frame_decompress(data: bytes) -> bytes:
    """A pure-Python LZ4 frame decoder (the format of lz4(1) and apt's ``.lz4`` lists)."""
    out = bytearray()
    pos = 0
    while pos < len(data):
        magic = struct.unpack_from("<I", data, pos)[0]
        if 0x184D2A50 <= magic <= 0x184D2A5F:  # skippable frame
            pos += 8 + struct.unpack_from("<I", data, pos + 4)[0]
            continue
        if magic != 0x184D2204:
            raise ValueError("not an LZ4 frame")
        flg = data[pos + 4]
        pos += 6 + (8 if flg & 0x08 else 0) + (4 if flg & 0x01 else 0) + 1
        block_checksum = bool(flg & 0x10)
        while True:
            size = struct.unpack_from("<I", data, pos)[0]
            pos += 4
            if size == 0:
                break
            raw, size = bool(size & 0x80000000), size & 0x7FFFFFFF
            block = data[pos:pos + size]
            pos += size + (4 if block_checksum else 0)
            if raw:
                out += block
            else:
                _lz4_block(block, out)
        pos += 4 if flg & 0x04 else 0
    return bytes(out)


def _lz4_length(src: bytes, i: int, length: int) -> Tuple[int, int]:
    """A length nibble of 15 continues in the following bytes, each added, until one is not 255."""
    if length == 15:
        while True:
            extra = src[i]
            i += 1
            length += extra
            if extra != 255:
                break
    return length, i


def _lz4_block(src: bytes, out: bytearray) -> None:
    i, n = 0, len(src)
    while i < n:
        token = src[i]
        lit, i = _lz4_length(src, i + 1, token >> 4)
        out += src[i:i + lit]
        i += lit
        if i >= n:
            return
        offset = src[i] | (src[i + 1] << 8)
        length, i = _lz4_length(src, i + 2, token & 15)
        length += 4
        start = len(out) - offset
        if offset <= 0 or start < 0:
            raise ValueError("corrupt LZ4 block")
        if offset >= length:
            out += out[start:start + length]
        else:
            for k in range(length):
                out.append(out[start + k])


def decompress_list(name: str, data: bytes) -> str:
    return decompress_bytes(name, data).decode("utf-8", "replace")


def decompress_bytes(name: str, data: bytes) -> bytes:
    """The file's bytes, decompressed by its suffix; a corrupt stream raises ValueError."""
    import bz2
    import gzip
    import lzma
    import zlib

    try:
        if name.endswith(".lz4"):
            return lz4_frame_decompress(data)
        if name.endswith(".gz"):
            return gzip.decompress(data)
        if name.endswith(".xz") or name.endswith(".lzma"):
            return lzma.decompress(data)
        if name.endswith(".bz2"):
            return bz2.decompress(data)
    except (lzma.LZMAError, zlib.error, OSError, EOFError, IndexError, struct.error) as exc:
        raise ValueError(f"corrupt compressed data: {exc}") from exc
    return data


# --- Linux: pending security updates -----------------------------------------------------------

LISTS = "/var/lib/apt/lists"
_LIST = re.compile(r"security.*_Packages(\.(lz4|gz|xz|bz2|lzma))?$")
def parse_packages_index(text: str, wanted: Optional[Set[str]] = None) -> Dict[str, str]:
    """package -> highest version in an apt Packages index (only ``wanted`` names when given).

    apt writes every stanza starting with ``Package:``; the index is walked stanza to stanza with
    ``str.find`` so a 4 MB security list is not copied into pieces.
    """
    out: Dict[str, str] = {}
    at = 0 if text.startswith("Package:") else (text.find("\nPackage:") + 1 or -1)
    while at >= 0:
        eol = text.find("\n", at)
        nxt = text.find("\nPackage:", at)
        end = len(text) if nxt < 0 else nxt
        name = text[at + 8:eol if 0 <= eol < end else end].strip()
        if name and (wanted is None or name in wanted):
            v = text.find("\nVersion:", at, end)
            if v >= 0:
                stop = text.find("\n", v + 1, end)
                version = text[v + 9:stop if stop >= 0 else end].strip()
                if version and (name not in out or dpkg_compare(version, out[name]) > 0):
                    out[name] = version
        if nxt < 0:
            break
        at = nxt + 1
    return out


def release_date(text: str) -> Optional[datetime]:
    from email.utils import parsedate_to_datetime

    m = re.search(r"^Date: *(.+)$", text, re.M)
    if m is None:
        return None
    try:
        return parsedate_to_datetime(m.group(1).strip())
    except (TypeError, ValueError):
        return None


def _read_list(target: Target, path: str) -> str:
    if target.is_live and not path.endswith("_Packages"):
        try:  # apt's own reader is C-fast for .lz4; the pure decoder serves images and evidence
            return target.run(["/usr/lib/apt/apt-helper", "cat-file", path], timeout=30)
        except TargetError:
            pass
    return decompress_list(path, target.read_bytes(path))


def linux_patches(ctx: CollectContext) -> PatchState:
    target = ctx.target
    now = ctx.options.now or datetime.now(timezone.utc)
    packages = ctx.facts.get("software.packages")
    if not any(p.manager == "dpkg" for p in packages):
        if any(p.manager == "rpm" for p in packages):
            return rpm_patches(ctx, packages, now)
        raise FactError("djbh.no_package_manager")
    names = [n for n in target.listdir(LISTS) if _LIST.search(n)]
    # one index per suite/component/arch: prefer the plain file when both exist
    chosen: Dict[str, str] = {}
    for n in names:
        stem = n.split("_Packages", 1)[0]
        if stem not in chosen or n.endswith("_Packages"):
            chosen[stem] = n
    sources: List[Tuple[str, str]] = []
    installed = {p.name for p in packages if p.manager == "dpkg" and p.state in ("installed", "")}
    by_name: Dict[str, str] = {}
    oldest: Optional[datetime] = None
    for stem, name in sorted(chosen.items()):
        path = f"{LISTS}/{name}"
        try:
            text = _read_list(target, path)
        except (ValueError, EOFError, OSError) as exc:
            if isinstance(exc, PermissionError):
                raise
            raise FactError("djbh.list_unreadable", path=path, reason=str(exc)) from exc
        for pkg, version in parse_packages_index(text, installed).items():
            if pkg not in by_name or dpkg_compare(version, by_name[pkg]) > 0:
                by_name[pkg] = version
        suite = stem.split("_dists_", 1)[-1].split("_", 1)[0] if "_dists_" in stem else stem
        release_path = next((f"{LISTS}/{stem.split('_dists_', 1)[0]}_dists_{suite}_{r}" for r in ("InRelease", "Release")
                             if "_dists_" in stem and target.exists(
                                 f"{LISTS}/{stem.split('_dists_', 1)[0]}_dists_{suite}_{r}")), None)
        date = release_date(target.read_text(release_path)) if release_path else None
        if date is not None and (oldest is None or date < oldest):
            oldest = date
        sources.append((path, f"{suite}; Release Date {date.isoformat() if date else '(unknown)'}"))
    pending = []
    for p in packages:
        best = by_name.get(p.name) if p.manager == "dpkg" and p.state in ("installed", "") else None
        if best is not None and p.version and dpkg_compare(p.version, best) < 0:
            pending.append((p.name, p.version, best))
    age = None if oldest is None else max(0, (now - oldest).days)
    newest = _newest_dpkg_change(target)
    sources.append(("/var/lib/dpkg/status", f"newest package change {newest.date().isoformat() if newest else '(unknown)'}"))
    return PatchState(last_update=newest.date().isoformat() if newest else None,
                      age_days=None if newest is None else max(0, (now - newest).days),
                      pending=tuple(sorted(set(pending))), lists_age_days=age if chosen else None,
                      sources=tuple(sources))


def _newest_dpkg_change(target: Target) -> Optional[datetime]:
    """When dpkg last changed its database: the status file is rewritten by every run."""
    try:
        return datetime.fromtimestamp(target.stat("/var/lib/dpkg/status").st_mtime, timezone.utc)
    except FileNotFoundError:
        return None


# --- RPM hosts: dnf/yum updateinfo ------------------------------------------------------------


def _rpm_segments(text: str) -> List[str]:
    return re.findall(r"~|\^|[0-9]+|[A-Za-z]+", text)


def rpmvercmp(a: str, b_: str) -> int:
    """-1, 0 or 1 as rpm orders two version (or release) strings (rpmvercmp in rpmio/rpmvercmp.c):
    alphanumeric segments, digits above letters, ``~`` before anything, ``^`` after the base."""
    if a == b_:
        return 0
    sa, sb = _rpm_segments(a), _rpm_segments(b_)
    i = 0
    while i < len(sa) or i < len(sb):
        x = sa[i] if i < len(sa) else None
        y = sb[i] if i < len(sb) else None
        if x == "~" or y == "~":
            if x != "~":
                return 1
            if y != "~":
                return -1
        elif x == "^" or y == "^":
            if x is None:
                return -1
            if y is None:
                return 1
            if x != "^":
                return 1
            if y != "^":
                return -1
        elif x is None:
            return -1
        elif y is None:
            return 1
        elif x.isdigit() != y.isdigit():
            return 1 if x.isdigit() else -1
        elif x.isdigit():
            xi, yi = int(x), int(y)
            if xi != yi:
                return 1 if xi > yi else -1
        elif x != y:
            return 1 if x > y else -1
        i += 1
    return 0


def rpm_evr_compare(a: str, b_: str) -> int:
    """``[epoch:]version-release`` compared as rpm does: epoch, then version, then release."""
    def split(v: str) -> Tuple[int, str, str]:
        epoch, _, rest = v.partition(":") if ":" in v else ("0", "", v)
        version, _, release = rest.rpartition("-") if "-" in rest else (rest, "", "")
        return int(epoch) if epoch.isdigit() else 0, version, release

    ea, va, ra = split(a)
    eb, vb, rb = split(b_)
    if ea != eb:
        return -1 if ea < eb else 1
    return rpmvercmp(va, vb) or (rpmvercmp(ra, rb) if ra and rb else 0)


UPDATEINFO = ("/var/cache/dnf/*/repodata/*updateinfo.xml*", "/var/cache/yum/*/*/*/*updateinfo.xml*",
              "/var/cache/yum/*/*updateinfo.xml*")


def parse_updateinfo(data: bytes, wanted: Optional[Set[str]] = None) -> Dict[str, Tuple[str, str]]:
    """package -> (highest fixed ``epoch:version-release``, advisory id) of the security updates
    in an updateinfo.xml (``<update type="security">``)."""
    from xml.etree import ElementTree

    out: Dict[str, Tuple[str, str]] = {}
    for _event, elem in ElementTree.iterparse(io.BytesIO(data)):
        if elem.tag != "update":
            continue
        if elem.get("type") == "security":
            advisory = (elem.findtext("id") or "").strip()
            for pkg in elem.iter("package"):
                name = pkg.get("name") or ""
                if not name or (wanted is not None and name not in wanted):
                    continue
                evr = f"{pkg.get('epoch') or '0'}:{pkg.get('version') or ''}-{pkg.get('release') or ''}"
                if name not in out or rpm_evr_compare(evr, out[name][0]) > 0:
                    out[name] = (evr, advisory)
        elem.clear()
    return out


def rpm_patches(ctx: CollectContext, packages: Tuple[Any, ...], now: datetime) -> PatchState:
    target = ctx.target
    installed = {p.name: p.version for p in packages if p.manager == "rpm"}
    files = sorted({f for pattern in UPDATEINFO for f in target.glob(pattern)})
    if not files:
        raise FactError("djbh.no_updateinfo", where=", ".join(UPDATEINFO))
    fixed: Dict[str, Tuple[str, str]] = {}
    sources: List[Tuple[str, str]] = []
    oldest: Optional[float] = None
    for path in files:
        if path.endswith(".zck"):
            raise FactError("djbh.list_unreadable", path=path, reason="zchunk compression is not read")
        try:
            got = parse_updateinfo(decompress_bytes(path, target.read_bytes(path)), set(installed))
        except (ValueError, EOFError, OSError, SyntaxError) as exc:
            raise FactError("djbh.list_unreadable", path=path, reason=str(exc)) from exc
        for name, (evr, advisory) in got.items():
            if name not in fixed or rpm_evr_compare(evr, fixed[name][0]) > 0:
                fixed[name] = (evr, advisory)
        mtime = target.stat(path).st_mtime
        oldest = mtime if oldest is None else min(oldest, mtime)
        sources.append((path, f"{len(got)} security fixes for installed packages"))
    pending = []
    for name, version in installed.items():
        want = fixed.get(name)
        if want is not None and version and rpm_evr_compare(version, want[0]) < 0:
            pending.append((name, version, f"{want[0]} ({want[1]})"))
    age = None if oldest is None else max(0, (now - datetime.fromtimestamp(oldest, timezone.utc)).days)
    return PatchState(last_update=None, age_days=None, pending=tuple(sorted(pending)), lists_age_days=age,
                      sources=tuple(sources), kind="rpm")


# --- Linux: kernel -----------------------------------------------------------------------------

_FLAVOUR = re.compile(r"^[\d.]+(?:-[\d.]+)?")


def linux_kernel(ctx: CollectContext) -> KernelState:
    target = ctx.target
    target.require_live()  # an image runs no kernel
    running = target.read_text("/proc/sys/kernel/osrelease", limit=4096).strip()
    flavour = _FLAVOUR.sub("", running)
    installed = [n for n in target.listdir("/lib/modules")
                 if _FLAVOUR.sub("", n) == flavour and target.is_dir(f"/lib/modules/{n}/kernel")]
    if running not in installed and not installed:
        raise Unsupported("djbh.kernel_not_here", running=running)
    newest = running
    for n in installed:
        if dpkg_compare(n, newest) > 0:
            newest = n
    return KernelState(running, newest, (("/proc/sys/kernel/osrelease", running),
                                         ("/lib/modules", ", ".join(installed))))


# --- Windows -----------------------------------------------------------------------------------

CBS = "Microsoft\\Windows\\CurrentVersion\\Component Based Servicing"
CURRENT_VERSION = "Microsoft\\Windows NT\\CurrentVersion"
CBS_INSTALLED = 112
_KB = re.compile(r"^Package_(?:\d+_)?for_(KB\d+|RollupFix)", re.I)


def windows_patches(ctx: CollectContext) -> PatchState:
    reg = b.registry(ctx)
    now = ctx.options.now or datetime.now(timezone.utc)
    cur = b.software_key(reg, CURRENT_VERSION)
    build = ""
    if cur is not None:
        build = cur.str_value("CurrentBuild") or cur.str_value("CurrentBuildNumber")
        ubr = cur.int_value("UBR")
        build = f"{build}.{ubr}" if build and ubr is not None else build
    packages = b.software_key(reg, f"{CBS}\\Packages")
    newest: Optional[datetime] = None
    kbs = set()
    for key in packages.subkeys() if packages is not None else []:
        m = _KB.match(key.name)
        if m is None or key.int_value("CurrentState") != CBS_INSTALLED:
            continue
        kbs.add(m.group(1).upper())
        high, low = key.int_value("InstallTimeHigh"), key.int_value("InstallTimeLow")
        when = filetime_to_datetime((high << 32) | low) if high is not None and low is not None else None
        if when is not None and (newest is None or when > newest):
            newest = when
    reboot = any(b.software_key(reg, p) is not None for p in (
        f"{CBS}\\RebootPending", "Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired"))
    return PatchState(last_update=newest.date().isoformat() if newest else None,
                      age_days=None if newest is None else max(0, (now - newest).days), build=build,
                      pending_reboot=reboot, kind="windows", sources=(
                          (cur.path if cur is not None else f"HKLM\\SOFTWARE\\{CURRENT_VERSION}", f"build {build or '(unknown)'}"),
                          (packages.path if packages is not None else f"HKLM\\SOFTWARE\\{CBS}\\Packages",
                           f"{len(kbs)} updates installed: {', '.join(sorted(kbs)[-8:])}"
                           f"; newest {newest.isoformat() if newest else '(none)'}")))


def windows_kernel(ctx: CollectContext) -> KernelState:
    b.registry(ctx)
    raise Unsupported("djbh.kernel_windows")


LINUX: Dict[str, Collector] = {"patches.state": linux_patches, "patches.kernel": linux_kernel}
WINDOWS: Dict[str, Collector] = {"patches.state": windows_patches, "patches.kernel": windows_kernel}
