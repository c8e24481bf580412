"""An rpm-based image: a real rpm database built with the host's rpm, read without writing to it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, Tuple

import pytest
from swhelp import failing, run_cli

SPEC = """Name: {name}
Version: {version}
Release: 1
Summary: test package without files
License: Proprietary
BuildArch: noarch
%description
test package for ybguard
%files
"""


def _build(tmp: Path, name: str, version: str) -> Path:
    spec = tmp / f"{name}.spec"
    spec.write_text(SPEC.format(name=name, version=version))
    subprocess.run(["rpmbuild", "-bb", "--define", f"_topdir {tmp / 'top'}", "--define", "_build_id_links none",
                    str(spec)], check=True, capture_output=True, timeout=60)
    return next((tmp / "top/RPMS/noarch").glob(f"{name}-*.rpm"))


def _snapshot(root: Path) -> Dict[str, Tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


@pytest.fixture
def rpm_image(tmp_path: Path) -> Path:
    if shutil.which("rpm") is None or shutil.which("rpmbuild") is None:
        pytest.skip("rpm is not installed (make test installs it)")
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text("ID=rhel\n")
    db = ["--root", str(root), "--dbpath", "/var/lib/rpm"]
    subprocess.run(["rpm", *db, "--initdb"], check=True, capture_output=True)
    packages = [_build(tmp_path, "bash", "5.1.8"), _build(tmp_path, "todesk", "4.7.2.0"),
                _build(tmp_path, "ybclient", "3.2.1")]
    subprocess.run(["rpm", *db, "-i", "--justdb", "--nodeps", *map(str, packages)], check=True, capture_output=True)
    return root


def test_rpm_image_is_inventoried_and_left_untouched(rpm_image: Path) -> None:
    before = _snapshot(rpm_image)
    _, report = run_cli("--root", str(rpm_image), "--only", "software.installed")
    assert failing(report, "software.installed") == {"todesk"}
    assert _snapshot(rpm_image) == before
    assert not os.path.exists(rpm_image / "root/.rpmdb")


def test_rpm_allowlist(rpm_image: Path, tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("policy:\n  id: rpm\n  version: 1\nsoftware:\n  mode: allowlist\n  allow: [ybclient]\n")
    _, report = run_cli("--root", str(rpm_image), "--only", "software.installed", "--policy", str(policy))
    assert failing(report, "software.installed") == {"bash", "todesk"}
