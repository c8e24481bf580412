"""Chain of custody: a bundle is verified member by member before anything in it is parsed, and a
hostile or damaged one is refused (exit 2) naming the member — never extracted outside a private
temporary directory, never read whole into memory."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest

from bundlehelp import command, content, folder, manifest, tar_of, tar_with, zip_of
from ybguard.target import bundle as B
from ybguard.target.bundle import BundleError, open_bundle

IP_ADDR = b'[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"link_type":"loopback","addr_info":[]}]'
RESOLV = b"nameserver 10.50.0.53\n"


def good(tmp_path: Path) -> Path:
    return folder(tmp_path / "bundle", {"files/etc/resolv.conf": RESOLV, "commands/ip_-json_-d_addr_show.txt": IP_ADDR},
                  artifacts=[content("files/etc/resolv.conf", RESOLV, source="/etc/resolv.conf"),
                             command("ip -json -d addr show", IP_ADDR)])


def refused(path: Path) -> BundleError:
    with pytest.raises(BundleError) as info:
        open_bundle(str(path))
    return info.value


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every bundle is copied under this directory; after each test nothing of ours may remain."""
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    yield tmp
    assert not [p for p in tmp.iterdir() if p.name.startswith("ybguard-evidence-")]


@pytest.mark.parametrize("form", ["folder", "zip", "tar.gz"])
def test_a_sound_bundle_opens_in_every_form(tmp_path: Path, form: str, private_tmp: Path) -> None:
    src = good(tmp_path)
    path = {"folder": src, "zip": zip_of(src, tmp_path / "b.zip"), "tar.gz": tar_of(src, tmp_path / "b.tar.gz")}[form]
    b = open_bundle(str(path))
    try:
        assert b.directory.startswith(str(private_tmp))
        assert Path(b.directory, "files/etc/resolv.conf").read_bytes() == RESOLV
        assert b.manifest.os == "linux" and len(b.manifest.sha256) == 64
        assert [a.command for a in b.manifest.artifacts if a.kind == "command"] == ["ip -json -d addr show"]
    finally:
        b.close()


def test_altered_artifact(tmp_path: Path) -> None:
    src = good(tmp_path)
    (src / "files/etc/resolv.conf").write_bytes(b"nameserver 8.8.8.8\n")  # same length would not matter
    exc = refused(src)
    assert exc.key == "evidence.altered" and exc.args_map["member"] == "files/etc/resolv.conf"


def test_altered_inside_an_archive(tmp_path: Path) -> None:
    src = good(tmp_path)
    (src / "commands/ip_-json_-d_addr_show.txt").write_bytes(IP_ADDR.replace(b"lo", b"wl"))
    exc = refused(zip_of(src, tmp_path / "b.zip"))
    assert exc.key == "evidence.altered" and exc.args_map["member"] == "commands/ip_-json_-d_addr_show.txt"


def test_extra_member(tmp_path: Path) -> None:
    src = good(tmp_path)
    (src / "files/etc/environment").write_bytes(b"https_proxy=http://192.0.2.1:3128\n")
    exc = refused(src)
    assert exc.key == "evidence.extra" and exc.args_map["member"] == "files/etc/environment"


def test_extra_directory(tmp_path: Path) -> None:
    """An empty directory is data too: /sys/class/net/wlan0/ would be an interface."""
    src = good(tmp_path)
    (src / "files/sys/class/net/wlan0").mkdir(parents=True)
    exc = refused(src)
    assert exc.key == "evidence.extra" and exc.args_map["member"] == "files/sys/"


def test_missing_member(tmp_path: Path) -> None:
    src = good(tmp_path)
    (src / "files/etc/resolv.conf").unlink()
    exc = refused(src)
    assert exc.key == "evidence.missing" and exc.args_map["member"] == "files/etc/resolv.conf"


def test_no_manifest(tmp_path: Path) -> None:
    src = good(tmp_path)
    (src / "manifest.json").unlink()
    assert refused(src).key == "evidence.no_manifest"


@pytest.mark.parametrize("doc,key", [
    ({"schema": "ybguard.evidence/v0"}, "evidence.schema"),
    (manifest([{"path": "files/../../etc/passwd", "kind": "file", "sha256": None}]), "evidence.dotdot"),
    (manifest([{"path": "/etc/passwd", "kind": "file", "sha256": None}]), "evidence.absolute"),
    (manifest([{"path": "registry/SYSTEM", "kind": "file", "sha256": None}]), "evidence.manifest_field"),
    (manifest([{"path": "files/a", "kind": "link"}]), "evidence.manifest_field"),
    (manifest([{"path": "files/a", "kind": "file", "sha256": "x" * 64}]), "evidence.manifest_field"),
    ([1, 2], "evidence.manifest_field"),
])
def test_bad_manifest(tmp_path: Path, doc: object, key: str) -> None:
    src = folder(tmp_path / "b", {}, doc=doc)  # type: ignore[arg-type]
    assert refused(src).key == key


def test_manifest_not_json(tmp_path: Path) -> None:
    src = good(tmp_path)
    (src / "manifest.json").write_bytes(b"{\xff")
    assert refused(src).key == "evidence.manifest_json"


def test_symlink_in_a_folder(tmp_path: Path) -> None:
    src = good(tmp_path)
    os.symlink("/etc/shadow", src / "files/etc/shadow")
    exc = refused(src)
    assert exc.key == "evidence.link" and exc.args_map["member"] == "files/etc/shadow"


@pytest.mark.parametrize("name,key", [("../escape.txt", "evidence.dotdot"), ("bundle/../../escape.txt", "evidence.dotdot"),
                                      ("/tmp/escape.txt", "evidence.absolute")])
def test_tar_member_leaving_the_bundle(tmp_path: Path, name: str, key: str) -> None:
    exc = refused(tar_with(tmp_path / "b.tar.gz", {name: b"x"}))
    assert exc.key == key and exc.args_map["member"] == name
    assert not (tmp_path / "escape.txt").exists() and not Path("/tmp/escape.txt").exists()


@pytest.mark.parametrize("name,key", [("../escape.txt", "evidence.dotdot"), ("C:/escape.txt", "evidence.absolute"),
                                      ("..\\escape.txt", "evidence.dotdot")])
def test_zip_member_leaving_the_bundle(tmp_path: Path, name: str, key: str) -> None:
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(name, b"x")
    exc = refused(path)
    assert exc.key == key and exc.args_map["member"] == name


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.FIFOTYPE])
def test_tar_links_and_devices(tmp_path: Path, kind: bytes) -> None:
    info = tarfile.TarInfo("bundle/files/etc/shadow")
    info.type = kind
    info.linkname = "/etc/shadow"
    exc = refused(tar_with(tmp_path / "b.tar.gz", {"bundle/manifest.json": b"{}"}, extra=[info]))
    assert exc.key in ("evidence.link", "evidence.special") and exc.args_map["member"] == "bundle/files/etc/shadow"


def test_zip_symlink(tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("files/etc/shadow")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/shadow")
    exc = refused(path)
    assert exc.key == "evidence.link" and exc.args_map["member"] == "files/etc/shadow"


def test_two_gigabyte_tar_member(tmp_path: Path) -> None:
    """Refused from its header: not a byte of it is read or written."""
    info = tarfile.TarInfo("bundle/registry/SOFTWARE")
    info.size = 2 * 1024 ** 3
    exc = refused(tar_with(tmp_path / "b.tar.gz", {"bundle/manifest.json": b"{}"}, raw_header=info))
    assert exc.key == "evidence.member_too_large" and exc.args_map["member"] == "bundle/registry/SOFTWARE"


def test_two_gigabyte_zip_member(tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("registry/SOFTWARE", b"regf" + b"\0" * 60)
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")  # central directory entry: uncompressed size at +24
    data[central + 24:central + 28] = (2 * 1024 ** 3 - 1).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    exc = refused(path)
    assert exc.key == "evidence.member_too_large" and exc.args_map["member"] == "registry/SOFTWARE"


def test_zip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("files/var/log/syslog", b"\0" * (64 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    exc = refused(path)
    assert exc.key == "evidence.bomb" and exc.args_map["member"] == "files/var/log/syslog"


def test_too_many_members_and_too_many_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The limits themselves are large (200 000 members, 4 GiB); lowered here to test the mechanism."""
    many = {f"bundle/files/x/{i}": b"" for i in range(40)}
    monkeypatch.setattr(B, "MAX_MEMBERS", 30)
    assert refused(tar_with(tmp_path / "many.tar.gz", many)).key == "evidence.too_many"
    monkeypatch.setattr(B, "MAX_MEMBERS", 200_000)
    monkeypatch.setattr(B, "MAX_TOTAL", 3 * B.CHUNK)
    big = {f"bundle/files/x/{i}": os.urandom(B.CHUNK) for i in range(4)}
    exc = refused(tar_with(tmp_path / "big.tar.gz", big))
    assert exc.key == "evidence.total_too_large" and exc.args_map["member"] == "bundle/files/x/3"


def test_duplicate_member(tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", b"{}")
        with pytest.warns(UserWarning):
            zf.writestr("manifest.json", b"{}")
    assert refused(path).key == "evidence.duplicate"


def test_manifest_links_cannot_lead_out(tmp_path: Path) -> None:
    """Links are made from manifest records, inside our copy; an entry through one is refused."""
    doc = manifest([{"path": "files/x", "kind": "link", "target": "/"},
                    {"path": "files/x/tmp/ybguard-owned", "kind": "entry"}])
    src = folder(tmp_path / "b", {}, doc=doc)
    assert refused(src).key == "evidence.bad_shape"
    assert not Path("/tmp/ybguard-owned").exists()


def test_streaming_keeps_memory_bounded(tmp_path: Path) -> None:
    """A 160 MB member is copied in CHUNK pieces: the peak RSS stays far below its size."""
    big = tmp_path / "big"
    with open(big, "wb") as fh:
        for _ in range(160):
            fh.write(b"\0" * (1024 * 1024))
    import hashlib

    h = hashlib.sha256()
    with open(big, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    src = tmp_path / "b"
    (src / "files/var/log").mkdir(parents=True)
    os.replace(big, src / "files/var/log/syslog")
    doc = manifest([{"path": "files/var/log/syslog", "kind": "file", "bytes": 160 * 1024 * 1024, "sha256": h.hexdigest()}])
    (src / "manifest.json").write_text(json.dumps(doc))
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the (large) forking pytest
    code = ("import sys; from ybguard.target.bundle import open_bundle; b = open_bundle(sys.argv[1]); b.close(); "
            "print([int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM')][0])")
    out = subprocess.run([sys.executable, "-c", code, str(src)], capture_output=True, check=True, timeout=120)
    assert int(out.stdout) < 100 * 1024  # KiB: well under the member's 160 MiB


def test_cli_refuses_with_exit_2_naming_the_member(tmp_path: Path) -> None:
    src = good(tmp_path)
    (src / "files/etc/resolv.conf").write_bytes(b"nameserver 223.5.5.5\n")
    for lang, word in (("en", "altered"), ("zh", "已被改动")):
        proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--evidence", str(src), "--format", "json",
                               "--lang", lang], capture_output=True, timeout=60)
        err = proc.stderr.decode()
        assert proc.returncode == 2 and proc.stdout == b""
        assert "files/etc/resolv.conf" in err and word in err and "Traceback" not in err


def test_cli_evidence_excludes_root(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "ybguard", "scan", "--evidence", str(good(tmp_path)), "--root",
                           str(tmp_path)], capture_output=True, timeout=60)
    assert proc.returncode == 2 and b"--evidence" in proc.stderr
