"""The task staff's states by hand: rides and arrivals, gaps first, a site's setup, a gate's
relief; the units of a district from the published rules."""

from __future__ import annotations

import numpy as np
import pytest
from model_fixtures import scenario, small_district

from mobsim.errors import InputError
from mobsim.model.geometry import geometry
from mobsim.model.reserves import DISTRICT, Reserves
from mobsim.model.tasks.plan import (
    CHECKPOINT,
    SITE,
    UnitPlan,
    middle_items,
    unit_plan,
    units_per_community,
)
from mobsim.model.tasks.staffing import IDLE, OFF, ON, OUT, RIDING, Staffing
from mobsim.scenario.params import Settings

SITE_STAFF, SITE_SUPPORT, GATE_STAFF, SETUP_MIN = 2, 1, 2, 60.0


def one_community_plan() -> UnitPlan:
    """Community 0: one site (opens with SITE_STAFF, takes SITE_SUPPORT more), one gate."""
    return UnitPlan(task=np.array([SITE, CHECKPOINT], np.int8), community=np.zeros(2, np.int64),
                    min_staff=np.array([SITE_STAFF, GATE_STAFF]),
                    support=np.array([SITE_SUPPORT, 0]), stations=np.array([2, 0]),
                    x_km=np.array([0.0, 1.0]), y_km=np.zeros(2), village=np.zeros(2, bool),
                    designated=np.array([True, False]))


def people(n: int) -> Reserves:
    return Reserves.of("cadre", np.zeros(n), np.zeros(n), DISTRICT, 30.0, np.zeros((n, 2)))


def staffing(n_people: int = 6) -> Staffing:
    return Staffing(one_community_plan(), people(n_people), 1, np.array([SETUP_MIN, 0.0]))


def joined(staff: Staffing, row: int, unit: int, at_min: float) -> None:
    """Free at 0, sent and arrived at `at_min`."""
    staff.on_reported(row, 0.0, 0.0, 0.0)
    assert staff.arrive(row, staff.send(row, unit, at_min, at_min), at_min)


def test_a_site_acts_its_setup_after_its_minimum_is_on_hand_and_then_takes_further_staff() -> None:
    staff = staffing()
    joined(staff, 0, 0, 5.0)
    assert staff.min_need().tolist() == [SITE_STAFF - 1, GATE_STAFF]
    joined(staff, 1, 0, 9.0)
    assert staff.staffed_min[0] == 9.0 and staff.able_min[0] == 9.0 + SETUP_MIN
    assert staff.min_need()[0] == 0 and staff.extra_need()[0] == SITE_SUPPORT
    joined(staff, 2, 0, 12.0)
    assert staff.extra_need()[0] == 0 and staff.surplus().tolist() == [2]
    # A gate needs no setup: it acts when its shift is there.
    joined(staff, 3, 1, 20.0)
    joined(staff, 4, 1, 21.0)
    assert staff.able_min[1] == staff.staffed_min[1] == 21.0


def test_riders_count_toward_a_units_need_and_a_ride_called_off_does_not_arrive() -> None:
    staff = staffing()
    staff.on_reported(0, 0.0, 0.0, 0.0)
    ticket = staff.send(0, 0, 1.0, 4.0)
    assert staff.state[0] == RIDING and staff.min_need()[0] == SITE_STAFF - 1
    staff.on_left(0, 3.0)  # the dispatcher sends them to a post on the way
    assert staff.state[0] == OUT and staff.min_need()[0] == SITE_STAFF
    assert not staff.arrive(0, ticket, 4.0)
    assert staff.staff[0] == 0


def test_a_person_sent_to_a_post_leaves_their_unit_which_lacks_them_again() -> None:
    staff = staffing()
    for row, at in ((0, 5.0), (1, 6.0)):
        joined(staff, row, 0, at)
    staff.on_left(0, 30.0)
    assert staff.staff[0] == SITE_STAFF - 1 and staff.min_need()[0] == 1
    assert staff.staffed_min[0] == 6.0  # the first minute the unit had its minimum stays


def test_a_person_reported_twice_is_counted_once_and_one_who_left_may_come_back() -> None:
    staff = staffing()
    staff.on_reported(0, 0.0, 0.0, 1.0)
    staff.on_reported(0, 5.0, 5.0, 2.0)
    assert staff.idle().tolist() == [0] and staff.xy[0].tolist() == [0.0, 0.0]
    staff.on_left(0, 3.0)
    staff.on_reported(0, 5.0, 5.0, 4.0)
    assert staff.state[0] == IDLE and staff.xy[0].tolist() == [5.0, 5.0]


def test_the_next_shift_relieves_the_one_due_longest_and_keeps_the_gate_staffed() -> None:
    staff = staffing()
    for row, at in ((0, 5.0), (1, 6.0)):
        joined(staff, row, 1, at)
    for row in (1, 0):  # both shifts over, person 1's noted first
        staff.make_due(row, int(staff.ticket[row]))
    assert staff.extra_need()[1] == GATE_STAFF and staff.min_need()[1] == 0
    joined(staff, 2, 1, 500.0)
    assert staff.state[1] == OFF and staff.state[0] == ON and staff.staff[1] == GATE_STAFF
    assert staff.extra_need()[1] == 1
    # A due person sent to a post leaves the gate short: the next to come fills it, nobody is relieved.
    staff.on_left(0, 501.0)
    assert staff.min_need()[1] == 1 and staff.extra_need()[1] == 0
    joined(staff, 3, 1, 510.0)
    assert staff.staff[1] == GATE_STAFF and staff.state[2] == ON and staff.state[3] == ON


def test_a_shift_that_ended_after_the_person_moved_does_not_count() -> None:
    staff = staffing()
    joined(staff, 0, 1, 5.0)
    ticket = int(staff.ticket[0])
    staff.on_left(0, 6.0)
    staff.make_due(0, ticket)
    assert staff.due_count[1] == 0


def test_a_round_may_move_a_sites_further_staff_but_not_its_minimum() -> None:
    staff = staffing()
    for row, at in ((0, 5.0), (1, 6.0), (2, 7.0)):
        joined(staff, row, 0, at)
    assert staff.surplus().tolist() == [2]
    staff.arrive(2, staff.send(2, 1, 8.0, 8.0), 8.0)
    assert staff.staff.tolist() == [SITE_STAFF, 1] and staff.surplus().tolist() == []


def test_sites_follow_residents_and_checkpoints_compounds() -> None:
    district = small_district(subdistricts=1, communities=2, grids=1, microgrids=3)
    residents_per_site, per_compound, gates = 100.0, 40.0, 2
    settings = Settings(scenario(
        f"tasks.testing.residents_per_site={residents_per_site}",
        f"tasks.checkpoints.households_per_compound.commercial_housing={per_compound}",
        f"tasks.checkpoints.gates_per_compound.commercial_housing={gates}"))
    units = units_per_community(geometry(district), settings)
    households = 3 * 50  # three micro-grids of 50 commercial-housing households a community
    size = settings.number("tasks.testing.household_size")
    compounds = round(households / per_compound)
    assert units["checkpoints"].tolist() == [compounds * gates] * 2
    assert units["testing"].tolist() == [int(np.ceil(households * size / residents_per_site))] * 2


def test_a_community_has_one_compound_at_least_and_its_gates_stand_at_its_middle() -> None:
    district = small_district(subdistricts=1, communities=1, grids=1, microgrids=3)
    geo = geometry(district)
    plan = unit_plan(geo, Settings(scenario(
        "tasks.checkpoints.households_per_compound.commercial_housing=100000.0",
        "tasks.testing.designated_per_community=0")))
    gates = np.flatnonzero(plan.task == CHECKPOINT)
    assert len(gates) == 1
    # 150 households over three micro-grids: the 75th is in the second.
    assert plan.x_km[gates[0]] == geo.microgrid_xy[0][1]
    site = np.flatnonzero(plan.task == SITE)[0]
    assert plan.x_km[site] == geo.microgrid_xy[0][1] and not plan.designated[site]


def test_a_designated_site_stands_at_the_community_office() -> None:
    district = small_district(subdistricts=1, communities=2, grids=1, microgrids=4)
    geo = geometry(district)
    plan = unit_plan(geo, Settings(scenario("tasks.testing.residents_per_site=300.0",
                                            "tasks.testing.designated_per_community=1")))
    sites = np.flatnonzero(plan.task == SITE)
    assert plan.designated[sites].tolist() == [True, False, True, False]
    designated = sites[plan.designated[sites]]
    assert plan.x_km[designated].tolist() == geo.community_xy[0].tolist()


def test_middle_items_split_each_groups_weight_in_runs() -> None:
    group = np.array([0, 0, 0, 0, 1, 1])
    weight = np.array([10, 10, 10, 10, 5, 15])
    run_group, item = middle_items(group, weight, np.array([2, 1]))
    # Group 0: runs of 20, middles at 10 and 30 (items 1 and 3); group 1: middle at 10 (item 5).
    assert run_group.tolist() == [0, 0, 1] and item.tolist() == [1, 3, 5]


@pytest.mark.parametrize("bad", ["['testing']", "['testing', 'testing']", "['testing', 'x']"])
def test_a_priority_that_is_not_each_community_task_once_is_refused(bad: str) -> None:
    with pytest.raises(InputError, match="tasks.priority"):
        scenario(f"tasks.priority={bad}")


@pytest.mark.parametrize("override,key", [
    ("tasks.staff_scope='city'", "tasks.staff_scope"),
    ("tasks.checkpoints.households_per_compound.old_compound=0.0",
     "tasks.checkpoints.households_per_compound.old_compound"),
    ("tasks.testing.support_staff=-1", "tasks.testing.support_staff"),
    ("tasks.checkpoints.shift_min=0.0", "tasks.checkpoints.shift_min"),
    ("tasks.staffed_by.cadre=1", "tasks.staffed_by.cadre"),
])
def test_a_bad_task_key_is_a_one_line_error_naming_it(override: str, key: str) -> None:
    with pytest.raises(InputError, match=key.replace(".", r"\.")) as err:
        scenario(override)
    assert "\n" not in str(err.value)



def test_the_xindu_units_quoted_in_the_model_document_are_the_rules_on_the_default_district() -> None:
    import re
    from pathlib import Path

    from mobsim.district.generate import generate_xindu

    settings = Settings(scenario())
    plan = unit_plan(geometry(generate_xindu()), settings)
    site = plan.task == SITE
    found = {
        "testing sites (of which designated)": f"{site.sum():,} ({plan.designated.sum():,})",
        "checkpoints": f"{(~site).sum():,}",
        "people to open every site and staff every gate's shift": f"{plan.min_staff.sum():,}",
        "people for every site fully staffed and every gate's shift":
            f"{(plan.min_staff + plan.support).sum():,}",
    }
    text = (Path(__file__).resolve().parents[3] / "docs" / "model.md").read_text()
    for row, value in found.items():
        assert re.search(rf"^\| {re.escape(row)} \| {re.escape(value)} \|$", text, re.M), (row, value)
