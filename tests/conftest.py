"""Suite-wide rules.

On CI (CI=true, as root) nothing may be skipped: a namespace test that skips there is a
failure, and so is a test of the shared Windows hives when ../shared is present.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("YBGUARD_SHARED") or REPO.parent / "shared")  # env: worktrees live deeper
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


SHARED_ABSENT = "../shared is not present"


def _click_runner_separates_stderr() -> None:
    """click < 8.2 (the newest on Python 3.9) mixes stderr into ``output`` unless told not to,
    and ``result.stderr`` then raises; 8.2 always keeps both. Make 8.1 behave like 8.2 here."""
    import inspect

    from click.testing import CliRunner

    if "mix_stderr" not in inspect.signature(CliRunner.__init__).parameters:
        return
    original = CliRunner.__init__

    def init(self, *args, mix_stderr=False, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, mix_stderr=mix_stderr, **kwargs)

    CliRunner.__init__ = init  # type: ignore[method-assign]


_click_runner_separates_stderr()


def _shared_absent(report) -> bool:  # type: ignore[no-untyped-def]
    """A clone without ../shared cannot run the shared-data tests; that skip is legitimate."""
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    return SHARED_ABSENT in reason and not SHARED.is_dir()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if ON_CI and report.skipped and not hasattr(report, "wasxfail") and not _shared_absent(report):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"skipped on CI, which is a failure here: {reason}"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(SHARED_ABSENT)
    return SHARED


@pytest.fixture(scope="session")
def example_policy_path(shared_dir: Path) -> Path:
    return shared_dir / "policy-example.yaml"


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    for item in items:
        if "netns" in item.keywords and os.geteuid() != 0:
            item.add_marker(pytest.mark.skip(reason="network namespace tests need root"))


@pytest.fixture
def topo():  # type: ignore[no-untyped-def]
    """A fresh set of network namespaces, deleted after the test."""
    from netns import Topology

    t = Topology()
    try:
        yield t
    finally:
        t.close()


@pytest.fixture(scope="session")
def debian_root_path() -> Path:
    """A pristine debootstrap minbase root (cached). Read it; copy it with ``debroot.clone_root`` to change it."""
    import shutil

    if shutil.which("debootstrap") is None and not Path("/usr/sbin/debootstrap").exists():
        pytest.skip("debootstrap is not installed (make test installs it)")
    if os.geteuid() != 0:
        pytest.skip("debootstrap needs root")
    from debroot import debian_root

    return debian_root()
