"""`mobsim validate`: every problem of a scenario and the district it names."""

from __future__ import annotations

from typing import Iterable

from mobsim.district import district_problems, load_district
from mobsim.errors import InputError
from mobsim.scenario import Scenario, load_scenario, validate_scenario


def problems(source: str, overrides: Iterable[str] = ()) -> list[str]:
    """One line per problem of the scenario file, its overrides and its district; empty if valid."""
    overrides = tuple(overrides)
    found = validate_scenario(source, overrides)
    if found:
        return found
    scenario = load_scenario(source, overrides)
    return district_problems(scenario) or campaign_problems(scenario) or range_problems(scenario)


def range_problems(scenario: Scenario) -> list[str]:
    """A bad entry of sensitivity.ranges, as `mobsim sensitivity` and `plan` would meet it."""
    from mobsim.sensitivity.ranges import parameters

    try:
        parameters(scenario)
    except InputError as err:
        return [str(err)]
    return []


def campaign_problems(scenario: Scenario) -> list[str]:
    """What a scan campaign needs of its district (scanners to route), as `mobsim run` checks it."""
    if scenario.get("mode") != "scan":
        return []
    from mobsim.scan import scan_plan  # the door-to-door kernel: only for scan scenarios

    try:
        scan_plan(load_district(scenario), scenario)
    except InputError as err:
        return [str(err)]
    return []
