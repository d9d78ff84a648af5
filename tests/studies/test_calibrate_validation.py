"""Validation: the drill simulated again agrees with its log, and a wrong scenario is told apart."""

from __future__ import annotations

import numpy as np
from calibrate_fixtures import drill_files

from mobsim.district import load_district
from mobsim.scenario import load_scenario
from mobsim.studies.calibration.validation import validate

REPLICATIONS = 4


def _members(validation, step: str):
    summary = validation.summary
    return summary[(summary["role"] == "member") & (summary["step"] == step)].iloc[0]


def test_the_model_that_made_the_log_agrees_and_a_wrong_one_does_not(tmp_path) -> None:
    scenario_path, _, scenario, log = drill_files(tmp_path, 120.0)
    district = load_district(scenario)
    # Other seeds than the log's: the simulated drills share no draw with it.
    right = validate(log, district, scenario, REPLICATIONS, seed=2)
    wrong = validate(log, district, load_scenario(scenario_path, ["members.availability.day=0.4"]),
                     REPLICATIONS, seed=2)
    for step in ("acknowledged_min", "arrived_min"):
        # Under the right model the log is one more replication: over seeds, the chance that it
        # is farther from the others than every one of the REPLICATIONS is 1 / (REPLICATIONS + 1).
        assert _members(right, step)["ks_statistic"] <= _members(right, step)["ks_model_max"]
    arrived = _members(wrong, "arrived_min")
    assert arrived["ks_statistic"] > arrived["ks_model_max"]
    assert arrived["simulated_high"] < arrived["observed_share"]
    # Acknowledging does not depend on availability: the wrong model still matches it.
    assert _members(wrong, "acknowledged_min")["ks_statistic"] <= \
        _members(wrong, "acknowledged_min")["ks_model_max"]

def test_curves_rise_to_the_summary_shares_and_the_band_holds_the_mean(tmp_path) -> None:
    _, _, scenario, log = drill_files(tmp_path, 120.0)
    validation = validate(log, load_district(scenario), scenario, 2, seed=3)
    for row in validation.summary.itertuples():
        curve = validation.curves[(validation.curves["role"] == row.role)
                                  & (validation.curves["step"] == row.step)]
        assert np.all(np.diff(curve["observed_share"]) >= 0)
        assert curve["observed_share"].iloc[-1] == row.observed_share
        rows = log.role(row.role)[row.step]
        assert row.observed_share == rows.notna().sum() / len(rows)
        assert np.all((curve["simulated_low"] <= curve["simulated_share"] + 1e-12)
                      & (curve["simulated_share"] <= curve["simulated_high"] + 1e-12))
