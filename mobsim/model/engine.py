"""One replication of the wartime switch: build the model on a SimPy environment, run, collect."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import simpy

from mobsim.district import District
from mobsim.model.cadres import SinkingDown, cadre_report_min
from mobsim.model.cascade import Cascade
from mobsim.model.chain import Chain, build_chain
from mobsim.model.dispatcher import Dispatcher
from mobsim.model.escalation import Escalation
from mobsim.model.geometry import Geometry, geometry
from mobsim.model.params import Parameters
from mobsim.model.posts import Posts
from mobsim.model.presence import draw_available, order_period
from mobsim.model.report import (
    MemberReports, Travel, distance_km, member_report_min, prepare_min, read_travel)
from mobsim.model.result import ReplicationResult, within_horizon
from mobsim.model.streams import Streams
from mobsim.model.trace import Trace


def simulate(district: District, scenario, seed: int, replication: int,
             trace: bool = False) -> ReplicationResult:
    """Simulate one replication; a pure function of (district, scenario, seed, replication)."""
    params = Parameters(scenario, Streams(seed, replication))
    horizon_min = params.number("alert.horizon_min")
    period = order_period(params)
    geo = geometry(district)
    env = simpy.Environment()
    cascade = Cascade(env, horizon_min, Trace(trace))
    chain = build_chain(params, cascade, geo, period)
    posts = Posts(len(geo.grid_of_microgrid), params.count("microgrids.quorum", minimum=1), cascade.trace)
    travel = read_travel(params)
    members = _members(params, cascade, posts, geo, chain, period, travel)
    escalation = _escalation(params, cascade, posts, geo, chain, period, travel)
    sinking, dispatcher = _cadres(params, cascade, posts, geo, chain, period, travel)
    events = run_until(env, horizon_min)
    result = _collect(horizon_min, chain, posts, members, escalation, sinking, dispatcher, events)
    return replace(result, trace=cascade.trace.table(geo.ids, horizon_min))


def run_until(env: simpy.Environment, horizon_min: float) -> int:
    """Process every event before the horizon; return how many were processed."""
    events = 0
    step, peek = env.step, env.peek
    while peek() < horizon_min:
        step()
        events += 1
    return events


def _members(params: Parameters, cascade: Cascade, posts: Posts, geo: Geometry, chain: Chain,
             period: str, travel: Travel) -> MemberReports:
    states = chain.states["members"]
    post = geo.microgrid_of_member
    mx, my = geo.microgrid_xy
    hx, hy = geo.home_xy
    report = member_report_min(params, travel, states,
                               draw_available(params, "members", period, states),
                               distance_km(hx, hy, mx[post], my[post]), geo.village_microgrid[post])
    members = MemberReports(cascade, posts, post, report)
    chain.levels["members"].listeners.append(members.on_acknowledged)
    return members


def _escalation(params: Parameters, cascade: Cascade, posts: Posts, geo: Geometry, chain: Chain,
                period: str, travel: Travel) -> Escalation:
    states = chain.states["gridworkers"]
    after = params.streams.sample("escalation", "gridworkers.after",
                                  params.duration("escalation.after_min"), len(states))
    escalation = Escalation(
        cascade, posts, geo.grid_of_microgrid, geo.microgrid_xy, geo.village_microgrid, after,
        params.count("escalation.grid_worker_covers"),
        draw_available(params, "gridworkers", period, states),
        prepare_min(params, "gridworkers", states), travel)
    chain.levels["gridworkers"].listeners.append(escalation.on_acknowledged)
    escalation.schedule_sweep(params.once("escalation.sweep_min"))
    return escalation


def _cadres(params: Parameters, cascade: Cascade, posts: Posts, geo: Geometry, chain: Chain,
            period: str, travel: Travel) -> tuple[SinkingDown, Dispatcher]:
    speed_kmh = params.number("cadres.speed_kmh")
    dispatcher = Dispatcher(cascade, posts, geo, travel, speed_kmh,
                            params.number("cadres.leave_pair_penalty_min", positive=False))
    states = chain.states["cadres"]
    report = cadre_report_min(params, travel, geo, states, draw_available(params, "cadres", period, states))
    sinking = SinkingDown(cascade, report, dispatcher.wait)
    chain.levels["cadres"].listeners.append(sinking.on_acknowledged)
    dispatcher.run(params.number("cadres.dispatch_interval_min"))
    return sinking, dispatcher


def _collect(horizon_min: float, chain: Chain, posts: Posts, members: MemberReports,
             escalation: Escalation, sinking: SinkingDown, dispatcher: Dispatcher,
             events: int) -> ReplicationResult:
    clip = lambda times: within_horizon(times, horizon_min)  # noqa: E731
    member_level, cadre_level = chain.levels["members"], chain.levels["cadres"]
    acknowledged = clip(member_level.acknowledged_min)
    dispatched = clip(dispatcher.dispatched_min)
    return ReplicationResult(
        microgrid_activated_min=clip(posts.activated_min),
        microgrid_activated_by=posts.activated_by.copy(),
        microgrid_gap_min=clip(posts.gap_min),
        microgrid_gridworker_arrived_min=clip(escalation.arrived_min),
        member_state=chain.states["members"].astype(np.int8),
        member_channel=np.where(np.isnan(acknowledged), 0, member_level.channel).astype(np.int8),
        member_notified_min=clip(member_level.notified_min),
        member_acknowledged_min=acknowledged,
        member_arrived_min=clip(members.arrived_min),
        cadre_acknowledged_min=clip(cadre_level.acknowledged_min),
        cadre_reported_min=clip(sinking.reported_min),
        cadre_microgrid=np.where(np.isnan(dispatched), -1, dispatcher.microgrid).astype(np.int32),
        cadre_dispatched_min=dispatched,
        cadre_arrived_min=clip(dispatcher.arrived_min),
        gridworker_alerted_min=clip(chain.levels["gridworkers"].acknowledged_min),
        events=events,
    )
