"""Tests of the sequential check: its looks, and its error rates on Bernoulli streams of known p.

Error rates are shown by simulation: STREAMS streams of replications in time with probability
p, each decided look by look as `mobsim check --until-decided` decides it. A rate "held at
1 − C" is asserted within four standard errors of 1 − C (binomial, STREAMS streams): a test
that fails only by bad luck about once in 30,000 runs.
"""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from mobsim.errors import InputError
from mobsim.results.bound import FAIL, PASS, UNDECIDED, clopper_pearson_upper, decide
from mobsim.results.sequential import (
    decide_look,
    decide_sequentially,
    fewest_to_fail,
    fewest_to_show,
    plan_looks,
)

Q, C = 0.95, 0.95
STREAMS = 4000
MAX_REPLICATIONS = 1000
PLANS = [(MAX_REPLICATIONS, Q, C), (200, 0.8, 0.9), (40, Q, C)]
"""(maximum, quantile, confidence): the default check, a looser target, a maximum below 59
(a FAIL only)."""
README = Path(__file__).resolve().parents[2] / "README.md"


def test_pass_looks_start_where_a_pass_is_possible_and_double_to_the_maximum() -> None:
    plan = plan_looks(MAX_REPLICATIONS, Q, C)
    passing = [n for n in plan.looks if n >= plan.first_pass]
    assert len(passing) <= plan.planned_pass
    assert plan.pass_confidence == pytest.approx(1 - (1 - C) / plan.planned_pass)
    first = plan.first_pass
    assert 1 - Q ** first >= plan.pass_confidence > 1 - Q ** (first - 1)
    assert passing[-1] == MAX_REPLICATIONS
    assert all(b == 2 * a for a, b in zip(passing[:-2], passing[1:-1]))


def test_fail_looks_before_them_start_where_every_late_replication_shows_a_fail() -> None:
    plan = plan_looks(MAX_REPLICATIONS, Q, C)
    early = [n for n in plan.looks if n < plan.first_pass]
    assert early == [2, 4, 8, 16, 32, 64]
    assert len(plan.looks) <= plan.planned_fail
    assert plan.fail_confidence == pytest.approx(1 - (1 - C) / plan.planned_fail)
    assert decide(0, early[0], Q, plan.fail_confidence) == FAIL
    assert decide(0, early[0] - 1, Q, plan.fail_confidence) != FAIL
    assert all(plan.look(n).pass_confidence is None for n in early)
    assert all(plan.look(n).pass_confidence == plan.pass_confidence
               for n in plan.looks if n >= plan.first_pass)


def test_fewest_to_show_is_fifty_nine_and_fewest_to_fail_two_at_95_95() -> None:
    assert fewest_to_show(0.95, 0.95) == 59
    assert 1 - 0.95 ** 59 >= 0.95 > 1 - 0.95 ** 58
    assert fewest_to_fail(0.95, 0.95) == 2
    assert clopper_pearson_upper(0, 2, 0.95) < 0.95 <= clopper_pearson_upper(0, 1, 0.95)
    for quantile, confidence in ((0.5, 0.9), (0.8, 0.99), (0.99, 0.999)):
        n = fewest_to_fail(quantile, confidence)
        assert clopper_pearson_upper(0, n, confidence) < quantile
        assert n == 1 or clopper_pearson_upper(0, n - 1, confidence) >= quantile


def test_a_maximum_below_fifty_nine_can_only_decide_fail() -> None:
    plan = plan_looks(58, Q, C)
    assert plan.first_pass is None and plan.pass_confidence is None
    assert plan.looks[0] == 2 and plan.looks[-1] == 58
    assert plan_looks(59, Q, C).first_pass == 59
    assert plan_looks(2, Q, C).looks == (2,)
    with pytest.raises(InputError, match=r"--max-replications 1: .* at least 2 \(a FAIL\) or 59"):
        plan_looks(1, Q, C)


def test_a_plan_without_its_early_fails_keeps_its_split() -> None:
    plan = plan_looks(MAX_REPLICATIONS, Q, C)
    later = plan.without_early_fails()
    assert later.looks == tuple(n for n in plan.looks if n >= plan.first_pass)
    assert (later.pass_confidence, later.fail_confidence) == (plan.pass_confidence,
                                                              plan.fail_confidence)
    assert plan_looks(40, Q, C).without_early_fails().looks == (40,)


def _outcomes(p: float, seed: int, plan_args: tuple[int, float, float] = PLANS[0]
              ) -> tuple[np.ndarray, np.ndarray]:
    """Verdicts and replications used on STREAMS Bernoulli(p) streams of in-time replications."""
    maximum, quantile, confidence = plan_args
    plan = plan_looks(maximum, quantile, confidence)
    in_time = np.random.default_rng(seed).random((STREAMS, maximum)) < p
    counts = np.cumsum(in_time, axis=1)
    verdicts, used = [], []
    for row in counts:
        outcome = decide_sequentially(
            plan, lambda look: decide_look(int(row[look.replications - 1]), look, quantile))
        verdicts.append(outcome.verdict)
        used.append(outcome.replications)
    return np.array(verdicts), np.array(used)


def _within_four_standard_errors(wrong: int, alpha: float) -> bool:
    return wrong / STREAMS <= alpha + 4 * math.sqrt(alpha * (1 - alpha) / STREAMS)


@pytest.mark.parametrize("plan_args", PLANS)
def test_wrong_fail_rate_at_the_boundary_is_held_at_one_minus_confidence(plan_args) -> None:
    """p = Q meets the target (just): a FAIL is wrong; its rate over all looks, the early ones
    included, stays ≤ 1 − C."""
    _, quantile, confidence = plan_args
    verdicts, _ = _outcomes(quantile, seed=11, plan_args=plan_args)
    assert _within_four_standard_errors(int(np.sum(verdicts == FAIL)), 1 - confidence)


@pytest.mark.parametrize("plan_args", PLANS[:2])
def test_wrong_pass_rate_just_below_the_target_is_held(plan_args) -> None:
    """p = Q − 0.01 misses the target: a PASS is wrong; its rate over all looks stays ≤ 1 − C."""
    _, quantile, confidence = plan_args
    verdicts, _ = _outcomes(quantile - 0.01, seed=12, plan_args=plan_args)
    assert _within_four_standard_errors(int(np.sum(verdicts == PASS)), 1 - confidence)


def test_the_readme_s_wrong_fail_rate_is_the_simulated_one() -> None:
    """The README quotes the wrong-FAIL rate at p = Q of the default check: the simulation's,
    within four standard errors."""
    quoted = re.search(r"about (\d+(?:\.\d+)?)% wrong FAILs at p = 0\.95 with N = 1000",
                       README.read_text())
    assert quoted, "the README no longer quotes the wrong-FAIL rate"
    verdicts, _ = _outcomes(Q, seed=11)
    rate, share = float(quoted[1]) / 100, float(np.mean(verdicts == FAIL))
    assert abs(share - rate) <= 4 * math.sqrt(rate * (1 - rate) / STREAMS) + 0.005, share


def test_a_maximum_below_fifty_nine_never_passes() -> None:
    verdicts, _ = _outcomes(1.0, seed=16, plan_args=PLANS[2])
    assert np.all(verdicts == UNDECIDED)


def test_looking_at_every_batch_at_the_plain_level_would_not_hold_it() -> None:
    """Why the split: deciding each look at C itself makes a wrong FAIL at p = Q likelier."""
    plan = plan_looks(MAX_REPLICATIONS, Q, C)
    in_time = np.random.default_rng(13).random((STREAMS, MAX_REPLICATIONS)) < Q
    counts = np.cumsum(in_time, axis=1)
    wrong = sum(any(decide(int(row[n - 1]), n, Q, C) == FAIL for n in plan.looks)
                for row in counts)
    assert not _within_four_standard_errors(wrong, 1 - C)


def test_clear_cases_decide_early() -> None:
    """p = 0.999 passes at the first look that can; p = 0.8 fails, mostly before the first
    look that could pass; an order never in time (p = 0) fails after two replications."""
    plan = plan_looks(MAX_REPLICATIONS, Q, C)
    verdicts, used = _outcomes(0.999, seed=14)
    assert np.mean(verdicts == PASS) > 0.9 and np.median(used) == plan.first_pass
    verdicts, used = _outcomes(0.8, seed=15)
    assert np.all(verdicts == FAIL) and np.median(used) < plan.first_pass
    verdicts, used = _outcomes(0.0, seed=17)
    assert np.all(verdicts == FAIL) and np.all(used == 2)
