"""Tests of the printed run summary."""

import numpy as np
import pandas as pd

from mobsim.summary import empirical_quantile, format_summary


def test_empirical_quantile_is_an_order_statistic() -> None:
    times = np.arange(1.0, 21.0)
    assert empirical_quantile(times, 0.95) == 19.0
    assert empirical_quantile(times, 1.0) == 20.0
    assert empirical_quantile(times, 0.5) == 10.0


def test_never_counts_as_infinitely_late() -> None:
    times = np.array([10.0, np.nan, 30.0])
    assert np.isnan(empirical_quantile(times, 1.0))
    assert empirical_quantile(times, 0.6) == 30.0


def _reps(t_full: list[float]) -> pd.DataFrame:
    n = len(t_full)
    return pd.DataFrame({"t_full_min": t_full, "share_activated_at_target": [1.0] * n,
                         "met_target": [t <= 180 for t in t_full], "gaps_by_grid_worker": [5] * n,
                         "gaps_by_cadre": [7] * n, "never_activated": [0] * n})


def test_verdict_follows_the_quantile() -> None:
    met = format_summary("s", _reps([100.0] * 20), 180.0, 0.95)
    assert "MET" in met.splitlines()[-1] and "NOT MET" not in met
    missed = format_summary("s", _reps([100.0] * 18 + [200.0, 200.0]), 180.0, 0.95)
    assert "NOT MET" in missed.splitlines()[-1]
    assert "18 of 20" in missed
