"""Tests of `mobsim check`'s verdict: district time and the households-reached measure."""

import numpy as np
import pandas as pd
import pytest

from mobsim.errors import InputError
from mobsim.results.check import check_run, require_wartime
from mobsim.scenario.files import load_scenario
from mobsim.scenario.params import Settings


def _reps(t_full: list[float], reached: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"t_full_min": t_full, "share_households_reached_at_target": reached})


def test_without_a_households_share_only_the_district_time_is_checked() -> None:
    verdict = check_run(_reps([100.0] * 59, [0.0] * 59), Settings(load_scenario()).target)
    assert verdict.households is None and verdict.passed
    assert verdict.to_dict()["passed"] is True and "households" not in verdict.to_dict()


def test_the_households_measure_must_also_be_shown() -> None:
    scenario = load_scenario(None, ["target.households_share=0.3"])
    reached = [0.5] * 58 + [0.2]
    verdict = check_run(_reps([100.0] * 59, reached), Settings(scenario).target)
    assert verdict.district.passed and not verdict.households.passed
    assert verdict.households.within_target == 58 and not verdict.passed
    assert check_run(_reps([100.0] * 59, [0.5] * 59), Settings(scenario).target).passed


def test_a_replication_that_never_reached_anyone_counts_as_failing() -> None:
    scenario = load_scenario(None, ["target.households_share=0.3"])
    verdict = check_run(_reps([100.0] * 59, [np.nan] + [0.5] * 58), Settings(scenario).target)
    assert verdict.households.within_target == 58


def test_check_needs_a_wartime_scenario() -> None:
    with pytest.raises(InputError, match="needs a wartime scenario"):
        require_wartime(load_scenario(None, ['mode="scan"']), "check")
    require_wartime(load_scenario(), "check")
