"""Door-to-door (canvass) kernel: workers walk ordered household lists, revisiting absent homes.

Array-only API: `canvass(...) -> CanvassResult`; inputs and outputs are NumPy arrays and scalars.

Model (times in minutes from the order, t = 0; minute 0 is minute `clock0_min_of_week` of a week
that starts on Monday 00:00):

- Worker w owns households `household_order[worker_offsets[w]:worker_offsets[w + 1]]` (indexes
  into the per-household arrays; each household belongs to at most one worker) and starts at
  `worker_start_min[w]` (+inf: never starts).
- An *attempt* is: walk to the door (no walk before a worker's very first attempt), then the
  household is home with probability `home_p[compound_type, hour_of_week]` evaluated at the
  arrival time; if home, a service time follows and the household is completed at its end; if
  not, the worker spends `absent_min[compound_type]` at the door. Walk and service times are drawn
  per compound type from a family code of `rng` (FIXED, EXPONENTIAL, LOGNORMAL) with parameters
  (a, b) (see `Durations`).
- Working time: an attempt may start only inside one of the worker's open windows, a weekly
  pattern of [start, end) minute-of-week intervals (class `worker_window_class[w]`, intervals
  `windows_min[window_offsets[c]:window_offsets[c + 1]]`; `ALWAYS_OPEN` for wartime). A worker
  outside its windows waits for the next opening; an attempt once started is finished even if its
  window closes meanwhile (the worker does not leave a door mid-conversation).
- Revisit policy: the worker first makes one pass over its whole list in order. Every
  not-at-home household joins the back of a revisit queue with a ready time of its failed
  arrival plus `revisit_gap_min`. After the first pass the worker takes households from the
  front of the queue, waiting until the front one is ready (and a window is open); a household
  still absent rejoins the back. Because attempts happen in time order and the gap is constant,
  the queue is always sorted by ready time. A household is abandoned after `max_attempts`
  attempts (brief section 4: 6 contact attempts in the US census).
- Horizon: a worker stops when its next attempt would start at or after `horizon_min`.
  Completions later than the horizon are not reported.

Random numbers: attempt k (0-based) at position p of worker w's list takes its draws from
`rng` key (seed, replication, w) at draw indexes ((p * MAX_ATTEMPTS_LIMIT + k) * 8 + slot), with
slot 0 home, 1-2 service, 3-4 walk. Draws thus depend only on who visits what for the how-many-th
time: results are identical serial or parallel, and a change of `max_attempts` or of the
windows leaves every other draw as it was (common random numbers).

Outputs (`CanvassResult`): per household completion time (NaN: not completed within the horizon,
or abandoned) and attempts started; per worker the end of its last attempt (NaN unless every
household on its list was completed or abandoned by the horizon; its start time when the list
is empty) and attempts started; completions per time bin, bin i counting completions in
(i * bin_min, (i + 1) * bin_min] (bin 0 also takes t = 0), so a cumulative sum is the coverage
curve at the bins' right edges. `per_household=False` returns empty per-household arrays to save
memory in Monte Carlo loops.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from .rng import DRAWS_PER_SAMPLE, duration, stream_key, uniform

MINUTES_PER_WEEK = 10080.0
"""Length of the repeating window pattern."""
HOURS_PER_WEEK = 168
"""Columns of the home-probability table."""
ALWAYS_OPEN = np.array([[0.0, MINUTES_PER_WEEK]])
"""One window covering the whole week: wartime, continuous work."""
MAX_ATTEMPTS_LIMIT = 8192
"""Upper bound of `max_attempts` (it spaces the draw indexes of successive attempts)."""

_SLOTS = 8
_HOME_SLOT = 0
_SERVICE_SLOT = 1
_WALK_SLOT = _SERVICE_SLOT + DRAWS_PER_SAMPLE
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
def _next_open(t, windows, first, stop, clock0):
    """Earliest time ≥ t inside one of the sorted weekly windows[first:stop]."""
    minute = math.fmod(clock0 + t, MINUTES_PER_WEEK)
    for k in range(first, stop):
        if minute < windows[k, 1]:
            if minute >= windows[k, 0]:
                return t
            return t + (windows[k, 0] - minute)
    return t + (MINUTES_PER_WEEK - minute + windows[first, 0])


@njit(cache=True)
def _hour_of_week(t, clock0):
    """Column of the home-probability table at time t."""
    hour = int(math.fmod(clock0 + t, MINUTES_PER_WEEK) / 60.0)
    return min(hour, HOURS_PER_WEEK - 1)


@njit(cache=True)
def _record_completion(t, household, horizon, bin_min, completion, bins_row):
    """Store a completion at time t unless it falls after the horizon."""
    if t > horizon:
        return
    if completion.size > 0:
        completion[household] = t
    index = max(math.ceil(t / bin_min) - 1.0, 0.0)
    if index < bins_row.size:
        bins_row[int(index)] += 1


@njit(cache=True)
def _simulate_worker(w, model, out, bins_row, queue_pos, queue_ready, tries):
    """Run worker w's first pass and revisit queue; return (finish time, attempts)."""
    (offsets, order, start_min, window_class, window_offsets, windows, clock0, compound_type,
     home_p, service, walk, absent_min, gap, max_attempts, horizon, bin_min, seed,
     replication) = model
    completion, attempts = out
    first = offsets[w]
    n = offsets[w + 1] - first
    key = stream_key(seed, replication, w)
    window_first = window_offsets[window_class[w]]
    window_stop = window_offsets[window_class[w] + 1]
    tries[:n] = 0
    t = start_min[w]
    visits = resolved = head = queued = passed = 0
    while passed < n or queued > 0:
        if passed < n:
            pos, ready = passed, t
            passed += 1
        else:
            pos, ready = queue_pos[head], queue_ready[head]
            head = (head + 1) % n
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
            arrive += duration(walk[0][kind], walk[1][kind], walk[2][kind], key, draw + _WALK_SLOT)
        visits += 1
        tries[pos] += 1
        p_home = home_p[kind, _hour_of_week(arrive, clock0)]
        if p_home >= 1.0 or uniform(key, draw + _HOME_SLOT) < p_home:
            t = arrive + duration(service[0][kind], service[1][kind], service[2][kind], key,
                                  draw + _SERVICE_SLOT)
            resolved += 1
            _record_completion(t, household, horizon, bin_min, completion, bins_row)
        else:
            t = arrive + absent_min[kind]
            if tries[pos] < max_attempts:
                tail = (head + queued) % n
                queue_pos[tail], queue_ready[tail] = pos, arrive + gap
                queued += 1
            else:
                resolved += 1
        if attempts.size > 0:
            attempts[household] = tries[pos]
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
