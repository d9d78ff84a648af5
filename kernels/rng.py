"""Counter-based random numbers: every draw is a pure function of (seed, replication, worker, draw).

A parallel kernel cannot share one sequential generator between threads and stay reproducible,
so each draw is computed from its key instead of from a generator state. The construction is
SplitMix64 (Steele, Lea & Flood 2014):

- `mix64(z)` is the SplitMix64 finaliser, a bijection of 64-bit words with full avalanche;
- `stream_key(seed, replication, worker)` chains three mixes, one per key field, so that any
  change in any field gives an unrelated 64-bit stream key;
- `random_bits(key, draw)` is `mix64(key + (draw + 1) * GAMMA)`, i.e. exactly the `draw`-th
  output of a SplitMix64 generator seeded with `key`, reachable in O(1) for any draw index.

Integer arguments of any NumPy or Python integer type are reinterpreted as unsigned 64-bit
words first, so the same key gives the same numbers whatever integer type the caller holds.
All functions are lazily compiled Numba functions callable from Python and from other kernels;
duration families are coded by small integers (`FIXED`, `EXPONENTIAL`, `LOGNORMAL`) so that a
kernel can take one family code and two parameters per category as plain arrays.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

FIXED = 0
"""Family code: always `a` minutes."""
EXPONENTIAL = 1
"""Family code: exponential with mean `a`."""
LOGNORMAL = 2
"""Family code: exp(N(mu=a, sigma=b)), the parameters of the underlying normal."""
FAMILY_CODES: dict[str, int] = {"fixed": FIXED, "exponential": EXPONENTIAL, "lognormal": LOGNORMAL}
"""Family name → code, for callers that hold distribution names."""
DRAWS_PER_SAMPLE = 2
"""Consecutive draw indexes `duration` may consume (a normal takes two uniforms)."""

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_SHIFT30 = np.uint64(30)
_SHIFT27 = np.uint64(27)
_SHIFT31 = np.uint64(31)
_SHIFT11 = np.uint64(11)
_ONE = np.uint64(1)
_TWO_POW_MINUS_53 = 2.0 ** -53


@njit(cache=True)
def mix64(z):
    """SplitMix64 finaliser of a 64-bit word (a bijection with full avalanche)."""
    z = np.uint64(z)
    z = (z ^ (z >> _SHIFT30)) * _MUL1
    z = (z ^ (z >> _SHIFT27)) * _MUL2
    return z ^ (z >> _SHIFT31)


@njit(cache=True)
def stream_key(seed, replication, worker):
    """64-bit key of the stream of one (seed, replication, worker)."""
    key = mix64(np.uint64(seed) + _GAMMA)
    key = mix64(key + np.uint64(replication) * _GAMMA)
    return mix64(key + np.uint64(worker) * _GAMMA)


@njit(cache=True)
def random_bits(key, draw):
    """The `draw`-th 64-bit output of the SplitMix64 generator seeded with `key`."""
    return mix64(np.uint64(key) + (np.uint64(draw) + _ONE) * _GAMMA)


@njit(cache=True)
def uniform(key, draw):
    """Uniform on the open interval (0, 1), a multiple of 2**-53 plus half a step."""
    top53 = random_bits(key, draw) >> _SHIFT11
    return (np.float64(top53) + 0.5) * _TWO_POW_MINUS_53


@njit(cache=True)
def standard_normal(key, draw):
    """Standard normal by Box–Muller from the uniforms at `draw` and `draw + 1`."""
    radius = math.sqrt(-2.0 * math.log(uniform(key, draw)))
    return radius * math.cos(2.0 * math.pi * uniform(key, np.uint64(draw) + _ONE))


@njit(cache=True)
def duration(family, a, b, key, draw):
    """A duration of family code `family` with parameters (a, b) from the draws at `draw`."""
    if family == FIXED:
        return a
    if family == EXPONENTIAL:
        return -a * math.log(uniform(key, draw))
    return math.exp(a + b * standard_normal(key, draw))
