"""Tests of the canvass kernel: a Python reference model, hand-worked cases, brief §5 cases."""

import bisect
import math
import subprocess
import sys
from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mobsim.kernels import rng
from mobsim.kernels.canvass import (
    HOURS_PER_WEEK,
    MAX_ATTEMPTS_LIMIT,
    MINUTES_PER_WEEK,
    CanvassResult,
    Durations,
    canvass,
)
from scipy import stats

MONDAY = 0.0
SATURDAY = 5 * 1440.0
SUNDAY = 6 * 1440.0
HOME_SLOT, SERVICE_SLOT, WALK_SLOT, SLOTS = 0, 1, 2, 4  # draw layout of the module docstring


def constant(values, family=rng.FIXED, b=0.0) -> Durations:
    """A duration table with one family and per-type values a (and a common b)."""
    a = np.atleast_1d(np.asarray(values, float))
    return Durations(np.full(a.size, family), a, np.full(a.size, b))


def single_list(n_households, **model):
    """Keyword arguments of one worker walking households 0..n-1, always home, no walk."""
    args = dict(worker_offsets=np.array([0, n_households]), household_order=np.arange(n_households),
                compound_type=np.zeros(n_households, np.int8), worker_start_min=np.zeros(1),
                home_p=np.ones((1, HOURS_PER_WEEK)), service_min=constant(1.0),
                walk_min=constant(0.0))
    args.update(model)
    return args


# ---------------------------------------------------------------- pure-Python reference model

def reference_open_from(t, windows, clock0):
    """Earliest time ≥ t inside a weekly window: now if inside, else the next opening."""
    minute = (clock0 + t) % MINUTES_PER_WEEK
    if any(start <= minute < end for start, end in windows):
        return t
    later = [start for start, _ in windows if start > minute]
    if later:
        return t + (min(later) - minute)
    return t + (MINUTES_PER_WEEK - minute + windows[0][0])


def reference_worker(w, m, completion, attempts, bins):
    """Simulate worker w of model m event by event; return (finish, visits)."""
    households = m["household_order"][m["worker_offsets"][w]:m["worker_offsets"][w + 1]]
    pattern = m["worker_window_class"][w]
    windows = m["windows_min"][m["window_offsets"][pattern]:m["window_offsets"][pattern + 1]]
    key = np.uint64(rng.stream_key(np.uint64(m["seed"]), np.uint64(m["replication"]),
                                   np.uint64(w)))
    edges = [(i + 1) * m["bin_min"] for i in range(m["n_bins"])]
    service, walk, horizon = m["service_min"], m["walk_min"], m["horizon_min"]
    tries = [0] * len(households)
    first_pass = deque(range(len(households)))
    revisits = deque()
    t, visits, unresolved = m["worker_start_min"][w], 0, len(households)
    while first_pass or revisits:
        if first_pass:
            pos, ready = first_pass.popleft(), t
        else:
            pos, ready = revisits.popleft()
        begin = max(t, ready)
        if begin >= horizon:
            break
        begin = reference_open_from(begin, windows, m["clock0_min_of_week"])
        if begin >= horizon:
            break
        household = households[pos]
        kind = m["compound_type"][household]
        draw = (pos * MAX_ATTEMPTS_LIMIT + tries[pos]) * SLOTS
        arrive = begin
        if visits:
            arrive = begin + rng.duration(walk.family[kind], walk.a[kind], walk.b[kind], key,
                                          draw + WALK_SLOT)
        visits += 1
        tries[pos] += 1
        hour = int(((m["clock0_min_of_week"] + arrive) % MINUTES_PER_WEEK) // 60)
        if rng.uniform(key, draw + HOME_SLOT) < m["home_p"][kind, hour]:
            t = arrive + rng.duration(service.family[kind], service.a[kind], service.b[kind],
                                      key, draw + SERVICE_SLOT)
            unresolved -= 1
            if t <= horizon:
                completion[household] = t
                if bisect.bisect_left(edges, t) < len(edges):
                    bins[bisect.bisect_left(edges, t)] += 1
        else:
            t = arrive + m["absent_min"][kind]
            if tries[pos] < m["max_attempts"]:
                revisits.append((pos, arrive + m["revisit_gap_min"]))
            else:
                unresolved -= 1
        attempts[household] = tries[pos]
    return (t if unresolved == 0 and t <= horizon else math.nan), visits


def reference_canvass(m) -> CanvassResult:
    """All workers of model m, one after another."""
    n_workers = len(m["worker_offsets"]) - 1
    result = CanvassResult(np.full(len(m["compound_type"]), np.nan),
                           np.zeros(len(m["compound_type"]), np.int32), np.empty(n_workers),
                           np.empty(n_workers, np.int64), np.zeros(m["n_bins"], np.int64))
    for w in range(n_workers):
        result.worker_finish_min[w], result.worker_visits[w] = reference_worker(
            w, m, result.completion_min, result.attempts, result.completed_by_bin)
    return result


# ---------------------------------------------------------------- random small instances

def random_windows(gen: np.random.Generator, classes: int):
    """Sorted, non-overlapping weekly windows per class, some whole-week, some fractional."""
    offsets, windows = [0], []
    for _ in range(classes):
        if gen.random() < 0.3:
            windows.append((0.0, MINUTES_PER_WEEK))
        else:
            cuts = np.sort(gen.choice(10081, size=2 * gen.integers(1, 4), replace=False))
            cuts = cuts + np.where(gen.random(cuts.size) < 0.3, 0.5, 0.0) * (cuts < 10080)
            windows.extend(zip(cuts[::2], cuts[1::2]))
        offsets.append(len(windows))
    return np.array(windows, float), np.array(offsets)


@st.composite
def models(draw):
    """Keyword arguments of `canvass` for a small random campaign."""
    gen = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kinds, workers = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    classes = draw(st.integers(1, 2))
    sizes = gen.integers(0, 9, size=workers)
    n_households = int(sizes.sum()) + int(gen.integers(0, 3))
    windows, window_offsets = random_windows(gen, classes)

    def durations():
        family = gen.integers(0, 3, size=kinds)
        a = np.where(family == rng.LOGNORMAL, gen.uniform(-1, 1.5, kinds), gen.uniform(0, 6, kinds))
        return Durations(family, a, gen.uniform(0, 1, kinds))

    return dict(
        worker_offsets=np.concatenate([[0], np.cumsum(sizes)]),
        household_order=gen.permutation(n_households)[:sizes.sum()],
        compound_type=gen.integers(0, kinds, size=n_households),
        worker_start_min=np.where(gen.random(workers) < 0.1, np.inf,
                                  gen.uniform(0, 3000, workers)),
        home_p=gen.choice([0.0, 0.3, 0.7, 1.0], size=(kinds, HOURS_PER_WEEK)),
        service_min=durations(), walk_min=durations(),
        absent_min=gen.uniform(0, 2, kinds),
        windows_min=windows, window_offsets=window_offsets,
        worker_window_class=gen.integers(0, classes, size=workers),
        clock0_min_of_week=draw(st.sampled_from([0.0, 1439.5, float(gen.uniform(0, 10080))])),
        revisit_gap_min=float(gen.uniform(0, 300)),
        max_attempts=int(gen.integers(1, 5)),
        horizon_min=draw(st.sampled_from([math.inf, float(gen.uniform(0, 20000))])),
        bin_min=float(gen.choice([1.0, 15.0, gen.uniform(1, 500)])),
        n_bins=int(gen.integers(0, 40)),
        seed=draw(st.integers(0, 2**64 - 1)),
        replication=draw(st.integers(0, 1000)),
    )


def assert_same_result(actual: CanvassResult, expected: CanvassResult) -> None:
    """Every output array identical, NaN where NaN."""
    for name in CanvassResult._fields:
        np.testing.assert_array_equal(getattr(actual, name), getattr(expected, name),
                                      err_msg=name)


@settings(max_examples=150, deadline=None)
@given(models())
def test_kernel_equals_the_python_reference_exactly(model):
    assert_same_result(canvass(**model), reference_canvass(model))


@settings(max_examples=20, deadline=None)
@given(models())
def test_parallel_equals_serial_exactly(model):
    assert_same_result(canvass(**model, parallel=True), canvass(**model))


def test_parallel_equals_serial_on_many_workers():
    gen = np.random.default_rng(5)
    sizes = gen.integers(0, 60, size=3000)
    n = int(sizes.sum())
    model = single_list(n, worker_offsets=np.concatenate([[0], np.cumsum(sizes)]),
                        worker_start_min=gen.uniform(0, 200, sizes.size),
                        compound_type=gen.integers(0, 2, n), home_p=np.full((2, 168), 0.6),
                        service_min=constant([3.0, 1.0], rng.LOGNORMAL, 0.4),
                        walk_min=constant([1.0, 2.0], rng.EXPONENTIAL), max_attempts=3,
                        revisit_gap_min=30.0, horizon_min=600.0, n_bins=40, bin_min=15.0)
    serial = canvass(**model)
    assert serial.worker_visits.sum() > n  # revisits happen, so the queue is exercised
    assert_same_result(canvass(**model, parallel=True), serial)


def test_without_per_household_arrays_the_other_outputs_are_unchanged():
    model = single_list(40, home_p=np.full((1, 168), 0.5), max_attempts=3, n_bins=10,
                        service_min=constant(2.0, rng.EXPONENTIAL))
    full, lean = canvass(**model), canvass(**model, per_household=False)
    assert lean.completion_min.size == lean.attempts.size == 0
    for name in ("worker_finish_min", "worker_visits", "completed_by_bin"):
        np.testing.assert_array_equal(getattr(lean, name), getattr(full, name))


# ---------------------------------------------------------------- hand-worked cases

def test_first_pass_adds_walks_between_doors_and_service_at_each():
    result = canvass(**single_list(3, worker_start_min=np.array([10.0]), n_bins=3, bin_min=5.0,
                                   service_min=constant(2.0), walk_min=constant(0.5)))
    np.testing.assert_array_equal(result.completion_min, [12.0, 14.5, 17.0])
    np.testing.assert_array_equal(result.attempts, [1, 1, 1])
    assert result.worker_finish_min[0] == 17.0 and result.worker_visits[0] == 3
    np.testing.assert_array_equal(result.completed_by_bin, [0, 0, 2])  # (10, 15] holds 12, 14.5


def test_absent_households_are_revisited_after_the_gap_then_abandoned():
    # t=0 knock at 0 (absent 0.5, ready 10); walk 1, knock at 1.5 (ready 11.5), leave at 2;
    # revisit 0: wait to 10, walk, knock at 11, leave 11.5; revisit 1: walk, knock 12.5, leave 13.
    result = canvass(**single_list(2, home_p=np.zeros((1, 168)), walk_min=constant(1.0),
                                   absent_min=np.array([0.5]), revisit_gap_min=10.0,
                                   max_attempts=2))
    assert np.isnan(result.completion_min).all()
    np.testing.assert_array_equal(result.attempts, [2, 2])
    assert result.worker_finish_min[0] == 13.0 and result.worker_visits[0] == 4


@pytest.mark.parametrize("max_attempts, completion, attempts", [(5, 185.0, 4), (3, np.nan, 3)])
def test_home_probability_follows_the_hour_of_week(max_attempts, completion, attempts):
    home_p = np.zeros((1, 168))
    home_p[0, 3] = 1.0  # home only on Monday 03:00-04:00; knocks at 0, 60, 120, 180 min
    result = canvass(**single_list(1, home_p=home_p, service_min=constant(5.0),
                                   revisit_gap_min=60.0, max_attempts=max_attempts))
    np.testing.assert_array_equal(result.completion_min, [completion])
    np.testing.assert_array_equal(result.attempts, [attempts])


def test_work_starts_only_in_open_windows_and_an_attempt_may_overrun_its_window():
    windows = np.array([[MONDAY + 18 * 60, MONDAY + 22 * 60],
                        [SATURDAY + 9 * 60, SATURDAY + 12 * 60]])
    result = canvass(**single_list(4, service_min=constant(100.0), windows_min=windows,
                                   clock0_min_of_week=MONDAY + 8 * 60))
    # Opens at 18:00 (600 min); the third visit starts at 21:20 and ends after 22:00;
    # the fourth waits for Saturday 09:00, 7,260 min after Monday 08:00.
    np.testing.assert_array_equal(result.completion_min, [700.0, 800.0, 900.0, 7360.0])


def test_windows_repeat_every_week():
    result = canvass(**single_list(1, windows_min=np.array([[30.0, 60.0]]),
                                   clock0_min_of_week=SUNDAY + 23 * 60))
    np.testing.assert_array_equal(result.completion_min, [91.0])  # Monday 00:30, then 1 min


def test_a_worker_that_never_starts_reaches_nobody():
    result = canvass(**single_list(2, worker_start_min=np.array([np.inf])))
    assert np.isnan(result.completion_min).all() and result.worker_visits[0] == 0
    assert np.isnan(result.worker_finish_min[0])


# ---------------------------------------------------------------- brief section 5

def test_brief_case_2_finish_time_is_walks_plus_a_gamma_sum():
    households, walk_min, service_mean_min, replications = 50, 2.0, 4.0, 400
    model = single_list(households, walk_min=constant(walk_min),
                        service_min=constant(service_mean_min, rng.EXPONENTIAL), seed=2020)
    finish = [canvass(**model, replication=r, per_household=False).worker_finish_min[0]
              for r in range(replications)]
    expected = stats.gamma(a=households, loc=(households - 1) * walk_min, scale=service_mean_min)
    assert stats.kstest(finish, expected.cdf).pvalue > 0.01  # KS at significance level 1%


def test_brief_case_5_capacity_bound_shows_the_three_hour_target_is_infeasible():
    households, workers, horizon_min = 508_050, 400, 180.0
    sizes = np.diff(np.linspace(0, households, workers + 1).astype(np.int64))
    model = single_list(households, worker_offsets=np.concatenate([[0], np.cumsum(sizes)]),
                        worker_start_min=np.zeros(workers), bin_min=1.0, n_bins=180,
                        horizon_min=horizon_min)
    result = canvass(**model)
    done = np.count_nonzero(~np.isnan(result.completion_min))
    assert done == workers * 180  # each worker completes one household a minute
    assert np.cumsum(result.completed_by_bin)[-1] / households == workers * 180 / households
    assert np.isnan(result.worker_finish_min).all()  # nobody finishes its list in 3 h
    unbounded = canvass(**{**model, "horizon_min": math.inf}, per_household=False)
    assert unbounded.worker_finish_min.max() == sizes.max()  # 1,271 min: about 21 h


# ---------------------------------------------------------------- inputs and compilation

@pytest.mark.parametrize("change, message", [
    (dict(household_order=np.array([0, 0, 1])), "more than one list position"),
    (dict(worker_offsets=np.array([0, 2])), "len(household_order)"),
    (dict(home_p=np.full((1, 168), 1.5)), "home_p must be in"),
    (dict(home_p=np.ones((1, 24))), "168"),
    (dict(service_min=constant(1.0, family=7)), "service_min.family"),
    (dict(windows_min=np.array([[0.0, 100.0], [50.0, 200.0]])), "must not overlap"),
    (dict(windows_min=np.array([[100.0, 50.0]])), "start < end"),
    (dict(max_attempts=0), "max_attempts"),
    (dict(worker_start_min=np.array([np.nan])), "NaN"),
])
def test_inconsistent_inputs_raise_one_line_value_errors(change, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        canvass(**{**single_list(3), **change})


def test_importing_compiles_nothing_and_calls_share_one_specialization():
    code = ("import numpy as np, mobsim.kernels.canvass as c, mobsim.kernels.rng as r\n"
            "kernels = [c._simulate_chunk, c._simulate_worker, r.duration]\n"
            "assert all(not k.signatures for k in kernels)\n"
            "kw = dict(compound_type=np.zeros(2, np.int8), worker_start_min=np.zeros(1),\n"
            "          home_p=np.ones((1, 168)), service_min=c.Durations([0], [1.0], [0.0]),\n"
            "          walk_min=c.Durations(np.array([0], np.int8), [0.0], [0.0]))\n"
            "c.canvass(np.array([0, 2], np.int32), np.array([1, 0], np.int16), **kw)\n"
            "c.canvass(np.array([0, 2]), np.array([0, 1]), **kw, seed=2**64 - 1)\n"
            "assert len(c._simulate_chunk.signatures) == 1\n")
    subprocess.run([sys.executable, "-c", code], check=True)
