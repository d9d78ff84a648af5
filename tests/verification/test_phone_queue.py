"""Verification case 3 (brief section 5): a sender's phone lines are a c-server exponential queue.

scenarios/phone-queue.toml: every grid worker calls the n members of their general grid on
c lines; calls last Exp(mu) minutes and everyone answers. All n calls wait at the start (a
batch, no arrivals), so this is the transient clearing of an M/M/c queue:

- while all c lines are busy, completions come at rate c·mu (the minimum of c exponentials,
  memoryless), and each one starts the next waiting call: the j-th child (j > c) is rung at
  the (j - c)-th completion, Gamma(j - c, rate c·mu) minutes after calling begins; the first
  c are rung at once;
- after the (n - c)-th completion the last c calls finish in the maximum of c Exp(mu), which
  is Exp(c·mu) + Exp((c-1)·mu) + ... + Exp(mu). The time to finish every call is therefore
  hypoexponential with rates c·mu (n - c + 1 times), (c-1)·mu, ..., mu: mean
  (n - c)/(c·mu) + H_c/mu; its law is Gamma(n - c, rate c·mu) plus an independent maximum
  of c Exp(mu), whose distribution function is derived in `finish_cdf`.

Each general grid is one independent sample (every call length is its own draw), so a few
replications of a district of 40 grids give a thousand. Tolerances: means within 4 standard
errors of the closed form; Kolmogorov–Smirnov tests at a fixed seed, significance 1%; the
queue identities are exact.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from model_fixtures import small_district
from scenario_files import case_on_district
from scipy import stats

from mobsim.model import simulate

GRIDS, CHILDREN, REPLICATIONS, SEED = 40, 10, 25, 2020


def finish_cdf(t: np.ndarray, n: int, c: int, mu: float) -> np.ndarray:
    """P(T <= t) for T = Gamma(n - c, rate c·mu) + (maximum of c Exp(mu)), independent, n > c.

    With the maximum's law (1 - e^(-mu·x))^c expanded by the binomial theorem, each term is
    a Gamma integral: the k-th is (lam / (lam - k·mu))^a · P(Gamma(a, lam - k·mu) <= t)
    (a = n - c, lam = c·mu), and (lam·t)^a / a! when k = c.
    """
    a, lam = n - c, c * mu
    t = np.asarray(t, dtype=float)
    total = np.zeros_like(t)
    for k in range(c + 1):
        if k < c:
            rate = lam - k * mu
            gamma_part = (lam / rate) ** a * stats.gamma.cdf(t, a, scale=1 / rate)
        else:
            gamma_part = (lam * t) ** a / math.factorial(a)
        total += math.comb(c, k) * (-1) ** k * np.exp(-k * mu * t) * gamma_part
    return total


@pytest.fixture(scope="module")
def queue(tmp_path_factory):
    """Per (replication, grid): call start, each child's ring and acknowledgement (child order)."""
    district = small_district(subdistricts=2, communities=2, grids=GRIDS // 4,
                              microgrids=CHILDREN, members=1)
    scenario = case_on_district("phone-queue", district, tmp_path_factory.mktemp("queue"))
    grid_of_member = district.position("general_grids", district.microgrids["general_grid_id"])[
        district.position("microgrids", district.members["microgrid_id"])]
    assert np.array_equal(np.bincount(grid_of_member), np.full(GRIDS, CHILDREN))
    starts, rings, acks = [], [], []
    for replication in range(REPLICATIONS):
        result = simulate(district, scenario, SEED, replication)
        starts.append(result.gridworker_alerted_min
                      + scenario.get("cascade.gridworkers.processing_min"))
        # members are numbered grid by grid, so a reshape lists each grid's children in call order
        rings.append(result.member_notified_min.reshape(GRIDS, CHILDREN))
        acks.append(result.member_acknowledged_min.reshape(GRIDS, CHILDREN))
    c = scenario.get("cascade.gridworkers.callers")
    mu = 1.0 / scenario.dist("channels.phone.call_min").mean
    return np.concatenate(starts), np.concatenate(rings), np.concatenate(acks), c, mu


def test_time_to_finish_every_call_is_hypoexponential(queue) -> None:
    start, _, ack, c, mu = queue
    finish = ack.max(axis=1) - start
    n = CHILDREN
    mean = (n - c) / (c * mu) + sum(1.0 / k for k in range(1, c + 1)) / mu
    variance = (n - c) / (c * mu) ** 2 + sum(1.0 / (k * mu) ** 2 for k in range(1, c + 1))
    assert abs(finish.mean() - mean) < 4 * math.sqrt(variance / len(finish))
    assert stats.kstest(finish, lambda t: finish_cdf(t, n, c, mu)).pvalue > 0.01


@pytest.mark.parametrize("child", [4, 7, CHILDREN])
def test_a_waiting_child_is_rung_after_an_erlang_time(queue, child: int) -> None:
    """Child j > c waits Gamma(j - c, rate c·mu): mean (j - c)/(c·mu), sd sqrt(j - c)/(c·mu)."""
    start, ring, _, c, mu = queue
    wait = ring[:, child - 1] - start
    shape, scale = child - c, 1.0 / (c * mu)
    assert abs(wait.mean() - shape * scale) < 4 * math.sqrt(shape) * scale / math.sqrt(len(wait))
    assert stats.kstest(wait, stats.gamma(a=shape, scale=scale).cdf).pvalue > 0.01


def test_the_first_c_children_are_rung_at_once(queue) -> None:
    start, ring, _, c, _ = queue
    assert np.array_equal(ring[:, :c], np.repeat(start[:, None], c, axis=1))


def test_every_waiting_child_takes_the_line_freed_by_a_completion(queue) -> None:
    """Work-conserving first come, first served: ring of child c+k = k-th completion, exactly.

    Hence the area identity (Little's law over a transient batch): the area under the number
    waiting, Q(t) = n - c - (completions by t) while positive, which is built from the
    acknowledgement times, equals the sum of the waits, built from the ring times.
    """
    start, ring, ack, c, _ = queue
    completions = np.sort(ack, axis=1)[:, :CHILDREN - c]
    assert np.array_equal(ring[:, c:], completions)
    for s, rings, done in zip(start, ring, completions):
        area_under_queue = math.fsum(done - s)  # Q drops by one at each of these instants
        total_wait = math.fsum(rings - s)
        assert area_under_queue == total_wait
