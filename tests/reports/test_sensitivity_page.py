"""The sensitivity report: a folder written by hand, its ranking and tornado in the right order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_fixtures import parse_page

from mobsim.errors import InputError
from mobsim.reports.run_page import write_report
from mobsim.reports.tornado import tornado_order
from mobsim.scenario import load_scenario
from mobsim.scenario.ranges import parameters
from mobsim.studies.sensitivity.analysis import END_COLUMNS, SensitivityResult, Settings
from mobsim.studies.sensitivity.folder import read_folder, write_folder

KEYS = ["cadres.speed_kmh", "escalation.after_min", "escalation.follow_up_min"]
# μ* of the district time: the ranking is follow_up, speed, after
MU_STAR_MIN = [5.0, 1.0, 9.0]
# the ends of the top two: speed swings 40 min, follow_up 12 min (the tornado's order differs)
ENDS = [("escalation.follow_up_min", 170.0, 176.0, 182.0, False),
        ("cadres.speed_kmh", 200.0, 176.0, 160.0, True)]


def _result(scenario) -> SensitivityResult:
    chosen = [p for p in parameters(scenario) if p.key in KEYS]
    chosen.sort(key=lambda p: KEYS.index(p.key))
    points = np.linspace(0.0, 1.0, 4 * len(KEYS)).reshape(4, len(KEYS))
    outputs = pd.DataFrame({"quantile_min": [176.0, 180.0, 190.0, 170.0],
                            "share_on_post": [0.99, 0.98, 0.97, 0.99],
                            "within_target": [4, 3, 2, 4], "replications": [4] * 4,
                            "verdict": ["UNDECIDED"] * 4})
    morris = {"quantile_min": MU_STAR_MIN, "share_on_post": [0.01, 0.02, 0.0]}
    indices = {output: pd.DataFrame({"mu_star": mu, "mu_star_conf": [0.5] * 3, "mu": mu,
                                     "sigma": [0.1] * 3}, index=KEYS)
               for output, mu in morris.items()}
    ends = pd.DataFrame([{"key": key, "range": "r", "low": "FAIL (50/59)" if flips else
                          "PASS (59/59)", "base": "PASS (59/59)", "high": "PASS (59/59)",
                          "flips": flips, "low_min": low, "base_min": base, "high_min": high}
                         for key, low, base, high, flips in ENDS], columns=END_COLUMNS)
    return SensitivityResult(Settings(size=1, replications=4), chosen, points, outputs, indices,
                             ends, 12.5)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sensitivity") / "analysis"
    write_folder(out, load_scenario(), _result(load_scenario()))
    return out


def test_the_folder_reads_back_the_same_analysis(folder: Path) -> None:
    scenario, back = read_folder(folder)
    written = _result(load_scenario())
    assert scenario.digest == load_scenario().digest
    assert [p.key for p in back.parameters] == KEYS
    assert np.array_equal(back.points, written.points)
    pd.testing.assert_frame_equal(back.outputs, written.outputs)
    pd.testing.assert_frame_equal(back.ranking(), written.ranking())
    pd.testing.assert_frame_equal(back.ends, written.ends)


def test_the_page_ranks_by_mu_star_and_draws_the_widest_swing_first(folder: Path) -> None:
    page = parse_page(write_report(folder).read_text("utf-8"))
    by_mu_star = [KEYS[i] for i in np.argsort(MU_STAR_MIN)[::-1]]
    assert [page.values[f"rank-{r}"] for r in (1, 2, 3)] == by_mu_star
    swings = {key: abs(high - low) for key, low, _, high, _ in ENDS}
    assert [page.values[f"tornado-{r}"] for r in (1, 2)] == sorted(swings, key=swings.get,
                                                                   reverse=True)
    assert len(page.images) == 1
    assert "cadres.speed_kmh flips the verdict" in page.text


def test_tornado_order_breaks_ties_by_key() -> None:
    ends = pd.DataFrame({"key": ["b", "a", "c"], "low_min": [0.0, 5.0, 0.0],
                         "high_min": [2.0, 3.0, 1.0]})
    assert list(tornado_order(ends)["key"]) == ["a", "b", "c"]


def test_a_folder_holding_something_else_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="notes.txt"):
        write_folder(tmp_path, load_scenario(), _result(load_scenario()))
    assert not (tmp_path / "sensitivity.json").exists()


def test_a_folder_missing_a_table_is_one_error(folder: Path, tmp_path: Path) -> None:
    for name in ("sensitivity.json", "scenario.toml", "indices.parquet"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    with pytest.raises(InputError, match="no design.parquet"):
        write_report(tmp_path)


def test_without_end_runs_the_page_says_so_and_draws_no_tornado(tmp_path: Path) -> None:
    from dataclasses import replace

    result = replace(_result(load_scenario()), ends=pd.DataFrame(columns=END_COLUMNS))
    write_folder(tmp_path / "analysis", load_scenario(), result)
    page = parse_page(write_report(tmp_path / "analysis").read_text("utf-8"))
    assert "No end runs" in page.text and not page.images
    assert page.values["rank-1"] == KEYS[MU_STAR_MIN.index(max(MU_STAR_MIN))]


def test_the_tornado_shows_both_ends_and_the_scenario_s_line_inside_the_axis() -> None:
    """Both ends above the scenario's value (a low bar would hide under the high one) and the
    scenario's value the smallest drawn (its line would sit on the axis' edge)."""
    from mobsim.reports.tornado import tornado_figure

    ends = pd.DataFrame({"key": ["a", "b"], "flips": [False, True], "base_min": [100.0, 100.0],
                         "low_min": [130.0, 110.0], "high_min": [150.0, 170.0]})
    ax = tornado_figure(tornado_order(ends), 180.0, 0.95).axes[0]
    left, right = ax.get_xlim()
    assert left < 100.0 < right and 180.0 < right
    bars = [(p.get_y(), p.get_y() + p.get_height(), p.get_x(), p.get_x() + p.get_width())
            for p in ax.patches]
    assert len(bars) == 4
    for row in range(2):  # each row: its low and its high bar, one above the other, both drawn
        low, high = bars[row], bars[2 + row]
        assert low[1] <= high[0] or high[1] <= low[0]
        assert low[3] - low[2] > 0 and high[3] - high[2] > 0
