"""Rules of `pools.<name>.teams_by_subdistrict` and `teams_by_community`: whole team counts, for
a pool at sub-district offices or community offices, one table at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mobsim.codes import POOLS
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
