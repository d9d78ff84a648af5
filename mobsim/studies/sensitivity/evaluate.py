"""Run a scenario at design points with common random numbers and measure what a planner asks.

Every point runs replications 0 … R−1 of the same seed, so replication r draws from the same
streams at every point and two points differ only where their parameters matter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mobsim.results.bound import check_bound
from mobsim.results.definitions import definition_minutes
from mobsim.results.stats import order_statistic
from mobsim.runner import Executor, ProgressFn
from mobsim.runner.local import run_local
from mobsim.runner.many import summaries
from mobsim.scenario import Scenario
from mobsim.scenario.params import Settings
from mobsim.scenario.ranges import Parameter

OUTPUTS = {"quantile_min": "target percentile of the district time, mobilized as the scenario "
                           "defines it (min; never = horizon)",
           "share_on_post": "share of micro-grids on post by the target (mean)"}
"""The outputs each design point is measured by, with their meaning."""


def measure(replications: pd.DataFrame, scenario: Scenario) -> dict:
    """The outputs and the verdict of one point's replications.

    The district time is the minute the district counts as mobilized under the scenario's
    definition (`target.definition`, `target.share`). A replication that never was counts as
    the horizon, not as +inf, so that effects stay finite; the verdict counts it as late, as
    everywhere.
    """
    settings = Settings(scenario)
    target = settings.target
    t_mobilized = definition_minutes(replications, target.definition)
    capped = np.where(np.isfinite(t_mobilized), t_mobilized, settings.horizon_min)
    check = check_bound(t_mobilized, target.minutes, target.quantile, target.confidence)
    return {"quantile_min": order_statistic(capped, target.quantile),
            "share_on_post": float(replications["share_activated_at_target"].mean()),
            "within_target": check.within_target, "replications": check.replications,
            "verdict": check.verdict}


def point_changes(parameters: Sequence[Parameter], unit: Sequence[float]) -> dict[str, Any]:
    """Typed values of one design point (unit positions, one per parameter)."""
    return {key: value for parameter, u in zip(parameters, unit)
            for key, value in parameter.changes(u).items()}


def evaluate(base: Scenario, parameters: Sequence[Parameter], points: np.ndarray,
             replications: int, seed: int, jobs: int, executor: Executor = run_local,
             progress: ProgressFn | None = None) -> pd.DataFrame:
    """One row per design point (rows of `points`, unit positions): its outputs and verdict;
    `progress(done, total)` counts the replications of all the points."""
    return evaluate_scenarios([base.with_(point_changes(parameters, unit)) for unit in points],
                              replications, seed, jobs, executor, progress)


def evaluate_scenarios(scenarios: Sequence[Scenario], replications: int, seed: int, jobs: int,
                       executor: Executor = run_local,
                       progress: ProgressFn | None = None) -> pd.DataFrame:
    """One row per scenario: its outputs and verdict, every scenario's replications run as one
    stream on the executor (no worker waits at the end of a point)."""
    found = summaries(scenarios, replications, seed, jobs, executor, progress)
    return pd.DataFrame([measure(rows, scenario) for rows, scenario in zip(found, scenarios)])
