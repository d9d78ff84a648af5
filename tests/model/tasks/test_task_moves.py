"""The command's rounds of task staff through SimPy, by hand: the minute a person released in
one community reaches a unit of its neighbour (release, next round, ride, arrival), the order of
the levels (community, sub-district, district) and of the tasks, further staff after every
minimum, a site's further staff moved to a gate, a gate's next shift.

Communities 0 and 1 form sub-district 0, community 2 sub-district 1; places are on a line (x in
km); everyone rides 30 km/h along the straight line (2 minutes a km); rounds come every 5
minutes from minute 5.
"""

from __future__ import annotations

import numpy as np
import pytest

from mobsim.model.cascade import Cascade
from mobsim.model.event_loop import EventLoop
from mobsim.model.reserves import DISTRICT, Reserves
from mobsim.model.tasks.moves import TaskRounds
from mobsim.model.tasks.plan import CHECKPOINT, SITE, UnitPlan
from mobsim.model.tasks.staffing import IDLE, OFF, ON, RIDING, Staffing
from mobsim.model.trace import Trace
from mobsim.model.turnout import Travel

TRAVEL = Travel(walk_speed_kmh=4.5, detour_factor=1.0, walk_max_km=2.0, ride_speed_kmh=15.0,
                village_factor=1.0)
MIN_PER_KM, INTERVAL_MIN, SETUP_MIN = 2.0, 5.0, 30.0
SUBDISTRICT_OF_COMMUNITY = np.array([0, 0, 1])


def units(*specs: tuple[int, int, float, int, int]) -> UnitPlan:
    """Units from (task, community, x_km, min_staff, support)."""
    task, community, x, min_staff, support = (np.array(column) for column in zip(*specs))
    n = len(specs)
    return UnitPlan(task=task.astype(np.int8), community=community.astype(np.int64),
                    min_staff=min_staff.astype(np.int64), support=support.astype(np.int64),
                    stations=np.where(task == SITE, 1, 0), x_km=x.astype(float), y_km=np.zeros(n),
                    village=np.zeros(n, bool), designated=np.zeros(n, bool))


def command(plan: UnitPlan, homes: list[int], scope: str = "district",
            priority: tuple[int, ...] = (SITE, CHECKPOINT), shift_min: float = np.inf
            ) -> tuple[EventLoop, Cascade, TaskRounds]:
    """Rounds over `plan` for people at home in the communities `homes`, one row each."""
    home = np.array(homes)
    people = Reserves.of("cadre", home, SUBDISTRICT_OF_COMMUNITY[home], DISTRICT,
                         60.0 / MIN_PER_KM, np.zeros((len(home), 2)))
    setup = np.where(plan.task == SITE, SETUP_MIN, 0.0)
    staffing = Staffing(plan, people, len(SUBDISTRICT_OF_COMMUNITY), setup)
    loop = EventLoop()
    cascade = Cascade(loop, 720.0, Trace(False))
    rounds = TaskRounds(staffing, cascade, TRAVEL, SUBDISTRICT_OF_COMMUNITY, scope, priority,
                        shift_min)
    for k in range(1, 100):
        cascade.at(k * INTERVAL_MIN, None, lambda _event: rounds.round())
    return loop, cascade, rounds


def free(cascade: Cascade, rounds: TaskRounds, row: int, at_min: float, x_km: float) -> None:
    """Person `row` is free for the tasks at `at_min`, at x."""
    cascade.at(at_min, None,
               lambda _event: rounds.staffing.on_reported(row, x_km, 0.0, cascade.env.now))


def next_round(minute: float) -> float:
    return (np.floor(minute / INTERVAL_MIN) + 1) * INTERVAL_MIN


def test_a_short_community_gets_a_person_released_in_its_neighbour_at_the_hand_computed_minute() -> None:
    # Community 0's site needs two; its own person is free at once, the neighbour's is released
    # (hands a post over) 3 km away at minute 12.
    plan = units((SITE, 0, 0.0, 2, 0))
    loop, cascade, rounds = command(plan, homes=[0, 1])
    released_min, away_km = 12.0, 3.0
    free(cascade, rounds, 0, 1.0, 0.0)
    free(cascade, rounds, 1, released_min, away_km)
    loop.run_before(100.0)
    staffing = rounds.staffing
    arrival = next_round(released_min) + away_km * MIN_PER_KM  # 15 + 6
    assert staffing.staffed_min[0] == arrival == 21.0
    assert staffing.able_min[0] == arrival + SETUP_MIN
    assert (staffing.state == ON).all() and staffing.staff[0] == 2


@pytest.mark.parametrize("scope,present,goes,arrival_min", [
    # the gate's own community first, though farthest
    ("district", [0, 1, 2], 0, 5.0 + 4.0 * MIN_PER_KM),
    # then its sub-district, though the other sub-district's person is nearer
    ("district", [1, 2], 1, 5.0 + 2.0 * MIN_PER_KM),
    ("district", [2], 2, 5.0 + 0.5 * MIN_PER_KM),
    # the scope caps the levels
    ("subdistrict", [2], None, None),
    ("subdistrict", [1, 2], 1, 5.0 + 2.0 * MIN_PER_KM),
    ("community", [1, 2], None, None),
])
def test_the_levels_come_community_then_subdistrict_then_district(
        scope: str, present: list[int], goes: int | None, arrival_min: float | None) -> None:
    plan = units((CHECKPOINT, 0, 0.0, 1, 0))
    loop, cascade, rounds = command(plan, homes=[0, 1, 2], scope=scope)
    places_km = {0: 4.0, 1: 2.0, 2: 0.5}
    for row in present:
        free(cascade, rounds, row, 0.0, places_km[row])
    loop.run_before(100.0)
    staffing = rounds.staffing
    if goes is None:
        assert staffing.staff[0] == 0 and staffing.staffed_min[0] == np.inf
    else:
        assert staffing.state[goes] == ON and staffing.staffed_min[0] == arrival_min


@pytest.mark.parametrize("priority,unit", [((SITE, CHECKPOINT), 0), ((CHECKPOINT, SITE), 1)])
def test_the_task_first_in_priority_gets_the_one_person(priority: tuple[int, ...], unit: int) -> None:
    plan = units((SITE, 0, 0.0, 1, 0), (CHECKPOINT, 0, 0.0, 1, 0))
    loop, cascade, rounds = command(plan, homes=[0], priority=priority)
    free(cascade, rounds, 0, 0.0, 0.0)
    loop.run_before(100.0)
    assert rounds.staffing.staff.tolist() == [int(unit == 0), int(unit == 1)]


def test_every_minimum_comes_before_any_further_staff() -> None:
    # Community 0's site opens with one and takes one more; community 1's gate needs one. Of
    # community 0's two people, the second goes to the neighbour's gate, not to its own site.
    plan = units((SITE, 0, 0.0, 1, 1), (CHECKPOINT, 1, 1.0, 1, 0))
    loop, cascade, rounds = command(plan, homes=[0, 0])
    free(cascade, rounds, 0, 0.0, 0.0)
    free(cascade, rounds, 1, 0.0, 0.0)
    loop.run_before(100.0)
    assert rounds.staffing.staff.tolist() == [1, 1]
    assert rounds.staffing.staffed_min[1] == 5.0 + 1.0 * MIN_PER_KM


def test_a_sites_further_staff_is_moved_to_a_gate_that_lost_its_shift() -> None:
    plan = units((SITE, 0, 0.0, 1, 1), (CHECKPOINT, 1, 1.0, 1, 0))
    loop, cascade, rounds = command(plan, homes=[0, 0, 1])
    for row, x in ((0, 0.0), (1, 0.0), (2, 1.0)):
        free(cascade, rounds, row, 0.0, x)
    left_min = 20.0
    cascade.at(left_min, None, lambda _event: rounds.staffing.on_left(2, cascade.env.now))
    loop.run_before(100.0)
    staffing = rounds.staffing
    # By minute 5 the site has two and the gate its own person; at 20 the gate's person is sent
    # to a post; at 25 the site's second rides the 1 km to the gate.
    assert staffing.staff.tolist() == [1, 1] and staffing.state[1] == ON
    assert staffing.unit[1] == 1 and staffing.xy[1].tolist() == [1.0, 0.0]


def test_the_next_shift_relieves_a_gate_a_shift_after_its_person_came() -> None:
    shift_min = 30.0
    plan = units((CHECKPOINT, 0, 0.0, 1, 0))
    loop, cascade, rounds = command(plan, homes=[0, 0], shift_min=shift_min)
    free(cascade, rounds, 0, 0.0, 0.0)
    free(cascade, rounds, 1, 36.0, 1.0)
    loop.run_before(41.0)
    staffing = rounds.staffing
    # On from 5, due at 35; the relief is free at 36, sent at 40, rides 2 minutes.
    assert staffing.state[1] == RIDING and staffing.state[0] == ON
    loop.run_before(100.0)
    assert staffing.state.tolist() == [OFF, ON] and staffing.staff[0] == 1


def test_people_waiting_at_one_place_fill_a_unit_needing_several_at_once() -> None:
    # Three people at the same office form one source of three; the gate needs all three
    # (the round's bottleneck counts a source's people, not its one pair).
    plan = units((CHECKPOINT, 0, 1.0, 3, 0), (CHECKPOINT, 0, 3.0, 1, 0))
    loop, cascade, rounds = command(plan, homes=[0, 0, 0, 0])
    for row in range(4):
        free(cascade, rounds, row, 0.0, 0.0)
    loop.run_before(100.0)
    staffing = rounds.staffing
    assert staffing.staff.tolist() == [3, 1]
    assert staffing.staffed_min.tolist() == [5.0 + 1.0 * MIN_PER_KM, 5.0 + 3.0 * MIN_PER_KM]


def test_a_person_lent_from_afar_gives_way_to_a_nearer_one_who_became_free() -> None:
    # Community 0's gate needs one; only community 2's person (the other sub-district, 30 km
    # away) is free at first: lent at minute 5, due at 65. Community 1's person (the gate's
    # sub-district) is free 1 km away at minute 12: at 15 they go (arriving at 17) and the
    # lent rider is stood down where they are, 10 minutes into a 60-minute ride.
    plan = units((CHECKPOINT, 0, 0.0, 1, 0))
    loop, cascade, rounds = command(plan, homes=[2, 1])
    free(cascade, rounds, 0, 0.0, 30.0)
    free(cascade, rounds, 1, 12.0, 1.0)
    loop.run_before(100.0)
    staffing = rounds.staffing
    assert staffing.staffed_min[0] == 15.0 + 1.0 * MIN_PER_KM
    assert staffing.state[0] == IDLE
    assert staffing.xy[0].tolist() == pytest.approx([30.0 - 30.0 * 10.0 / 60.0, 0.0])


def test_a_rider_sent_at_a_nearer_level_is_not_replaced_by_a_nearer_person_of_a_wider_one() -> None:
    # The gate's own community's person, 4 km away, rides from minute 5; a person of the other
    # sub-district free 0.5 km away at minute 6 does not take the gate from them.
    plan = units((CHECKPOINT, 0, 0.0, 1, 0))
    loop, cascade, rounds = command(plan, homes=[0, 2])
    free(cascade, rounds, 0, 0.0, 4.0)
    free(cascade, rounds, 1, 6.0, 0.5)
    loop.run_before(100.0)
    assert rounds.staffing.staffed_min[0] == 5.0 + 4.0 * MIN_PER_KM
    assert rounds.staffing.state.tolist() == [ON, IDLE]


def test_people_go_only_to_units_they_complete_the_units_lacking_fewest_first() -> None:
    # Two sites need two each, a gate one (community 0, testing first): three people open
    # one site and keep the third for the gate; a site is never left half staffed.
    plan = units((SITE, 0, 0.0, 2, 0), (SITE, 0, 0.0, 2, 0), (CHECKPOINT, 0, 0.0, 1, 0))
    loop, cascade, rounds = command(plan, homes=[0, 0, 0])
    for row in range(3):
        free(cascade, rounds, row, 0.0, 0.0)
    loop.run_before(100.0)
    assert rounds.staffing.staff.tolist() == [2, 0, 1]
