"""The report pages in a real headless Chromium (Debian's `chromium`, driven by Playwright
without a browser download): they load with no console error and every figure renders.

Marked `browser` (deselected by default: a new user's machine may have no Chromium);
`.ci/run` installs Chromium when absent and runs `pytest -m browser`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from canvass_fixtures import scan_run
from cli_fixtures import write_scenario

from mobsim.reports.run_page import write_report
from mobsim.runner import run
from mobsim.scenario import load_scenario
from mobsim.sweeps import sweep

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]

FIGURES_SCRIPT = """() => ({
  images: [...document.images].map(i => ({alt: i.alt, ok: i.complete && i.naturalWidth > 0,
                                           shown: i.getBoundingClientRect().width > 0})),
  svgs: [...document.querySelectorAll('svg')].map(s => ({kind: s.getAttribute('class'),
      width: s.getBoundingClientRect().width,
      markers: s.querySelectorAll('circle[data-value]').length})),
  headings: [...document.querySelectorAll('h2')].map(h => h.textContent),
})"""


def chromium_path() -> str:
    """Debian's Chromium; the test fails (not skips) without it, as CI installs it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Chromium is not installed: `apt-get install chromium` (.ci/run does it)"
    return path


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("browser")
    scenario = write_scenario(folder, "alert.horizon_min=180",
                              'cascade.district.processing_min={dist = "uniform", low = 0.0, high = 120.0}')
    run_dir = run(load_scenario(scenario), 6, seed=2, out=folder / "run", jobs=1).path
    sweep_dir = sweep(load_scenario(scenario), {"cadres.count": ["0", "6"]}, replications=4,
                      seed=2, out=folder / "sweep").path
    scan_dir = scan_run(folder / "scan-district", "scan", 1)
    return {"run": write_report(run_dir), "sweep": write_report(sweep_dir),
            "scan": write_report(scan_dir)}


def _open_in_chromium(page_path: Path) -> tuple[list[str], dict]:
    """Console errors and uncaught exceptions while loading the page, and its figures."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            profile, executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True,
            offline=True)
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_path.resolve().as_uri(), wait_until="load")
            figures = page.evaluate(FIGURES_SCRIPT)
        finally:
            browser.close()
    return errors, figures


def test_run_report_loads_cleanly_and_every_figure_renders(pages: dict[str, Path]) -> None:
    errors, figures = _open_in_chromium(pages["run"])
    assert errors == []
    assert len(figures["images"]) == 7
    assert all(image["ok"] and image["shown"] for image in figures["images"]), figures["images"]
    kinds = [svg["kind"] for svg in figures["svgs"]]
    # the district filling at 30, 60, 120 and 180 min (the target, the horizon), its colour
    # scale, then the map of late posts
    assert kinds == ["filling-map"] * 4 + ["filling-legend", "map"]
    for svg in figures["svgs"]:
        assert svg["width"] > 100, svg
        assert svg["markers"] > 0 or svg["kind"] == "filling-legend", svg
    # the verdict under each definition of mobilized, then what holds the district back
    assert figures["headings"][:3] == ["What counts as mobilized", "What holds the district back",
                                       "The district filling over time"]


@pytest.mark.parametrize("kind", ["sweep", "scan"])
def test_sweep_and_scan_reports_load_cleanly_and_every_figure_renders(
        pages: dict[str, Path], kind: str) -> None:
    errors, figures = _open_in_chromium(pages[kind])
    assert errors == []
    assert figures["images"] and all(image["ok"] and image["shown"] for image in figures["images"])
