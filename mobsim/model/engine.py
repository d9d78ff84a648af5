"""One replication of the wartime switch: build the model on a SimPy environment, run, collect."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from mobsim.district.tables import District
from mobsim.model.branches import Branches
from mobsim.model.cadres import SinkingDown, cadre_report_min, on_roster
from mobsim.model.cascade import Cascade
from mobsim.model.chain import Chain, build_chain
from mobsim.model.chase import Doors
from mobsim.model.compounds import inside_compound_min
from mobsim.model.dispatcher import Dispatcher
from mobsim.model.escalation import Escalation
from mobsim.model.event_loop import EventLoop
from mobsim.model.geometry import Geometry, geometry
from mobsim.model.handover import Shifts
from mobsim.model.pools import Pools
from mobsim.model.posts import Posts
from mobsim.model.result import ReplicationResult, within_horizon
from mobsim.model.tasks.moves import TaskRounds
from mobsim.model.tasks.wiring import staff_tasks, task_units
from mobsim.model.trace import Trace
from mobsim.model.turnout import (
    MemberReports,
    Travel,
    distance_km,
    member_departure,
    prepare_min,
    read_travel,
)
from mobsim.random import Streams
from mobsim.scenario.files import Scenario
from mobsim.scenario.params import Parameters


@dataclass(frozen=True)
class _Model:
    """The parts every submodel is wired to."""

    params: Parameters
    period: str
    geo: Geometry
    cascade: Cascade
    chain: Chain
    posts: Posts
    travel: Travel
    shifts: Shifts
    handover_min: float
    inside_min: np.ndarray
    """Minutes inside each post's compound, at the end of everyone's trip to it."""


@dataclass(frozen=True)
class Replication:
    """One replication's model, built and ready to run."""

    model: _Model
    loop: EventLoop
    members: MemberReports
    escalation: Escalation
    sinking: SinkingDown
    dispatcher: Dispatcher
    tasks: TaskRounds

    def run(self) -> ReplicationResult:
        """Run the model to the horizon and collect what happened."""
        horizon_min = self.model.cascade.horizon_min
        events = self.loop.run_before(horizon_min)
        result = _collect(self.model, self.members, self.escalation, self.sinking,
                          self.dispatcher, events)
        return replace(result, task_units=task_units(self.tasks, horizon_min))


def simulate(district: District, scenario: Scenario, seed: int, replication: int,
             trace: bool = False) -> ReplicationResult:
    """Simulate one replication; a pure function of (district, scenario, seed, replication)."""
    return build(district, scenario, seed, replication, trace).run()


def build(district: District, scenario: Scenario, seed: int, replication: int,
          trace: bool = False) -> Replication:
    """Build one replication's model on a SimPy environment (nothing has happened yet)."""
    params = Parameters(scenario, Streams(seed, replication))
    horizon_min = params.number("alert.horizon_min")
    period = params.order_period()
    geo = geometry(district)
    loop = EventLoop()
    cascade = Cascade(loop, horizon_min, Trace(trace))
    model = _Model(params, period, geo, cascade, build_chain(params, cascade, geo, period),
                   Posts(len(geo.grid_of_microgrid), params.count("microgrids.quorum"),
                         cascade.trace),
                   read_travel(params), Shifts(), params.once("escalation.handover_min"),
                   inside_compound_min(params, geo.compound_of_microgrid))
    members = _members(model)
    escalation = _escalation(model)
    sinking, dispatcher = _cadres(model)
    tasks = staff_tasks(params, geo, cascade, model.posts, escalation, dispatcher, model.travel)
    return Replication(model, loop, members, escalation, sinking, dispatcher, tasks)


def _members(model: _Model) -> MemberReports:
    geo = model.geo
    post = geo.microgrid_of_member
    mx, my = geo.microgrid_xy
    hx, hy = geo.home_xy
    report = member_departure(model.params, model.travel, model.chain.timelines["members"],
                              distance_km(hx, hy, mx[post], my[post]), geo.village_microgrid[post],
                              model.inside_min[post])
    members = MemberReports(model.cascade, model.posts, post, report,
                            model.params.once("escalation.trusted_eta_min"))
    level = model.chain.levels["members"]
    level.listeners.append(members.on_acknowledged)
    model.posts.still_called = partial(members.still_called, level.notified_min)
    return members


def _doors(model: _Model) -> Doors | None:
    """The grid workers' lists of silent members to chase, if they chase (`chase.by`)."""
    if model.params.text("chase.by") != "grid_worker":
        return None
    geo = model.geo
    post = geo.microgrid_of_member
    return Doors(model.params, model.cascade, model.chain.levels["members"],
                 geo.grid_of_microgrid[post], geo.home_xy, geo.village_microgrid[post],
                 model.inside_min[post], model.travel,
                 model.chain.timelines["gridworkers"].available_min)


def _escalation(model: _Model) -> Escalation:
    params, states = model.params, model.chain.states["gridworkers"]
    after = params.streams.sample("escalation", "gridworkers.after",
                                  params.duration("escalation.after_min"), len(states))
    escalation = Escalation(
        model.cascade, model.posts, model.geo.grid_of_microgrid, model.geo.microgrid_xy,
        model.geo.village_microgrid, after, params.count("escalation.grid_worker_covers"),
        model.chain.timelines["gridworkers"].available_min,
        prepare_min(params, "gridworkers", states), model.travel, model.shifts,
        model.handover_min, model.inside_min, _doors(model))
    model.chain.levels["gridworkers"].listeners.append(escalation.on_acknowledged)
    escalation.schedule_sweep(params.once("escalation.sweep_min"))
    return escalation


def _cadres(model: _Model) -> tuple[SinkingDown, Dispatcher]:
    params, states = model.params, model.chain.states["cadres"]
    pools = Pools(params, model.geo, model.period)
    dispatcher = Dispatcher(model.cascade, model.posts, model.geo, model.travel,
                            params.number("cadres.speed_kmh"),
                            params.number("cadres.leave_pair_penalty_min"),
                            params.number("cadres.lend_max_ride_min"),
                            params.text("cadres.dispatch_policy"),
                            model.shifts, model.handover_min, pools.reserves, model.inside_min)
    pools.call_up(model.cascade, model.chain, lambda row: dispatcher.wait(dispatcher.n_cadres + row))
    model.geo.ids.update({name: np.arange(size, dtype=np.int32) for name, size in pools.sizes.items()})
    Branches(params, model.cascade, model.posts, model.geo, dispatcher).start(
        model.chain.levels["communities"])
    sinking = SinkingDown(model.cascade,
                          cadre_report_min(params, model.travel, model.geo, states,
                                           on_roster(params, len(states))),
                          dispatcher.wait, model.chain.timelines["cadres"].available_min)
    model.chain.levels["cadres"].listeners.append(sinking.on_acknowledged)
    dispatcher.run(params.number("cadres.dispatch_interval_min"))
    return sinking, dispatcher


def _collect(model: _Model, members: MemberReports, escalation: Escalation, sinking: SinkingDown,
             dispatcher: Dispatcher, events: int) -> ReplicationResult:
    horizon_min = model.cascade.horizon_min
    clip = partial(within_horizon, horizon_min=horizon_min)
    member_level, cadre_level = model.chain.levels["members"], model.chain.levels["cadres"]
    acknowledged = clip(member_level.acknowledged_min)
    cadres = slice(0, dispatcher.n_cadres)
    dispatched = clip(dispatcher.dispatched_min[cadres])
    posts = model.posts
    return ReplicationResult(
        microgrid_activated_min=clip(posts.activated_min),
        microgrid_activated_by=posts.activated_by.copy(),
        microgrid_gap_min=clip(posts.gap_min),
        microgrid_gridworker_arrived_min=clip(escalation.arrived_min),
        microgrid_hand_changes=posts.hand_changes.copy(),
        member_state=model.chain.states["members"].astype(np.int8),
        member_channel=np.where(np.isnan(acknowledged), 0, member_level.channel).astype(np.int8),
        member_notified_min=clip(member_level.notified_min),
        member_acknowledged_min=acknowledged,
        member_arrived_min=clip(members.arrived_min),
        cadre_acknowledged_min=clip(cadre_level.acknowledged_min),
        cadre_reported_min=clip(sinking.reported_min),
        cadre_microgrid=np.where(np.isnan(dispatched), -1, dispatcher.microgrid[cadres]).astype(np.int32),
        cadre_dispatched_min=dispatched,
        cadre_arrived_min=clip(dispatcher.arrived_min[cadres]),
        gridworker_alerted_min=clip(model.chain.levels["gridworkers"].acknowledged_min),
        reserve_shifts=_shifts(model.shifts, horizon_min),
        events=events,
        trace=model.cascade.trace.table(model.geo.ids, horizon_min),
    )


def _shifts(shifts: Shifts, horizon_min: float) -> np.ndarray:
    """The shifts begun before the horizon, times past it as NaN."""
    table = shifts.table()
    for column in ("arrived_min", "released_min"):
        table[column] = within_horizon(table[column], horizon_min)
    return table
