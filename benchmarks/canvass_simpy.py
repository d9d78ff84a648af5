"""The canvass campaign as a SimPy model: the reference the kernel's speed is measured against.

One SimPy process per worker follows the model of `mobsim.kernels.canvass` (first pass in list
order, then a FIFO revisit queue with a gap, at most `max_attempts` attempts, the home
probability by compound type and hour of week at arrival, walk before every attempt but the
first) with one timeout per attempt (walk and door time together: the home draw is made for
the arrival time) and one per wait for a revisit. It covers what the benchmark campaign uses:
continuous (wartime) work, so no weekly windows; it draws from Python's `random` rather than
the kernel's counter-based streams, as a plain SimPy model would.
"""

from __future__ import annotations

import math
import random
from collections import deque

import numpy as np
import simpy
from mobsim.kernels.canvass import MINUTES_PER_WEEK, Durations
from mobsim.kernels.rng import EXPONENTIAL, FIXED


def simulate_canvass_simpy(instance: dict, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Run the campaign of `instance` (canvass keyword arguments): visits, completions by worker."""
    env = simpy.Environment()
    draws = random.Random(seed)
    doors = _Doors(instance, draws)
    offsets = instance["worker_offsets"].tolist()
    kinds = instance["compound_type"][instance["household_order"]].tolist()
    tally = [[0, 0] for _ in range(len(offsets) - 1)]
    for w, start_min in enumerate(instance["worker_start_min"].tolist()):
        env.process(_worker(env, kinds[offsets[w]:offsets[w + 1]], start_min, doors, tally[w]))
    env.run(until=instance["horizon_min"])
    visits, completions = np.array(tally, np.int64).reshape(-1, 2).T
    return visits, completions


class _Doors:
    """The instance's door parameters as Python lists and samplers, prepared once per run."""

    def __init__(self, m: dict, draws: random.Random) -> None:
        self.home_p, self.clock0 = m["home_p"].tolist(), m["clock0_min_of_week"]
        self.service, self.walk = _sampler(m["service_min"], draws), _sampler(m["walk_min"], draws)
        self.absent_min, self.gap_min = m["absent_min"].tolist(), m["revisit_gap_min"]
        self.max_attempts, self.uniform = m["max_attempts"], draws.random


def _worker(env, kinds, start_min, doors, tally):
    """One worker's process: the first pass over its households, then the revisit queue."""
    timeout, uniform, home_p, clock0 = env.timeout, doors.uniform, doors.home_p, doors.clock0
    queue = deque((kind, 0.0, 0) for kind in kinds)
    yield timeout(start_min)
    first = True
    while queue:
        kind, ready_min, tries = queue.popleft()
        if ready_min > env.now:
            yield timeout(ready_min - env.now)
        walk_min = 0.0 if first else doors.walk(kind)
        first = False
        tally[0] += 1
        hour = int((clock0 + env.now + walk_min) % MINUTES_PER_WEEK) // 60
        if uniform() < home_p[kind][hour]:
            yield timeout(walk_min + doors.service(kind))
            tally[1] += 1
        else:
            ready_min = env.now + walk_min + doors.gap_min
            yield timeout(walk_min + doors.absent_min[kind])
            if tries + 1 < doors.max_attempts:
                queue.append((kind, ready_min, tries + 1))


def _sampler(table: Durations, draws: random.Random):
    """A function of the compound type drawing one duration of that type's family."""
    family, a, b = table.family.tolist(), table.a.tolist(), table.b.tolist()

    def sample(kind: int) -> float:
        if family[kind] == FIXED:
            return a[kind]
        if family[kind] == EXPONENTIAL:
            return draws.expovariate(1.0 / a[kind]) if a[kind] > 0 else 0.0
        return math.exp(draws.gauss(a[kind], b[kind]))

    return sample
