"""Rows of the wartime tasks: the `tasks`, `task_units` and `task_curves` tables, and their
summary columns."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from mobsim.codes import TASKS
from mobsim.district.schemas import category_array
from mobsim.model.tasks.outcome import TaskWork, acting_at_target
from mobsim.model.tasks.rounds import first_activation_min
from mobsim.results.definitions import Grouping, definition_columns, definition_row, reached_min
from mobsim.results.rows import coverage
from mobsim.scenario.params import Definition

TASK_SUMMARY_COLUMNS: tuple[str, ...] = (
    "t_act_min", *definition_columns("act"), "act_limited_by", "share_informed_at_target",
    "share_tested_at_target", "share_supplied_at_target", "checkpoints_kept_at_target",
    "share_units_acting_at_target", "people_short_at_target")
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
        pa.array(records["units"], pa.int32()),
        pa.array(records["units_acting_at_target"], pa.int32()),
        pa.array(records["short_at_target"], pa.int32()),
    ], names=["replication", "community_id", "task", "able_min", "staff_at_target",
              "done_at_target", "units", "units_acting_at_target", "short_at_target"])


def task_units_table(task_units: np.ndarray, community_ids: np.ndarray, replication: int,
                     target_min: float) -> pa.Table:
    """The task_units.parquet rows: one per testing site and checkpoint."""
    n = len(task_units)
    # A unit's number within its community and task, in row order.
    unit = _rank_within(task_units["community"].astype(np.int64) * len(TASKS) + task_units["task"])
    columns = {
        "replication": pa.array(np.full(n, replication, dtype=np.int32)),
        "community_id": pa.array(community_ids[task_units["community"]].astype(np.int32)),
        "task": category_array(task_units["task"], TASKS),
        "unit": pa.array(unit.astype(np.int32)),
        "designated": pa.array(task_units["designated"]),
        "x_km": pa.array(task_units["x_km"]),
        "y_km": pa.array(task_units["y_km"]),
        "min_staff": pa.array(task_units["min_staff"], pa.int32()),
        "full_staff": pa.array(task_units["full_staff"], pa.int32()),
        "staffed_min": pa.array(task_units["staffed_min"], pa.float64()),
        "able_min": pa.array(task_units["able_min"], pa.float64()),
        "staff_at_target": pa.array(task_units["staff_at_target"], pa.int32()),
        "short_at_target": pa.array(np.maximum(task_units["min_staff"]
                                               - task_units["staff_at_target"], 0), pa.int32()),
        "acting_at_target": pa.array(acting_at_target(task_units, target_min)),
    }
    return pa.table(list(columns.values()), names=list(columns))


def _rank_within(key: np.ndarray) -> np.ndarray:
    """Each row's rank among the rows of its key, in row order."""
    order = np.argsort(key, kind="stable")
    rank = np.empty(len(key), np.int64)
    rank[order] = np.arange(len(key)) - np.searchsorted(key[order], key[order])
    return rank


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
        return {name: ["" if name == "act_limited_by" else None if name in SUMMARY_TYPES
                       else math.nan] for name in TASK_SUMMARY_COLUMNS}
    done = task_done_min(work, task_units)

    def share(task: str) -> float:
        done_min, counted = done[task]
        total = int(counted.sum())
        within = np.nan_to_num(done_min[counted], nan=np.inf) <= target_min
        return float(within.sum() / total) if total else math.nan

    acting = acting_at_target(task_units, target_min)
    return {
        "t_act_min": [work.act_min],  # inf: never, as every time in the tables
        **(act_columns or {}),
        "act_limited_by": [work.limited_by],
        "share_informed_at_target": [share("publicity")],
        "share_tested_at_target": [share("testing")],
        "share_supplied_at_target": [share("supply")],
        "checkpoints_kept_at_target": [share("checkpoints")],
        "share_units_acting_at_target": [float(acting.mean()) if len(acting) else math.nan],
        "people_short_at_target": [work.people_short],
    }


SUMMARY_TYPES = {"act_limited_by": pa.string(), "people_short_at_target": pa.int32()}
"""Arrow types of the tasks' summary columns that are not float64."""


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
        summary = summary.append_column(name, pa.array(values, SUMMARY_TYPES.get(name, pa.float64())))
    tables = {**tables, "replications": summary,
              "tasks": tasks_table(work, community_ids, replication),
              "task_units": task_units_table(task_units, community_ids, replication, target_min)}
    if curves:
        tables["task_curves"] = task_curves_table(work, task_units, replication, horizon_min)
    return tables
