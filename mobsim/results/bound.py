"""Distribution-free check that a quantile of the district time is within the target.

After ship-evacuation practice (IMO MSC.1/Circ.1238 and 1533): with n replications, the
k-th smallest time T(k) is an upper confidence bound at level C for the Q-quantile when
P(Binomial(n, Q) <= k - 1) >= C. The bound is shown when T(k) <= M, which is the same as the
one-sided Clopper–Pearson lower bound on P(T <= M) reaching Q.

The verdict has three outcomes (`decide`): PASS when that bound is shown, FAIL when the
one-sided Clopper–Pearson *upper* bound on P(T <= M) is below Q (shown not met at the same
confidence), and UNDECIDED otherwise: too few replications to show either.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass

import numpy as np
# The binomial CDF and the beta quantile from scipy.special alone: scipy.stats would add about
# 0.4 s to every command's start (a run's fixed cost).
from scipy import special

from mobsim.results.jsonable import plain
from mobsim.results.stats import order_statistic

PASS, FAIL, UNDECIDED = "PASS", "FAIL", "UNDECIDED"
"""The three verdicts: shown met, shown not met, neither yet."""

MAX_REPLICATIONS = 1_000_000
"""Largest replication count `replications_needed` tries (every n up to it: about 4 s at most)."""

SEARCH_BLOCK = 65_536
"""Replication counts `replications_needed` tries at once (one vectorised binomial CDF)."""


@dataclass(frozen=True)
class BoundCheck:
    """Verdict and figures of one bound check."""

    replications: int
    target_min: float
    quantile: float
    confidence: float
    within_target: int
    share_within_target: float
    empirical_quantile_min: float  # inf: never (the order statistic is a never-finished run)
    order_index: int | None
    upper_bound_min: float  # inf: never, or no order statistic bounds it (too few runs)
    lower_bound_share: float
    upper_bound_share: float
    verdict: str
    passed: bool
    replications_needed: int | None

    def to_dict(self) -> dict:
        """Plain dict for JSON (mobsim.results.jsonable: never as "inf", NaN as None)."""
        return plain(asdict(self))


def binomial_cdf(k: np.ndarray | int, n: np.ndarray | int, p: float) -> np.ndarray | float:
    """P(Bin(n, p) <= k), 0 for k < 0."""
    k = np.asarray(k, dtype=float)
    return np.where(k < 0, 0.0, special.bdtr(np.maximum(k, 0), n, p))


def beta_quantile(q: float, a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray | float:
    """The q-quantile of Beta(a, b)."""
    return special.betaincinv(a, b, q)


def order_index(n: int, quantile: float, confidence: float) -> int | None:
    """Smallest k with P(Bin(n, Q) <= k-1) >= C (1-based), or None when even k = n is too small."""
    guess = special.bdtrik(confidence, n, quantile)  # the continuous k of the CDF reaching C
    k = int(guess) + 1 if np.isfinite(guess) else n
    while k > 1 and binomial_cdf(k - 2, n, quantile) >= confidence:
        k -= 1
    while k <= n and binomial_cdf(k - 1, n, quantile) < confidence:
        k += 1
    return k if k <= n else None


def clopper_pearson_lower(successes: int, n: int, confidence: float) -> float:
    """One-sided Clopper–Pearson lower confidence bound on a binomial proportion."""
    if successes <= 0:
        return 0.0
    return float(beta_quantile(1.0 - confidence, successes, n - successes + 1))


def clopper_pearson_upper(successes: int, n: int, confidence: float) -> float:
    """One-sided Clopper–Pearson upper confidence bound on a binomial proportion."""
    if successes >= n:
        return 1.0
    return float(beta_quantile(confidence, successes + 1, n - successes))


@functools.lru_cache(maxsize=65_536)
def decide(within: int, n: int, quantile: float, confidence: float) -> str:
    """The verdict on P(T <= M) >= Q from `within` of `n` replications: PASS, FAIL or UNDECIDED."""
    k = order_index(n, quantile, confidence)
    if k is not None and within >= k:
        return PASS
    if clopper_pearson_upper(within, n, confidence) < quantile:
        return FAIL
    return UNDECIDED


def replications_needed(share: float, quantile: float, confidence: float) -> int | None:
    """Fewest replications that would decide the verdict if the observed share within target held.

    Decided at n means PASS — floor(share·n) within target reach the order index of n, that is
    P(Bin(n, Q) <= floor(share·n) - 1) >= C — or FAIL — the one-sided Clopper–Pearson upper
    bound of floor(share·n) in n is below Q. Neither is monotone in n (floor(share·n) steps up
    unevenly), so every n is tried in turn, a block of them at once, up to MAX_REPLICATIONS.
    None when the share equals the quantile: then no number of replications decides it.
    """
    if share == quantile:
        return None
    for start in range(1, MAX_REPLICATIONS + 1, SEARCH_BLOCK):
        n = np.arange(start, min(start + SEARCH_BLOCK, MAX_REPLICATIONS + 1))
        decided = np.flatnonzero(_decided(n, share, quantile, confidence))
        if len(decided):
            return int(n[decided[0]])
    return None


def _decided(n: np.ndarray, share: float, quantile: float, confidence: float) -> np.ndarray:
    """Whether n replications with floor(share·n) within target decide the verdict, for each n."""
    within = np.floor(share * n + 1e-9)
    shown = (within >= 1) & (binomial_cdf(within - 1, n, quantile) >= confidence)
    upper = np.where(within >= n, 1.0,
                     beta_quantile(confidence, within + 1, np.maximum(n - within, 1)))
    return shown | (upper < quantile)


def check_bound(times_min: np.ndarray, target_min: float, quantile: float,
                confidence: float) -> BoundCheck:
    """Check that the `quantile` of `times_min` (NaN = never) is at most `target_min`."""
    times = np.sort(np.where(np.isnan(times_min), np.inf, np.asarray(times_min, float)))
    n = len(times)
    if n == 0:
        raise ValueError("no replications to check")
    within = int(np.sum(times <= target_min))
    k = order_index(n, quantile, confidence)
    upper = float(times[k - 1]) if k is not None else math.inf
    empirical = order_statistic(times, quantile)
    verdict = decide(within, n, quantile, confidence)
    needed = replications_needed(within / n, quantile, confidence) if verdict == UNDECIDED else None
    return BoundCheck(
        replications=n, target_min=target_min, quantile=quantile, confidence=confidence,
        within_target=within, share_within_target=within / n,
        empirical_quantile_min=empirical, order_index=k, upper_bound_min=upper,
        lower_bound_share=clopper_pearson_lower(within, n, confidence),
        upper_bound_share=clopper_pearson_upper(within, n, confidence),
        verdict=verdict, passed=verdict == PASS, replications_needed=needed)
