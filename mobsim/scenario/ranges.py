"""Plausible ranges and priors of placeholder parameters, read from `[sensitivity] ranges`.

A scenario lists them as an array of inline tables (an array is one value to the scenario
schema, so these entries pass the checks every other key meets, and a scenario file that sets
`sensitivity.ranges` replaces the whole list):

    [sensitivity]
    ranges = [
      {key = "cadres.speed_kmh", low = 15.0, high = 40.0},           # a number: its range
      {key = "channels.messaging.reach", beta = [19.0, 1.0]},        # a probability: beta prior
      {key = "cascade.units.order_min", factor = [0.5, 2.0]},        # a distribution: a factor on its times
      {key = "periods.evening_start", low = "17:00", high = "19:00"},  # a clock time
    ]

A design point is a unit number u in [0, 1] per parameter: `low + u (high − low)` for a range
(rounded for an integer key, in whole minutes for a clock); for a beta prior, its quantile
0.025 + 0.95 u, so the ends of the "range" of a prior are its central 95% interval. A factor
multiplies the distribution's times (value, mean, sd, median, low, high); its shape (sigma,
shape) stays. A share of a presence row is set and the other shares of the row scaled so the
row still sums to 1.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass
from typing import Any

from mobsim.clock import clock_minutes
from mobsim.errors import InputError
from mobsim.scenario.files import SHARE_PATTERNS, Scenario
from mobsim.scenario.params import Settings
from mobsim.scenario.schema import is_dist_table

RANGES_KEY = "sensitivity.ranges"
"""Where a scenario lists its parameters' ranges and priors."""

PRIOR_MASS = 0.95
"""Central mass of a beta prior that a design spans: its quantiles 0.025 to 0.975."""

SCALED_TIMES = ("value", "mean", "sd", "median", "low", "high")
"""Parameters of a distribution a factor multiplies (its times); the others keep its shape."""


@dataclass(frozen=True)
class Parameter:
    """One uncertain scenario key and how a unit number in [0, 1] sets it."""

    key: str
    kind: str  # "number", "integer", "clock", "beta", "factor" or "share"
    low: float
    high: float
    base: Any

    def value(self, u: float) -> Any:
        """The key's value at unit position `u` (0: the low end, 1: the high end)."""
        u = float(u)
        if self.kind == "beta":
            # The beta quantile, as scipy.stats.beta.ppf gives it (both are Boost's inverse of
            # the incomplete beta), without importing scipy.stats: a second, on every run.
            from scipy import special

            tail = (1.0 - PRIOR_MASS) / 2
            return float(special.betaincinv(self.low, self.high, tail + PRIOR_MASS * u))
        x = self.low + u * (self.high - self.low)
        if self.kind == "integer":
            return int(round(x))
        if self.kind == "clock":
            minute = int(round(x))
            return f"{minute // 60:02d}:{minute % 60:02d}"
        return x

    def changes(self, u: float) -> dict[str, Any]:
        """Typed values (dotted key → value, for `Scenario.with_`) at unit position `u`."""
        value = self.value(u)
        if self.kind == "factor" and not is_dist_table(self.base):
            return {self.key: float(self.base) * value}
        if self.kind == "factor":
            return {self.key: {k: (v * value if k in SCALED_TIMES else v)
                               for k, v in self.base.items()}}
        if self.kind == "share":
            return _share_changes(self.key, value, self.base)
        return {self.key: value}

    def describe_range(self) -> str:
        """The range as a planner reads it."""
        if self.kind == "beta":
            return (f"beta({self.low:g}, {self.high:g}): {self.value(0.0):.3g} to "
                    f"{self.value(1.0):.3g}")
        if self.kind == "factor":
            return f"× {self.low:g} to × {self.high:g}"
        return f"{self.value(0.0)} to {self.value(1.0)}"


def _share_changes(key: str, share: float, row: dict[str, float]) -> dict[str, float]:
    """Set one share of a row; the others keep their proportions and fill the rest."""
    table, _, name = key.rpartition(".")
    others = {k: v for k, v in row.items() if k != name}
    rest = sum(others.values())
    scale = [(v / rest if rest > 0 else 1.0 / len(others)) for v in others.values()]
    values = {name: share, **{k: s * (1.0 - share) for k, s in zip(others, scale)}}
    return {f"{table}.{k}": float(v) for k, v in values.items()}


def parameters(scenario: Scenario) -> list[Parameter]:
    """Every parameter with a range or prior in the scenario, checked against its keys."""
    entries = scenario.get(RANGES_KEY)
    found, seen = [], set()
    for index, entry in enumerate(entries):
        where = f"{scenario.name}: {RANGES_KEY}[{index}]"
        parameter = _parameter(entry, scenario, where)
        row = parameter.key.rpartition(".")[0] if parameter.kind == "share" else parameter.key
        if row in seen:
            raise InputError(f"{where}: {parameter.key}: given twice"
                             + (" (one share per presence row)" if row != parameter.key else ""))
        seen.add(row)
        found.append(parameter)
    return found


def _parameter(entry: Any, scenario: Scenario, where: str) -> Parameter:
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
        raise InputError(f"{where}: expected {{key = \"dotted.key\", low = .., high = ..}}, "
                         "or beta = [a, b], or factor = [low, high]")
    key = entry["key"]
    try:
        base = scenario.get(key)
    except KeyError as err:
        raise InputError(f"{where}: {err.args[0]}") from None
    given = sorted(set(entry) - {"key"})
    if given == ["beta"]:
        return Parameter(key, "beta", *_pair(entry["beta"], f"{where}: {key}: beta",
                                             positive=True), base)
    if given == ["factor"]:
        if not (is_dist_table(base) or _is_number(base)):
            raise InputError(f"{where}: {key}: factor is for a distribution or a number")
        low, high = _pair(entry["factor"], f"{where}: {key}: factor", positive=True)
        return Parameter(key, "factor", low, high, base)
    if given == ["high", "low"]:
        return _ranged(key, entry["low"], entry["high"], base, scenario, where)
    raise InputError(f"{where}: {key}: give low and high, or beta = [a, b], or factor = "
                     f"[low, high]; got {', '.join(given) or 'nothing'}")


def _ranged(key: str, low: Any, high: Any, base: Any, scenario: Scenario,
            where: str) -> Parameter:
    if isinstance(base, str) and clock_minutes(base) is not None:
        minutes = [clock_minutes(v) if isinstance(v, str) else None for v in (low, high)]
        if None in minutes:
            raise InputError(f"{where}: {key}: low and high of a clock are \"HH:MM\" texts")
        return Parameter(key, "clock", *_ordered(minutes[0], minutes[1], where, key), base)
    if not (_is_number(base) or is_dist_table(base)):
        raise InputError(f"{where}: {key}: a range needs a number or a clock time")
    low, high = _pair([low, high], f"{where}: {key}: low and high")
    # a distribution set where the range expects a number: the design sets a fixed number
    kind = "integer" if isinstance(base, int) else "number"
    if _in_share_table(key, scenario):
        kind = "share"
        base = scenario.get(key.rpartition(".")[0])
    return Parameter(key, kind, low, high, base)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _in_share_table(key: str, scenario: Scenario) -> bool:
    table = key.rpartition(".")[0]
    return any(fnmatch.fnmatchcase(table, pattern) for pattern in SHARE_PATTERNS)


def _pair(value: Any, where: str, positive: bool = False) -> tuple[float, float]:
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        raise InputError(f"{where}: expected two numbers [low, high], got {value!r}")
    low, high = (float(v) for v in value)
    if not (math.isfinite(low) and math.isfinite(high)) or (positive and min(low, high) <= 0):
        raise InputError(f"{where}: expected {'positive ' if positive else ''}finite numbers, "
                         f"got {value!r}")
    if "beta" not in where and low > high:
        raise InputError(f"{where}: low {low:g} is above high {high:g}")
    return low, high


def _ordered(low: float, high: float, where: str, key: str) -> tuple[float, float]:
    if low > high:
        raise InputError(f"{where}: {key}: low is after high")
    return float(low), float(high)


def select(found: list[Parameter], keys: list[str] | None, scenario: Scenario) -> list[Parameter]:
    """The parameters asked for by key, or by default those the scenario's outputs can feel."""
    if keys:
        by_key = {p.key: p for p in found}
        missing = [k for k in keys if k not in by_key]
        if missing:
            raise InputError(f"--parameters: {missing[0]}: no range for it in "
                             f"{RANGES_KEY} (known: {', '.join(by_key)})")
        return [by_key[k] for k in keys]
    return [p for p in found if felt(p.key, scenario)]


NOT_FELT = ("scan.*", "canvass.*", "action.*")
"""Door-to-door and scan keys: they do not move the district time or the share on post."""


def felt(key: str, scenario: Scenario) -> bool:
    """False for keys that cannot move the district time: door to door, or another period."""
    if any(fnmatch.fnmatchcase(key, pattern) for pattern in NOT_FELT):
        return False
    parts = key.split(".")
    if fnmatch.fnmatchcase(key, "*.presence.*.*"):
        return parts[-2] == order_period_of(scenario)
    if fnmatch.fnmatchcase(key, "*.availability.*"):
        return parts[-1] == order_period_of(scenario)
    return True


def order_period_of(scenario: Scenario) -> str:
    """The presence period the order falls in (the model's rule)."""
    return Settings(scenario).order_period()