"""The staffing rule with fixed arrivals: the minute each checkpoint and site can act, by hand."""

from __future__ import annotations

import numpy as np
import pytest
from model_fixtures import scenario, small_district

from mobsim.codes import TASKS
from mobsim.model.geometry import geometry
from mobsim.model.tasks.plan import UnitPlan, units_per_community
from mobsim.model.tasks.staffing import Staffing
from mobsim.scenario.params import Settings

CHECKPOINT, SITE = TASKS.index("checkpoints"), TASKS.index("testing")
CHECKPOINT_STAFF, SITE_STAFF = 2, 3
ARRIVALS_MIN = [5.0, 7.0, 9.0, 12.0, 20.0, 31.0, 40.0, 44.0]


def one_community_plan() -> UnitPlan:
    """Community 0: one testing site (needs SITE_STAFF), then two checkpoints (CHECKPOINT_STAFF)."""
    return UnitPlan(task=np.array([SITE, CHECKPOINT, CHECKPOINT], np.int8),
                    community=np.zeros(3, np.int64),
                    min_staff=np.array([SITE_STAFF, CHECKPOINT_STAFF, CHECKPOINT_STAFF]),
                    stations=np.array([2, 0, 0]))


def staffed(priority: tuple[str, ...]) -> Staffing:
    staffing = Staffing(one_community_plan(), priority, 1, np.zeros(1, np.int32), post_keep=1)
    for person, minute in enumerate(ARRIVALS_MIN):
        staffing.on_reported("cadre", person, 0, -1, minute)
    return staffing


def nth_arrival(n: int) -> float:
    """Minute of the n-th arrival (1-based)."""
    return ARRIVALS_MIN[n - 1]


def test_checkpoints_first_each_acts_when_its_shift_is_complete() -> None:
    staffing = staffed(("checkpoints", "testing"))
    # Checkpoint 1 takes arrivals 1-2, checkpoint 2 arrivals 3-4, the site arrivals 5-7.
    expected = [nth_arrival(2 * CHECKPOINT_STAFF + SITE_STAFF), nth_arrival(CHECKPOINT_STAFF),
                nth_arrival(2 * CHECKPOINT_STAFF)]
    assert staffing.able_min.tolist() == expected
    assert staffing.staff.tolist() == [SITE_STAFF, CHECKPOINT_STAFF, CHECKPOINT_STAFF]
    assert len(staffing.idle[0]) == len(ARRIVALS_MIN) - SITE_STAFF - 2 * CHECKPOINT_STAFF


def test_testing_first_opens_the_site_before_any_checkpoint() -> None:
    staffing = staffed(("testing", "checkpoints"))
    expected = [nth_arrival(SITE_STAFF), nth_arrival(SITE_STAFF + CHECKPOINT_STAFF),
                nth_arrival(SITE_STAFF + 2 * CHECKPOINT_STAFF)]
    assert staffing.able_min.tolist() == expected


def test_a_reserve_sent_to_a_gap_is_replaced_by_an_idle_person() -> None:
    staffing = staffed(("checkpoints", "testing"))
    staffing.on_left("cadre", 0, 50.0)  # the first arrival held checkpoint 1
    assert staffing.staff.tolist() == [SITE_STAFF, CHECKPOINT_STAFF, CHECKPOINT_STAFF]
    assert len(staffing.idle[0]) == 0
    staffing.on_left("cadre", 1, 51.0)  # nobody idle is left: checkpoint 1 is short
    assert staffing.staff[1] == CHECKPOINT_STAFF - 1
    # The minute a unit could first act stays; a reserve never in the pool changes nothing.
    assert staffing.able_min[1] == nth_arrival(CHECKPOINT_STAFF)
    staffing.on_left("cadre", 99, 52.0)
    assert staffing.staff.sum() == SITE_STAFF + 2 * CHECKPOINT_STAFF - 1


def test_a_unit_left_short_is_the_next_filled_before_any_later_unit() -> None:
    # Checkpoints first, arrivals 1-7 fill every unit. Checkpoint 1 (arrivals 1-2) loses both
    # while checkpoint 2 and the site stay full; a later unit is made short too (the site).
    staffing = staffed(("checkpoints", "testing"))
    for person in (0, 1):  # one idle person replaces the first; nobody replaces the second
        staffing.on_left("cadre", person, 50.0)
    staffing.on_left("cadre", 4, 51.0)  # arrival 5, on the site
    assert staffing.staff.tolist() == [SITE_STAFF - 1, CHECKPOINT_STAFF - 1, CHECKPOINT_STAFF]
    # The next person goes to checkpoint 1 (first in priority order), the one after to the site.
    staffing.on_reported("cadre", 100, 0, -1, 60.0)
    assert staffing.staff.tolist() == [SITE_STAFF - 1, CHECKPOINT_STAFF, CHECKPOINT_STAFF]
    staffing.on_reported("cadre", 101, 0, -1, 61.0)
    assert staffing.staff.tolist() == [SITE_STAFF, CHECKPOINT_STAFF, CHECKPOINT_STAFF]
    staffing.on_reported("cadre", 102, 0, -1, 62.0)  # nothing lacks staff: idle
    assert len(staffing.idle[0]) == 1


def test_a_post_keeps_its_first_people_and_sends_the_rest_to_the_community() -> None:
    on_post = np.zeros(1, np.int32)
    staffing = Staffing(one_community_plan(), ("checkpoints", "testing"), 1, on_post,
                        post_keep=1)
    on_post[0] = 1  # the post counts the first member before the hook sees them
    staffing.on_reported("member", -1, 0, 0, 3.0)
    assert staffing.staff.sum() == 0
    on_post[0] = 2
    staffing.on_reported("member", -1, 0, 0, 4.0)
    assert staffing.staff.tolist() == [0, 1, 0]


def test_checkpoints_are_counted_by_compound_type_and_sites_by_residents() -> None:
    district = small_district(subdistricts=1, communities=2, grids=1, microgrids=3)
    per_1000, residents_per_site = 10.0, 100.0
    settings = Settings(scenario(
        f"tasks.checkpoints.per_1000_households.commercial_housing={per_1000}",
        f"tasks.testing.residents_per_site={residents_per_site}"))
    units = units_per_community(geometry(district), district.microgrids["households"],
                                district.microgrids["compound_type"].astype(np.int64), settings)
    households = 3 * 50  # three micro-grids of 50 commercial-housing households a community
    size = settings.number("tasks.testing.household_size")
    assert units["checkpoints"].tolist() == [int(np.ceil(households * per_1000 / 1000))] * 2
    assert units["testing"].tolist() == [int(np.ceil(households * size / residents_per_site))] * 2


@pytest.mark.parametrize("bad", ["['testing']", "['testing', 'testing']", "['testing', 'x']"])
def test_a_priority_that_is_not_each_community_task_once_is_refused(bad: str) -> None:
    from mobsim.errors import InputError
    with pytest.raises(InputError, match="tasks.priority"):
        scenario(f"tasks.priority={bad}")


def test_a_person_reported_twice_is_counted_once() -> None:
    staffing = Staffing(one_community_plan(), ("testing", "checkpoints"), 1,
                        np.zeros(1, np.int32), post_keep=1)
    staffing.on_reported("cadre", 7, 0, -1, 1.0)
    staffing.on_reported("cadre", 7, 0, -1, 2.0)
    assert staffing.staff.sum() == 1
