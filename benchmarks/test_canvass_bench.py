"""Speed of the canvass kernel against a SimPy model of the same campaign, in the same run.

The campaign is the wartime micro-grid canvass of `canvass_instance` (508,050 households, one
worker per micro-grid). The kernel runs serially (one core) on the whole instance. SimPy runs on
its first SIMPY_FRACTION of the micro-grids, since the whole instance takes seconds a round;
its rate is visits simulated over seconds taken, so the rates compare directly (a smaller event
heap only flatters SimPy). Targets: kernel ≥ 30× SimPy (asserted) and ≥ 10 M visits/s on one
core (a wall-clock figure: recorded, not asserted).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from canvass_instance import build_instance
from canvass_simpy import simulate_canvass_simpy
from mobsim.kernels.canvass import canvass

SIMPY_FRACTION = 0.1
MIN_SPEEDUP = 30.0
TARGET_KERNEL_VISITS_PER_S = 10e6


@pytest.fixture(scope="module")
def whole_instance() -> dict:
    return build_instance()


@pytest.fixture(scope="module")
def simpy_instance() -> dict:
    return build_instance(SIMPY_FRACTION)


def run_kernel(instance: dict) -> int:
    """One serial kernel run without per-household arrays (the Monte Carlo mode); visits."""
    return int(canvass(**instance, per_household=False).worker_visits.sum())


def run_simpy(instance: dict) -> int:
    """One SimPy run; visits."""
    return int(simulate_canvass_simpy(instance)[0].sum())


def best_rate(run, instance: dict, rounds: int) -> float:
    """Visits per second of the fastest of `rounds` runs."""
    best_s, visits = np.inf, 0
    for _ in range(rounds):
        start = time.perf_counter()
        visits = run(instance)
        best_s = min(best_s, time.perf_counter() - start)
    return visits / best_s


def test_canvass_kernel(benchmark, whole_instance):
    run_kernel(whole_instance)  # compile, or load the cache, outside the timing
    visits = benchmark(run_kernel, whole_instance)
    benchmark.extra_info["visits"] = visits
    benchmark.extra_info["households"] = int(whole_instance["household_order"].size)
    if benchmark.stats is not None:
        benchmark.extra_info["visits_per_s"] = visits / benchmark.stats.stats.min


def test_canvass_simpy(benchmark, simpy_instance):
    visits = benchmark.pedantic(run_simpy, args=(simpy_instance,), rounds=3, iterations=1)
    benchmark.extra_info["visits"] = visits
    benchmark.extra_info["fraction_of_instance"] = SIMPY_FRACTION
    benchmark.extra_info["households"] = int(simpy_instance["household_order"].size)
    if benchmark.stats is not None:
        benchmark.extra_info["visits_per_s"] = visits / benchmark.stats.stats.min


def test_simpy_reference_models_the_same_campaign(simpy_instance):
    # Workers are independent, so per-worker visit differences between the two models are
    # independent with mean 0 if the models agree: their sum within 4 standard errors.
    kernel = canvass(**simpy_instance, per_household=False).worker_visits
    simpy_visits, _ = simulate_canvass_simpy(simpy_instance, seed=1)
    difference = kernel - simpy_visits
    assert abs(difference.sum()) <= 4 * np.sqrt(np.sum(difference.astype(float) ** 2))


@pytest.mark.bench
def test_canvass_speed_gate(whole_instance, simpy_instance, record_property):
    run_kernel(whole_instance)
    kernel_rate = best_rate(run_kernel, whole_instance, rounds=5)
    simpy_rate = best_rate(run_simpy, simpy_instance, rounds=3)
    record_property("kernel_visits_per_s", kernel_rate)
    record_property("simpy_visits_per_s", simpy_rate)
    print(f"canvass kernel {kernel_rate / 1e6:.1f} M visits/s (target "
          f"{TARGET_KERNEL_VISITS_PER_S / 1e6:.0f} M), SimPy {simpy_rate / 1e6:.3f} M visits/s, "
          f"ratio {kernel_rate / simpy_rate:.0f}")
    assert kernel_rate / simpy_rate >= MIN_SPEEDUP, (
        f"canvass kernel {kernel_rate / 1e6:.2f} M visits/s (best of 5) against SimPy "
        f"{simpy_rate / 1e6:.3f} M visits/s (best of 3): {kernel_rate / simpy_rate:.1f}x, "
        f"gate {MIN_SPEEDUP:.0f}x")
