"""The HTML report in a real browser: it opens, reads without script, fits a phone, fetches nothing.

Drives the OS's Chromium headless (no Playwright: one process per page is enough
here). Screenshots at phone (390 x 844) and desktop (1280 x 900) sizes are kept in
``$DQ_ARTIFACTS_DIR`` (CI keeps that folder) or the test's temporary folder. Skips,
saying why, where Chromium is not installed; CI installs it (.ci/run).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from dq.output import _report
from report_cases import orders_profile, orders_result, orders_rules

CHROMIUM = (
    os.environ.get("DQ_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)

#: Quiet, offline and root-safe: without the networking flags Chromium tries (and on a
#: closed network fails) to reach its own services at every start.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    page = folder / "report.html"
    page.write_text(
        _report.render(
            orders_result(),
            "html",
            source="exports/orders.parquet",
            suite="orders",
            tenant="acme",
            rules=orders_rules(),
            profile=orders_profile(),
        ),
        encoding="utf-8",
    )
    return page


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory, report: Path) -> Path:
    folder = os.environ.get("DQ_ARTIFACTS_DIR")
    path = Path(folder) / "html-report" if folder else tmp_path_factory.mktemp("artifacts")
    path.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(report, path / "report.html")  # the page beside its screenshots
    return path


def chromium(tmp_path: Path, *args: str) -> str:
    assert CHROMIUM is not None
    profile = tmp_path / f"chromium-profile-{len(list(tmp_path.iterdir()))}"
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_browser_shows_every_fact_with_no_script(report: Path, tmp_path: Path) -> None:
    """The page has no script, and its Content-Security-Policy (``default-src 'none'``)
    would refuse one: what the browser built is what a reader sees without any."""
    dom = chromium(tmp_path, "--dump-dom", report.as_uri())
    assert "<script" not in dom.lower()
    text = " ".join(re.sub(r"<[^>]+>", " ", dom).split())
    for fact in (
        "FAILED",
        "3 of 7 rules failed (2 errors, 1 warning)",
        "unique_order_id",
        "4 of 1,000,000 rows failed (0.0004%)",
        "passed (mostly 0.95: 97.2% passing)",
        "warning failed (not gating)",
        "Profile: 1,000,000 rows, 2 columns",
        "acme",
    ):
        assert fact in text, fact


@pytest.mark.parametrize(("name", "width", "height"), [("phone", 390, 844), ("desktop", 1280, 900)])
def test_screenshots_at_phone_and_desktop_sizes(
    report: Path, artifacts: Path, tmp_path: Path, name: str, width: int, height: int
) -> None:
    shot = artifacts / f"report-{name}.png"
    shot.unlink(missing_ok=True)
    chromium(tmp_path, f"--window-size={width},{height}", f"--screenshot={shot}", report.as_uri())
    assert png_size(shot) == (width, height)
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one


def test_on_a_phone_nothing_is_wider_than_the_screen(report: Path, tmp_path: Path) -> None:
    """A probe page (script allowed there, not in the report) measures the report in a
    390-px frame: no horizontal scrolling, and body text no smaller than 14 px."""
    probe = report.parent / "probe.html"
    probe.write_text(
        '<!doctype html><iframe id="f" src="report.html" style="width:390px;height:844px;'
        'border:0"></iframe><pre id="out">pending</pre><script>'
        "document.getElementById('f').addEventListener('load', function () {"
        "var d = this.contentDocument.documentElement;"
        "document.getElementById('out').textContent = 'scroll=' + d.scrollWidth + "
        "' client=' + d.clientWidth + ' font=' + "
        "parseFloat(getComputedStyle(this.contentDocument.body).fontSize) + ' scripts=' + "
        "this.contentDocument.scripts.length;});</script>",
        encoding="utf-8",
    )
    dom = chromium(
        tmp_path,
        "--allow-file-access-from-files",
        "--virtual-time-budget=5000",
        "--dump-dom",
        probe.as_uri(),
    )
    found = re.search(r"scroll=(\d+) client=(\d+) font=([\d.]+) scripts=(\d+)", dom)
    assert found, dom[-500:]
    scroll, client, font, scripts = found.groups()
    assert int(scroll) <= int(client) <= 390
    assert float(font) >= 14
    assert scripts == "0"
