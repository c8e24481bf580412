"""history.web on Windows: a mounted volume with a 360安全浏览器 profile (a real Chrome-format
History database) and the typed URLs of the real NTUSER.DAT; a hives-only target reads only the
typed URLs."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Dict

from winhives import make_hives_dir

from ybguard.checks import ALL_CHECKS, select_checks
from ybguard.collect import ScanOptions
from ybguard.collect.webhistory import read_web_history
from ybguard.engine import run_scan
from ybguard.policy.schema import Policy
from ybguard.target.windows import WindowsImageTarget

CHROME = Path(__file__).resolve().parent.parent / "data" / "history" / "grr-chrome-History"
USER = "张三"


def typed_urls_written(hives: Dict[str, Path], tmp_path: Path):
    target = WindowsImageTarget.from_hives(str(make_hives_dir(tmp_path / "probe", hives, SYSTEM="win10",
                                                              NTUSER__DAT="ntuser")))
    (user,) = target.registry.ntusers
    key = user.software_key("Microsoft\\Internet Explorer\\TypedURLs")
    assert key is not None
    when = key.last_write()
    assert when is not None
    return when


def test_hives_only_target_reads_the_real_typed_urls(hive_files: Dict[str, Path], tmp_path: Path) -> None:
    written = typed_urls_written(hive_files, tmp_path)
    target = WindowsImageTarget.from_hives(str(make_hives_dir(tmp_path / "hives", hive_files, SYSTEM="win10",
                                                              NTUSER__DAT="ntuser")))
    report = run_scan(Policy(), target, select_checks(ALL_CHECKS, ["history.web"]),
                      ScanOptions(lang="en", now=written + timedelta(days=1)))
    fails = sorted(f.subject for f in report.findings if f.status.value == "fail")
    # url1 = http://199.73.28.114:53/ (a public address), url2 = go.microsoft.com
    assert [s.split(" (")[0] for s in fails] == ["199.73.28.114", "go.microsoft.com"]
    assert all("Internet Explorer (typed)" in s for s in fails)
    # out of the window (no TypedURLsTime: the key's write time stands for the entries)
    late = run_scan(Policy(), target, select_checks(ALL_CHECKS, ["history.web"]),
                    ScanOptions(lang="en", now=written + timedelta(days=91)))
    assert [f.status.value for f in late.findings] == ["pass"]


def test_mounted_volume_360_browser_and_typed_urls(hive_files: Dict[str, Path], tmp_path: Path) -> None:
    written = typed_urls_written(hive_files, tmp_path)
    root = tmp_path / "c"
    config = root / "Windows/System32/config"
    config.mkdir(parents=True)
    shutil.copyfile(hive_files["win10"], config / "SYSTEM")
    home = root / "Users" / USER
    home.mkdir(parents=True)
    shutil.copyfile(hive_files["ntuser"], home / "NTUSER.DAT")
    user_data = home / "AppData/Roaming/360se6/User Data"
    (user_data / "Default").mkdir(parents=True)
    (user_data / "Local State").write_text("{}")
    shutil.copyfile(CHROME, user_data / "Default/History")
    (root / "Users/Public").mkdir()
    target = WindowsImageTarget.from_root(str(root))
    history = read_web_history(target, written - timedelta(days=365 * 20), 365 * 20)
    assert history.problems == ()
    browsers = {(h.user, h.browser) for h in history.hosts}
    assert browsers == {(USER, "360安全浏览器"), ("vibranium", "Internet Explorer (typed)")}
    assert any(h.host == "start.ubuntu.com" and h.browser == "360安全浏览器" for h in history.hosts)
