"""The verdict under each standard definition of "mobilized", side by side.

A planner reads from it whether the answer hangs on the last few posts: the target percentile
and the bound check of the district time (and of the able-to-act minute) under every posts,
99.9% and 99% of posts, and every community at 95% of its posts, with the scenario's own
definition marked (and added when it is none of these).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mobsim.results.bound import check_bound
from mobsim.results.definitions import STANDARD, definition_minutes, minutes_column
from mobsim.results.run import Run
from mobsim.results.stats import order_statistic
from mobsim.scenario.params import Target

MEASURE_PREFIXES: dict[str, str] = {"district": "", "act": "act_"}
"""Prefix of each measure's columns in the table: mobilized, able to act."""


def definition_verdicts(run: Run) -> pd.DataFrame:
    """The table of `verdicts_by_definition` for a run (its replications and its target)."""
    return verdicts_by_definition(run.replications, run.target)


def verdicts_by_definition(replications: pd.DataFrame, target: Target) -> pd.DataFrame:
    """One row per definition: STANDARD in order, then the target's own if it is none of them.

    Columns: `definition` ("posts:0.99", "all"), `label`, `own` (the target's definition),
    `replications`, `quantile`, and per measure (no prefix: mobilized; `act_`: able to act,
    when the run has the tasks) `quantile_min` (the empirical target percentile, +inf: never),
    `upper_bound_min` (the one-sided bound, NaN when none; +inf: never), `within_target` and
    `verdict`. A definition the replications have no minutes of (a run made before the
    definitions holds every post alone) has no row.
    """
    own = target.definition
    definitions = [*STANDARD, *(() if any(own.same_as(d) for d in STANDARD) else (own,))]
    measures = ["district", *(("act",) if "t_act_min" in replications.columns else ())]
    kept = [d for d in definitions if minutes_column(replications, d, "district", own)]
    rows = []
    for definition in kept:
        row = {"definition": definition.spec, "label": definition.label,
               "own": definition.same_as(own), "replications": len(replications),
               "quantile": target.quantile}
        for measure in measures:
            row.update(_figures(definition_minutes(replications, definition, measure, own),
                                target, MEASURE_PREFIXES[measure]))
        rows.append(row)
    return pd.DataFrame(rows)


def _figures(times_min: np.ndarray, target: Target, prefix: str) -> dict:
    check = check_bound(times_min, target.minutes, target.quantile, target.confidence)
    upper = math.nan
    if check.order_index is not None:  # NaN there is a replication that never finished
        upper = math.inf if math.isnan(check.upper_bound_min) else check.upper_bound_min
    return {f"{prefix}quantile_min": order_statistic(times_min, target.quantile),
            f"{prefix}upper_bound_min": upper,
            f"{prefix}within_target": check.within_target, f"{prefix}verdict": check.verdict}
