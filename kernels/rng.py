"""Counter-based random numbers: every draw is a pure function of (seed, replication, worker, draw).

A parallel kernel cannot share one sequential generator between threads and stay reproducible,
so each draw is computed from its key instead of from a generator state. The construction is
SplitMix64 (Steele, Lea & Flood 2014):

- `mix64(z)` is the SplitMix64 finaliser, a bijection of 64-bit words with full avalanche;
- `stream_key(seed, replication, worker)` chains three mixes, one per key field, so that any
  change in any field gives an unrelated 64-bit stream key;
- `random_bits(key, draw)` is `mix64(key + (draw + 1) * GAMMA)`, i.e. exactly the `draw`-th
  output of a SplitMix64 generator seeded with `key`, reachable in O(1) for any draw index;
- every sample takes exactly one draw index and is a monotone function of its uniform
  (inversion): normals use the rational approximation of the normal quantile by P. J. Acklam
  (relative error below 1.15e-9, no transcendental call in the central 95%).

Integer arguments of any NumPy integer type are reinterpreted as unsigned 64-bit words first,
so the same key gives the same numbers whatever integer type the caller holds. Python callers
pass keys as `np.uint64(key)`: a plain Python int above 2**63 cannot take an int64 path.
All functions are lazily compiled Numba functions callable from Python and from other kernels;
duration families are coded by small integers (`FIXED`, `EXPONENTIAL`, `LOGNORMAL`) so that a
kernel can take one family code and two parameters per category as plain arrays.

Numba's on-disk cache of a calling kernel does not notice edits to this module (it checks only
the caller's own file): after changing this file, delete kernels/__pycache__/*.nbi and *.nbc.
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

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_SHIFT30 = np.uint64(30)
_SHIFT27 = np.uint64(27)
_SHIFT31 = np.uint64(31)
_SHIFT12 = np.uint64(12)
_ONE = np.uint64(1)
_TWO_POW_MINUS_52 = 2.0 ** -52

# Acklam's coefficients: central region (p - 1/2 form) and lower tail (sqrt(-2 log p) form).
_A = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
      1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
_B = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
      6.680131188771972e+01, -1.328068155288572e+01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
      -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
      3.754408661907416e+00)
_P_LOW = 0.02425


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
    """Uniform on (0, 1): (k + 1/2) / 2**52 from the top 52 bits k, so u and 1 - u are exact."""
    top52 = random_bits(key, draw) >> _SHIFT12
    return (np.float64(top52) + 0.5) * _TWO_POW_MINUS_52


@njit(cache=True)
def normal_quantile(p):
    """Standard normal quantile of p in (0, 1), relative error below 1.15e-9."""
    if p < _P_LOW:
        return _normal_tail(p)
    if p > 1.0 - _P_LOW:
        return -_normal_tail(1.0 - p)
    q = p - 0.5
    r = q * q
    a0, a1, a2, a3, a4, a5 = _A
    b0, b1, b2, b3, b4 = _B
    return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q
            / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1.0))


@njit(cache=True)
def _normal_tail(p):
    """Normal quantile of a lower-tail probability p < _P_LOW."""
    q = math.sqrt(-2.0 * math.log(p))
    c0, c1, c2, c3, c4, c5 = _C
    d0, d1, d2, d3 = _D
    return ((((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5)
            / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1.0))


@njit(cache=True)
def standard_normal(key, draw):
    """Standard normal by inversion of the uniform at `draw`."""
    return normal_quantile(uniform(key, draw))


@njit(cache=True)
def duration(family, a, b, key, draw):
    """A duration of family code `family` with parameters (a, b) from the draws at `draw`."""
    if family == FIXED:
        return a
    if family == EXPONENTIAL:
        return -a * math.log(uniform(key, draw))
    return math.exp(a + b * standard_normal(key, draw))
