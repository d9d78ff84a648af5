"""People over the horizon and how the order travels, through the real engine, by hand.

Each case fixes every delay so that the times follow from the rules (docs/model.md 7.10-7.13):
an order at 02:00 with everyone asleep, wake-up at 06:00 sharp (minute 240), messages that
never wake anyone, calls nobody asleep answers, and no in-person follow-up.
"""

import numpy as np
import pytest
from model_fixtures import SENDERS, everyone, scenario, small_district, without_pools

from mobsim.codes import CHANNELS, COMPOUND_TYPES, TRACE_ENTITIES, TRACE_EVENTS
from mobsim.model import simulate

WAKE_MIN = 240.0  # 06:00 after an order at 02:00
READ_MIN = 3.0  # reading a message awake
PROCESSING_MIN = {"district": 2.0, "subdistricts": 5.0, "communities": 7.0, "gridworkers": 11.0,
                  "units": 13.0}
SMS_DELIVERY_MIN, SMS_READ_MIN = 0.5, 1.5
UNIT_ORDER_MIN = 5.0


def _shape() -> dict[str, int]:
    return dict(subdistricts=2, communities=2, grids=2, microgrids=2, members=2, units=2, cadres=2)


def _messaging_only(*extra: str, period: str = "night") -> list[str]:
    """Every level relays by messaging only, with fixed delays; nothing in person."""
    overrides = everyone("asleep" if period == "night" else "home", period) + [
        "alert.start='02:00'" if period == "night" else "alert.start='14:00'",
        "alert.weekday='tue'", "presence.wake_start='06:00'", "presence.wake_after_min=0.0",
        "channels.messaging.reach=1.0", "channels.sms.reach=1.0",
        "channels.messaging.read_min.asleep=100000.0", "channels.sms.read_min.asleep=100000.0",
        f"channels.messaging.read_min.home={READ_MIN}", f"channels.sms.read_min.home={SMS_READ_MIN}",
        f"channels.sms.delivery_min={SMS_DELIVERY_MIN}", "channels.phone.answer.asleep=0.0",
        "escalation.follow_up_min=100000.0", "escalation.after_min=600.0",
        "escalation.sweep_min=650.0", f"cascade.units.order_min={UNIT_ORDER_MIN}",
        "duty_officers.subdistricts=false", "duty_officers.communities=false",
        "duty_officers.units=false",
    ]
    for sender in SENDERS:
        overrides += [f"cascade.{sender}.channels=['messaging']",
                      f"cascade.{sender}.processing_min={PROCESSING_MIN[sender]}"]
    return overrides + list(extra)


def _run(*overrides: str, trace: bool = False):
    return simulate(small_district(**_shape()), scenario(*overrides), 1, 0, trace=trace)


def _acknowledged(result, entity: str) -> np.ndarray:
    """Acknowledgement minutes of an entity's rows, from the trace, in row order."""
    t = result.trace
    rows = t[(t["entity"] == TRACE_ENTITIES.index(entity))
             & (t["event"] == TRACE_EVENTS.index("acknowledged"))]
    return rows["time_min"][np.argsort(rows["entity_id"])]


def test_nobody_asleep_acknowledges_before_waking_and_the_chain_follows_by_hand() -> None:
    r = _run(*_messaging_only(), trace=True)
    p = PROCESSING_MIN
    # sub-district commands read the district's message when they wake; from then every
    # level is awake and reads at delivery
    subdistrict_min = WAKE_MIN + READ_MIN
    member_min = subdistrict_min + p["subdistricts"] + p["communities"] + p["gridworkers"] + 3 * READ_MIN
    assert np.all(_acknowledged(r, "subdistrict") == subdistrict_min)
    assert np.all(r.member_acknowledged_min == member_min)
    assert np.all(_acknowledged(r, "cadre") >= WAKE_MIN)


@pytest.mark.parametrize("wake", ["05:00", "05:30"])
def test_an_earlier_wake_up_moves_the_whole_chain_by_the_difference(wake: str) -> None:
    late = _run(*_messaging_only())
    early = _run(*_messaging_only(f"presence.wake_start='{wake}'"))
    earlier_by = WAKE_MIN - (int(wake[:2]) * 60 + int(wake[3:]) - 120)  # the order is at 02:00
    np.testing.assert_allclose(late.member_acknowledged_min - early.member_acknowledged_min,
                               earlier_by, rtol=0, atol=1e-9)


def test_a_duty_officer_answers_at_once() -> None:
    r = _run(*_messaging_only("duty_officers.subdistricts=true"), trace=True)
    p = PROCESSING_MIN
    assert np.all(_acknowledged(r, "subdistrict") == p["district"])
    # the communities' heads still sleep: they read the relay at 06:00
    member_min = WAKE_MIN + p["communities"] + p["gridworkers"] + 3 * READ_MIN
    assert np.all(r.member_acknowledged_min == member_min)


def test_a_paired_unit_takes_note_when_its_head_wakes_unless_on_duty() -> None:
    asleep = _run(*_messaging_only(), trace=True)
    on_duty = _run(*_messaging_only("duty_officers.units=true"), trace=True)
    assert np.all(_acknowledged(asleep, "unit") == WAKE_MIN)
    assert np.all(_acknowledged(on_duty, "unit") == UNIT_ORDER_MIN)


def test_a_district_sms_push_reaches_every_member_at_the_computed_minute() -> None:
    push = ["broadcast.district.channels=['sms']", "broadcast.district.to=['members', 'cadres']"]
    r = _run(*_messaging_only(*push, period="day"))
    expected = PROCESSING_MIN["district"] + SMS_DELIVERY_MIN + SMS_READ_MIN
    assert np.all(r.member_acknowledged_min == expected)
    assert np.all(r.member_channel == CHANNELS.index("sms"))
    assert np.all(r.cadre_acknowledged_min == expected)
    # the grid workers are not in the push: they have the order through the chain
    chain = sum(PROCESSING_MIN[s] for s in ("district", "subdistricts", "communities")) + 3 * READ_MIN
    assert np.all(r.gridworker_alerted_min == chain)


def test_a_community_group_reaches_its_members_after_the_head_processes() -> None:
    group = ["broadcast.communities.channels=['messaging']", "broadcast.communities.to=['members']"]
    r = _run(*_messaging_only(*group, period="day"))
    p = PROCESSING_MIN
    community_min = p["district"] + p["subdistricts"] + 2 * READ_MIN
    assert np.all(r.member_acknowledged_min == community_min + p["communities"] + READ_MIN)


def test_a_broadcast_at_night_is_read_on_waking() -> None:
    push = ["broadcast.district.channels=['sms']", "broadcast.district.to=['members']"]
    r = _run(*_messaging_only(*push))
    assert np.all(r.member_acknowledged_min == WAKE_MIN + SMS_READ_MIN)


@pytest.mark.parametrize("success", [0.0, 1.0])
def test_a_member_whose_calls_all_fail_is_found_by_the_building_head(success: float) -> None:
    """Grid workers phone their one member twice (ring 0.5, retry 5) and nobody answers."""
    after_min = 9.0
    shape = dict(_shape(), microgrids=1, members=1)
    chosen = scenario(*_messaging_only(period="day"), "cascade.gridworkers.channels=['phone']",
                      "channels.phone.reach=0.0", "channels.phone.attempts=2",
                      "channels.phone.ring_min=0.5", "channels.phone.retry_min=5.0",
                      "chase.by='building_head'",
                      f"chase.after_min={after_min}", f"chase.success={success}")
    r = simulate(small_district(**shape), chosen, 1, 0)
    p = PROCESSING_MIN
    calls_min = r.gridworker_alerted_min[small_district(**shape).microgrids["general_grid_id"]]
    gave_up = calls_min + p["gridworkers"] + 0.5 + 5.0 + 0.5
    if success:
        assert np.all(r.member_acknowledged_min == gave_up + after_min)
        assert np.all(r.member_channel == CHANNELS.index("door"))
    else:
        assert np.isnan(r.member_acknowledged_min).all()


DOOR_MIN, GRID_WORKER_PREPARE_MIN = 3.0, 2.0
WALK_MIN = 0.3 * 1.3 / (1.25 * 3.6) * 60.0  # 300 m between posts (and homes), detour 1.3: 5.2 min


def _chased_by_the_grid_worker(*extra: str):
    """Three posts a grid, one member each living at their post, 300 m apart, no other reserve;
    the grid worker phones them (one line, two attempts, ring 0.5, retry 5), nobody answers, and the worker
    chases them from the grid's centre (the middle post)."""
    shape = dict(_shape(), microgrids=3, members=1)
    chosen = scenario(*_messaging_only(period="day"), "cascade.gridworkers.channels=['phone']",
                      "channels.phone.reach=0.0", "channels.phone.attempts=2",
                      "channels.phone.ring_min=0.5", "channels.phone.retry_min=5.0",
                      "chase.by='grid_worker'", f"chase.door_min={DOOR_MIN}",
                      "gridworkers.availability.day=1.0",
                      f"gridworkers.prepare_min.home={GRID_WORKER_PREPARE_MIN}",
                      *without_pools(), "cadres.availability.day=0.0", "members.availability.day=1.0",
                      *[f"travel.inside_compound_min.{t}=0.0" for t in COMPOUND_TYPES], *extra)
    r = simulate(small_district(**shape), chosen, 1, 0)
    calls_min = r.gridworker_alerted_min.repeat(3) + PROCESSING_MIN["gridworkers"]
    return r, calls_min


def test_the_grid_worker_chases_the_silent_members_door_by_door_by_hand() -> None:
    """The last attempts end at 6, 6.5 and 7 min after the calls begin (one line: rings at
    0, 0.5, 1, retries 5 min after each ring); the worker prepares, walks 300 m to the first
    door, 3 min there, and 300 m on to each next one, in the order the silences were known."""
    r, calls_min = _chased_by_the_grid_worker("chase.success=1.0")
    first = 6.0 + GRID_WORKER_PREPARE_MIN + WALK_MIN + DOOR_MIN
    expected = calls_min + np.tile([first, first + WALK_MIN + DOOR_MIN,
                                    first + 2 * (WALK_MIN + DOOR_MIN)], len(calls_min) // 3)
    np.testing.assert_allclose(r.member_acknowledged_min, expected, rtol=0, atol=1e-9)
    assert np.all(r.member_channel == CHANNELS.index("door"))


@pytest.mark.parametrize("after_min", [14.0, 20.0])
@pytest.mark.parametrize("success", [0.0, 1.0])
def test_the_doors_come_before_an_open_gap(success: float, after_min: float) -> None:
    """The escalation comes 14 min after the worker had the order (3 min after the calls
    began: the worker waits for the end of the calls, at 7) or 20 min after (9 min after, while
    they are at the first door): they knock at all three, then go to the nearest gap, the last
    door's post (nobody else comes). Members found are all coming: no gap."""
    r, calls_min = _chased_by_the_grid_worker(f"chase.success={success}",
                                              f"escalation.after_min={after_min}")
    first = 6.0 + GRID_WORKER_PREPARE_MIN + WALK_MIN + DOOR_MIN
    last_door = (calls_min + first + 2 * (WALK_MIN + DOOR_MIN))[::3]
    arrived = r.microgrid_gridworker_arrived_min.reshape(-1, 3)
    if success:
        np.testing.assert_allclose(r.member_acknowledged_min[2::3], last_door, rtol=0, atol=1e-9)
        assert np.isnan(arrived).all()
    else:
        np.testing.assert_allclose(arrived[:, 2], last_door, rtol=0, atol=1e-9)
        assert np.isnan(arrived[:, :2]).all()


def test_a_grid_worker_holding_a_post_does_not_chase() -> None:
    """The escalation comes 5 min after the worker had the order, before they begin calling (11
    min): they go to the nearest gap, the middle post at the grid's centre, and hold it for
    good (its member silent); the silences become known while they hold it: nobody is chased."""
    r, calls_min = _chased_by_the_grid_worker("chase.success=1.0", "escalation.after_min=5.0")
    alerted = calls_min[::3] - PROCESSING_MIN["gridworkers"]
    arrived = r.microgrid_gridworker_arrived_min.reshape(-1, 3)
    np.testing.assert_allclose(arrived[:, 1], alerted + 5.0 + GRID_WORKER_PREPARE_MIN, rtol=0, atol=1e-9)
    assert np.isnan(r.member_acknowledged_min).all()


@pytest.mark.parametrize("ramp_min", [0.0, 120.0])
def test_no_surge_of_arrivals_when_the_period_changes(ramp_min: float) -> None:
    """Order at 02:00, everyone awake at home, members available with 0.2 at night and 0.9 by
    day (from 07:50, minute 350): those in between come when their own minute of the ramp
    says. With a ramp, the half hour after the change holds no more arrivals than 1.5 times
    the next half hour; without one (the old step), nearly all of them."""
    chosen = scenario(*everyone("home", "night"), "alert.start='02:00'", "alert.weekday='tue'",
                      "members.availability.night=0.2", "members.availability.day=0.9",
                      f"presence.availability_ramp_min={ramp_min}", *without_pools())
    r = simulate(small_district(microgrids=10, members=20), chosen, 1, 0)
    arrived = r.member_arrived_min[np.isfinite(r.member_arrived_min)]
    after, next_after = np.histogram(arrived, bins=[350.0, 380.0, 410.0])[0]
    if ramp_min:
        assert 0 < after <= 1.5 * next_after
    else:
        assert after > 20 * max(next_after, 1)
