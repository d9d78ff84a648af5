"""Scan-mode runs work with `mobsim report` and `mobsim compare`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from canvass_fixtures import scan_run
from click.testing import CliRunner
from report_fixtures import parse_page, write_fake_run

import mobsim
from mobsim.cli import main
from mobsim.reports.run_page import write_report
from mobsim.results.compare import compare
from mobsim.results.stats import order_statistic


@pytest.fixture(scope="module")
def scan_runs(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("scan")
    return scan_run(folder, "a", 1), scan_run(folder / "b", "b", 1)


def test_report_of_a_scan_run_matches_its_tables(scan_runs, tmp_path: Path) -> None:
    run_dir = scan_runs[0]
    result = CliRunner().invoke(main, ["report", str(run_dir), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.stderr
    page = parse_page((tmp_path / "r.html").read_text())
    reps = mobsim.load(run_dir).replications
    for column in ("days_to_95pct", "days_to_full"):
        assert float(page.values[f"{column}-median"]) == order_statistic(reps[column], 0.5)
        assert float(page.values[f"{column}-max"]) == reps[column].max()
    assert len(page.images) == 1
    curves = mobsim.load(run_dir).scan_curves
    last = curves[curves["day"] == curves["day"].max()]
    for sub, rows in last.groupby("subdistrict_id"):
        assert float(page.values[f"subdistrict-{sub}-verified"]) == order_statistic(
            rows["share_households_verified"], 0.5)
    assert "s0" in page.text and "s1" in page.text  # sub-district names of the district


def test_compare_scan_runs_pairs_them_by_seed(scan_runs) -> None:
    a, b = scan_runs
    table = compare([a, b])
    assert list(table["pairing"]) == ["reference", "paired by seed 9"]
    reps = mobsim.load(a).replications
    assert table.loc[0, "days_to_full_median"] == order_statistic(reps["days_to_full"], 0.5)
    assert table.loc[0, "share_verified"] == pytest.approx(reps["share_verified_at_horizon"].mean())
    diffs = mobsim.load(b).replications["days_to_full"].to_numpy() - reps["days_to_full"].to_numpy()
    assert table.loc[1, "days_to_full_diff"] == order_statistic(np.sort(diffs), 0.5)
    result = CliRunner().invoke(main, ["compare", str(a), str(b)])
    assert result.exit_code == 0, result.stderr
    assert "Δ days until over" in result.stdout and "paired by seed 9" in result.stdout


def test_a_scan_run_and_a_wartime_run_do_not_compare(scan_runs, tmp_path: Path) -> None:
    wartime = write_fake_run(tmp_path / "wartime")
    result = CliRunner().invoke(main, ["compare", str(wartime), str(scan_runs[0])])
    assert result.exit_code == 2
    assert "a scan run cannot be compared with" in result.stderr


def test_the_scan_report_is_written_by_write_report(scan_runs, tmp_path: Path) -> None:
    html = write_report(scan_runs[1], tmp_path / "b.html").read_text()
    assert "Building-scan campaign report" in html and "<script" not in html
