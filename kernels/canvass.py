"""Door-to-door (canvass) kernel: workers walk ordered household lists, revisiting absent homes.

API (array-only: the caller maps scenario keys and district tables to these arrays; W workers,
H households, K compound types; integer arrays of any integer dtype):

    canvass(worker_offsets (W+1,), household_order (n,), compound_type (H,) codes < K,
            worker_start_min (W,), home_p (K, 168), service_min: Durations, walk_min: Durations,
            *, absent_min (K,) = 0, windows_min (m, 2) = ALWAYS_OPEN, window_offsets = one
            class, worker_window_class (W,) = 0, clock0_min_of_week = 0.0, revisit_gap_min = 0.0,
            max_attempts = 1, horizon_min = inf, bin_min = 60.0, n_bins = 0, seed = 0,
            replication = 0, per_household = True, parallel = False) -> CanvassResult

    CanvassResult: completion_min float64 (H,), attempts int32 (H,), worker_finish_min float64
    (W,), worker_visits int64 (W,), completed_by_bin int64 (n_bins,).

Inconsistent arrays raise a one-line ValueError naming the array. Inputs are cast to int64 and
float64 C arrays, so each Numba function has one specialization; importing compiles nothing.

Model (times in minutes from the order, t = 0; minute 0 is minute `clock0_min_of_week` of a week
that starts on Monday 00:00):

- Worker w owns households `household_order[worker_offsets[w]:worker_offsets[w + 1]]` (indexes
  into the per-household arrays; each household belongs to at most one worker) and starts at
  `worker_start_min[w]` (+inf: never starts).
- An *attempt* is: walk to the door (no walk before a worker's very first attempt), then the
  household is home with probability `home_p[compound_type, hour_of_week]` at the arrival time;
  if home, a service time follows and the household is completed at its end; if not, the worker
  spends `absent_min[compound_type]` at the door. Walk and service times are drawn per compound
  type from an `rng` family code (FIXED, EXPONENTIAL, LOGNORMAL) with parameters (a, b).
- Working time: an attempt may start only inside one of the worker's open windows, a weekly
  pattern of [start, end) minute-of-week intervals, sorted and disjoint (class
  `worker_window_class[w]` owns `windows_min[window_offsets[c]:window_offsets[c + 1]]`;
  `ALWAYS_OPEN` for wartime). A worker outside its windows waits for the next opening; an attempt
  once started is finished even if its window closes meanwhile (nobody leaves a door mid-talk).
- Revisit policy: the worker first makes one pass over its whole list in order. Every
  not-at-home household joins the back of a revisit queue, ready at its failed arrival plus
  `revisit_gap_min`. After the first pass the worker takes households from the front of the
  queue, waiting until the front one is ready (and a window is open); a household still absent
  rejoins the back. As attempts happen in time order and the gap is constant, the queue stays
  sorted by ready time. A household is abandoned after `max_attempts` attempts (brief section 4:
  at most 6 contact attempts in the US census).
- Horizon: a worker stops when its next attempt would start at or after `horizon_min`;
  completions later than the horizon are not reported.

Random numbers: attempt k (0-based) at position p of worker w's list draws from `rng` key
(seed, replication, w) at draw indexes ((p * MAX_ATTEMPTS_LIMIT + k) * 4 + slot), slot 0 home,
1 service, 2 walk. Draws depend only on who visits what for the how-many-th time: results are
identical serial or parallel (prange over chunks of workers), and a change of `max_attempts` or
of the windows leaves every other draw as it was (common random numbers).

Outputs: per household the completion time (NaN: not completed within the horizon, or
abandoned) and attempts started; per worker the end of its last attempt (NaN unless every
household on its list was completed or abandoned within the horizon; its start time when the
list is empty) and attempts started (visits); completions per time bin, bin i counting
completions t with i * bin_min < t <= (i + 1) * bin_min (bin 0 also takes t = 0), so a
cumulative sum is the coverage curve at the bins' right edges. `per_household=False` returns
empty per-household arrays, for Monte Carlo loops that need only the coverage curve.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from .rng import FIXED, LOGNORMAL, duration, stream_key, uniform

MINUTES_PER_WEEK = 10080.0
"""Length of the repeating window pattern."""
HOURS_PER_WEEK = 168
"""Columns of the home-probability table."""
ALWAYS_OPEN = np.array([[0.0, MINUTES_PER_WEEK]])
"""One window covering the whole week: wartime, continuous work."""
MAX_ATTEMPTS_LIMIT = 8192
"""Upper bound of `max_attempts` (it spaces the draw indexes of successive attempts)."""

_SLOTS = 4
_HOME_SLOT = 0
_SERVICE_SLOT = 1
_WALK_SLOT = 2
_PARALLEL_CHUNKS = 64


class Durations(NamedTuple):
    """Per compound type: `rng` family code and parameters (a, b) of a duration in minutes."""

    family: np.ndarray
    a: np.ndarray
    b: np.ndarray


class CanvassResult(NamedTuple):
    """Outputs of one canvass run (see the module docstring for their meaning)."""

    completion_min: np.ndarray
    attempts: np.ndarray
    worker_finish_min: np.ndarray
    worker_visits: np.ndarray
    completed_by_bin: np.ndarray


@njit(cache=True)
def _minute_of_week(t, clock0):
    """(clock0 + t) mod one week, exactly (as fmod would give it, without fmod's cost)."""
    x = clock0 + t
    minute = x - math.floor(x / MINUTES_PER_WEEK) * MINUTES_PER_WEEK
    if minute < 0.0:
        return minute + MINUTES_PER_WEEK
    if minute >= MINUTES_PER_WEEK:
        return minute - MINUTES_PER_WEEK
    return minute


@njit(cache=True, inline="always")
def _next_open(t, windows, first, stop, clock0):
    """Earliest time ≥ t inside one of the sorted weekly windows[first:stop]."""
    minute = _minute_of_week(t, clock0)
    for k in range(first, stop):
        if minute < windows[k, 1]:
            if minute >= windows[k, 0]:
                return t
            return t + (windows[k, 0] - minute)
    return t + (MINUTES_PER_WEEK - minute + windows[first, 0])


@njit(cache=True, inline="always")
def _hour_of_week(t, clock0):
    """Column of the home-probability table at time t (exact floor of minute / 60).

    Clamped to the table: beyond 2**53 minutes (a huge or infinite walk) the minute of the
    week is not exact, and an index outside the table would read arbitrary memory.
    """
    hour = int(_minute_of_week(t, clock0)) // 60
    return min(max(hour, 0), HOURS_PER_WEEK - 1)


@njit(cache=True, inline="always")
def _flush_bin(t, bin_index, pending, bin_min, bins_row):
    """Add `pending` to bin `bin_index`; return the bin of time t and its right edge."""
    if bin_index < bins_row.size:
        bins_row[bin_index] += pending
    if t / bin_min > bins_row.size + 1.0:
        return bins_row.size, math.inf
    # Jump close by division, then settle on the exact edge products (i + 1) * bin_min.
    bin_index = max(bin_index + 1, math.ceil(t / bin_min) - 2)
    while bin_index < bins_row.size and t > (bin_index + 1) * bin_min:
        bin_index += 1
    return bin_index, (bin_index + 1) * bin_min if bin_index < bins_row.size else math.inf


@njit(cache=True)
def _simulate_worker(w, model, out, bins_row, queue_pos, queue_ready, tries):
    """Run worker w's first pass and revisit queue; return (finish time, attempts)."""
    (offsets, order, start_min, window_class, window_offsets, windows, clock0, compound_type,
     home_p, service_family, service_a, service_b, walk_family, walk_a, walk_b, absent_min, gap,
     max_attempts, horizon, bin_min, seed, replication) = model
    completion, attempts = out
    first = offsets[w]
    n = offsets[w + 1] - first
    key = stream_key(seed, replication, w)
    window_first = window_offsets[window_class[w]]
    window_stop = window_offsets[window_class[w] + 1]
    tries[:n] = 0
    t = start_min[w]
    visits = resolved = head = queued = passed = 0
    # Completions of one worker come in time order: count them per bin in registers.
    bin_index, pending = 0, 0
    bin_edge = bin_min if bins_row.size > 0 else math.inf
    while passed < n or queued > 0:
        if passed < n:
            pos, ready = passed, t
            passed += 1
        else:
            pos, ready = queue_pos[head], queue_ready[head]
            head = head + 1 if head + 1 < n else 0
            queued -= 1
        begin = max(t, ready)
        if begin >= horizon:
            break
        begin = _next_open(begin, windows, window_first, window_stop, clock0)
        if begin >= horizon:
            break
        household = order[first + pos]
        kind = compound_type[household]
        draw = (pos * MAX_ATTEMPTS_LIMIT + tries[pos]) * _SLOTS
        arrive = begin
        if visits > 0:
            arrive += duration(walk_family[kind], walk_a[kind], walk_b[kind], key,
                               draw + _WALK_SLOT)
        visits += 1
        tries[pos] += 1
        p_home = home_p[kind, _hour_of_week(arrive, clock0)]
        if p_home >= 1.0 or uniform(key, draw + _HOME_SLOT) < p_home:
            t = arrive + duration(service_family[kind], service_a[kind], service_b[kind], key,
                                  draw + _SERVICE_SLOT)
            resolved += 1
            if t <= horizon:
                if completion.size > 0:
                    completion[household] = t
                if t > bin_edge:
                    bin_index, bin_edge = _flush_bin(t, bin_index, pending, bin_min, bins_row)
                    pending = 0
                pending += 1
        else:
            t = arrive + absent_min[kind]
            if tries[pos] < max_attempts:
                # A household waits in the queue at most once at a time: a ring of n slots.
                tail = head + queued if head + queued < n else head + queued - n
                queue_pos[tail], queue_ready[tail] = pos, arrive + gap
                queued += 1
            else:
                resolved += 1
        if attempts.size > 0:
            attempts[household] = tries[pos]
    if bin_index < bins_row.size:
        bins_row[bin_index] += pending
    finish = t if resolved == n and t <= horizon else np.nan
    return finish, visits


@njit(cache=True)
def _simulate_chunk(w_first, w_stop, model, out, finish, visits, bins_row):
    """Run workers w_first..w_stop-1 one after another, sharing one scratch queue."""
    offsets = model[0]
    longest = 0
    for w in range(w_first, w_stop):
        longest = max(longest, offsets[w + 1] - offsets[w])
    queue_pos = np.empty(longest, np.int64)
    queue_ready = np.empty(longest, np.float64)
    tries = np.empty(longest, np.int32)
    for w in range(w_first, w_stop):
        finish[w], visits[w] = _simulate_worker(w, model, out, bins_row, queue_pos,
                                                queue_ready, tries)


@njit(cache=True, parallel=True)
def _simulate_parallel(chunk_bounds, model, out, finish, visits, bins):
    """Run chunks of workers in parallel, each chunk counting into its own row of bins."""
    for c in prange(chunk_bounds.size - 1):
        _simulate_chunk(chunk_bounds[c], chunk_bounds[c + 1], model, out, finish, visits,
                        bins[c])


def canvass(
    worker_offsets: np.ndarray,
    household_order: np.ndarray,
    compound_type: np.ndarray,
    worker_start_min: np.ndarray,
    home_p: np.ndarray,
    service_min: Durations,
    walk_min: Durations,
    *,
    absent_min: np.ndarray | None = None,
    windows_min: np.ndarray = ALWAYS_OPEN,
    window_offsets: np.ndarray | None = None,
    worker_window_class: np.ndarray | None = None,
    clock0_min_of_week: float = 0.0,
    revisit_gap_min: float = 0.0,
    max_attempts: int = 1,
    horizon_min: float = math.inf,
    bin_min: float = 60.0,
    n_bins: int = 0,
    seed: int = 0,
    replication: int = 0,
    per_household: bool = True,
    parallel: bool = False,
) -> CanvassResult:
    """Simulate one replication of a door-to-door campaign; ValueError on inconsistent arrays."""
    offsets, order, start = _routes(worker_offsets, household_order, worker_start_min,
                                    np.size(compound_type))
    n_workers = offsets.size - 1
    window_offsets, window_class, windows = _windows(windows_min, window_offsets,
                                                     worker_window_class, n_workers)
    doors = _doors(compound_type, home_p, service_min, walk_min, absent_min)
    _require(0.0 <= clock0_min_of_week < MINUTES_PER_WEEK,
             "clock0_min_of_week must be in [0, 10080)")
    _require(revisit_gap_min >= 0.0, "revisit_gap_min must be >= 0")
    _require(1 <= max_attempts < MAX_ATTEMPTS_LIMIT,
             f"max_attempts must be in 1..{MAX_ATTEMPTS_LIMIT - 1}")
    _require(not math.isnan(horizon_min), "horizon_min must not be NaN")
    _require(bin_min > 0.0 and n_bins >= 0, "bin_min must be > 0 and n_bins >= 0")
    _require(all(isinstance(v, int | np.integer) and 0 <= v < 2**64 for v in (seed, replication)),
             "seed and replication must be integers in 0..2**64-1")
    model = (offsets, order, start, window_class, window_offsets, windows,
             float(clock0_min_of_week), *doors, float(revisit_gap_min), int(max_attempts),
             float(horizon_min), float(bin_min), np.uint64(seed), np.uint64(replication))
    n_households = np.size(compound_type) if per_household else 0
    out = (np.full(n_households, np.nan), np.zeros(n_households, np.int32))
    finish = np.empty(n_workers)
    visits = np.empty(n_workers, np.int64)
    if parallel:
        chunks = min(n_workers, _PARALLEL_CHUNKS)
        chunk_bounds = np.linspace(0, n_workers, chunks + 1).astype(np.int64)
        bins = np.zeros((chunk_bounds.size - 1, n_bins), np.int64)
        _simulate_parallel(chunk_bounds, model, out, finish, visits, bins)
        bins = bins.sum(axis=0)
    else:
        bins = np.zeros(n_bins, np.int64)
        _simulate_chunk(0, n_workers, model, out, finish, visits, bins)
    return CanvassResult(out[0], out[1], finish, visits, bins)


def _require(condition: bool, message: str) -> None:
    """Raise ValueError(message) unless condition holds."""
    if not condition:
        raise ValueError(message)


def _array(values: np.ndarray, dtype: type, name: str, ndim: int = 1) -> np.ndarray:
    """`values` as a C-contiguous array of `dtype`; integer dtypes must be given as integers."""
    array = np.asarray(values)
    _require(array.ndim == ndim, f"{name} must have {ndim} dimension(s), got {array.ndim}")
    if np.issubdtype(dtype, np.integer):
        _require(array.size == 0 or np.issubdtype(array.dtype, np.integer),
                 f"{name} must hold integers, got {array.dtype}")
    else:
        _require(not np.isnan(array).any(), f"{name} must not contain NaN")
    return np.ascontiguousarray(array, dtype=dtype)


def _routes(worker_offsets, household_order, worker_start_min, n_households):
    """Checked (offsets, order, start) of the workers' household lists."""
    offsets = _array(worker_offsets, np.int64, "worker_offsets")
    order = _array(household_order, np.int64, "household_order")
    start = _array(worker_start_min, np.float64, "worker_start_min")
    _require(offsets.size >= 1 and offsets[0] == 0 and offsets[-1] == order.size
             and bool(np.all(np.diff(offsets) >= 0)),
             "worker_offsets must rise from 0 to len(household_order)")
    _require(start.size == offsets.size - 1, "worker_start_min needs one value per worker")
    _require(order.size == 0 or (order.min() >= 0 and order.max() < n_households),
             "household_order must index the per-household arrays")
    _require(np.bincount(order, minlength=n_households).max(initial=0) <= 1,
             "a household appears on more than one list position")
    return offsets, order, start


def _windows(windows_min, window_offsets, worker_window_class, n_workers):
    """Checked (offsets, class per worker, windows) of the weekly window patterns."""
    windows = _array(windows_min, np.float64, "windows_min", ndim=2)
    _require(windows.shape[1] == 2, "windows_min must have shape (n, 2)")
    offsets = _array([0, len(windows)] if window_offsets is None else window_offsets,
                     np.int64, "window_offsets")
    classes = _array(np.zeros(n_workers, np.int64) if worker_window_class is None
                     else worker_window_class, np.int64, "worker_window_class")
    _require(offsets.size >= 2 and offsets[0] == 0 and offsets[-1] == len(windows)
             and bool(np.all(np.diff(offsets) > 0)),
             "window_offsets must rise strictly from 0 to len(windows_min)")
    _require(classes.size == n_workers
             and bool(np.all((classes >= 0) & (classes < offsets.size - 1))),
             "worker_window_class needs one valid class per worker")
    start, end = windows[:, 0], windows[:, 1]
    _require(bool(np.all((0.0 <= start) & (start < end) & (end <= MINUTES_PER_WEEK))),
             "each window must satisfy 0 <= start < end <= 10080")
    follows = np.ones(len(windows), bool)
    follows[offsets[:-1]] = False
    _require(bool(np.all(start[1:][follows[1:]] >= end[:-1][follows[1:]])),
             "windows of a class must be sorted and must not overlap")
    return offsets, classes, windows


def _doors(compound_type, home_p, service_min, walk_min, absent_min):
    """Checked per-household types and per-type door parameters, in kernel order."""
    types = _array(compound_type, np.int64, "compound_type")
    p_home = _array(home_p, np.float64, "home_p", ndim=2)
    kinds = p_home.shape[0]
    _require(p_home.shape[1] == HOURS_PER_WEEK, "home_p must have 168 hour-of-week columns")
    _require(bool(np.all((0.0 <= p_home) & (p_home <= 1.0))), "home_p must be in [0, 1]")
    _require(types.size == 0 or (types.min() >= 0 and types.max() < kinds),
             "compound_type codes must index the rows of home_p")
    absent = _array(np.zeros(kinds) if absent_min is None else absent_min, np.float64,
                    "absent_min")
    _require(absent.shape == (kinds,) and bool(np.all(absent >= 0.0)),
             "absent_min needs one value >= 0 per compound type")
    return (types, p_home, *_durations(service_min, kinds, "service_min"),
            *_durations(walk_min, kinds, "walk_min"), absent)


def _durations(table: Durations, kinds: int, name: str) -> tuple:
    """Checked (family, a, b) arrays of one duration table."""
    family = _array(table[0], np.int64, f"{name}.family")
    a = _array(table[1], np.float64, f"{name}.a")
    b = _array(table[2], np.float64, f"{name}.b")
    _require(family.shape == a.shape == b.shape == (kinds,),
             f"{name} needs family, a, b with one value per compound type")
    _require(bool(np.all((family >= FIXED) & (family <= LOGNORMAL))),
             f"{name}.family must be a code of mobsim.kernels.rng")
    _require(bool(np.all(np.where(family == LOGNORMAL, b >= 0.0, a >= 0.0))),
             f"{name}: fixed and exponential need a >= 0, lognormal needs sigma b >= 0")
    return family, a, b
