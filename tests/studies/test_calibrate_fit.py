"""Censored maximum likelihood: against closed forms and scipy.stats, and recovering mobsim's own parameters."""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pandas as pd
import pytest
from calibrate_fixtures import NIGHT, drill_files, true_values
from click.testing import CliRunner
from scipy import stats

from mobsim.cli import main
from mobsim.codes import COMPOUND_TYPES
from mobsim.district import load_district
from mobsim.scenario import load_scenario
from mobsim.studies.calibration.censored import Durations, fit
from mobsim.studies.calibration.fitted import fit_log, fitted_toml, write_fitted
from mobsim.studies.calibration.speeds import fit_speeds
from mobsim.studies.calibration.synthetic import simulated_drill

BONFERRONI = 0.999
"""Per-parameter confidence in the recovery tests: with about 15 parameters a fit, every interval
holds its true value with probability at least 1 − 15 × 0.001 ≈ 0.985 (Bonferroni)."""


def _censored_sample(rng: np.random.Generator, draws: np.ndarray, window: np.ndarray) -> Durations:
    return Durations("exponential", draws[draws < window], window[draws >= window])


def test_exponential_estimate_and_interval_are_the_closed_form() -> None:
    rng = np.random.default_rng(7)
    group = _censored_sample(rng, rng.exponential(40.0, 500), rng.uniform(5.0, 60.0, 500))
    estimate = fit({"g": group}).groups["g"].params["mean"]
    # With censoring the exponential MLE is total time on test over events.
    events, total = len(group.exact), group.exact.sum() + group.censored.sum()
    assert estimate.value == pytest.approx(total / events, rel=1e-4)

    def loglik(mean: float) -> float:
        return -events * math.log(mean) - total / mean

    drop = stats.chi2.ppf(0.95, 1) / 2
    for bound in (estimate.low, estimate.high):
        assert loglik(total / events) - loglik(bound) == pytest.approx(drop, abs=1e-3)
    assert estimate.low < total / events < estimate.high


def test_lognormal_fit_agrees_with_scipy_stats_on_censored_data() -> None:
    rng = np.random.default_rng(11)
    draws, window = rng.lognormal(math.log(6.0), 0.7, 800), rng.uniform(3.0, 20.0, 800)
    exact, censored = draws[draws < window], window[draws >= window]
    ours = fit({"g": Durations("lognormal", exact, censored)}).groups["g"].params
    sigma, _, median = stats.lognorm.fit(stats.CensoredData(uncensored=exact, right=censored),
                                         floc=0)
    assert ours["median"].value == pytest.approx(median, rel=1e-3)
    assert ours["sigma"].value == pytest.approx(sigma, rel=1e-3)


def test_a_shared_probability_is_recovered_with_its_groups() -> None:
    rng = np.random.default_rng(3)
    n, p = 3000, 0.8
    happens = rng.uniform(size=n) < p
    draws = np.where(happens, rng.lognormal(math.log(5.0), 0.6, n), np.inf)
    window = rng.uniform(10.0, 40.0, n)
    joint = fit({"g": Durations("lognormal", draws[draws < window], window[draws >= window])},
                with_probability=True, confidence=BONFERRONI)
    assert joint.probability.low < p < joint.probability.high
    assert joint.groups["g"].params["median"].low < 5.0 < joint.groups["g"].params["median"].high


WITHOUT_SET_OUT = {"cascade.communities.processing_min", "cascade.gridworkers.processing_min",
                   "channels.messaging.read_min.home", "channels.messaging.read_min.work",
                   "channels.messaging.reach", "members.prepare_min.home",
                   "members.availability.day"}
FROM_SET_OUT = {"members.prepare_min.work", "travel.from_work_min", "travel.walk_speed_mps"}
EXPECTED_DAY = WITHOUT_SET_OUT | FROM_SET_OUT
EXPECTED_NIGHT = {"cascade.gridworkers.processing_min", "channels.messaging.read_min.asleep",
                  "channels.messaging.reach", "members.prepare_min.asleep",
                  "members.availability.night"}


@pytest.mark.parametrize("settings, window_min, set_out, expected", [
    ((), 120.0, True, EXPECTED_DAY),
    ((), 120.0, False, WITHOUT_SET_OUT),
    (NIGHT, 240.0, True, EXPECTED_NIGHT),
], ids=["day", "day-without-set-out", "night"])
def test_every_informed_parameter_is_recovered_within_its_interval(
        tmp_path, settings, window_min, set_out, expected) -> None:
    _, _, scenario, log = drill_files(tmp_path, window_min, *settings)
    if not set_out:
        # Preparation is then arrival less the base travel, for members at home or asleep.
        log.rows["set_out_min"] = np.nan
    fitted = fit_log(log, load_district(scenario), scenario, BONFERRONI)
    assert expected <= {value.key for value in fitted}
    assert set_out or not FROM_SET_OUT & {value.key for value in fitted}
    _assert_within_intervals(fitted, scenario)


def _assert_within_intervals(fitted, scenario) -> None:
    for value in fitted:
        truth = true_values(scenario, value.key)
        for name, estimate in value.intervals.items():
            # Relative 1e-12 for float rounding: every walk in the model is at exactly one speed,
            # so that speed's interval is a point.
            slack = 1e-12 * abs(truth[name])
            assert estimate.low - slack <= truth[name] <= estimate.high + slack, \
                (value.key, name, estimate, truth)


def test_heavy_censoring_fits_without_the_bias_of_dropping_the_silent(tmp_path) -> None:
    # At 03:00 with a 90-minute window most members are still asleep and silent at its end
    # (no sub-district duty officer: the order reaches them as late as everyone's sleep makes it).
    _, _, scenario, log = drill_files(tmp_path, 90.0, *NIGHT, "duty_officers.subdistricts=false")
    members = log.role("member")
    assert members["acknowledged_min"].isna().mean() > 0.8
    fitted = {v.key: v for v in fit_log(log, load_district(scenario), scenario, BONFERRONI)}
    asleep = fitted["channels.messaging.read_min.asleep"]
    estimate, truth = asleep.intervals["mean"], true_values(scenario, asleep.key)["mean"]
    assert asleep.censored > asleep.exact
    assert estimate.low <= truth <= estimate.high
    # The naive fit keeps only those who read in time: the exponential MLE is their mean.
    read = members[(members["channel"] == "messaging") & (members["state"] == "asleep")]
    naive_mean = float(np.mean(read["acknowledged_min"] - _relay_min(log, read.index)))
    assert naive_mean < estimate.low


def _relay_min(log, index) -> np.ndarray:
    """The relay of each member's grid worker: the earliest notification in the general grid."""
    members = log.role("member")
    grid_of = members["post_id"] // 10  # small_district: 10 micro-grids a general grid
    first = members.groupby(grid_of)["notified_min"].transform("min")
    return first.loc[index].to_numpy()


def test_the_cli_writes_a_scenario_that_loads_with_the_fitted_values(tmp_path) -> None:
    scenario_path, log_path, scenario, _ = drill_files(tmp_path, 120.0)
    out = tmp_path / "fitted" / "drill-fitted.toml"
    result = CliRunner().invoke(main, ["calibrate", str(log_path), "--scenario",
                                       str(scenario_path), "-o", str(out), "-n", "2",
                                       "--seed", "2"])
    assert result.exit_code == 0, result.output
    fitted = load_scenario(out)
    spec = fitted.get("cascade.gridworkers.processing_min")
    assert spec["dist"] == "lognormal"
    line = next(l for l in result.stdout.splitlines()
                if l.strip().startswith("cascade.gridworkers.processing_min.median"))
    assert float(line.split()[1]) == pytest.approx(spec["median"], rel=1e-3)
    text = out.read_text(encoding="utf-8")
    assert f"fitted to {log_path}, n = " in text and "profile-likelihood interval" in text
    # What the log does not inform stays as in the base scenario.
    for key in ("channels.phone.answer.home", "travel.detour_factor", "cascade.units.order_min"):
        assert fitted.get(key) == scenario.get(key)
    assert fitted.get("district.path") and len(load_district(fitted).members["member_id"]) == 960
    curves = pd.read_csv(out.with_name("drill-fitted-validation.csv"))
    assert {"member"} <= set(curves["role"]) and (curves["simulated_low"] <= curves["simulated_high"]).all()
    assert "validation: the drill simulated 2 times" in result.stdout
    page = out.with_name("drill-fitted-validation.html").read_text(encoding="utf-8")
    assert page.count("<img ") == len(curves.groupby(["role", "step"]))
    shown = re.search(r'id="fit-cascade\.gridworkers\.processing_min\.median" data-value="([^"]+)"',
                      page)
    assert float(shown[1]) == pytest.approx(spec["median"], rel=1e-4)  # the file keeps 5 digits


@pytest.mark.slow
def test_a_xindu_sized_drill_is_recovered() -> None:
    # About 17,000 people: the size of the closing note's fit-time figure.
    scenario = load_scenario(None)
    district = load_district(scenario)
    log = simulated_drill(district, scenario, 1, 0, 180.0)
    assert len(log.rows) > 17_000
    fitted = fit_log(log, district, scenario, BONFERRONI)
    assert EXPECTED_DAY <= {value.key for value in fitted}
    _assert_within_intervals(fitted, scenario)


def test_a_log_without_states_is_fitted_pooled_into_every_state_it_has(tmp_path) -> None:
    scenario_path, _, scenario, log = drill_files(tmp_path, 120.0)
    log.rows["state"] = ""
    fitted = fit_log(log, load_district(scenario), scenario)
    keys = {value.key for value in fitted}
    assert {f"channels.messaging.read_min.{s}" for s in ("home", "work", "asleep", "away")} <= keys
    # members.prepare_min has no "away" key: the pooled fit goes only where the scenario has one.
    assert {k for k in keys if k.startswith("members.prepare_min.")} == {
        f"members.prepare_min.{s}" for s in scenario.get("members.prepare_min")}
    out = tmp_path / "pooled.toml"
    write_fitted(fitted_toml(fitted, log, str(scenario_path), out), out)
    loaded = load_scenario(out)
    assert loaded.get("channels.messaging.read_min.asleep") == loaded.get("channels.messaging.read_min.home")
    assert "pooled over states" in out.read_text(encoding="utf-8")


def test_a_walking_speed_that_varies_gets_the_ratio_estimate_and_a_bootstrap_interval(tmp_path) -> None:
    _, _, scenario, log = drill_files(tmp_path, 120.0)
    rows = log.rows
    walked = (rows["role"] == "member") & rows["state"].isin(("home", "asleep")) \
        & rows["set_out_min"].notna() & rows["arrived_min"].notna()
    # The walk is the trip less the fixed minutes inside the post's compound.
    district = load_district(scenario)
    post = district.position("microgrids", rows.loc[walked, "post_id"].to_numpy())
    inside = np.array([scenario.get(f"travel.inside_compound_min.{name}") for name in COMPOUND_TYPES])
    inside_min = inside[district.microgrids["compound_type"][post]]
    trip_min = rows.loc[walked, "arrived_min"] - rows.loc[walked, "set_out_min"] - inside_min
    slower = np.random.default_rng(5).lognormal(0.0, 0.3, int(walked.sum()))
    rows.loc[walked, "arrived_min"] = rows.loc[walked, "set_out_min"] + inside_min + trip_min * slower
    assert not (rows["arrived_min"] >= log.window_min).any()  # walks take minutes
    speeds = {key: estimate for key, estimate, _ in
              fit_speeds(dataclasses.replace(log, rows=rows), district, scenario, 0.95)}
    estimate = speeds["travel.walk_speed_mps"]
    # By hand: every member lives 0.3 km from the post (DRILL_SHAPE), route 0.3 x detour.
    route_km = 0.3 * scenario.get("travel.detour_factor")
    hours = (trip_min * slower).to_numpy() / 60.0
    assert estimate.value == pytest.approx(route_km * len(hours) / hours.sum() / 3.6, rel=1e-9)
    assert estimate.low < estimate.value < estimate.high
