"""Tests of the sequential check: its looks, and its error rate on Bernoulli streams of known p."""

import math

import numpy as np
import pytest

from mobsim.errors import InputError
from mobsim.results.bound import FAIL, PASS, UNDECIDED, decide
from mobsim.results.sequential import decide_sequentially, fewest_to_show, plan_looks

Q, C = 0.95, 0.95
STREAMS = 4000
MAX_REPLICATIONS = 1000


def test_looks_start_where_a_pass_is_possible_and_double_to_the_maximum() -> None:
    plan = plan_looks(MAX_REPLICATIONS, Q, C)
    assert len(plan.looks) <= plan.planned_looks
    assert plan.look_confidence == pytest.approx(1 - (1 - C) / plan.planned_looks)
    first = plan.looks[0]
    assert 1 - Q ** first >= plan.look_confidence > 1 - Q ** (first - 1)
    assert plan.looks[-1] == MAX_REPLICATIONS
    assert all(b == 2 * a for a, b in zip(plan.looks[:-2], plan.looks[1:-1]))


def test_fewest_to_show_is_fifty_nine_at_95_95() -> None:
    assert fewest_to_show(0.95, 0.95) == 59
    assert 1 - 0.95 ** 59 >= 0.95 > 1 - 0.95 ** 58


def test_a_maximum_below_the_fewest_is_an_input_error() -> None:
    with pytest.raises(InputError, match="--max-replications 58: .* at least 59"):
        plan_looks(58, Q, C)
    assert plan_looks(59, Q, C).looks == (59,)


def _outcomes(p: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Verdicts and replications used on STREAMS Bernoulli(p) streams of in-time replications."""
    plan = plan_looks(MAX_REPLICATIONS, Q, C)
    in_time = np.random.default_rng(seed).random((STREAMS, MAX_REPLICATIONS)) < p
    counts = np.cumsum(in_time, axis=1)
    verdicts, used = [], []
    for row in counts:
        outcome = decide_sequentially(plan, lambda n, c: decide(int(row[n - 1]), n, Q, c))
        verdicts.append(outcome.verdict)
        used.append(outcome.replications)
    return np.array(verdicts), np.array(used)


def _within_four_standard_errors(wrong: int, alpha: float) -> bool:
    return wrong / STREAMS <= alpha + 4 * math.sqrt(alpha * (1 - alpha) / STREAMS)


def test_wrong_fail_rate_at_the_boundary_is_held_at_one_minus_confidence() -> None:
    """p = Q meets the target (just): a FAIL is wrong; its rate over all looks stays ≤ 1 − C."""
    verdicts, _ = _outcomes(Q, seed=11)
    assert _within_four_standard_errors(int(np.sum(verdicts == FAIL)), 1 - C)


def test_wrong_pass_rate_just_below_the_target_is_held() -> None:
    """p = 0.94 misses the target: a PASS is wrong; its rate over all looks stays ≤ 1 − C."""
    verdicts, _ = _outcomes(0.94, seed=12)
    assert _within_four_standard_errors(int(np.sum(verdicts == PASS)), 1 - C)


def test_looking_at_every_batch_at_the_plain_level_would_not_hold_it() -> None:
    """Why the split: deciding each look at C itself makes a wrong FAIL at p = Q likelier."""
    plan = plan_looks(MAX_REPLICATIONS, Q, C)
    in_time = np.random.default_rng(13).random((STREAMS, MAX_REPLICATIONS)) < Q
    counts = np.cumsum(in_time, axis=1)
    wrong = sum(any(decide(int(row[n - 1]), n, Q, C) == FAIL for n in plan.looks)
                for row in counts)
    assert not _within_four_standard_errors(wrong, 1 - C)


def test_clear_cases_decide_early() -> None:
    """p = 0.999 passes and p = 0.8 fails, almost always at the first look."""
    plan = plan_looks(MAX_REPLICATIONS, Q, C)
    verdicts, used = _outcomes(0.999, seed=14)
    assert np.mean(verdicts == PASS) > 0.9 and np.median(used) == plan.looks[0]
    verdicts, used = _outcomes(0.8, seed=15)
    assert np.all(verdicts == FAIL) and np.median(used) == plan.looks[0]
    assert UNDECIDED not in verdicts
