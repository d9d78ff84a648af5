"""Properties of the task staff's rounds through the whole model: structure, conservation and
metamorphic relations (docs/model.md section 12).

- Structural: after every round of the command (the last one before the horizon included), no
  testing site or checkpoint lacks its minimum staff while idle people allowed to serve it (by
  `tasks.staff_scope`, a community keeping its people while its own units lack them) are
  enough to complete it, and no unit with its minimum lacks further staff while one such
  person is idle. (People are sent only to units they complete: a lone person idle beside a
  site lacking four is not a fault.)
- Conservation: with people enough and time, every unit acts, in every replication.
- Metamorphic, paired under common random numbers (same seed and replications): more people,
  wider lending and faster rides never make the act minute later, nor fewer units acting at
  the target. A round plans only the people free or riding at its minute, and help changes
  who is free when: a person freed just after a round waits for the next one, so in one
  replication a crew may complete up to one round later (`tasks.dispatch_interval_min`). And a
  grid worker or reserve who reaches a post sooner may hold it until its member comes, then
  hands over (`escalation.handover_min`) before joining the tasks, where in the base arm the
  member filled the post and the worker joined at once (found with the chasing grid worker:
  faster rides, one replication 8.4 min later). So, per replication, the act minute is never
  later by more than one interval and one hand-over, and the units acting at the target are
  never fewer than the base's acting that long before it; over the replications, the median
  act minute is never later and the mean of units acting never lower.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest
from model_fixtures import scenario, small_district, without_pools

from mobsim.district.generate import generate_xindu
from mobsim.model import simulate
from mobsim.model.engine import build
from mobsim.model.tasks.moves import TaskRounds
from mobsim.model.tasks.outcome import acting_at_target

SEED = 5
PERIODS = ("day", "evening", "night", "weekend")
LEVERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "more cadres on duty": (("cadres.at_once=12",), ("cadres.at_once=24",)),
    "more cadres reporting": (tuple(f"cadres.availability.{p}=0.79" for p in PERIODS),
                              tuple(f"cadres.availability.{p}=0.95" for p in PERIODS)),
    "grid workers staff the tasks": (("tasks.staffed_by.grid_worker=false",), ()),
    "larger community staff": (("pools.community_staff.teams=1", "pools.community_staff.team_size=1"),
                               ("pools.community_staff.teams=1", "pools.community_staff.team_size=3")),
    "lending within the sub-district": (("tasks.staff_scope='community'",),
                                        ("tasks.staff_scope='subdistrict'",)),
    "lending across the district": (("tasks.staff_scope='subdistrict'",), ()),
    "faster rides": (("cadres.speed_kmh=25.0", "travel.ride_speed_kmh=15.0"),
                     ("cadres.speed_kmh=40.0", "travel.ride_speed_kmh=20.0")),
}
"""Each lever: the base arm's overrides, then the better arm's."""
XINDU_LEVERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "volunteer teams of 16": (("pools.volunteer_team.team_size=8",),
                              ("pools.volunteer_team.team_size=16",)),
    "lending across the district": (("tasks.staff_scope='subdistrict'",), ()),
    "faster rides": LEVERS["faster rides"],
}
"""The levers run on full Xindu (slow)."""


def _district():
    """Nine communities in three sub-districts on a line (21.6 km), two members a post, cadres
    paired with three communities of the first sub-district: the tasks lack people for hours."""
    return small_district(subdistricts=3, communities=3, grids=2, microgrids=6, members=2,
                          units=3, cadres=8, spacing_km=0.2)


@lru_cache(maxsize=None)
def _small_outcomes(overrides: tuple[str, ...], replications: int) -> tuple[np.ndarray, ...]:
    return _outcomes(_district(), (*without_pools(), *overrides), replications)


def _outcomes(district, overrides: tuple[str, ...], replications: int) -> tuple[np.ndarray, ...]:
    """Per replication: the act minute of the sites and checkpoints (the horizon if never), and
    the units acting at the target and the tolerance (`_tolerance_min`) before it."""
    chosen = scenario(*overrides)
    horizon_min, target_min = chosen.get("alert.horizon_min"), chosen.get("target.minutes")
    interval_min = _tolerance_min()
    act, acting, acting_before = [], [], []
    for replication in range(replications):
        units = simulate(district, chosen, SEED, replication).task_units
        act.append(min(float(units["able_min"].max()), horizon_min))
        acting.append(int(acting_at_target(units, target_min).sum()))
        acting_before.append(int(acting_at_target(units, target_min - interval_min).sum()))
    return np.array(act), np.array(acting), np.array(acting_before)


def _tolerance_min() -> float:
    """One task round and one hand-over (see the module docstring)."""
    chosen = scenario()
    return chosen.get("tasks.dispatch_interval_min") + chosen.get("escalation.handover_min")


def _check_never_worse(base: tuple[np.ndarray, ...], better: tuple[np.ndarray, ...],
                       interval_min: float, lever: str) -> None:
    (act_base, acting_base, early_base), (act_better, acting_better, _) = base, better
    assert np.all(act_better <= act_base + interval_min), (lever, act_better - act_base)
    assert np.all(acting_better >= early_base), (lever, acting_better - early_base)
    assert np.median(act_better) <= np.median(act_base), lever
    assert acting_better.mean() >= acting_base.mean(), lever


@pytest.mark.parametrize("lever", sorted(LEVERS))
def test_more_people_wider_lending_faster_rides_never_make_acting_later(lever: str) -> None:
    base, better = LEVERS[lever]
    arms = [_small_outcomes(overrides, 10) for overrides in (base, better)]
    assert arms[0][0].max() < 720.0  # every unit acts in the base arm: the lever is what differs
    _check_never_worse(*arms, _tolerance_min(), lever)


@pytest.mark.slow
@pytest.mark.parametrize("lever", sorted(XINDU_LEVERS))
def test_on_full_xindu_more_people_wider_lending_faster_rides_never_make_acting_later(
        lever: str) -> None:
    district = generate_xindu()
    arms = [_outcomes(district, overrides, 10) for overrides in XINDU_LEVERS[lever]]
    _check_never_worse(*arms, _tolerance_min(), lever)


def _eligible(rounds: TaskRounds, people: np.ndarray, unit: int) -> np.ndarray:
    """Which of `people` the policy lets serve `unit`: at home in its community; or, within
    `tasks.staff_scope`, lent by a community (and, across sub-districts, a sub-district) none
    of whose units lacks its minimum."""
    staffing = rounds.staffing
    plan, home = staffing.plan, rounds.people
    lacking = staffing.min_need() > 0
    community_short = np.bincount(plan.community[lacking], minlength=staffing.n_communities) > 0
    sub_of = rounds.subdistrict_of_community
    sub_short = np.bincount(sub_of[plan.community[lacking]], minlength=rounds.n_subdistricts) > 0
    community, subdistrict = home.community[people], home.subdistrict[people]
    unit_community = plan.community[unit]
    lends = (community < 0) | ~community_short[np.maximum(community, 0)]
    same_sub = subdistrict == sub_of[unit_community]
    sub_lends = (subdistrict < 0) | ~sub_short[np.maximum(subdistrict, 0)]
    return ((community == unit_community)
            | ((rounds.levels > 1) & same_sub & lends)
            | ((rounds.levels > 2) & ~same_sub & lends & sub_lends))


def _faults(rounds: TaskRounds) -> list[tuple[float, int, int, int]]:
    """(minute, unit, its need, idle people allowed to serve it) of every unit the round left
    lacking while those people would have completed it (or, with its minimum, while one is idle)."""
    staffing = rounds.staffing
    idle = staffing.idle()
    faults = []
    for need, minimum in ((staffing.min_need(), True), (staffing.extra_need(), False)):
        for unit in np.flatnonzero(need > 0).tolist():
            allowed = int(_eligible(rounds, idle, unit).sum())
            if allowed >= (need[unit] if minimum else 1):
                faults.append((rounds.cascade.env.now, unit, int(need[unit]), allowed))
    return faults


@pytest.mark.parametrize("scope", ["community", "subdistrict", "district"])
def test_after_every_round_no_unit_lacks_staff_while_idle_people_allowed_could_staff_it(
        scope: str, monkeypatch) -> None:
    faults: list[tuple[float, int, int, int]] = []
    rounds_seen: list[float] = []
    testing = []  # rounds that left units lacking while people were idle: the cases that count
    planned = TaskRounds.round

    def checked(self: TaskRounds) -> None:
        planned(self)
        rounds_seen.append(self.cascade.env.now)
        faults.extend(_faults(self))
        testing.append((self.staffing.min_need() > 0).any() and len(self.staffing.idle()) > 0)

    monkeypatch.setattr(TaskRounds, "round", checked)
    chosen = scenario(*without_pools(), f"tasks.staff_scope='{scope}'")
    horizon_min = chosen.get("alert.horizon_min")
    interval_min = chosen.get("tasks.dispatch_interval_min")
    for replication in range(3):
        replicated = build(_district(), chosen, SEED, replication)
        replicated.run()
        assert max(rounds_seen) + interval_min >= horizon_min  # the last round is checked too
    assert sum(testing) > 10 and faults == []


def test_with_people_enough_and_time_every_unit_acts_in_every_replication() -> None:
    """Six cadres a post's worth of people in every community and a day's horizon."""
    district = small_district(subdistricts=2, communities=2, grids=2, microgrids=4, members=2,
                              units=4, cadres=40)
    chosen = scenario(*without_pools(), "alert.horizon_min=1440.0")
    for replication in range(6):
        units = simulate(district, chosen, SEED, replication).task_units
        assert np.isfinite(units["able_min"]).all(), replication


@pytest.mark.slow
def test_on_full_xindu_with_four_times_the_volunteer_teams_every_unit_acts() -> None:
    """Xindu with 1,024 volunteer teams instead of 256, over a day: every site and checkpoint
    acts in every replication (t_act_min finite)."""
    chosen = scenario("pools.volunteer_team.teams=1024", "alert.horizon_min=1440.0")
    district = generate_xindu()
    for replication in range(10):
        units = simulate(district, chosen, SEED, replication).task_units
        assert np.isfinite(units["able_min"]).all(), replication
