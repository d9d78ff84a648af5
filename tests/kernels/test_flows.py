"""The flow kernels against linear programs (a transportation LP has integer optima)."""

import numpy as np
import pytest
from scipy.optimize import linprog

from mobsim.kernels.flows import max_flow, min_cost_flow


def _problem(seed: int):
    """Random sources (supply 1-3), sinks (need 1-2, class 1 or 2) and edges (60% of pairs,
    the first always)."""
    rng = np.random.default_rng(seed)
    n_sources, n_sinks = int(rng.integers(1, 12)), int(rng.integers(1, 15))
    supply = rng.integers(1, 4, n_sources)
    need = rng.integers(1, 3, n_sinks)
    sink_class = rng.integers(1, 3, n_sinks)
    present = rng.random((n_sources, n_sinks)) < 0.6
    present[0, 0] = True  # at least one edge
    source, sink = np.nonzero(present)
    cost = rng.uniform(0, 100, len(source))
    return n_sources, n_sinks, supply, need, sink_class, source, sink, cost


def _limits(n_sources, n_sinks, supply, need, source, sink):
    """The LP's rows: each source sends at most its supply, each sink takes at most its need."""
    rows = np.zeros((n_sources + n_sinks, len(source)))
    rows[source, np.arange(len(source))] = 1
    rows[n_sources + sink, np.arange(len(source))] = 1
    return rows, np.concatenate([supply, need]).astype(float)


@pytest.mark.parametrize("seed", range(40))
def test_max_flow_sends_what_the_linear_program_says_and_its_cuts_hold(seed: int) -> None:
    n_sources, n_sinks, supply, need, _, source, sink, _ = _problem(seed)
    flow, reached, toward = max_flow(n_sources, n_sinks, supply, need, source, sink,
                                     np.zeros(len(source), np.int64))
    rows, limits = _limits(n_sources, n_sinks, supply, need, source, sink)
    best = -linprog(-np.ones(len(source)), A_ub=rows, b_ub=limits, method="highs").fun
    assert flow.sum() == pytest.approx(best, abs=1e-9)
    assert (rows @ flow <= limits).all()
    # No edge with room leads from what the super-source reaches to what it does not, nor
    # from what cannot reach the super-sink to what can: both are least cuts.
    room = flow < need[sink]
    assert not (room & reached[source] & ~reached[n_sources + sink]).any()
    assert not (room & ~toward[source] & toward[n_sources + sink]).any()


@pytest.mark.parametrize("seed", range(10))
def test_max_flow_grown_from_a_flow_is_as_large(seed: int) -> None:
    n_sources, n_sinks, supply, need, _, source, sink, _ = _problem(seed)
    full, _, _ = max_flow(n_sources, n_sinks, supply, need, source, sink,
                          np.zeros(len(source), np.int64))
    start = np.zeros(len(source), np.int64)
    start[np.flatnonzero(full)[:1]] = full[np.flatnonzero(full)[:1]]  # part of a flow
    grown, _, _ = max_flow(n_sources, n_sinks, supply, need, source, sink, start)
    assert grown.sum() == full.sum()


@pytest.mark.parametrize("seed", range(40))
def test_min_cost_flow_covers_the_classes_in_order_then_costs_least(seed: int) -> None:
    n_sources, n_sinks, supply, need, sink_class, source, sink, cost = _problem(seed)
    flow, pot_k, pot_f = min_cost_flow(n_sources, n_sinks, supply, need, source, sink,
                                       -sink_class[sink], cost)
    rows, limits = _limits(n_sources, n_sinks, supply, need, source, sink)
    fixed_rows, fixed = [], []
    for w in (2, 1):  # most of class 2, then of class 1 with class 2's held, then least cost
        gain = -(sink_class[sink] == w).astype(float)
        best = linprog(gain, A_ub=rows, b_ub=limits, A_eq=np.array(fixed_rows) if fixed_rows else None,
                       b_eq=fixed or None, method="highs").fun
        assert (gain @ flow) == pytest.approx(best, abs=1e-9)
        fixed_rows.append(gain)
        fixed.append(best)
    least = linprog(cost, A_ub=rows, b_ub=limits, A_eq=np.array(fixed_rows), b_eq=fixed,
                    method="highs").fun
    assert cost @ flow == pytest.approx(least, abs=1e-7)
    # The potentials certify it: no unused edge costs less than nothing.
    reduced_k = -sink_class[sink] + pot_k[source] - pot_k[n_sources + sink]
    reduced_f = cost + pot_f[source] - pot_f[n_sources + sink]
    unused = flow == 0
    assert ((reduced_k > 0) | ((reduced_k == 0) & (reduced_f >= -1e-7)))[unused].all()
