"""Rules of `pools.<name>.teams_by_subdistrict`: whole team counts, for a pool at sub-district offices."""

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
    """Teams by sub-district need the pool to wait at the sub-district offices."""
    problems = []
    for pool in POOLS:
        key, home = f"pools.{pool}.teams_by_subdistrict", f"pools.{pool}.home"
        if key in origins and home in origins and lookup(data, key) \
                and lookup(data, home) != "subdistrict":
            problems.append(f"{origins[key].label}: {key}: needs pools.{pool}.home = "
                            f"\"subdistrict\", got {show(lookup(data, home))}")
    return problems
