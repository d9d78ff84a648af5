"""Maximum likelihood with right-censoring, and profile-likelihood intervals.

A fit is a joint likelihood over groups of durations (one distribution per group, from
`scipy.stats`), optionally with a shared probability p that the step happens at all (a "cure"
fraction: a message that never reaches the phone, a member who is not available). An exact
duration d contributes p·f(d); a duration known only to exceed c (the drill ended, or another
channel came first) contributes 1 − p·F(c). Parameters are optimised on an unconstrained scale
(logs of positive parameters, logit of p); each interval is where the profile log-likelihood
lies within χ²₁(confidence)/2 of its maximum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

FAMILY_PARAMS: dict[str, tuple[str, ...]] = {"exponential": ("mean",), "lognormal": ("median", "sigma")}
"""Families the fit knows and their parameters as a scenario writes them."""


@dataclass(frozen=True)
class Durations:
    """One group's observations: exact durations and right-censoring times (minutes)."""

    family: str
    exact: np.ndarray
    censored: np.ndarray


@dataclass(frozen=True)
class Estimate:
    """A fitted parameter: the estimate and its interval."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class GroupFit:
    """The fitted distribution of one group: its parameters by name, and its observation counts."""

    family: str
    params: dict[str, Estimate]
    exact: int
    censored: int


@dataclass(frozen=True)
class JointFit:
    """Every group's fit and, when asked for, the shared probability that the step happens."""

    groups: dict[str, GroupFit]
    probability: Estimate | None


_HALF_LOG_2PI = 0.5 * np.log(2 * np.pi)


def exact_terms(family: str, theta: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log f(x) of `family` at unconstrained parameters `theta` (their logs), and its gradient.

    The formulas of scipy.stats' expon and lognorm written out with their derivatives: this is
    the inner loop of every fit, and an exact gradient saves the optimiser most evaluations.
    """
    if family == "exponential":
        ratio = x / np.exp(theta[0])
        return -theta[0] - ratio, (ratio - 1)[None, :]
    z, log_x = _standard(theta, x)
    return -log_x - theta[1] - _HALF_LOG_2PI - z * z / 2, np.stack([z / np.exp(theta[1]), z * z - 1])


def censored_terms(family: str, theta: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log(1 − F(c)) of `family` at unconstrained parameters `theta`, and its gradient."""
    if family == "exponential":
        ratio = c / np.exp(theta[0])
        return -ratio, ratio[None, :]
    z, _ = _standard(theta, c)
    log_s = special.log_ndtr(-z)
    hazard = np.exp(-z * z / 2 - _HALF_LOG_2PI - log_s)  # φ(z) / Φ(−z)
    return log_s, np.stack([hazard / np.exp(theta[1]), hazard * z])


def _standard(theta: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    log_x = np.log(x)
    return (log_x - theta[0]) / np.exp(theta[1]), log_x


def _start(group: Durations) -> np.ndarray:
    data = group.exact if len(group.exact) >= 2 else np.concatenate([group.exact, group.censored])
    data = data[data > 0]
    mean = float(np.mean(data)) if len(data) else 1.0
    if group.family == "exponential":
        return np.log([mean])
    if group.family == "lognormal":
        logs = np.log(data) if len(data) >= 2 else np.array([0.0, 1.0])
        return np.array([np.median(logs), np.log(max(np.std(logs), 0.1))])
    raise ValueError(f"no fit for the {group.family} family")


class _Likelihood:
    """Negative log-likelihood of the groups (and the shared probability) at a parameter vector."""

    def __init__(self, groups: dict[str, Durations], with_probability: bool) -> None:
        self.groups = groups
        self.with_probability = with_probability
        self.slices: dict[str, slice] = {}
        at = 0
        for name, group in groups.items():
            width = len(FAMILY_PARAMS[group.family])
            self.slices[name] = slice(at, at + width)
            at += width
        self.size = at + int(with_probability)

    def start(self) -> np.ndarray:
        theta = np.concatenate([_start(g) for g in self.groups.values()])
        return np.append(theta, special.logit(0.9)) if self.with_probability else theta

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """The negative log-likelihood and its gradient."""
        eta = theta[-1] if self.with_probability else np.inf
        log_p, log_q = special.log_expit(eta), special.log_expit(-eta)
        p, q = np.exp(log_p), np.exp(log_q)
        total, grad = 0.0, np.zeros(self.size)
        for name, group in self.groups.items():
            part = self.slices[name]
            log_f, d_log_f = exact_terms(group.family, theta[part], group.exact)
            log_s, d_log_s = censored_terms(group.family, theta[part], group.censored)
            cens = np.logaddexp(log_q, log_p + log_s)
            weight = np.exp(log_p + log_s - cens)  # share of the censored mass that may yet happen
            total += np.sum(log_f) + log_p * len(group.exact) + np.sum(cens)
            grad[part] = d_log_f.sum(axis=1) + d_log_s @ weight
            if self.with_probability:
                grad[-1] += q * len(group.exact) + np.sum(q * weight - p * (1 - weight))
        if not np.isfinite(total):
            return 1e300, np.zeros(self.size)
        return -total, -grad


def _minimize(nll, theta0: np.ndarray) -> tuple[np.ndarray, float]:
    """The maximum-likelihood parameters and the minimum of `nll`, starting from `theta0`."""
    res = optimize.minimize(nll, theta0, jac=True, method="BFGS")
    return res.x, float(res.fun)


def _profile(nll, theta0: np.ndarray, fixed: int, value: float) -> float:
    """Minimum of `nll` with coordinate `fixed` held at `value`."""
    free = np.delete(np.arange(len(theta0)), fixed)

    def inner(sub: np.ndarray) -> tuple[float, np.ndarray]:
        theta = theta0.copy()
        theta[free] = sub
        theta[fixed] = value
        total, grad = nll(theta)
        return total, grad[free]

    if len(free) == 0:
        return inner(np.empty(0))[0]
    return float(optimize.minimize(inner, theta0[free], jac=True, method="BFGS").fun)


def _standard_errors(nll, theta: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Wald standard errors from a Hessian of central gradient differences (they set search steps)."""
    columns = []
    for i in range(len(theta)):
        step = np.zeros(len(theta))
        step[i] = h
        columns.append((nll(theta + step)[1] - nll(theta - step)[1]) / (2 * h))
    hess = np.array(columns)
    with np.errstate(invalid="ignore"):
        try:
            return np.sqrt(np.diag(np.linalg.inv((hess + hess.T) / 2)))
        except np.linalg.LinAlgError:
            return np.full(len(theta), np.nan)


def _profile_bound(nll, theta: np.ndarray, best: float, j: int, direction: float,
                   threshold: float, first_step: float) -> float:
    """The value of coordinate j, on one side of its estimate, where the profile crosses."""
    excess = lambda v: _profile(nll, theta, j, v) - best - threshold  # noqa: E731
    step = first_step if np.isfinite(first_step) and first_step > 1e-3 else 0.05
    near = theta[j]
    for _ in range(20):
        far = theta[j] + direction * step
        if excess(far) > 0:
            return optimize.brentq(excess, near, far, xtol=1e-5)
        near, step = far, step * 2
    return direction * np.inf


def fit(groups: dict[str, Durations], with_probability: bool = False,
        confidence: float = 0.95) -> JointFit:
    """Fit every group's distribution (and the shared probability) by censored maximum likelihood."""
    nll = _Likelihood(groups, with_probability)
    theta, best = _minimize(nll, nll.start())
    threshold = stats.chi2.ppf(confidence, 1) / 2
    # The first step reaches a little beyond the Wald bound, so one bracket usually suffices.
    steps = 1.2 * np.sqrt(2 * threshold) * _standard_errors(nll, theta)
    bounds = [(_profile_bound(nll, theta, best, j, -1.0, threshold, steps[j]),
               _profile_bound(nll, theta, best, j, 1.0, threshold, steps[j]))
              for j in range(nll.size)]
    fits = {}
    for name, group in groups.items():
        part = nll.slices[name]
        fits[name] = GroupFit(group.family, _natural(group.family, theta[part], bounds[part]),
                              len(group.exact), len(group.censored))
    probability = None
    if with_probability:
        low, high = bounds[-1]
        probability = Estimate(*(float(special.expit(v)) for v in (theta[-1], low, high)))
    return JointFit(fits, probability)


def _natural(family: str, theta: np.ndarray, bounds: list[tuple[float, float]]) -> dict[str, Estimate]:
    """Estimates in the scenario's parameters (each a monotone function of one coordinate)."""
    # Every family's coordinates are the logs of its written parameters (see `log_density`).
    names = FAMILY_PARAMS[family]
    return {name: Estimate(float(np.exp(theta[k])), float(np.exp(bounds[k][0])),
                           float(np.exp(bounds[k][1]))) for k, name in enumerate(names)}
