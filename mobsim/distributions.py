"""Distribution specs: every duration or probability in a scenario is one of these."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from mobsim.errors import InputError

# Parameters each family takes; a family may be given by either of two parameter sets.
_FAMILIES: dict[str, tuple[tuple[str, ...], ...]] = {
    "fixed": (("value",),),
    "exponential": (("mean",),),
    "lognormal": (("mean", "sd"), ("median", "sigma")),
    "gamma": (("shape", "mean"),),
    "uniform": (("low", "high"),),
    "beta": (("a", "b"),),
}

# Beyond this log-mean a lognormal's mean is not a float.
_LOG_FLOAT_MAX = math.log(sys.float_info.max)


@dataclass(frozen=True)
class Dist:
    """A parsed distribution: family name and its parameters in canonical form."""

    family: str
    params: tuple[tuple[str, float], ...]

    def param(self, name: str) -> float:
        """Return one canonical parameter by name."""
        return dict(self.params)[name]

    @property
    def mean(self) -> float:
        """Expected value of the distribution."""
        p = dict(self.params)
        if self.family == "fixed":
            return p["value"]
        if self.family in ("exponential", "gamma"):
            return p["mean"]
        if self.family == "lognormal":
            return math.exp(p["mu"] + p["sigma"] * p["sigma"] / 2)
        if self.family == "uniform":
            return p["low"] + (p["high"] - p["low"]) / 2  # no overflow near the float maximum
        return p["a"] / (p["a"] + p["b"])

    def sample(self, rng: np.random.Generator, size: int | None = None) -> Any:
        """Draw `size` values (a float when size is None) from `rng`."""
        p = dict(self.params)
        if self.family == "fixed":
            return p["value"] if size is None else np.full(size, p["value"])
        if self.family == "exponential":
            return rng.exponential(p["mean"], size)
        if self.family == "lognormal":
            return rng.lognormal(p["mu"], p["sigma"], size)
        if self.family == "gamma":
            return rng.gamma(p["shape"], p["mean"] / p["shape"], size)
        if self.family == "uniform":
            return rng.uniform(p["low"], p["high"], size)
        return rng.beta(p["a"], p["b"], size)


def fixed(value: float) -> Dist:
    """A distribution that always gives `value`."""
    return Dist("fixed", (("value", float(value)),))


def parse_dist(spec: Any, path: str, probability: bool = False) -> Dist:
    """Parse a number or a `{dist = ...}` table at key `path`; raise InputError naming the key."""
    if isinstance(spec, bool) or not isinstance(spec, (int, float, dict)):
        raise InputError(f"{path}: expected a number or a distribution table like "
                         f'{{dist = "fixed", value = 5}}, got {spec!r}')
    if not isinstance(spec, dict):
        spec = {"dist": "fixed", "value": _finite(spec, path)}
    family = spec.get("dist")
    if family is None:
        raise InputError(f"{path}: a distribution table needs dist = one of {', '.join(_FAMILIES)}")
    if not isinstance(family, str) or family not in _FAMILIES:
        raise InputError(f"{path}.dist: unknown distribution {family!r}; "
                         f"expected one of {', '.join(_FAMILIES)}")
    given = set(spec) - {"dist"}
    names = next((n for n in _FAMILIES[family] if set(n) == given), None)
    if names is None:
        options = " or ".join("(" + ", ".join(n) + ")" for n in _FAMILIES[family])
        raise InputError(f"{path}: a {family} distribution takes {options}, "
                         f"got ({', '.join(sorted(given))})")
    values = {name: _finite(spec[name], f"{path}.{name}") for name in names}
    dist = _canonical(family, values, path)
    _check_support(dist, path, probability)
    return dist


def _finite(value: Any, path: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if math.isfinite(number):
            return number
    raise InputError(f"{path}: expected a finite number, got {value!r}")


def _canonical(family: str, v: dict[str, float], path: str) -> Dist:
    positive = {"exponential": ("mean",), "lognormal": ("mean", "sd", "median", "sigma"),
                "gamma": ("shape", "mean"), "beta": ("a", "b")}.get(family, ())
    for name in positive:
        if name in v and v[name] <= 0:
            raise InputError(f"{path}.{name}: must be positive, got {v[name]:g}")
    if family == "uniform" and v["low"] > v["high"]:
        raise InputError(f"{path}: low ({v['low']:g}) is above high ({v['high']:g})")
    if family == "lognormal":
        if "median" in v:
            mu, sigma = math.log(v["median"]), v["sigma"]
        else:
            ratio = v["sd"] / v["mean"]
            sigma = math.sqrt(math.log1p(ratio * ratio))
            mu = math.log(v["mean"]) - sigma * sigma / 2
        if not mu + sigma * sigma / 2 < _LOG_FLOAT_MAX:
            raise InputError(f"{path}: these lognormal parameters give a mean too large "
                             "for a float")
        return Dist(family, (("mu", mu), ("sigma", sigma)))
    return Dist(family, tuple(v.items()))


def _check_support(dist: Dist, path: str, probability: bool) -> None:
    p = dict(dist.params)
    low = p.get("value", p.get("low", 0.0))
    high = p.get("value", p.get("high", math.inf if dist.family != "beta" else 1.0))
    if low < 0:
        raise InputError(f"{path}: must not be negative, got {low:g}")
    if probability and dist.family in ("exponential", "lognormal", "gamma"):
        raise InputError(f"{path}: a probability needs a number or a fixed, uniform or beta "
                         f"distribution, got {dist.family}")
    if probability and high > 1:
        raise InputError(f"{path}: a probability must lie in [0, 1], got {high:g}")
