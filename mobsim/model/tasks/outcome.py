"""The work of one replication's tasks and the "able to act" minute of every community and task.

A community can act on a task from the minute the task has its minimum staffing (docs/model.md
section 12): verification and supply when every post of the community is staffed (supply also
needs its goods), publicity when its first post is, testing when every site of the community
is open, checkpoints when every gate has its shift. The district is able to act when every
community can act on every task; the task with the latest minute limits it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobsim.codes import TASKS
from mobsim.model.canvass import Households
from mobsim.model.tasks.rounds import (
    first_activation_min,
    household_microgrid,
    needs_supply,
    publicity_reached_min,
    supplied_min,
)
from mobsim.model.tasks.testing import tested_min
from mobsim.model.tasks.verification import verification_reached_min
from mobsim.scenario.params import Parameters

TASK_DTYPE = np.dtype([("community", np.int32), ("task", np.int8), ("able_min", np.float64),
                       ("staff_at_target", np.int32), ("done_at_target", np.float64),
                       ("units", np.int32), ("units_acting_at_target", np.int32),
                       ("short_at_target", np.int32)])
"""One community and task: when it could act (inf: not within the horizon), people on it at
the target minute, share of its work done by the target (households, or checkpoints kept), its
units (posts, the one message round, sites, gates), those acting at the target, and the people
it lacked then to have every unit act."""


def acting_at_target(task_units: np.ndarray, target_min: float) -> np.ndarray:
    """Whether each site or gate acts at the target: it could act by then and has its minimum."""
    return (task_units["able_min"] <= target_min) & (
        task_units["staff_at_target"] >= task_units["min_staff"])


@dataclass(frozen=True)
class TaskWork:
    """Minute each household was reached by each task's work, and each community's task records."""

    verified_min: np.ndarray
    informed_min: np.ndarray
    tested_min: np.ndarray
    supplied_min: np.ndarray
    needs_supply: np.ndarray
    tasks: np.ndarray

    @property
    def act_min(self) -> float:
        """Minute the whole district can act on every task (inf: not within the horizon)."""
        return float(self.tasks["able_min"].max(initial=0.0))

    @property
    def people_short(self) -> int:
        """People the district lacked at the target for every unit of every task to act: the
        sites' and checkpoints' and the posts' (counted once: the post tasks share them)."""
        counted = np.isin(self.tasks["task"], [TASKS.index(name) for name in
                                                ("verification", "testing", "checkpoints")])
        return int(self.tasks["short_at_target"][counted].sum())

    @property
    def limited_by(self) -> str:
        """The task whose minimum staffing came last (the first in TASKS on a tie)."""
        if len(self.tasks) == 0:
            return TASKS[0]
        return TASKS[int(self.tasks["task"][np.argmax(self.tasks["able_min"])])]


def task_work(homes: Households, params: Parameters, activated_min: np.ndarray,
              task_units: np.ndarray, community_of_microgrid: np.ndarray,
              verified: np.ndarray | None = None) -> TaskWork:
    """Run every task's work after the SimPy run and gather the community records."""
    verified_min = verification_reached_min(homes, params, activated_min, verified)
    informed = publicity_reached_min(homes, params, activated_min, community_of_microgrid,
                                     verified_min)
    needs = needs_supply(homes, params)
    work = TaskWork(verified_min, informed,
                    tested_min(homes, params, task_units, community_of_microgrid, informed),
                    supplied_min(homes, params, activated_min, needs), needs, np.empty(0, TASK_DTYPE))
    records = community_records(homes, params, activated_min, task_units,
                                community_of_microgrid, work)
    return TaskWork(work.verified_min, work.informed_min, work.tested_min, work.supplied_min,
                    needs, records)


def community_records(homes: Households, params: Parameters, activated_min: np.ndarray,
                      task_units: np.ndarray, community_of_microgrid: np.ndarray,
                      work: TaskWork) -> np.ndarray:
    """TASK_DTYPE records, community by community, tasks in TASKS order."""
    n = int(community_of_microgrid.max(initial=-1)) + 1
    target = params.number("target.minutes")
    activated = np.nan_to_num(activated_min, nan=np.inf)
    last_post = np.full(n, -np.inf)
    np.maximum.at(last_post, community_of_microgrid, activated)
    posts_by_target = np.bincount(community_of_microgrid, activated <= target, n).astype(np.int64)
    household_community = community_of_microgrid[household_microgrid(homes)]
    ready_min = params.once("tasks.supply.ready_min")
    able = {
        "verification": last_post,
        "publicity": first_activation_min(activated_min, community_of_microgrid, n),
        "supply": np.maximum(last_post, ready_min),
    }
    done = {
        "verification": _share_by(work.verified_min, household_community, n, target),
        "publicity": _share_by(work.informed_min, household_community, n, target),
        "supply": _share_by(work.supplied_min, household_community, n, target,
                            work.needs_supply),
        "testing": _share_by(work.tested_min, household_community, n, target),
    }
    quorum = params.count("microgrids.quorum")
    posts = np.bincount(community_of_microgrid, minlength=n).astype(np.int64)
    reached = (able["publicity"] <= target).astype(np.int64)
    supplied = posts_by_target * (ready_min <= target)
    staff = dict.fromkeys(("verification", "publicity", "supply"), posts_by_target)
    units = {"verification": posts, "publicity": np.ones(n, np.int64), "supply": posts}
    acting = {"verification": posts_by_target, "publicity": reached, "supply": supplied}
    short = {"verification": (posts - posts_by_target) * quorum,
             "publicity": (1 - reached) * quorum, "supply": (posts - posts_by_target) * quorum}
    for name in ("testing", "checkpoints"):
        mine = task_units[task_units["task"] == TASKS.index(name)]
        community = mine["community"].astype(np.int64)
        latest = np.full(n, 0.0)
        np.maximum.at(latest, community, mine["able_min"])
        able[name] = latest
        staff[name] = np.bincount(community, mine["staff_at_target"], n).astype(np.int64)
        units[name] = np.bincount(community, minlength=n).astype(np.int64)
        acting[name] = np.bincount(community, acting_at_target(mine, target), n).astype(np.int64)
        lacking = np.maximum(mine["min_staff"] - mine["staff_at_target"], 0)
        short[name] = np.bincount(community, lacking, n).astype(np.int64)
    kept = task_units[task_units["task"] == TASKS.index("checkpoints")]
    done["checkpoints"] = _share_by(np.where(acting_at_target(kept, target), target, np.nan),
                                    kept["community"].astype(np.int64), n, target)
    out = np.zeros(n * len(TASKS), dtype=TASK_DTYPE)
    out["community"] = np.repeat(np.arange(n), len(TASKS))
    for code, name in enumerate(TASKS):
        rows = slice(code, None, len(TASKS))
        out["task"][rows] = code
        out["able_min"][rows] = np.where(able[name] < params.horizon_min,
                                         np.maximum(able[name], 0.0), np.inf)
        out["staff_at_target"][rows] = staff[name]
        out["done_at_target"][rows] = done[name]
        out["units"][rows] = units[name]
        out["units_acting_at_target"][rows] = acting[name]
        out["short_at_target"][rows] = short[name]
    return out


def _share_by(done_min: np.ndarray, group: np.ndarray, n: int, target_min: float,
              counted: np.ndarray | None = None) -> np.ndarray:
    """Share of each group's items (those `counted`) done by the target; NaN for a group of none."""
    counted = np.ones(len(group), bool) if counted is None else counted
    total = np.bincount(group, counted, n)
    within = np.bincount(group, counted & (np.nan_to_num(done_min, nan=np.inf) <= target_min), n)
    return np.divide(within, total, out=np.full(n, np.nan), where=total > 0)
