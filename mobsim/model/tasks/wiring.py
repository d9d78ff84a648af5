"""Connect the task staff to the SimPy model: who becomes free for the tasks, who leaves them.

The people the tasks may use have rows in this order: one per member (given to members beyond
their post's keep as they arrive), one per grid worker (general grid), then the dispatcher's
reserves (cadres and every pool). Each kind takes part if `tasks.staffed_by.<kind>` says so:
- members reach `Staffing.on_reported` through `Posts.on_arrived`, after the post has counted
  them and relieved any reserve, when the post has more than `tasks.post_keep` on it;
- grid workers when left with no post to go to (`Escalation.on_idle`) and every post of their
  general grid is held (or they may cover no more posts), else when the grid's last post is;
- reserves whenever the dispatcher has them free: on reporting at home, after a hand-over,
  when the post they rode to filled first, when stood down.
Anyone sent to a post (`Posts.on_ride`: the dispatcher's reserves, a grid worker) leaves the
tasks. When a person joins a unit, the dispatcher (or the grid worker's escalation) knows them
there. The command's rounds (mobsim.model.tasks.moves) come every
`tasks.dispatch_interval_min`, after the dispatcher's at the same minute.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from mobsim.codes import ACTIVATED_BY, TASKS
from mobsim.model.cascade import Cascade
from mobsim.model.dispatcher import Dispatcher
from mobsim.model.escalation import Escalation
from mobsim.model.geometry import Geometry
from mobsim.model.posts import Posts
from mobsim.model.reserves import DISTRICT, Reserves, groups
from mobsim.model.tasks.moves import TaskRounds
from mobsim.model.tasks.plan import SITE, UnitPlan, unit_plan
from mobsim.model.tasks.staffing import Staffing
from mobsim.model.turnout import Travel
from mobsim.scenario.params import Parameters

TASK_UNIT_DTYPE = np.dtype([("task", np.int8), ("community", np.int32), ("min_staff", np.int32),
                            ("full_staff", np.int32), ("stations", np.int32),
                            ("designated", np.bool_), ("x_km", np.float64), ("y_km", np.float64),
                            ("staffed_min", np.float64), ("able_min", np.float64),
                            ("staff_at_target", np.int32), ("idle_at_target", np.int32)])
"""One testing site or checkpoint: task code (TASKS), community row, people to act and when
fully staffed, stations, designated in peacetime, place; when its minimum staff was first on
hand and when it could act (after a site's setup), its staff at the target minute and the idle
people at home in its community then."""


def task_people(geo: Geometry, reserves: Reserves, ride_speed_kmh: float) -> tuple[Reserves, dict[str, int]]:
    """Every person's row: members (homes set as they arrive), grid workers, the reserves; and
    the first row of each kind."""
    n_members, n_grids = len(geo.microgrid_of_member), len(geo.community_of_grid)
    grid_community = geo.community_of_grid
    members = Reserves.of("member", np.full(n_members, -1), np.full(n_members, -1), DISTRICT,
                          ride_speed_kmh, np.zeros((n_members, 2)))
    workers = Reserves.of("grid_worker", grid_community, geo.subdistrict_of_community[grid_community],
                          DISTRICT, ride_speed_kmh, np.zeros((n_grids, 2)))
    first = {"member": 0, "grid_worker": n_members, "reserve": n_members + n_grids}
    return Reserves.join([members, workers, reserves]), first


def setup_min(params: Parameters, plan: UnitPlan, n_communities: int) -> np.ndarray:
    """Minutes each unit takes to set up once its minimum staff is on hand: a site's draw
    (`tasks.testing.designated_setup_min` or `setup_min`), none at a gate. Site k of every
    community draws from stream `<key>.site<k>`, one value per community: more sites in one
    community change no other site's draw."""
    out = np.zeros(len(plan))
    sites = np.flatnonzero(plan.task == SITE)
    community = plan.community[sites]
    rank = np.arange(len(sites)) - np.searchsorted(community, community)
    for k in range(int(rank.max(initial=-1)) + 1):
        for designated, key in ((True, "tasks.testing.designated_setup_min"),
                                (False, "tasks.testing.setup_min")):
            at = sites[(rank == k) & (plan.designated[sites] == designated)]
            if len(at):
                draws = params.streams.sample("tasks", f"{key}.site{k}", params.duration(key),
                                              n_communities)
                out[at] = draws[plan.community[at]]
    return out


def staff_tasks(params: Parameters, geo: Geometry, cascade: Cascade, posts: Posts,
                escalation: Escalation, dispatcher: Dispatcher, travel: Travel) -> TaskRounds:
    """Build the task units and their staff, wire the hooks and start the command's rounds."""
    plan = unit_plan(geo, params)
    n_communities = len(geo.community_xy[0])
    people, first = task_people(geo, dispatcher.reserves, travel.ride_speed_kmh)
    staffing = Staffing(plan, people, n_communities, setup_min(params, plan, n_communities))
    expected = np.where(plan.designated, params.duration("tasks.testing.designated_setup_min").mean,
                        params.duration("tasks.testing.setup_min").mean)
    rounds = TaskRounds(staffing, cascade, travel, geo.subdistrict_of_community,
                        params.text("tasks.staff_scope"),
                        tuple(TASKS.index(name) for name in params.keys("tasks.priority")),
                        params.number("tasks.checkpoints.shift_min"),
                        np.where(plan.task == SITE, expected, 0.0))
    allowed = {kind: params.flag(f"tasks.staffed_by.{kind}") for kind in ACTIVATED_BY[1:]}
    env = cascade.env
    _members(params, geo, posts, staffing, first["member"], allowed["member"])
    if allowed["grid_worker"]:
        _grid_workers(geo, posts, escalation, staffing, first["grid_worker"])
    kinds = dispatcher.reserves.kind

    def reserve_free(reserve: int, x_km: float, y_km: float) -> None:
        if allowed[ACTIVATED_BY[kinds[reserve]]]:
            staffing.on_reported(first["reserve"] + reserve, x_km, y_km, env.now)

    def sent_to_post(reserve: tuple[str, int]) -> None:
        kind, who = reserve
        row = (first["grid_worker"] + who if kind == "grid_worker" else
               first["reserve"] + dispatcher.first_of[ACTIVATED_BY.index(kind)] + who)
        staffing.on_left(row, env.now)

    def joined(row: int, unit: int) -> None:
        """Whoever may send the person to a post knows where they are now."""
        xy = (float(plan.x_km[unit]), float(plan.y_km[unit]))
        if row >= first["reserve"]:
            reserve = row - first["reserve"]
            if not np.isnan(dispatcher.free_xy[reserve, 0]):
                dispatcher.free_xy[reserve] = xy
        elif row >= first["grid_worker"] and escalation.idle_xy[row - first["grid_worker"]] is not None:
            escalation.idle_xy[row - first["grid_worker"]] = xy

    dispatcher.free_at = _also(dispatcher.free_at, reserve_free)
    posts.on_ride.append(sent_to_post)
    rounds.on_joined.append(joined)
    dispatcher.every(params.number("tasks.dispatch_interval_min"), rounds.round)
    cascade.at(params.number("target.minutes"), None, lambda _event: staffing.snapshot())
    return rounds


def _members(params: Parameters, geo: Geometry, posts: Posts, staffing: Staffing, first: int,
             allowed: bool) -> None:
    """Members beyond their post's keep are free for the tasks where the post is."""
    if not allowed:
        return
    keep = params.count("tasks.post_keep")
    people, mx, my = staffing.people, *geo.microgrid_xy
    slots = iter(range(first, first + len(geo.microgrid_of_member)))

    def arrived(microgrid: int, who: str, now_min: float) -> None:
        if who == "member" and posts.on_post[microgrid] > keep:
            row = next(slots)
            community = geo.community_of_microgrid[microgrid]
            people.community[row] = community
            people.subdistrict[row] = geo.subdistrict_of_community[community]
            staffing.on_reported(row, float(mx[microgrid]), float(my[microgrid]), now_min)

    posts.on_arrived.append(arrived)


def _grid_workers(geo: Geometry, posts: Posts, escalation: Escalation, staffing: Staffing,
                  first: int) -> None:
    """A grid worker with nothing to go to is free for the tasks once every post of their grid
    is held, or if they may cover no more posts."""
    n_grids = len(geo.community_of_grid)
    posts_of = groups(np.arange(len(geo.grid_of_microgrid)), geo.grid_of_microgrid, n_grids)
    waiting: set[int] = set()

    def free(grid: int, x_km: float, y_km: float) -> None:
        held = (posts.on_post[posts_of[grid]] >= posts.quorum).all()
        if escalation.covers_left[grid] == 0 or held:
            waiting.discard(grid)
            staffing.on_reported(first + grid, x_km, y_km, escalation.cascade.env.now)
        else:
            waiting.add(grid)

    def arrived(microgrid: int, who: str, now_min: float) -> None:
        grid = int(geo.grid_of_microgrid[microgrid])
        if grid in waiting:
            xy = escalation.idle_xy[grid]
            if xy is None:  # gone to a post since
                waiting.discard(grid)
            else:
                free(grid, *xy)

    def busy(grid: int) -> None:
        """Gone to chase a silent member's door: not free for the tasks."""
        waiting.discard(grid)
        staffing.on_left(first + grid, escalation.cascade.env.now)

    escalation.on_idle.append(free)
    escalation.on_busy.append(busy)
    posts.on_arrived.append(arrived)


def _also(first: Callable[..., None], then: Callable[..., None]) -> Callable[..., None]:
    """A callback that runs `first`, then `then`, with the same arguments."""
    def both(*args: Any) -> None:
        first(*args)
        then(*args)
    return both


def task_units(rounds: TaskRounds, horizon_min: float) -> np.ndarray:
    """Every unit's record; a minute at or past the horizon is inf."""
    staffing = rounds.staffing
    plan = staffing.plan
    out = np.zeros(len(plan), dtype=TASK_UNIT_DTYPE)
    out["task"], out["community"] = plan.task, plan.community
    out["min_staff"], out["full_staff"] = plan.min_staff, plan.min_staff + plan.support
    out["stations"], out["designated"] = plan.stations, plan.designated
    out["x_km"], out["y_km"] = plan.x_km, plan.y_km
    for name in ("staffed_min", "able_min"):
        minutes = getattr(staffing, name)
        out[name] = np.where(minutes < horizon_min, minutes, np.inf)
    at_target = staffing.staff if staffing.staff_at_target is None else staffing.staff_at_target
    idle = (np.zeros(staffing.n_communities, np.int64) if staffing.idle_at_target is None
            else staffing.idle_at_target)
    out["staff_at_target"] = at_target
    out["idle_at_target"] = idle[plan.community]
    return out
