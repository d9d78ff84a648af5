"""Rows of the wartime tasks: the `tasks` and `task_curves` tables, and their summary columns."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from mobsim.codes import TASKS
from mobsim.district.schemas import category_array
from mobsim.model.tasks.outcome import TaskWork
from mobsim.model.tasks.rounds import first_activation_min
from mobsim.results.definitions import Grouping, definition_columns, definition_row, reached_min
from mobsim.results.rows import coverage
from mobsim.scenario.params import Definition

TASK_SUMMARY_COLUMNS: tuple[str, ...] = (
    "t_act_min", *definition_columns("act"), "act_limited_by", "share_informed_at_target",
    "share_tested_at_target", "share_supplied_at_target", "checkpoints_kept_at_target")
"""Columns the tasks add to replications.parquet (see docs/outputs.md)."""


def tasks_table(work: TaskWork, community_ids: np.ndarray, replication: int) -> pa.Table:
    """The tasks.parquet rows: one per community and task."""
    records = work.tasks
    n = len(records)
    return pa.table([
        pa.array(np.full(n, replication, dtype=np.int32)),
        pa.array(community_ids[records["community"]].astype(np.int32)),
        category_array(records["task"], TASKS),
        pa.array(records["able_min"], pa.float64()),
        pa.array(records["staff_at_target"], pa.int32()),
        pa.array(records["done_at_target"], pa.float64()),
    ], names=["replication", "community_id", "task", "able_min", "staff_at_target",
              "done_at_target"])


def task_done_min(work: TaskWork, task_units: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per task: (minute each item was done, NaN never; mask of the items that count)."""
    everyone = np.ones(len(work.verified_min), bool)
    kept = task_units[task_units["task"] == TASKS.index("checkpoints")]
    able = np.where(np.isfinite(kept["able_min"]), kept["able_min"], np.nan)
    return {
        "verification": (work.verified_min, everyone),
        "publicity": (work.informed_min, everyone),
        "supply": (work.supplied_min, work.needs_supply),
        "testing": (work.tested_min, everyone),
        "checkpoints": (able, np.ones(len(kept), bool)),
    }


def task_curves_table(work: TaskWork, task_units: np.ndarray, replication: int,
                      horizon_min: float) -> pa.Table:
    """The task_curves.parquet rows: district-wide share of each task's work done by each minute."""
    steps = int(math.floor(horizon_min))
    shares = []
    for done_min, counted in task_done_min(work, task_units).values():
        items = done_min[counted]
        shares.append(coverage(items, np.zeros(len(items), np.int64),
                               np.array([len(items)]), 1.0, steps)[0])
    n = steps + 1
    return pa.table([
        pa.array(np.full(n * len(TASKS), replication, dtype=np.int32)),
        category_array(np.repeat(np.arange(len(TASKS), dtype=np.int8), n), TASKS),
        pa.array(np.tile(np.arange(n, dtype=np.int32), len(TASKS))),
        pa.array(np.concatenate(shares)),
    ], names=["replication", "task", "minute", "share_done"])


def task_summary(work: TaskWork | None, task_units: np.ndarray | None, target_min: float,
                 act_columns: dict[str, list[float]] | None = None) -> dict[str, list]:
    """The replications.parquet columns of the tasks (NaN and "" when no tasks were run), the
    able-to-act minutes of the definitions (`act_row`) after `t_act_min`."""
    if work is None or task_units is None:
        return {name: ["" if name == "act_limited_by" else math.nan]
                for name in TASK_SUMMARY_COLUMNS}
    done = task_done_min(work, task_units)

    def share(task: str) -> float:
        done_min, counted = done[task]
        total = int(counted.sum())
        within = np.nan_to_num(done_min[counted], nan=np.inf) <= target_min
        return float(within.sum() / total) if total else math.nan

    return {
        "t_act_min": [work.act_min],  # inf: never, as every time in the tables
        **(act_columns or {}),
        "act_limited_by": [work.limited_by],
        "share_informed_at_target": [share("publicity")],
        "share_tested_at_target": [share("testing")],
        "share_supplied_at_target": [share("supply")],
        "checkpoints_kept_at_target": [share("checkpoints")],
    }


def act_min(activated_min: np.ndarray, task_units: np.ndarray, supply_ready_min: float,
            grouping: Grouping, definition: Definition, horizon_min: float) -> float:
    """The minute the district can act on every task under `definition` (+inf: never).

    `task_units` are the model's testing sites and checkpoints (TASK_UNIT_DTYPE); the goods
    of supply come at `supply_ready_min`. As in the model, a minute at or past the horizon
    is never.
    """
    posts = grouping.community_of_post
    communities = np.arange(grouping.communities)
    units = {
        "verification": (activated_min, posts),
        "publicity": (first_activation_min(activated_min, posts, grouping.communities),
                      communities),
        "supply": (np.maximum(activated_min, supply_ready_min), posts),
    }
    for task in ("testing", "checkpoints"):
        rows = task_units[task_units["task"] == TASKS.index(task)]
        units[task] = (rows["able_min"], rows["community"].astype(np.int64))
    latest = max(reached_min(times, community, grouping, definition)
                 for times, community in units.values())
    return max(latest, 0.0) if latest < horizon_min else math.inf


def act_row(activated_min: np.ndarray, task_units: np.ndarray, supply_ready_min: float,
            grouping: Grouping, own: Definition, horizon_min: float) -> dict[str, list[float]]:
    """The able-to-act columns of replications.parquet (`definition_columns("act")`)."""
    return definition_row(lambda d: act_min(activated_min, task_units, supply_ready_min,
                                            grouping, d, horizon_min), own, "act")


def with_tasks(tables: dict[str, pa.Table], work: TaskWork, task_units: np.ndarray,
               community_ids: np.ndarray, replication: int, target_min: float,
               horizon_min: float, act_columns: dict[str, list[float]],
               curves: bool = True) -> dict[str, pa.Table]:
    """A replication's tables with the tasks tables added and the tasks' summary columns,
    `act_columns` the definitions' able-to-act minutes (the task curves only if `curves`)."""
    summary = tables["replications"]
    for name, values in task_summary(work, task_units, target_min, act_columns).items():
        column = pa.array(values, pa.string() if name == "act_limited_by" else pa.float64())
        summary = summary.append_column(name, column)
    tables = {**tables, "replications": summary,
              "tasks": tasks_table(work, community_ids, replication)}
    if curves:
        tables["task_curves"] = task_curves_table(work, task_units, replication, horizon_min)
    return tables
