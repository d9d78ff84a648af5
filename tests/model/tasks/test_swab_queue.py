"""The testing sites' swab queue against M/M/c theory: Erlang C and Little's law (brief section 5.3)."""

from __future__ import annotations

import numpy as np
import pytest
from mobsim.kernels.swab_queue import serve_sites
from scipy import stats

BATCHES = 40
"""Batch means: the run is cut into this many consecutive batches to get a standard error."""


def erlang_c_mean_wait_min(rate_per_min: float, service_rate_per_min: float, servers: int) -> float:
    """Mean wait in queue of M/M/c: Erlang C (via Erlang B from the Poisson law) / (cμ − λ)."""
    load = rate_per_min / service_rate_per_min
    erlang_b = stats.poisson.pmf(servers, load) / stats.poisson.cdf(servers, load)
    wait_p = servers * erlang_b / (servers - load * (1.0 - erlang_b))
    return wait_p / (servers * service_rate_per_min - rate_per_min)


def mmc_run(rate: float, service_rate: float, servers: int, customers: int, seed: int):
    """One site open from minute 0: Poisson arrivals, exponential service; (arrivals, starts)."""
    rng = np.random.default_rng(seed)
    arrival = np.cumsum(rng.exponential(1.0 / rate, customers))
    service = rng.exponential(1.0 / service_rate, customers)
    start = serve_sites(np.array([0, customers]), arrival, service, np.array([servers]),
                        np.array([0.0]))
    return arrival, start


def batch_mean_and_se(values: np.ndarray) -> tuple[float, float]:
    """Mean and standard error from BATCHES consecutive batch means."""
    means = np.array([b.mean() for b in np.array_split(values, BATCHES)])
    return float(means.mean()), float(means.std(ddof=1) / np.sqrt(BATCHES))


def queue_length_integral(arrival: np.ndarray, start: np.ndarray, lo: float, hi: float) -> float:
    """Integral over [lo, hi] of the number waiting (arrived, not yet started)."""
    return float(np.clip(np.minimum(start, hi) - np.maximum(arrival, lo), 0.0, None).sum())


def check_erlang_c(rate: float, service_rate: float, servers: int, customers: int) -> None:
    arrival, start = mmc_run(rate, service_rate, servers, customers, seed=11)
    warm = customers // 20  # the queue starts empty: drop the first 5% as warm-up
    wait = (start - arrival)[warm:]
    mean, se = batch_mean_and_se(wait)
    expected = erlang_c_mean_wait_min(rate, service_rate, servers)
    assert abs(mean - expected) < 4 * se, (mean, expected, se)
    # Little's law on the same run, batch by batch over time: L = λ·W (λ the arrival rate).
    edges = np.linspace(arrival[warm], arrival[-1], BATCHES + 1)
    differences = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (arrival >= lo) & (arrival < hi)
        length = queue_length_integral(arrival, start, lo, hi) / (hi - lo)
        differences.append(length - rate * (start - arrival)[inside].mean())
    diff_mean = np.mean(differences)
    diff_se = np.std(differences, ddof=1) / np.sqrt(BATCHES)
    assert abs(diff_mean) < 4 * diff_se, (diff_mean, diff_se)


def test_one_station_wait_matches_erlang_c_and_littles_law() -> None:
    """M/M/1 at load 0.8 (Erlang C reduces to ρ/(μ − λ))."""
    check_erlang_c(0.8, 1.0, 1, 200_000)


@pytest.mark.parametrize("rate, service_rate, servers", [(1.5, 1.0, 2), (3.4, 1.0, 4)])
def test_several_stations_wait_matches_erlang_c_and_littles_law(rate, service_rate, servers) -> None:
    """M/M/2 at load 0.75, M/M/4 at load 0.85."""
    check_erlang_c(rate, service_rate, servers, 400_000)


def test_mm1_erlang_c_is_the_textbook_formula() -> None:
    """The helper itself: for c = 1 Erlang C gives Wq = ρ / (μ − λ)."""
    assert erlang_c_mean_wait_min(0.8, 1.0, 1) == pytest.approx(0.8 / (1.0 - 0.8))


def test_a_site_that_never_opens_serves_nobody_and_nobody_starts_before_opening() -> None:
    arrival = np.array([0.0, 1.0, 2.0, 0.5, 9.0])
    service = np.ones(5)
    start = serve_sites(np.array([0, 3, 5]), arrival, service, np.array([1, 2]),
                        np.array([np.inf, 4.0]))
    assert np.isinf(start[:3]).all()
    # Site 1 opens at 4 with 2 stations: the customer of 0.5 starts at 4, the one of 9 at 9.
    assert start[3:].tolist() == [4.0, 9.0]
