"""Tests of the counter-based random numbers: reference vectors, exact formulas, distributions."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mobsim.kernels import rng
from scipy import special, stats

WORD = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15
ALPHA = 0.001  # significance level of every KS test here (fixed seeds: pass or fail is fixed)


def python_mix64(z: int) -> int:
    """SplitMix64 finaliser written with Python integers, independent of the Numba code."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & WORD
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & WORD
    return z ^ (z >> 31)


def test_random_bits_reproduce_the_published_splitmix64_outputs():
    # First five outputs of the SplitMix64 reference generator seeded with 1234567.
    expected = [6457827717110365317, 3203168211198807973, 9817491932198370423,
                4593380528125082431, 16408922859458223821]
    assert [int(rng.random_bits(1234567, draw)) for draw in range(5)] == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(0, WORD), st.integers(0, 2**40))
def test_random_bits_equal_the_python_integer_formula(key, draw):
    expected = python_mix64((key + (draw + 1) * GOLDEN_GAMMA) & WORD)
    assert int(rng.random_bits(np.uint64(key), np.uint64(draw))) == expected


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**62), st.integers(0, 2**31 - 1), st.integers(0, 2**40))
def test_stream_key_chains_one_mix_per_field_whatever_the_integer_type(seed, replication, worker):
    key = python_mix64((seed + GOLDEN_GAMMA) & WORD)
    key = python_mix64((key + replication * GOLDEN_GAMMA) & WORD)
    key = python_mix64((key + worker * GOLDEN_GAMMA) & WORD)
    assert int(rng.stream_key(seed, replication, worker)) == key
    assert int(rng.stream_key(np.uint64(seed), np.int32(replication), np.int64(worker))) == key


@settings(max_examples=100, deadline=None)
@given(st.integers(0, WORD), st.integers(0, 2**40))
def test_uniform_is_the_top_52_bits_plus_half_a_step(key, draw):
    bits = int(rng.random_bits(np.uint64(key), draw))
    u = rng.uniform(np.uint64(key), draw)
    assert u == ((bits >> 12) + 0.5) * 2.0**-52
    assert 2.0**-53 <= u <= 1.0 - 2.0**-53


def test_uniforms_of_one_stream_are_uniform():
    key = np.uint64(rng.stream_key(2020, 0, 0))
    sample = [rng.uniform(key, draw) for draw in range(20_000)]
    assert stats.kstest(sample, "uniform").pvalue > ALPHA


def test_first_uniforms_across_workers_are_uniform_and_uncorrelated():
    first = np.array([rng.uniform(np.uint64(rng.stream_key(7, 3, w)), 0)
                      for w in range(20_000)])
    second = np.roll(first, -1)
    assert stats.kstest(first, "uniform").pvalue > ALPHA
    # Neighbouring streams: correlation of 20,000 pairs has standard error 1/sqrt(20,000).
    assert abs(np.corrcoef(first, second)[0, 1]) < 4 / math.sqrt(20_000)


def test_normal_quantile_is_within_its_stated_relative_error():
    p = np.concatenate([np.linspace(1e-6, 1 - 1e-6, 20_001), np.logspace(-300, -2, 500),
                        [2.0**-53, 1 - 2.0**-53, 0.02425, 1 - 0.02425]])
    p = p[p != 0.5]
    approx = np.array([rng.normal_quantile(x) for x in p])
    exact = special.ndtri(p)
    assert np.max(np.abs(approx - exact) / np.abs(exact)) < 1.15e-9


def test_fixed_duration_is_its_value_and_takes_no_draw():
    assert rng.duration(rng.FIXED, 4.5, 99.0, 1, 2) == 4.5


@pytest.mark.parametrize("family, a, b, reference", [
    (rng.EXPONENTIAL, 3.0, 0.0, stats.expon(scale=3.0)),
    (rng.LOGNORMAL, 1.2, 0.5, stats.lognorm(s=0.5, scale=math.exp(1.2))),
])
def test_durations_follow_their_family(family, a, b, reference):
    key = np.uint64(rng.stream_key(11, 0, 5))
    sample = [rng.duration(family, a, b, key, draw) for draw in range(20_000)]
    assert stats.kstest(sample, reference.cdf).pvalue > ALPHA


def test_family_codes_name_the_three_families():
    assert rng.FAMILY_CODES == {"fixed": rng.FIXED, "exponential": rng.EXPONENTIAL,
                                "lognormal": rng.LOGNORMAL}
