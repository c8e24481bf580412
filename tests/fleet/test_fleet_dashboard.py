"""The HTML dashboard in a real browser (headless Chromium), 中文 and English: it renders, the
trend chart is drawn with the right bars, and it prints (PDF with the CJK text intact)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import fleet_browser as browser
import pytest
from fleethelpers import MIDS, NOW, ybguard

CHART = {"compliant": "4caf50", "non_compliant": "d32f2f", "incomplete": "f9a825"}


def colours(png: Path) -> str:
    """The screenshot's colour histogram (ImageMagick), lower case."""
    return subprocess.run(["convert", str(png), "-format", "%c", "histogram:info:-"], capture_output=True,
                          text=True, timeout=60, check=True).stdout.lower()


@pytest.mark.parametrize("lang, title, stale, section", [
    ("zh", "医保终端合规汇总", "停止报告", "各终端最新结论"),
    ("en", "compliance summary", "stopped reporting", "Latest verdict per terminal")])
def test_dashboard_in_chromium(fleet_db, tmp_path, lang, title, stale, section):
    page = tmp_path / f"fleet-{lang}.html"
    r = ybguard("fleet", "summary", "--db", str(fleet_db), "--now", NOW, "--nights", "4", "--format", "html",
                "--output", str(page), "--lang", lang)
    assert r.returncode == 0, r.stderr
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")

    rendered = browser.dom(page)
    assert title in rendered and stale in rendered
    bars = re.findall(r'class="bar-(\w+)"[^>]*height="([\d.]+)"', rendered)
    # nights 11-30, 12-01, 12-02: 1 + 4 + 5 terminal-nights drawn (compliant, non-compliant, incomplete, silent)
    assert sorted(k for k, _h in bars) == sorted(
        ["non_compliant"] + ["compliant", "non_compliant", "incomplete", "silent"]
        + ["compliant", "non_compliant", "incomplete", "silent"])
    heights = {k: [float(h) for kk, h in bars if kk == k] for k in CHART}
    assert max(heights["non_compliant"]) == pytest.approx(2 * max(heights["compliant"]), rel=0.01)  # 2 vs 1 on 12-02

    shot = browser.screenshot(page, tmp_path / f"fleet-{lang}.png")
    hist = colours(shot)
    for colour in CHART.values():
        assert colour in hist, f"#{colour} of the trend chart is not on screen"
    printed = browser.pdf(page, tmp_path / f"fleet-{lang}.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(printed), "-"], capture_output=True, text=True,
                          timeout=60, check=True).stdout
    assert title in text and section in text and "YB-T1/" + MIDS["t1"][:8] in text
