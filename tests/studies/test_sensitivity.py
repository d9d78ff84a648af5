"""`mobsim sensitivity` on a scenario whose sensitivity is known by construction.

Every duration is fixed and everyone is home, so the district time is the sum along the
critical path: the district command's processing time adds to it minute for minute, and the
minutes at a door nobody opens (door-to-door work, after activation) cannot move it. With
common random numbers the inert parameter's elementary effects are exactly zero.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from cli_fixtures import write_scenario
from click.testing import CliRunner
from model_fixtures import deterministic

from mobsim.cli import main
from mobsim.errors import InputError
from mobsim.runner import run
from mobsim.scenario import load_scenario
from mobsim.scenario.ranges import PRIOR_MASS, parameters, select
from mobsim.studies.sensitivity.analysis import Settings, analyse

DRIVER, INERT = "cascade.district.processing_min", "canvass.absent_min"
LOW_MIN, HIGH_MIN = 0.0, 60.0
RANGES = (f'sensitivity.ranges=[{{key = "{DRIVER}", low = {LOW_MIN}, high = {HIGH_MIN}}}, '
          f'{{key = "{INERT}", low = 0.5, high = 2.0}}]')
FIXED = (*deterministic(), "escalation.follow_up_min=600.0", RANGES)


@pytest.fixture(scope="module")
def known(tmp_path_factory) -> Path:
    return write_scenario(tmp_path_factory.mktemp("sensitivity"), *FIXED)


def _settings(method: str, size: int) -> Settings:
    return Settings(method=method, size=size, replications=2, seed=3, jobs=1, ends_top=1,
                    ends_replications=2)


def test_morris_ranks_the_driver_first_and_the_inert_parameter_at_zero(known: Path) -> None:
    result = analyse(load_scenario(known), [DRIVER, INERT], _settings("morris", 2))
    time = result.indices["quantile_min"]
    # an elementary effect is the change over a step of the unit range: the range itself here
    assert time.loc[DRIVER, "mu_star"] == pytest.approx(HIGH_MIN - LOW_MIN, rel=1e-9)
    assert time.loc[INERT, "mu_star"] == 0.0
    assert result.indices["share_on_post"].loc[INERT, "mu_star"] == 0.0
    assert list(result.ranking().index) == [DRIVER, INERT]
    assert len(result.points) == 2 * (2 + 1)


def test_the_design_and_the_ends_run_on_one_pool_as_in_one_process(known: Path) -> None:
    """Every point's replications in one stream on one pool: the same outputs, one pool."""
    from dataclasses import replace

    from mobsim.runner.pool import WorkerPool

    alone = analyse(load_scenario(known), [DRIVER, INERT], _settings("morris", 2))
    with WorkerPool(2) as pool:
        pooled = analyse(load_scenario(known), [DRIVER, INERT],
                         replace(_settings("morris", 2), jobs=2), pool)
        assert pool.pools_started == 1
    pd.testing.assert_frame_equal(pooled.outputs, alone.outputs)
    pd.testing.assert_frame_equal(pooled.ends, alone.ends)


def test_sobol_gives_the_driver_all_the_variance(known: Path) -> None:
    result = analyse(load_scenario(known), [DRIVER, INERT], _settings("sobol", 8))
    time = result.indices["quantile_min"]
    assert time.loc[INERT, "ST"] == 0.0 and time.loc[INERT, "S1"] == 0.0
    # one additive driver: S1 = ST = 1 up to the estimator's error, which its interval states
    assert abs(time.loc[DRIVER, "ST"] - 1.0) <= max(time.loc[DRIVER, "ST_conf"], 1e-9)


def test_the_ends_say_whether_the_verdict_flips(known: Path) -> None:
    """A target 30 min after the base district time: the high end (+57 min) misses it.

    2 of 2 in time decide nothing (UNDECIDED); 0 of 2 is FAIL (upper bound 1 − 0.05^½ < 0.95).
    """
    base_min = run(load_scenario(known), 1, 3, write=False).replications["t_full_min"].iloc[0]
    target = f"target.minutes={base_min + 30.0}"
    result = analyse(load_scenario(known, [target]), [DRIVER, INERT], _settings("morris", 2))
    ends = result.ends.set_index("key")
    assert list(ends.index) == [DRIVER]
    assert ends.loc[DRIVER, "base"] == "UNDECIDED (2/2)"
    assert ends.loc[DRIVER, "high"] == "FAIL (0/2)" and ends.loc[DRIVER, "flips"]
    assert ends.loc[DRIVER, "low"] == "UNDECIDED (2/2)"
    # the tornado's bar: the driver adds its range to the district time, minute for minute
    swing = ends.loc[DRIVER, "high_min"] - ends.loc[DRIVER, "low_min"]
    assert swing == pytest.approx(HIGH_MIN - LOW_MIN, rel=1e-9)


def test_default_selection_leaves_out_door_to_door_and_other_periods() -> None:
    scenario = load_scenario()
    chosen = {p.key for p in select(parameters(scenario), [], scenario)}
    assert "members.presence.day.away" in chosen and "members.presence.night.away" not in chosen
    assert "members.availability.day" in chosen and "members.availability.night" not in chosen
    assert not any(key.startswith(("canvass.", "action.", "scan.")) for key in chosen)


def test_every_baseline_range_loads_at_both_ends() -> None:
    scenario = load_scenario()
    for parameter in parameters(scenario):
        for u in (0.0, 1.0):
            changes = parameter.changes(u)
            changed = scenario.with_(changes)
            assert all(changed.get(key) == value for key, value in changes.items())


def test_a_beta_parameter_s_values_are_scipy_stats_beta_quantiles() -> None:
    from scipy import stats

    found = [p for p in parameters(load_scenario()) if p.kind == "beta"]
    assert found
    for parameter in found:
        for u in (0.0, 0.3, 0.5, 1.0):
            q = (1.0 - PRIOR_MASS) / 2 + PRIOR_MASS * u  # the prior's central 95%
            assert parameter.value(u) == float(stats.beta.ppf(q, parameter.low, parameter.high))


def test_a_share_keeps_its_row_summing_to_one() -> None:
    scenario = load_scenario()
    share = next(p for p in parameters(scenario) if p.key == "members.presence.day.away")
    row = scenario.with_(share.changes(1.0)).get("members.presence.day")
    assert row["away"] == pytest.approx(0.20) and sum(row.values()) == pytest.approx(1.0)
    base = scenario.get("members.presence.day")
    assert row["home"] / row["work"] == pytest.approx(base["home"] / base["work"])


@pytest.mark.parametrize("entry,fragment", [
    ('{key = "no.such", low = 1.0, high = 2.0}', "no such scenario key"),
    ('{key = "cadres.speed_kmh", low = 5.0, high = 2.0}', "above high"),
    ('{key = "cadres.speed_kmh", beta = [0.0, 1.0]}', "positive"),
    ('{key = "alert.weekday", factor = [0.5, 2.0]}', "factor is for a distribution or a number"),
    ('{key = "alert.weekday", low = 1.0, high = 2.0}', "a range needs a number or a clock"),
    ('{key = "cadres.speed_kmh"}', "give low and high"),
])
def test_a_bad_range_is_one_input_error_naming_it(tmp_path: Path, entry: str,
                                                  fragment: str) -> None:
    scenario = load_scenario(write_scenario(tmp_path, f"sensitivity.ranges=[{entry}]"))
    with pytest.raises(InputError, match=fragment):
        parameters(scenario)


def test_cli_prints_the_ranking_and_json(known: Path) -> None:
    args = ["sensitivity", str(known), "--size", "2", "-n", "2", "-j", "1", "--quiet",
            "--ends-top", "0", "--parameters", f"{DRIVER},{INERT}"]
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[2].startswith("parameter") and lines[3].startswith(DRIVER)
    found = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)
    assert found["indices"]["quantile_min"][INERT]["mu_star"] == 0.0
    bad = CliRunner().invoke(main, [*args[:-1], "no.such"])
    assert bad.exit_code == 2 and "--parameters: no.such" in bad.stderr


def test_validate_reports_a_bad_range(tmp_path: Path) -> None:
    from mobsim.runner import validate as problems

    path = write_scenario(tmp_path, 'sensitivity.ranges=[{key = "no.such", low = 1.0, high = 2.0}]')
    found = problems(str(path))
    assert len(found) == 1 and "sensitivity.ranges[0]" in found[0] and "no.such" in found[0]


def test_a_factor_scales_a_number_set_where_the_baseline_has_a_distribution() -> None:
    scenario = load_scenario(None, ["channels.phone.call_min=2.0"])
    factor = next(p for p in parameters(scenario) if p.key == "channels.phone.call_min")
    assert factor.changes(1.0) == {"channels.phone.call_min": 4.0}  # × 2 at the high end


def test_cli_writes_a_folder_whose_report_puts_the_driver_first(known: Path,
                                                                tmp_path: Path) -> None:
    from report_fixtures import parse_page

    out = tmp_path / "analysis"
    args = ["sensitivity", str(known), "--size", "2", "-n", "2", "-j", "1", "--quiet",
            "--ends-top", "2", "--ends-replications", "2", "--parameters", f"{INERT},{DRIVER}",
            "-o", str(out)]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    report = CliRunner().invoke(main, ["report", str(out)])
    assert report.exit_code == 0, report.output
    page = parse_page((out / "report.html").read_text("utf-8"))
    assert [page.values["rank-1"], page.values["rank-2"]] == [DRIVER, INERT]
    assert [page.values["tornado-1"], page.values["tornado-2"]] == [DRIVER, INERT]
    assert len(page.images) == 1


def test_one_trajectory_says_what_it_cannot_give_and_warns_of_nothing(known: Path) -> None:
    """`--size 1`: σ and μ*'s interval need two trajectories; said in words, no NumPy warning."""
    result = CliRunner().invoke(main, ["sensitivity", str(known), "--parameters",
                                       f"{DRIVER},{INERT}", "--size", "1", "-n", "2",
                                       "--ends-top", "0", "-j", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "RuntimeWarning" not in result.output and "nan" not in result.stdout
    driver = next(line for line in result.stdout.splitlines() if line.startswith(DRIVER))
    assert "needs two trajectories" in driver and "±" not in driver
    assert "σ and the ± of μ* need two trajectories or more (--size 2)" in result.stdout
    both = CliRunner().invoke(main, ["sensitivity", str(known), "--parameters",
                                     f"{DRIVER},{INERT}", "--size", "1", "-n", "2",
                                     "--ends-top", "0", "-j", "1", "--quiet", "--json"])
    assert json.loads(both.stdout)["indices"]["quantile_min"][DRIVER]["sigma"] is None


def test_the_progress_counts_replications_of_the_design_and_the_ends(known: Path) -> None:
    seen: list[tuple[int, int]] = []
    settings = _settings("morris", 2)
    analyse(load_scenario(known), [DRIVER, INERT], settings, progress=lambda *a: seen.append(a))
    design = 2 * (2 + 1) * settings.replications
    ends = (1 + 2 * settings.ends_top) * settings.ends_replications
    assert seen[-1] == (design + ends, design + ends)
    assert [done for done, _ in seen] == list(range(1, design + ends + 1))
