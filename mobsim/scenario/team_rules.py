"""Rules of the pools: `pools.<name>.teams_by_subdistrict` and `teams_by_community` (whole team
counts, for a pool at sub-district offices or community offices, one table at a time), and how
a pool's home, unit, scope and alerting level nest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mobsim.codes import POOL_ALERTS, POOL_LEVELS, POOLS
from mobsim.scenario.schema import Origin, lookup, show


def team_counts(limit: int) -> Callable[[Any, dict[str, Any]], str | None]:
    """The rule of a list of whole numbers of teams from 0 to `limit`."""
    def rule(value: list[Any], data: dict[str, Any]) -> str | None:
        wrong = next((v for v in value if isinstance(v, bool) or not isinstance(v, int)
                      or not 0 <= v <= limit), None)
        return None if wrong is None else \
            f"must list whole numbers of teams from 0 to {limit}, got {show(wrong)}"
    return rule


def home_problems(data: dict[str, Any], origins: dict[str, Origin]) -> list[str]:
    """Teams by sub-district (by community) need the pool to wait at the sub-district
    (community) offices; a pool takes one table at most."""
    problems = []
    for pool in POOLS:
        home = f"pools.{pool}.home"
        given = []
        for level in ("subdistrict", "community"):
            key = f"pools.{pool}.teams_by_{level}"
            if key in origins and home in origins and lookup(data, key):
                given.append(key)
                if lookup(data, home) != level:
                    problems.append(f"{origins[key].label}: {key}: needs {home} = "
                                    f"\"{level}\", got {show(lookup(data, home))}")
        if len(given) == 2:
            problems.append(f"{origins[given[1]].label}: {given[1]}: a pool takes one table of "
                            f"teams, and {given[0]} is set too")
    return problems


def pool_problems(data: dict[str, Any], origins: dict[str, Origin]) -> list[str]:
    """A pool's home must lie within the unit it is counted per, within its scope, and below
    the level that alerts it."""
    problems = []
    for pool in POOLS:
        keys = [f"pools.{pool}.{name}" for name in ("per", "home", "scope", "alerted_by")]
        values = [lookup(data, key) for key in keys if key in origins]
        if len(values) < len(keys) or not all(v in POOL_LEVELS for v in values[:3]) \
                or values[3] not in POOL_ALERTS:
            continue  # missing or already reported by the single-key rules
        per, home, scope = (POOL_LEVELS.index(v) for v in values[:3])
        alerted = POOL_ALERTS.index(values[3])
        for wrong, other in ((home > per, "per"), (home > scope, "scope"), (home > alerted, "alerted_by")):
            if wrong:
                at = max((keys[1], f"pools.{pool}.{other}"), key=lambda key: origins[key].rank)
                problems.append(f"{origins[at].label}: pools.{pool}: home {values[1]!r} is wider "
                                f"than {other} {lookup(data, f'pools.{pool}.{other}')!r}")
    return problems
