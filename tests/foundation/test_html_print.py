"""The HTML report printed for a 医保 inspection, in headless Chromium (issue 14 item 7).

What is checked, on a realistic report (every check run over fixture facts with violations, a
waiver and an error; tests/foundation/sample.py), in 中文 and English:

- on screen (a 794 px = A4-wide window, geometry read back from the rendered DOM): no column
  of a findings table is narrower than MIN_COLUMN_PX, no cell's content overflows it, no table
  is wider than the page, a status or severity never wraps (中文 "不通过" was one character per
  line), nothing scrolls sideways; a screenshot is taken;
- printed (``--print-to-pdf``, A4): pdfinfo says A4 and a bounded page count; every page rendered
  back to an image (pdftoppm) is blank in its margins, so nothing ran off the paper; the text
  (pdftotext with word boxes) holds the signature block, and every fail/error/waived row's
  整改 text lies whole inside the 整改 column; a page that continues a findings table repeats its
  header row.

Pictures are written to $YBGUARD_PRINT_DIR when set (to look at them), else to the test's tmp dir.
Chromium, poppler-utils and fonts-noto-cjk are installed by ``make test`` when missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path
from typing import Any, Dict, List, Tuple
from xml.etree import ElementTree as ET

import pytest

from ybguard.models import Status
from ybguard.report import html

from .sample import sample_report

A4_WIDTH_PX = 794  # 210 mm at 96 px/in
MIN_COLUMN_PX = 40
MAX_PAGES = 12
HEADERS = {"zh": ("整改", "依据"), "en": ("Fix", "Rule")}
SIGNATURE = {"zh": ("签字确认", "检查人", "负责人", "日期"), "en": ("Sign-off", "Inspector", "Responsible", "Date")}

# Runs inside the rendered page (a copy of the report with this script appended; the report
# itself never carries scripts) and writes its findings into the DOM for --dump-dom.
MEASURE = """<script>
(function(){
  var out = {columns: [], overflow: [], wide_tables: [], wrapped: [], scroll: 0};
  var body = document.body.getBoundingClientRect();
  document.querySelectorAll('table').forEach(function(t, ti){
    var r = t.getBoundingClientRect();
    if (r.right > body.right + 1 || r.left < body.left - 1) out.wide_tables.push(ti);
    t.querySelectorAll('th, td').forEach(function(c){
      if (c.scrollWidth > c.clientWidth + 1) out.overflow.push(c.textContent.slice(0, 60));
    });
    if (!t.classList.contains('findings')) return;
    t.querySelectorAll('thead th').forEach(function(th){
      out.columns.push([ti, th.textContent, th.getBoundingClientRect().width]);
    });
    t.querySelectorAll('td.st, td.sev').forEach(function(td){
      var range = document.createRange(); range.selectNodeContents(td);
      var lines = {}; Array.prototype.forEach.call(range.getClientRects(), function(c){ lines[Math.round(c.top)] = 1; });
      if (Object.keys(lines).length > 1) out.wrapped.push(td.textContent);
    });
  });
  out.scroll = document.documentElement.scrollWidth - window.innerWidth;
  var pre = document.createElement('pre'); pre.id = 'ybguard-metrics';
  pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
})();
</script>"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("chromium is not installed (make test installs it)")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed (make test installs poppler-utils)")
    return path


def _run_chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    argv = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    proc = subprocess.run(argv, capture_output=True, timeout=120, cwd=tmp)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return proc


def _png_size_and_rows(data: bytes) -> Tuple[int, int, List[bytes]]:
    """Width, height and the unfiltered rows of an 8-bit RGB/RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, chunk = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = int.from_bytes(chunk[:4], "big"), int.from_bytes(chunk[4:8], "big")
            assert chunk[8] == 8 and chunk[12] == 0, "only 8-bit, non-interlaced"
            channels = {2: 3, 6: 4}[chunk[9]]
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * channels, [], bytes(width * channels)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = bytes(line)
    return width, height, rows


def _pgm(path: Path) -> Tuple[int, int, bytes]:
    data = path.read_bytes()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert m, path
    return int(m.group(1)), int(m.group(2)), data[m.end():]


def _words(pdf: Path) -> List[Tuple[int, float, float, float, str]]:
    """(page, xMin, xMax, yMax, text) of every word pdftotext finds."""
    xhtml = subprocess.run([_tool("pdftotext"), "-bbox-layout", str(pdf), "-"], capture_output=True, timeout=60,
                           check=True).stdout
    root = ET.fromstring(xhtml)
    out = []
    for n, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page")):
        for w in page.iter("{http://www.w3.org/1999/xhtml}word"):
            out.append((n, float(w.get("xMin", 0)), float(w.get("xMax", 0)), float(w.get("yMax", 0)), w.text or ""))
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = os.environ.get("YBGUARD_PRINT_DIR")
    if where:
        Path(where).mkdir(parents=True, exist_ok=True)
        return Path(where)
    return tmp_path_factory.mktemp("print")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_lays_out_on_screen_at_a4_width(lang: str, pictures: Path, tmp_path: Path) -> None:
    page = html.render(sample_report(lang))
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page and "<script" not in page
    (pictures / f"report.{lang}.html").write_text(page, encoding="utf-8")
    probe = tmp_path / "measure.html"
    probe.write_text(page.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = _run_chromium(tmp_path, f"--window-size={A4_WIDTH_PX},1200", "--dump-dom", probe.as_uri()).stdout.decode()
    m = re.search(r'<pre id="ybguard-metrics">(.*?)</pre>', dom, re.S)
    assert m, "the measuring script did not run"
    metrics: Dict[str, Any] = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    narrow = [(name, round(w)) for _, name, w in metrics["columns"] if w < MIN_COLUMN_PX]
    assert metrics["columns"] and narrow == [], f"columns narrower than {MIN_COLUMN_PX}px: {narrow}"
    assert metrics["wrapped"] == [], f"a status or severity wraps: {metrics['wrapped']}"
    assert metrics["overflow"] == [], f"cells whose content overflows: {metrics['overflow']}"
    assert metrics["wide_tables"] == [] and metrics["scroll"] <= 0

    shot = pictures / f"screen.{lang}.png"
    _run_chromium(tmp_path, f"--window-size={A4_WIDTH_PX},1400", f"--screenshot={shot}",
                  (pictures / f"report.{lang}.html").as_uri())
    width, height, rows = _png_size_and_rows(shot.read_bytes())
    assert (width, height) == (A4_WIDTH_PX, 1400)
    right = [row[-8 * 4:] for row in rows]  # the 8 px at the right edge: page background only
    assert all(min(r) > 240 for r in right), "something is drawn at the right edge of the window"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_prints_on_a4_without_clipping_and_with_the_signature_block(lang: str, pictures: Path,
                                                                            tmp_path: Path) -> None:
    report = sample_report(lang)
    source = pictures / f"print.{lang}.html"
    source.write_text(html.render(report), encoding="utf-8")
    pdf = pictures / f"report.{lang}.pdf"
    _run_chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", source.as_uri())
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, timeout=60, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert re.search(r"Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info), info
    assert 2 <= pages <= MAX_PAGES

    # Rendered back to images: the margins (12 mm top, 11 mm sides) stay blank on every page.
    dpi = 50
    subprocess.run([_tool("pdftoppm"), "-r", str(dpi), "-gray", str(pdf), str(pictures / f"page.{lang}")],
                   check=True, timeout=120)
    subprocess.run([_tool("pdftoppm"), "-r", "70", "-png", str(pdf), str(pictures / f"page.{lang}")],
                   check=True, timeout=120)
    images = sorted(pictures.glob(f"page.{lang}-*.pgm"))
    assert len(images) == pages
    margin = int(8 / 25.4 * dpi)  # inside the 11 mm side margin
    for image in images:
        width, height, pixels = _pgm(image)
        for y in range(height):
            row = pixels[y * width:(y + 1) * width]
            assert min(row[:margin]) > 240 and min(row[-margin:]) > 240, f"{image.name}: ink in a side margin, row {y}"

    words = _words(pdf)
    text = _squash("".join(w[4] for w in words))
    for label in SIGNATURE[lang]:
        assert label in text, f"signature block: {label} missing"
    assert report.host.hostname in text and report.site.asset_id in text and report.policy.sha256 in text

    # 整改 whole inside its column: the words between the 整改 and 依据 headers, page by page.
    fix, rule = HEADERS[lang]
    column_text = []
    for n in range(pages):
        on_page = [w for w in words if w[0] == n]
        heads = [w for w in on_page if w[4] == fix]
        rules = [w for w in on_page if w[4] == rule and heads and abs(w[3] - heads[0][3]) < 2]
        if not heads or not rules:
            continue
        left, right, top = heads[0][1] - 3, rules[0][1] - 3, heads[0][3]
        cell = sorted((w for w in on_page if left <= w[1] and w[2] <= right and w[3] > top + 1),
                      key=lambda w: (round(w[3]), w[1]))
        column_text.append("".join(w[4] for w in cell))
    column = _squash("".join(column_text))
    detailed = [f for f in report.findings if f.status in (Status.FAIL, Status.ERROR, Status.WAIVED)]
    assert detailed
    for f in detailed:
        assert _squash(f.remediation) in column, f"{f.check}: 整改 not whole in its column"
    # A page that carries detailed rows starts with the header row again.
    assert len(column_text) >= 2
