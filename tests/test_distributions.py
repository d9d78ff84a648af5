"""Distribution specs: parsing, canonical form, every error message, means and sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from mobsim.distributions import Dist, fixed, parse_dist
from mobsim.errors import InputError

# (spec, the same law in scipy.stats) for every family and both lognormal parameter sets.
FAMILIES = [
    ({"dist": "exponential", "mean": 4.0}, stats.expon(scale=4.0)),
    ({"dist": "lognormal", "mean": 29.0, "sd": 23.0},
     stats.lognorm(s=math.sqrt(math.log(1 + (23 / 29) ** 2)),
                   scale=29 / math.sqrt(1 + (23 / 29) ** 2))),
    ({"dist": "lognormal", "median": 2.4, "sigma": 0.8}, stats.lognorm(s=0.8, scale=2.4)),
    ({"dist": "gamma", "shape": 2.5, "mean": 10.0}, stats.gamma(a=2.5, scale=4.0)),
    ({"dist": "uniform", "low": 2.0, "high": 10.0}, stats.uniform(loc=2.0, scale=8.0)),
    ({"dist": "beta", "a": 2.0, "b": 5.0}, stats.beta(2.0, 5.0)),
]
FAMILY_IDS = ["exponential", "lognormal-mean-sd", "lognormal-median-sigma", "gamma", "uniform", "beta"]
SAMPLES = 20_000


def test_a_number_is_a_fixed_distribution() -> None:
    assert parse_dist(5, "k") == fixed(5.0) == Dist("fixed", (("value", 5.0),))
    assert parse_dist({"dist": "fixed", "value": 2.5}, "k").param("value") == 2.5


def test_lognormal_parameter_sets_meet_in_one_canonical_form() -> None:
    by_median = parse_dist({"dist": "lognormal", "median": 20.0, "sigma": 0.5}, "k")
    assert by_median.params == (("mu", math.log(20.0)), ("sigma", 0.5))
    by_mean = parse_dist({"dist": "lognormal", "mean": by_median.mean,
                          "sd": by_median.mean * math.sqrt(math.exp(0.25) - 1)}, "k")
    assert by_mean.param("mu") == pytest.approx(math.log(20.0), rel=1e-12)
    assert by_mean.param("sigma") == pytest.approx(0.5, rel=1e-12)


def test_parameter_order_in_the_table_does_not_matter() -> None:
    assert parse_dist({"high": 3, "dist": "uniform", "low": 1}, "k") == \
        parse_dist({"dist": "uniform", "low": 1, "high": 3}, "k")


@pytest.mark.parametrize(("spec", "law"), FAMILIES, ids=FAMILY_IDS)
def test_mean_is_the_law_mean(spec: dict, law: stats.rv_continuous) -> None:
    assert parse_dist(spec, "k").mean == pytest.approx(law.mean(), rel=1e-12)


@pytest.mark.parametrize(("spec", "law"), FAMILIES, ids=FAMILY_IDS)
def test_sample_mean_within_four_standard_errors(spec: dict, law: stats.rv_continuous) -> None:
    draws = parse_dist(spec, "k").sample(np.random.default_rng(11), SAMPLES)
    standard_error = law.std() / math.sqrt(SAMPLES)
    assert abs(draws.mean() - law.mean()) < 4 * standard_error


@pytest.mark.parametrize(("spec", "law"), FAMILIES, ids=FAMILY_IDS)
def test_samples_follow_the_law_ks_at_fixed_seed(spec: dict, law: stats.rv_continuous) -> None:
    draws = parse_dist(spec, "k").sample(np.random.default_rng(12), SAMPLES)
    assert stats.kstest(draws, law.cdf).pvalue > 0.001


def test_uniform_mean_near_the_float_maximum_is_finite() -> None:
    assert parse_dist({"dist": "uniform", "low": 1e308, "high": 1.7e308}, "k").mean == 1.35e308


def test_sample_without_size_is_one_number_and_fixed_fills_arrays() -> None:
    rng = np.random.default_rng(1)
    assert isinstance(parse_dist({"dist": "exponential", "mean": 1}, "k").sample(rng), float)
    assert fixed(3).sample(rng) == 3.0
    assert np.array_equal(fixed(3).sample(rng, 4), np.full(4, 3.0))


@pytest.mark.parametrize(("spec", "message"), [
    ("five", 'k: expected a number or a distribution table like {dist = "fixed", value = 5}, got \'five\''),
    (True, "k: expected a number or a distribution table"),
    ([1, 2], "k: expected a number or a distribution table"),
    (math.inf, "k: expected a finite number, got inf"),
    (10**400, "k: expected a finite number, got 1000"),
    ({"mean": 3}, "k: a distribution table needs dist = one of fixed, exponential, lognormal"),
    ({"dist": "normal", "mean": 3}, "k.dist: unknown distribution 'normal'; expected one of fixed"),
    ({"dist": ["lognormal"]}, "k.dist: unknown distribution ['lognormal']"),
    ({"dist": {"a": 1}}, "k.dist: unknown distribution {'a': 1}"),
    ({"dist": "lognormal", "mean": 3},
     "k: a lognormal distribution takes (mean, sd) or (median, sigma), got (mean)"),
    ({"dist": "uniform", "low": 1, "high": 2, "mode": 1.5},
     "k: a uniform distribution takes (low, high), got (high, low, mode)"),
    ({"dist": "exponential", "mean": math.nan}, "k.mean: expected a finite number, got nan"),
    ({"dist": "exponential", "mean": "3"}, "k.mean: expected a finite number, got '3'"),
    ({"dist": "exponential", "mean": False}, "k.mean: expected a finite number, got False"),
    ({"dist": "gamma", "shape": 10**400, "mean": 1}, "k.shape: expected a finite number"),
    ({"dist": "exponential", "mean": 0}, "k.mean: must be positive, got 0"),
    ({"dist": "lognormal", "mean": 10, "sd": -1}, "k.sd: must be positive, got -1"),
    ({"dist": "beta", "a": 1, "b": 0}, "k.b: must be positive, got 0"),
    ({"dist": "uniform", "low": 3, "high": 1}, "k: low (3) is above high (1)"),
    ({"dist": "lognormal", "mean": 1, "sd": 1e200},
     "k: these lognormal parameters give a mean too large for a float"),
    ({"dist": "lognormal", "median": 1, "sigma": 40},
     "k: these lognormal parameters give a mean too large for a float"),
    (-2, "k: must not be negative, got -2"),
    ({"dist": "uniform", "low": -1, "high": 1}, "k: must not be negative, got -1"),
])
def test_every_error_is_one_line_naming_the_key(spec: object, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_dist(spec, "k")
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("spec", [0, 1, 0.3, {"dist": "beta", "a": 2, "b": 3},
                                  {"dist": "uniform", "low": 0.2, "high": 1.0},
                                  {"dist": "fixed", "value": 1}])
def test_probabilities_accept_values_in_the_unit_interval(spec: object) -> None:
    assert parse_dist(spec, "p", probability=True).mean <= 1


@pytest.mark.parametrize(("spec", "message"), [
    (1.5, "p: a probability must lie in [0, 1], got 1.5"),
    ({"dist": "uniform", "low": 0.5, "high": 2}, "p: a probability must lie in [0, 1], got 2"),
    ({"dist": "exponential", "mean": 0.1},
     "p: a probability needs a number or a fixed, uniform or beta distribution, got exponential"),
    ({"dist": "lognormal", "median": 0.1, "sigma": 0.1}, "p: a probability needs a number"),
    ({"dist": "gamma", "shape": 1, "mean": 0.1}, "p: a probability needs a number"),
])
def test_probabilities_outside_the_unit_interval_are_refused(spec: object, message: str) -> None:
    with pytest.raises(InputError, match="^" + message.replace("[", r"\[").replace("(", r"\(")):
        parse_dist(spec, "p", probability=True)


_NUMBERS = st.one_of(st.integers(min_value=-10**30, max_value=10**30), st.floats(),
                     st.booleans(), st.text(max_size=3))
_SPECS = st.one_of(
    _NUMBERS,
    st.dictionaries(st.sampled_from(["dist", "value", "mean", "sd", "median", "sigma", "shape",
                                     "low", "high", "a", "b"]),
                    st.one_of(_NUMBERS, st.sampled_from(["fixed", "exponential", "lognormal",
                                                         "gamma", "uniform", "beta"]))),
)


@given(_SPECS, st.booleans())
def test_any_spec_parses_or_gives_input_error(spec: object, probability: bool) -> None:
    try:
        dist = parse_dist(spec, "k", probability)
    except InputError as err:
        assert str(err).startswith("k") and "\n" not in str(err)
    else:
        assert math.isfinite(dist.mean) and dist.mean >= 0
