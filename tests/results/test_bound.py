"""Tests of the distribution-free bound check against exact binomial values."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mobsim.results.bound import (
    FAIL,
    PASS,
    UNDECIDED,
    check_bound,
    clopper_pearson_lower,
    clopper_pearson_upper,
    decide,
    order_index,
    replications_needed,
)


def test_fifty_nine_replications_pass_only_when_all_are_within() -> None:
    assert order_index(59, 0.95, 0.95) == 59
    assert 1 - 0.95**59 >= 0.95 > 1 - 0.95**58
    assert check_bound(np.full(59, 170.0), 180.0, 0.95, 0.95).passed
    one_late = np.r_[np.full(58, 170.0), 181.0]
    result = check_bound(one_late, 180.0, 0.95, 0.95)
    assert not result.passed
    assert result.within_target == 58


def test_fifty_eight_replications_are_too_few_and_say_how_many() -> None:
    result = check_bound(np.full(58, 10.0), 180.0, 0.95, 0.95)
    assert result.order_index is None and not result.passed
    assert result.replications_needed == 59


def test_never_counts_as_late() -> None:
    times = np.r_[np.full(58, 10.0), np.nan]
    result = check_bound(times, 180.0, 0.95, 0.95)
    assert not result.passed and result.within_target == 58


def test_order_index_matches_its_binomial_definition() -> None:
    for n, q, c in [(100, 0.95, 0.95), (93, 0.9, 0.99), (500, 0.95, 0.95), (20, 0.5, 0.9)]:
        k = order_index(n, q, c)
        assert stats.binom.cdf(k - 1, n, q) >= c
        assert stats.binom.cdf(k - 2, n, q) < c


def test_clopper_pearson_lower_bound_exact_cases() -> None:
    # With all n successes the one-sided lower bound is (1 - C)^(1/n).
    assert clopper_pearson_lower(59, 59, 0.95) == pytest.approx(0.05 ** (1 / 59), rel=1e-12)
    assert clopper_pearson_lower(0, 10, 0.95) == 0.0


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 400), successes_share=st.floats(0, 1), q=st.sampled_from([0.5, 0.9, 0.95]),
       c=st.sampled_from([0.9, 0.95, 0.99]))
def test_verdict_equals_clopper_pearson_criterion(n: int, successes_share: float, q: float, c: float) -> None:
    within = int(round(successes_share * n))
    times = np.r_[np.full(within, 100.0), np.full(n - within, 300.0)]
    result = check_bound(times, 180.0, q, c)
    assert result.passed == (result.lower_bound_share >= q - 1e-12)


def test_replications_needed_is_the_smallest_that_shows_it() -> None:
    n = replications_needed(0.99, 0.95, 0.95)
    assert n is not None
    k = order_index(n, 0.95, 0.95)
    assert k is not None and math.floor(0.99 * n + 1e-9) >= k
    k_less = order_index(n - 1, 0.95, 0.95)
    assert k_less is None or math.floor(0.99 * (n - 1) + 1e-9) < k_less


def _fewest_by_brute_force(share: float, quantile: float, confidence: float, up_to: int) -> int:
    """The first n, trying every n from 1, whose order index floor(share·n) reaches."""
    for n in range(1, up_to + 1):
        k = order_index(n, quantile, confidence)
        if k is not None and math.floor(share * n + 1e-9) >= k:
            return n
    raise AssertionError(f"no n up to {up_to} shows the bound")


@pytest.mark.parametrize("within, n_seen, q, c", [
    (57, 59, 0.95, 0.95),   # issue #19: bisection answered 601
    (87, 93, 0.9, 0.99),    # issue #19: bisection answered 398
    (58, 59, 0.95, 0.95),
    (99, 100, 0.9, 0.95),
])
def test_replications_needed_is_the_true_minimum_though_the_condition_is_not_monotone(
        within: int, n_seen: int, q: float, c: float) -> None:
    share = within / n_seen
    fewest = _fewest_by_brute_force(share, q, c, up_to=5_000)
    assert replications_needed(share, q, c) == fewest


def test_the_shown_condition_is_not_monotone_in_n() -> None:
    # Why a bisection fails: share 57/59 shows the bound at n = 530 but not at every larger n.
    share = 57 / 59
    assert order_index(530, 0.95, 0.95) <= math.floor(share * 530)
    assert any(order_index(n, 0.95, 0.95) > math.floor(share * n) for n in range(531, 601))


def test_replications_needed_below_the_quantile_is_the_smallest_that_shows_failure() -> None:
    n = replications_needed(0.9, 0.95, 0.95)
    assert n is not None
    assert decide(math.floor(0.9 * n + 1e-9), n, 0.95, 0.95) == FAIL
    assert decide(math.floor(0.9 * (n - 1) + 1e-9), n - 1, 0.95, 0.95) == UNDECIDED
    assert replications_needed(0.95, 0.95, 0.95) is None


def test_clopper_pearson_upper_bound_exact_cases() -> None:
    # With no success the one-sided upper bound is 1 - (1 - C)^(1/n); with all, 1.
    assert clopper_pearson_upper(0, 2, 0.95) == pytest.approx(1 - 0.05 ** 0.5, rel=1e-12)
    assert clopper_pearson_upper(7, 7, 0.95) == 1.0


def test_few_replications_all_in_time_are_undecided_not_fail() -> None:
    result = check_bound(np.full(12, 100.0), 180.0, 0.95, 0.95)
    assert result.verdict == UNDECIDED and not result.passed
    assert result.replications_needed == 59  # 1 - 0.95^n >= 0.95 first at n = 59
    # 0 of 2 in time: the upper bound 1 - 0.05^(1/2) ≈ 0.78 is below 0.95
    assert check_bound(np.full(2, 300.0), 180.0, 0.95, 0.95).verdict == FAIL


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 400), successes_share=st.floats(0, 1), q=st.sampled_from([0.5, 0.9, 0.95]),
       c=st.sampled_from([0.9, 0.95, 0.99]))
def test_three_verdicts_follow_the_two_clopper_pearson_bounds(n: int, successes_share: float,
                                                              q: float, c: float) -> None:
    within = int(round(successes_share * n))
    times = np.r_[np.full(within, 100.0), np.full(n - within, 300.0)]
    result = check_bound(times, 180.0, q, c)
    expected = (PASS if result.lower_bound_share >= q - 1e-12 else
                FAIL if result.upper_bound_share < q else UNDECIDED)
    assert result.verdict == expected
    assert (result.replications_needed is None) == (expected != UNDECIDED or within / n == q)


@pytest.mark.parametrize("quantile,confidence", [(0.5, 0.9), (0.95, 0.95), (0.95, 0.99545),
                                                 (0.8, 0.999)])
def test_the_bound_s_functions_are_scipy_stats_binomial_and_beta(quantile: float,
                                                                 confidence: float) -> None:
    """The check takes the binomial CDF and beta quantiles from scipy.special (a lighter
    import): the same order index, bounds (to 1e-12) and verdicts as scipy.stats gives them."""
    for n in [*range(1, 61), 200, 1000, 20_000]:
        ks = np.arange(1, n + 1)
        shown = ks[stats.binom.cdf(ks - 1, n, quantile) >= confidence]
        assert order_index(n, quantile, confidence) == (int(shown[0]) if len(shown) else None)
        for within in sorted({0, 1, n // 2, n - 1, n} | set(range(min(n, 60) + 1))):
            lower = stats.beta.ppf(1 - confidence, within, n - within + 1) if within else 0.0
            upper = stats.beta.ppf(confidence, within + 1, n - within) if within < n else 1.0
            assert clopper_pearson_lower(within, n, confidence) == pytest.approx(lower, abs=1e-12)
            assert clopper_pearson_upper(within, n, confidence) == pytest.approx(upper, abs=1e-12)
            k = order_index(n, quantile, confidence)
            expected = (PASS if k is not None and within >= k
                        else FAIL if upper < quantile else UNDECIDED)
            assert decide(within, n, quantile, confidence) == expected
