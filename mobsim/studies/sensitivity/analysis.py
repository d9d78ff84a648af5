"""`mobsim sensitivity`: which placeholders the district time and the verdict hang on."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mobsim.errors import InputError
from mobsim.results.check import require_wartime
from mobsim.runner import Executor, ProgressFn, within
from mobsim.runner.local import pool_for, run_local
from mobsim.scenario import Scenario
from mobsim.scenario.ranges import Parameter, parameters, select
from mobsim.studies.sensitivity.design import indices, ranking_column, sample
from mobsim.studies.sensitivity.evaluate import OUTPUTS, evaluate, evaluate_scenarios


@dataclass(frozen=True)
class Settings:
    """How a sensitivity analysis runs: design, replications per point, the verdict ends."""

    method: str = "morris"
    size: int = 4
    replications: int = 20
    seed: int = 1
    jobs: int = 1
    ends_top: int = 5
    ends_replications: int = 59


@dataclass(frozen=True)
class SensitivityResult:
    """The design, each point's outputs, the indices per output and the verdict at the ends."""

    settings: Settings
    parameters: list[Parameter]
    points: np.ndarray
    outputs: pd.DataFrame
    indices: dict[str, pd.DataFrame]
    ends: pd.DataFrame
    elapsed_s: float

    def ranking(self) -> pd.DataFrame:
        """Both outputs' indices side by side, ranked by the district-time index, then on post.

        The tie-break matters when the target percentile never moves (it is never, counted as
        the horizon, at every point: the night order).
        """
        column = ranking_column(self.settings.method)
        table = pd.concat({name: frame for name, frame in self.indices.items()}, axis=1)
        table.insert(0, ("range", ""), [p.describe_range() for p in self.parameters])
        return table.sort_values([("quantile_min", column), ("share_on_post", column)],
                                 ascending=False)


def analyse(scenario: Scenario, keys: Sequence[str] | None, settings: Settings,
            executor: Executor = run_local,
            progress: ProgressFn | None = None) -> SensitivityResult:
    """Sample the ranges of the chosen parameters, run every point, compute the indices;
    `progress(done, total)` counts the replications of the design and of the ends."""
    started = time.perf_counter()
    require_wartime(scenario, "sensitivity")
    chosen = select(parameters(scenario), list(keys or ()), scenario)
    if not chosen:
        raise InputError(f"{scenario.name}: no parameter with a range to vary")
    names = [p.key for p in chosen]
    points = sample(settings.method, names, settings.size, settings.seed)
    design = len(points) * settings.replications
    top_count = min(settings.ends_top, len(chosen))
    total = design + ((1 + 2 * top_count) * settings.ends_replications if top_count else 0)
    with pool_for(executor, settings.jobs) as run_on:  # one pool for the design and the ends
        outputs = evaluate(scenario, chosen, points, settings.replications, settings.seed,
                           settings.jobs, run_on, within(progress, 0, total))
        found = {name: indices(settings.method, names, points,
                               outputs[name].to_numpy(dtype=float), settings.seed)
                 for name in OUTPUTS}
        ranked = found["quantile_min"][ranking_column(settings.method)].sort_values(
            ascending=False)
        top = [p for p in chosen if p.key in set(ranked.index[:settings.ends_top])]
        ends = verdict_at_ends(scenario, top, settings, run_on, within(progress, design, total))
    return SensitivityResult(settings, chosen, points, outputs, found, ends,
                             time.perf_counter() - started)


END_COLUMNS = ["key", "range", "low", "base", "high", "flips", "low_min", "base_min", "high_min"]
"""The verdict at the ends (texts "VERDICT (in time/replications)") and the target percentile."""


def verdict_at_ends(scenario: Scenario, chosen: Sequence[Parameter], settings: Settings,
                    executor: Executor = run_local,
                    progress: ProgressFn | None = None) -> pd.DataFrame:
    """Each parameter alone at the low and high end of its range: does the verdict change?

    Also the target percentile of the district time at each end and at the scenario's own
    values: the bars of the tornado chart. `progress(done, total)` counts their replications.
    """
    if not chosen:
        return pd.DataFrame(columns=END_COLUMNS)
    ends = [scenario.with_(parameter.changes(end)) for parameter in chosen for end in (0.0, 1.0)]
    found = evaluate_scenarios([scenario, *ends], settings.ends_replications, settings.seed,
                               settings.jobs, executor, progress)
    base, *points = found.itertuples()
    rows = []
    for parameter, low, high in zip(chosen, points[0::2], points[1::2]):
        rows.append({"key": parameter.key, "range": parameter.describe_range(),
                     "low": _verdict_text(low), "base": _verdict_text(base),
                     "high": _verdict_text(high),
                     "flips": low.verdict != base.verdict or high.verdict != base.verdict,
                     "low_min": low.quantile_min, "base_min": base.quantile_min,
                     "high_min": high.quantile_min})
    return pd.DataFrame(rows, columns=END_COLUMNS)


def _verdict_text(point) -> str:
    return f"{point.verdict} ({point.within_target}/{point.replications})"
