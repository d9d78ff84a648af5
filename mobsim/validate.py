"""`mobsim validate`: every problem of a scenario and the district it names."""

from __future__ import annotations

from typing import Iterable

from mobsim.district import district_problems
from mobsim.scenario import load_scenario, validate_scenario


def problems(source: str, overrides: Iterable[str] = ()) -> list[str]:
    """One line per problem of the scenario file, its overrides and its district; empty if valid."""
    overrides = tuple(overrides)
    found = validate_scenario(source, overrides)
    if found:
        return found
    return district_problems(load_scenario(source, overrides))
