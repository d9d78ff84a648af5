"""The whole replication: closed-form cases of the brief (section 5), conservation, CRN."""

import math
from pathlib import Path

import numpy as np
import pytest
from model_fixtures import (
    deterministic,
    everyone,
    scenario,
    small_district,
    without_pools,
)

from mobsim.codes import (
    ACTIVATED_BY,
    CHANNELS,
    PRESENCE_STATES,
    RELEASE_REASONS,
    TRACE_ENTITIES,
    TRACE_EVENTS,
)
from mobsim.district.generate import generate_xindu
from mobsim.model import simulate
from mobsim.scenario import load_scenario

PHONE = CHANNELS.index("phone")
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _served(start: float, count: int, call_min: float, callers: int) -> np.ndarray:
    """When each of `count` children called in order on `callers` lines is acknowledged."""
    return start + np.ceil(np.arange(1, count + 1) / callers) * call_min


def test_deterministic_cascade_gives_the_critical_path_exactly() -> None:
    """Brief 5.1: fixed delays, phone only; every activation follows the call queues by hand."""
    shape = dict(subdistricts=2, communities=3, grids=2, microgrids=3, members=2)
    processing, callers, call, prepare = (3.0, 5.0, 7.0, 11.0, 13.0), (1, 2, 1, 1, 1), 2.0, 4.0
    district = small_district(**shape)
    result = simulate(district, scenario(*deterministic(call, processing, callers, prepare)), 1, 0)
    expected = []
    for sub_ack in _served(processing[0], shape["subdistricts"], call, callers[0]):
        for com_ack in _served(sub_ack + processing[1], shape["communities"], call, callers[1]):
            for grid_ack in _served(com_ack + processing[2], shape["grids"], call, callers[2]):
                members = _served(grid_ack + processing[3],
                                  shape["microgrids"] * shape["members"], call, callers[3])
                expected += list(members.reshape(shape["microgrids"], shape["members"])[:, 0] + prepare)
    assert np.array_equal(result.microgrid_activated_min, np.array(expected))
    # The last post is activated by the first of its members, called after all earlier posts' members.
    last_post_call = (shape["microgrids"] - 1) * shape["members"] + 1
    critical_path = (sum(processing[:4]) + call * (shape["subdistricts"]
                     + math.ceil(shape["communities"] / callers[1]) + shape["grids"]
                     + last_post_call) + prepare)
    assert result.microgrid_activated_min.max() == critical_path
    assert (result.member_channel == PHONE).all()
    assert (result.microgrid_activated_by == ACTIVATED_BY.index("member")).all()


def test_district_time_of_parallel_exponential_branches_is_the_harmonic_number() -> None:
    """Brief 5.4: all members acknowledge at once, then prepare ~ Exp(mean 10 min).

    The district time is T0 + max of N exponentials: mean T0 + 10·H_N, standard deviation
    10·sqrt(sum 1/k²) (< 10·π/√6). The mean over R replications must lie within 4 standard
    errors of the closed form.
    """
    mean_min, read_min, replications = 10.0, 1.0, 40
    district = small_district(subdistricts=2, communities=2, grids=5, microgrids=20, members=1)
    overrides = deterministic(prepare_min=1.0) + [
        f"members.prepare_min.home={{dist = 'exponential', mean = {mean_min}}}",
        "channels.messaging.reach=1.0", f"channels.messaging.read_min.home={read_min}",
    ] + [f"cascade.{s}.channels=['messaging']"
         for s in ("district", "subdistricts", "communities", "gridworkers")]
    chosen = scenario(*overrides)
    n = len(district.microgrids["microgrid_id"])
    start = 3.0 + 5.0 + 7.0 + 11.0 + 4 * read_min
    times = [np.max(simulate(district, chosen, 7, r).microgrid_activated_min) for r in range(replications)]
    k = np.arange(1, n + 1)
    expected = start + mean_min * np.sum(1.0 / k)
    sd = mean_min * math.sqrt(np.sum(1.0 / k**2))
    assert abs(np.mean(times) - expected) < 4 * sd / math.sqrt(replications)


def _busy(quorum: int = 1, *extra: str):
    district = small_district(subdistricts=2, communities=3, grids=3, microgrids=8, members=1,
                              units=3, cadres=12, home_offset_km=0.2)
    return district, scenario(f"microgrids.quorum={quorum}", "escalation.after_min=15.0", *extra)


def _kth_arrival(result, district, k: int) -> np.ndarray:
    """The k-th earliest arrival of any staff at each micro-grid (inf if fewer arrived)."""
    n = len(district.microgrids["microgrid_id"])
    arrivals = [[] for _ in range(n)]
    member_mg = district.members["microgrid_id"]
    for mg, t in zip(member_mg, result.member_arrived_min):
        arrivals[mg].append(t)
    for shift in result.reserve_shifts:  # every post a grid worker or cadre held
        arrivals[shift["microgrid"]].append(shift["arrived_min"])
    out = np.full(n, np.inf)
    for mg, times in enumerate(arrivals):
        times = sorted(t for t in times if not np.isnan(t))
        if len(times) >= k:
            out[mg] = times[k - 1]
    return out


@pytest.mark.parametrize("quorum", [1, 2])
def test_every_entity_is_accounted_for_and_times_are_ordered(quorum: int) -> None:
    district, chosen = _busy(quorum)
    dispatched_somewhere = 0
    for replication in range(4):
        r = simulate(district, chosen, 11, replication)
        n_mg, n_mem, n_cad = (len(district.microgrids["microgrid_id"]), len(district.members["member_id"]),
                              len(district.cadres["cadre_id"]))
        assert r.microgrid_activated_min.shape == r.microgrid_activated_by.shape == (n_mg,)
        assert r.member_arrived_min.shape == r.member_state.shape == (n_mem,)
        assert r.cadre_microgrid.shape == r.cadre_arrived_min.shape == (n_cad,)
        activated = ~np.isnan(r.microgrid_activated_min)
        assert np.array_equal(activated, r.microgrid_activated_by != ACTIVATED_BY.index("none"))
        kth = _kth_arrival(r, district, quorum)
        assert np.array_equal(np.where(activated, r.microgrid_activated_min, np.inf), kth)
        # members: notified <= acknowledged <= arrived, each only after the one before
        notified, ack, arrived = r.member_notified_min, r.member_acknowledged_min, r.member_arrived_min
        assert not np.any(~np.isnan(ack) & ~(notified <= ack))
        assert not np.any(~np.isnan(arrived) & ~(ack <= arrived))
        assert np.array_equal(np.isnan(ack), r.member_channel == CHANNELS.index("none"))
        assert set(np.unique(r.member_state)) <= set(range(len(PRESENCE_STATES)))
        # cadres: in one place at most; reported <= dispatched <= arrived; sent only to open gaps
        sent = r.cadre_microgrid >= 0
        dispatched_somewhere += int(sent.sum())
        assert np.array_equal(sent, ~np.isnan(r.cadre_dispatched_min))
        assert np.all(r.cadre_reported_min[sent] <= r.cadre_dispatched_min[sent])
        assert not np.any(~np.isnan(r.cadre_arrived_min) & ~(r.cadre_dispatched_min <= r.cadre_arrived_min))
        assert np.all(r.microgrid_gap_min[r.cadre_microgrid[sent]] <= r.cadre_dispatched_min[sent])
        assert np.all(np.isnan(r.cadre_arrived_min[~sent]))
        # a gap gets no more reserves than it lacked: at most `quorum` cadres and grid workers
        # hold it at the horizon, each hand change ends one of their shifts and makes room
        # for at most one more (a grid worker taking over from a cadre)
        shifts = r.reserve_shifts
        handed = shifts["why"] == RELEASE_REASONS.index("handover")
        assert np.bincount(shifts["microgrid"][~handed], minlength=n_mg).max() <= quorum
        assert np.array_equal(np.bincount(shifts["microgrid"][handed], minlength=n_mg),
                              r.microgrid_hand_changes)
        assert np.all(np.bincount(shifts["microgrid"], minlength=n_mg)
                      <= quorum + r.microgrid_hand_changes)
        assert np.all(shifts["arrived_min"][handed] < shifts["released_min"][handed])
        assert np.all(~np.isnan(r.microgrid_gap_min[shifts["microgrid"]]))
        # a post becomes a gap only while it is not activated
        gap = ~np.isnan(r.microgrid_gap_min)
        assert not np.any(gap & activated & (r.microgrid_gap_min > r.microgrid_activated_min))
    assert dispatched_somewhere > 0


def test_activated_by_names_who_completed_the_quorum() -> None:
    district, chosen = _busy(1)
    r = simulate(district, chosen, 5, 0)
    member_first = np.full(len(r.microgrid_activated_min), np.inf)
    np.minimum.at(member_first, district.members["microgrid_id"],
                  np.nan_to_num(r.member_arrived_min, nan=np.inf))
    by_member = r.microgrid_activated_by == ACTIVATED_BY.index("member")
    assert np.array_equal(r.microgrid_activated_min[by_member], member_first[by_member])
    by_worker = r.microgrid_activated_by == ACTIVATED_BY.index("grid_worker")
    assert np.array_equal(r.microgrid_activated_min[by_worker],
                          r.microgrid_gridworker_arrived_min[by_worker])
    assert {ACTIVATED_BY[c] for c in np.unique(r.microgrid_activated_by)} >= {"member", "cadre"}


def test_a_replication_is_a_pure_function_of_seed_and_replication() -> None:
    district, chosen = _busy()
    a, b, c = (simulate(district, chosen, 3, 0), simulate(district, chosen, 3, 0),
               simulate(district, chosen, 3, 1))
    assert np.array_equal(a.microgrid_activated_min, b.microgrid_activated_min, equal_nan=True)
    assert np.array_equal(a.cadre_microgrid, b.cadre_microgrid) and a.events == b.events
    assert not np.array_equal(a.member_acknowledged_min, c.member_acknowledged_min, equal_nan=True)


def test_more_cadres_change_no_member_time() -> None:
    """Common random numbers: cadres draw from their own streams."""
    shape = dict(subdistricts=2, communities=3, grids=3, microgrids=8, members=1, units=3)
    few, many = small_district(cadres=4, **shape), small_district(cadres=20, **shape)
    for replication in range(3):
        # the pools and party branches left out: the cadres are the only reserves
        a = simulate(few, scenario(*without_pools(), "cadres.count=12"), 9, replication)
        b = simulate(many, scenario(*without_pools(), "cadres.count=60"), 9, replication)
        assert np.array_equal(a.member_acknowledged_min, b.member_acknowledged_min, equal_nan=True)
        assert np.array_equal(a.member_arrived_min, b.member_arrived_min, equal_nan=True)
        assert np.array_equal(a.member_state, b.member_state)
        assert np.nansum(b.cadre_arrived_min > 0) > np.nansum(a.cadre_arrived_min > 0)


def _order_at(name: str):
    """A replication of the shipped scenario `name` (scenarios/<name>.toml) on a mid-size district."""
    district = small_district(subdistricts=3, communities=4, grids=4, microgrids=8, members=1,
                              units=4, cadres=10, home_offset_km=0.3)
    return simulate(district, load_scenario(SCENARIOS / f"{name}.toml"), 2024, 0)


def _median(times: np.ndarray) -> float:
    return float(np.median(np.nan_to_num(times, nan=np.inf)))


def test_night_is_slower_than_a_weekday_afternoon() -> None:
    """At night most people are asleep: they read late and answer fewer calls."""
    day, night = _order_at("xindu-baseline"), _order_at("xindu-night")
    assert _median(night.microgrid_activated_min) > _median(day.microgrid_activated_min)
    assert _median(night.member_acknowledged_min) > _median(day.member_acknowledged_min)


def test_at_weekends_members_report_faster_but_more_are_away() -> None:
    """Weekend shares: fewer members at work (long trips), more away (no report)."""
    day, weekend = _order_at("xindu-baseline"), _order_at("xindu-weekend")
    def trip(r) -> float:
        return float(np.nanmedian(r.member_arrived_min - r.member_acknowledged_min))

    assert trip(weekend) < trip(day)
    away = PRESENCE_STATES.index("away")
    assert np.mean(weekend.member_state == away) > np.mean(day.member_state == away)


def test_nobody_reaches_a_post_when_everyone_is_away() -> None:
    district, _ = _busy()
    r = simulate(district, scenario(*everyone("away")), 1, 0)
    assert np.isnan(r.member_arrived_min).all() and np.isnan(r.microgrid_activated_min).all()
    assert not np.isnan(r.member_acknowledged_min).all()


def _traced(trace: np.ndarray, entity: str, event: str) -> np.ndarray:
    return trace[(trace["entity"] == TRACE_ENTITIES.index(entity))
                 & (trace["event"] == TRACE_EVENTS.index(event))]


def test_trace_records_each_arrival_and_activation_once() -> None:
    district, chosen = _busy()
    r = simulate(district, chosen, 4, 0, trace=True)
    assert simulate(district, chosen, 4, 0).trace is None
    t = r.trace
    assert np.all(np.diff(t["time_min"]) >= 0)
    activated = _traced(t, "microgrid", "activated")
    assert sorted(activated["entity_id"]) == sorted(np.flatnonzero(~np.isnan(r.microgrid_activated_min)))
    member_arrivals = _traced(t, "member", "arrived")
    assert len(member_arrivals) == np.sum(~np.isnan(r.member_arrived_min))


def test_one_replication_of_the_full_xindu_district_accounts_for_everyone() -> None:
    district = generate_xindu()
    r = simulate(district, scenario(), 1, 0)
    n_mg = len(district.microgrids["microgrid_id"])
    assert r.microgrid_activated_min.shape == (n_mg,) == (10_161,)
    assert r.member_state.shape == (12_518,) and r.cadre_microgrid.shape == (3_241,)
    assert r.gridworker_alerted_min.shape == (len(district.general_grids["general_grid_id"]),)
    by = np.bincount(r.microgrid_activated_by, minlength=len(ACTIVATED_BY))
    assert by[0] == np.isnan(r.microgrid_activated_min).sum()
    shifts = r.reserve_shifts[r.reserve_shifts["kind"] == ACTIVATED_BY.index("cadre")]
    first_cadre = np.full(n_mg, np.inf)
    np.minimum.at(first_cadre, shifts["microgrid"], shifts["arrived_min"])
    by_cadre = r.microgrid_activated_by == ACTIVATED_BY.index("cadre")
    assert by_cadre.any() and np.array_equal(r.microgrid_activated_min[by_cadre], first_cadre[by_cadre])
    # A post is held by one dispatched reserve at a time (quorum one): a shift begins only
    # once the post's earlier shift has ended.
    held = r.reserve_shifts[r.reserve_shifts["kind"] != ACTIVATED_BY.index("grid_worker")]
    order = np.lexsort((held["arrived_min"], held["microgrid"]))
    post, begins = held["microgrid"][order], held["arrived_min"][order]
    ends = np.nan_to_num(held["released_min"][order], nan=np.inf)
    same = post[1:] == post[:-1]
    assert (begins[1:][same] >= ends[:-1][same]).all()
    assert r.events > n_mg
