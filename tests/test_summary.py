"""Tests of the printed run summary."""

import numpy as np
import pandas as pd

from mobsim.reports.summary import format_summary
from mobsim.scenario.params import Settings, Target

TARGET = Target(180.0, 0.95, 0.95, 0.0)


def _reps(t_full: list[float], reached: list[float] | None = None) -> pd.DataFrame:
    n = len(t_full)
    return pd.DataFrame({"t_full_min": t_full, "share_activated_at_target": [1.0] * n,
                         "share_households_reached_at_target": reached or [0.5] * n,
                         "met_target": [t <= 180 for t in t_full], "gaps_by_grid_worker": [5] * n,
                         "gaps_by_cadre": [7] * n, "never_activated": [0] * n})


def test_verdict_follows_the_quantile() -> None:
    met = format_summary("s", _reps([100.0] * 20), TARGET)
    assert "MET" in met.splitlines()[-1] and "NOT MET" not in met
    missed = format_summary("s", _reps([100.0] * 18 + [200.0, 200.0]), TARGET)
    assert "NOT MET" in missed.splitlines()[-1]
    assert "18 of 20" in missed


def test_households_reached_line_counts_replications_at_the_asked_share() -> None:
    reps = _reps([100.0] * 4, reached=[0.2, 0.5, 0.6, 0.7])
    plain = format_summary("s", reps, TARGET)
    assert "households reached door to door by 180 min: 50.00% (mean over replications)" in plain
    assert "replications reached at least" not in plain
    asked = format_summary("s", reps, Target(180.0, 0.95, 0.95, 0.5))
    assert "; 3 of 4 replications reached at least 50%" in asked


def test_scan_summary_gives_weeks_median_and_quantile() -> None:
    days = [7.0 * w for w in range(1, 21)]
    reps = pd.DataFrame({"days_to_95pct": days, "days_to_full": days[:19] + [np.nan],
                         "share_verified_at_horizon": [0.98] * 20})
    text = format_summary("scan", reps, TARGET)
    assert "building-scan campaign" in text
    assert "95% of households verified: median 10.0 weeks   95th pct 19.0 weeks" in text
    assert "median 10.0 weeks   95th pct 19.0 weeks   not within the horizon: 1 of 20" in text
    assert "households verified within the horizon: 98.00%" in text


def test_the_verdict_names_both_checks_and_the_overall_answer() -> None:
    from mobsim.reports.summary import format_verdict
    from mobsim.results.check import check_run
    from mobsim.scenario.files import load_scenario

    scenario = load_scenario(None, ["target.households_share=0.3"])
    reps = pd.DataFrame({"t_full_min": [100.0] * 59, "share_households_reached_at_target": [0.1] * 59})
    text = format_verdict("s", check_run(reps, Settings(scenario).target))
    assert "verdict: PASS" in text and "replications reaching it: 0 of 59" in text
    assert text.splitlines()[-1] == "overall: FAIL"
