"""Connect the tasks' staffing hook to the SimPy model: posts, reserves free, the target snapshot.

Members arriving at their post reach `Staffing.on_reported` through `Posts.on_arrived` (after
the post has counted them and relieved any reserve). Reserves (cadres and the pools whose home
is a community) reach it whenever the dispatcher has them free at home: on reporting at their
community and again when free after a hand-over, or when the post they rode to filled first
(rejoining their community's pool at once: the way back is not modelled). They leave the tasks
through `Posts.on_ride` when the dispatcher sends them to a gap; reserves that take a post hold
it as the post's staff. Pools at home in a sub-district or the district (emergency team,
commando teams) wait for the dispatcher and staff no community task."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from mobsim.codes import ACTIVATED_BY
from mobsim.district.tables import District
from mobsim.model.cascade import Cascade
from mobsim.model.dispatcher import Dispatcher
from mobsim.model.geometry import Geometry
from mobsim.model.posts import Posts
from mobsim.model.tasks.plan import unit_plan
from mobsim.model.tasks.staffing import Staffing
from mobsim.scenario.params import Parameters

TASK_UNIT_DTYPE = np.dtype([("task", np.int8), ("community", np.int32), ("min_staff", np.int32),
                            ("stations", np.int32), ("able_min", np.float64),
                            ("staff_at_target", np.int32), ("idle_at_target", np.int32)])
"""One testing site or checkpoint: task code (TASKS), community row, needs, when it could act,
its staff at the target minute and the idle people of its community's pool then."""


def staff_tasks(district: District, params: Parameters, geo: Geometry, cascade: Cascade,
                posts: Posts, dispatcher: Dispatcher) -> Staffing:
    """Build the community task units and wire the staffing hook into the model."""
    plan = unit_plan(geo, district.microgrids["households"].astype(np.float64),
                     district.microgrids["compound_type"].astype(np.int64), params)
    priority = tuple(params.keys("tasks.priority"))
    staffing = Staffing(plan, priority, len(geo.community_xy[0]), posts.on_post,
                        params.count("tasks.post_keep"))
    env = cascade.env

    def member_arrived(microgrid: int, who: str, now_min: float) -> None:
        if who == "member":
            staffing.on_reported(who, -1, int(geo.community_of_microgrid[microgrid]), microgrid,
                                 now_min)

    def reserve_sent(reserve: tuple[str, int]) -> None:
        staffing.on_left(reserve[0], reserve[1], env.now)

    posts.on_arrived.append(member_arrived)
    posts.on_ride.append(reserve_sent)
    reserves = dispatcher.reserves

    def reserve_free(reserve: int, *_xy_km: float) -> None:
        community = int(reserves.community[reserve])
        if community >= 0:
            kind = int(reserves.kind[reserve])
            staffing.on_reported(ACTIVATED_BY[kind], reserve - dispatcher.first_of[kind],
                                 community, -1, env.now)

    dispatcher.free_at = _also(dispatcher.free_at, reserve_free)
    cascade.at(params.number("target.minutes"), None, lambda _event: staffing.snapshot())
    return staffing


def _also(first: Callable[..., None], then: Callable[..., None]) -> Callable[..., None]:
    """A callback that runs `first`, then `then`, with the same arguments."""
    def both(*args: Any) -> None:
        first(*args)
        then(*args)
    return both


def task_units(staffing: Staffing, horizon_min: float) -> np.ndarray:
    """Every unit's record; an able minute at or past the horizon is inf."""
    plan = staffing.plan
    out = np.zeros(len(plan), dtype=TASK_UNIT_DTYPE)
    out["task"], out["community"] = plan.task, plan.community
    out["min_staff"], out["stations"] = plan.min_staff, plan.stations
    out["able_min"] = np.where(staffing.able_min < horizon_min, staffing.able_min, np.inf)
    out["staff_at_target"] = staffing.staff_at_target
    out["idle_at_target"] = staffing.idle_at_target[plan.community]
    return out
