"""Timing helpers shared by the benchmarks: best-of-N wall clock and the SimPy reference workload."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import simpy

REFERENCE_PROCESSES = 12_500
"""Brief section 6: 12,500 processes × 8 timeouts, about 0.25 s on the reference machine."""


def best_seconds(func: Callable[[], object], rounds: int) -> float:
    """Wall-clock seconds of the fastest of `rounds` calls (the least disturbed by other load)."""
    return best_seconds_each([func], rounds)[0]


def best_seconds_each(funcs: Sequence[Callable[[], object]], rounds: int) -> list[float]:
    """`best_seconds` of each function, their calls taken in turn, so that a burst of other
    load on a shared machine slows a round of each rather than every round of one."""
    best = [float("inf")] * len(funcs)
    for _ in range(rounds):
        for k, func in enumerate(funcs):
            start = time.perf_counter()
            func()
            best[k] = min(best[k], time.perf_counter() - start)
    return best


def simpy_reference(processes: int = REFERENCE_PROCESSES) -> int:
    """The brief's reference workload: `processes` processes of 8 timeouts each; returns events."""
    env = simpy.Environment()

    def process(i: int):
        for k in range(8):
            yield env.timeout(1 + (7 * i + k) % 5)

    for i in range(processes):
        env.process(process(i))
    env.run()
    return processes * 8


def fresh_output(statement: str, env: dict[str, str] | None = None) -> str:
    """The last line `statement` prints, run in a fresh interpreter with benchmarks/ on its path
    (RuntimeError with its stderr if it fails)."""
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); {statement}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return done.stdout.strip().splitlines()[-1]


def fresh_reference_s(processes: int = REFERENCE_PROCESSES, rounds: int = 5) -> float:
    """`best_seconds` of `simpy_reference(processes)` in a fresh interpreter.

    In a process that has run replications the same workload takes a quarter to a third
    longer (0.26 s fresh, 0.34 s after a few baseline replications, 2026-12-08), much of it
    the garbage collector's passes over the objects the process holds (with them frozen out,
    `gc.freeze()`, it read 0.28 s). A reference measured there would flatter every ratio to it.
    """
    return float(fresh_output("from timing import best_seconds, simpy_reference; "
                              f"print(best_seconds(lambda: simpy_reference({processes}), {rounds}))"))
