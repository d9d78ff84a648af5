"""Assignment kernels against scipy: same optimum, same feasibility, valid answers; warm starts."""

import subprocess
import sys
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mobsim.kernels import assignment
from mobsim.kernels._exchange import join, leave
from mobsim.kernels._transport import _exchange_tables
from mobsim.kernels.assignment import (
    TransportState,
    linear_sum_assignment,
    transport,
    transport_warm,
)
from scipy.optimize import linear_sum_assignment as scipy_assignment

# Small matrices of whole numbers: every sum is exact in float64, so costs compare with ==.
SMALL = settings(max_examples=150, deadline=None)


@st.composite
def cost_matrices(draw, max_side: int = 6) -> np.ndarray:
    rows = draw(st.integers(0, max_side))
    columns = draw(st.integers(0, max_side))
    values = draw(st.lists(st.one_of(st.integers(-9, 9).map(float), st.just(np.inf)),
                           min_size=rows * columns, max_size=rows * columns))
    return np.array(values, dtype=np.float64).reshape(rows, columns)


@st.composite
def transport_problems(draw, max_side: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cost = draw(cost_matrices(max_side=max_side))
    supply = np.array(draw(st.lists(st.integers(0, 4), min_size=cost.shape[0],
                                    max_size=cost.shape[0])), dtype=np.int64)
    demand = np.array(draw(st.lists(st.integers(0, 4), min_size=cost.shape[1],
                                    max_size=cost.shape[1])), dtype=np.int64)
    return cost, supply, demand


def scipy_total(cost: np.ndarray, maximize: bool = False) -> float | None:
    """scipy's optimal total, None where scipy finds no complete assignment."""
    try:
        rows, columns = scipy_assignment(cost, maximize=maximize)
    except ValueError:
        return None
    return float(cost[rows, columns].sum())


def expanded(cost: np.ndarray, supply: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """One row per supplied unit and one column per demanded unit."""
    return np.repeat(np.repeat(cost, supply, axis=0), demand, axis=1)


def flow_total(flow: np.ndarray, cost: np.ndarray) -> float:
    return float((flow * np.where(flow > 0, cost, 0.0)).sum())


def assert_valid_flow(flow: np.ndarray, cost: np.ndarray, supply: np.ndarray,
                      demand: np.ndarray) -> None:
    assert flow.shape == cost.shape and flow.dtype == np.int64
    assert (flow >= 0).all()
    assert (flow.sum(axis=1) <= supply).all() and (flow.sum(axis=0) <= demand).all()
    assert flow.sum() == min(supply.sum(), demand.sum())
    assert np.isfinite(cost[flow > 0]).all()


def solves(call) -> object:
    """The call's result, or None if it raised ValueError."""
    try:
        return call()
    except ValueError:
        return None


@SMALL
@given(cost_matrices(), st.booleans())
def test_assignment_matches_scipy(cost: np.ndarray, maximize: bool) -> None:
    if maximize:
        cost = np.where(np.isinf(cost), -np.inf, cost)
    expected = scipy_total(cost, maximize)
    answer = solves(lambda: linear_sum_assignment(cost, maximize=maximize))
    assert (answer is None) == (expected is None)
    if answer is not None:
        rows, columns = answer
        assert len(rows) == len(columns) == min(cost.shape)
        assert (np.diff(rows) > 0).all() and len(set(columns.tolist())) == len(columns)
        assert np.isfinite(cost[rows, columns]).all()
        assert float(cost[rows, columns].sum()) == expected


def test_assignment_of_float_costs_matches_scipy_to_rounding() -> None:
    rng = np.random.default_rng(11)
    for shape in [(40, 70), (70, 40), (60, 60)]:
        cost = rng.uniform(0.0, 50.0, shape)
        cost[rng.random(shape) < 0.1] = np.inf
        rows, columns = linear_sum_assignment(cost)
        # Sums of ~60 terms below 50: both solvers are exact to a few ulps of the total.
        assert cost[rows, columns].sum() == pytest.approx(scipy_total(cost), rel=1e-12)


@pytest.mark.parametrize("cost, maximize", [
    ([[1.0, np.nan], [2.0, 3.0]], False),
    ([[1.0, -np.inf], [2.0, 3.0]], False),
    ([[1.0, np.inf], [2.0, 3.0]], True),
    ([1.0, 2.0], False),
])
def test_assignment_rejects_what_scipy_rejects(cost, maximize: bool) -> None:
    with pytest.raises(ValueError):
        scipy_assignment(cost, maximize=maximize)
    with pytest.raises(ValueError):
        linear_sum_assignment(cost, maximize=maximize)


@SMALL
@given(transport_problems())
def test_transport_matches_scipy_on_the_expanded_assignment(problem) -> None:
    cost, supply, demand = problem
    expected = scipy_total(expanded(cost, supply, demand))
    flow = solves(lambda: transport(cost, supply, demand))
    assert (flow is None) == (expected is None)
    if flow is not None:
        assert_valid_flow(flow, cost, supply, demand)
        assert flow_total(flow, cost) == expected


@SMALL
@given(transport_problems(max_side=8))
def test_transport_with_tiny_exchange_buffers_matches_scipy(problem) -> None:
    # Buffers of two candidates overflow, run dry and refill all the time even on small
    # problems: the paths that the default size only meets on large ones.
    cost, supply, demand = problem
    with mock.patch.object(assignment, "BUFFER_SIZE", 2):
        flow = solves(lambda: transport(cost, supply, demand))
    expected = scipy_total(expanded(cost, supply, demand))
    assert (flow is None) == (expected is None)
    if flow is not None:
        assert flow_total(flow, cost) == expected


def test_transport_of_travel_times_matches_scipy_to_rounding() -> None:
    rng = np.random.default_rng(7)
    units_km, microgrids_km = rng.uniform(0, 20, (9, 2)), rng.uniform(0, 20, (300, 2))
    cost = np.hypot(*(units_km[:, None, :] - microgrids_km[None, :, :]).transpose(2, 0, 1)) * 2.6
    supply = rng.integers(1, 15, 9)
    for demand in (np.ones(300, np.int64), rng.integers(0, 2, 300)):
        flow = transport(cost, supply, demand)
        assert_valid_flow(flow, cost, supply, demand)
        # A few hundred terms below 60 min: summation order alone moves the total by ulps.
        assert flow_total(flow, cost) == pytest.approx(
            scipy_total(expanded(cost, supply, demand)), rel=1e-12)


def test_transport_places_every_unit_of_the_smaller_side_or_raises() -> None:
    cost = np.array([[1.0, np.inf, np.inf], [np.inf, np.inf, np.inf]])
    with pytest.raises(ValueError):
        transport(cost, np.array([1, 1]), np.array([5, 5, 5]))
    # The same matrix is feasible when the columns are the smaller side.
    flow = transport(cost, np.array([3, 1]), np.array([2, 0, 0]))
    assert flow.tolist() == [[2, 0, 0], [0, 0, 0]]


@pytest.mark.parametrize("cost, supply, demand", [
    ([[1.0, np.nan]], [1], [1, 1]),
    ([[1.0, -np.inf]], [1], [1, 1]),
    ([[1.0, 2.0]], [-1], [1, 1]),
    ([[1.0, 2.0]], [1.5], [1, 1]),
    ([[1.0, 2.0]], [1, 1], [1, 1]),
    ([1.0, 2.0], [1], [1, 1]),
])
def test_transport_rejects_bad_input(cost, supply, demand) -> None:
    with pytest.raises(ValueError):
        transport(np.array(cost), np.array(supply), np.array(demand))


@st.composite
def changes(draw, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A change of supplies, of demands (gaps opening and closing) and of some costs."""
    rows, columns = shape

    def small_ints(n: int, low: int, high: int) -> np.ndarray:
        return np.array(draw(st.lists(st.integers(low, high), min_size=n, max_size=n)))

    return small_ints(rows, -2, 2), small_ints(columns, -2, 2), small_ints(rows * columns, -1, 1)


@settings(max_examples=100, deadline=None)
@given(transport_problems(), st.data())
def test_warm_start_reaches_the_cold_optimum(problem, data) -> None:
    cost, supply, demand = problem
    state = solves(lambda: transport_warm(cost, supply, demand)[1])
    if state is None:
        return
    for _ in range(3):
        d_supply, d_demand, d_cost = data.draw(changes(cost.shape))
        supply = np.maximum(supply + d_supply, 0)
        demand = np.maximum(demand + d_demand, 0)
        cost = cost + d_cost.reshape(cost.shape)
        cold = solves(lambda: transport(cost, supply, demand))
        warm = solves(lambda: transport_warm(cost, supply, demand, state))
        assert (warm is None) == (cold is None)
        if cold is None:
            return
        flow, state = warm
        assert_valid_flow(flow, cost, supply, demand)
        assert flow_total(flow, cost) == flow_total(cold, cost)


def test_warm_start_on_an_unchanged_problem_keeps_the_answer() -> None:
    rng = np.random.default_rng(3)
    cost = rng.integers(1, 60, (8, 200)).astype(np.float64)
    supply, demand = rng.integers(0, 12, 8), rng.integers(0, 2, 200)
    flow, state = transport_warm(cost, supply, demand)
    again, _ = transport_warm(cost, supply, demand, state)
    assert np.array_equal(again, flow)


def test_warm_start_refuses_a_state_of_another_shape() -> None:
    state = TransportState(np.zeros((2, 3), np.int64), np.zeros(3))
    with pytest.raises(ValueError):
        transport_warm(np.ones((3, 3)), np.ones(3, np.int64), np.ones(3, np.int64), state)


def exchange_minima_hold(cost: np.ndarray, flow: np.ndarray, pairs: tuple) -> bool:
    """Whether every (taker, owner) best exchange is the brute-force minimum over members."""
    best_key, best_col = pairs[5], pairs[6]
    for owner in range(cost.shape[0]):
        held = flow[owner] > 0
        for taker in range(cost.shape[0]):
            if taker == owner:
                continue
            keys = np.full(cost.shape[1], np.inf)
            keys[held] = cost[taker, held] - cost[owner, held]
            lowest = keys.min()
            if best_key[taker, owner] != lowest:
                return False
            if lowest < np.inf and keys[best_col[taker, owner]] != lowest:
                return False
    return True


@pytest.mark.parametrize("seed", range(20))
def test_exchange_minima_stay_exact_as_columns_join_and_leave(seed: int) -> None:
    # Buffers of 4 candidates over 40 columns: overflow, lowered limits and refills all occur.
    rng = np.random.default_rng(seed)
    cost = rng.integers(0, 12, (5, 40)).astype(np.float64)
    cost[rng.random(cost.shape) < 0.1] = np.inf
    flow = ((rng.random(cost.shape) < 0.2) & np.isfinite(cost)).astype(np.int64)
    members, pairs = _exchange_tables(cost, flow, 4)
    by_column = np.ascontiguousarray(cost.T)
    for _ in range(600):
        owner, column = rng.integers(5), rng.integers(40)
        if flow[owner, column]:
            flow[owner, column] = 0
            leave(cost, flow, members, pairs, owner, column)
        elif np.isfinite(cost[owner, column]):  # agents never hold a column they cannot serve
            flow[owner, column] = 1
            join(by_column, members, pairs, owner, column)
        assert exchange_minima_hold(cost, flow, pairs)


def test_importing_the_kernels_compiles_nothing() -> None:
    probe = ("import mobsim.kernels.assignment as a; "
             "print(len(a.assign.signatures) + len(a.solve.signatures))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "0"
