"""A plan folder (`mobsim plan -o DIR`): plan.json and the resolved scenario, for the report."""

from __future__ import annotations

from pathlib import Path

from mobsim.scenario import Scenario
from mobsim.studies.outputs import JsonFolder
from mobsim.studies.plan import Lever, PlanResult, Probe, plan_dict

FOLDER = JsonFolder("plan.json", "plan")
"""plan.json (the plan as `mobsim plan --json` prints it) beside scenario.toml."""


def check_writable(folder: Path) -> None:
    """Refuse a folder holding anything but a previous plan (before the plan runs)."""
    FOLDER.check_writable(folder)


def write_plan(folder: Path, scenario: Scenario, name: str, result: PlanResult) -> None:
    """Write the plan and the scenario it searched to `folder`."""
    FOLDER.write(folder, scenario, plan_dict(name, result))


def _plan_of(found: dict) -> PlanResult:
    return PlanResult([Lever(**lever) for lever in found["levers"]],
                      [Probe(**probe) for probe in found["probes"]], found["answer"],
                      found["elapsed_s"], found.get("measure", "district"))


def read_plan(folder: Path) -> tuple[Scenario, str, PlanResult]:
    """The scenario, its name and the plan a plan folder holds."""
    return FOLDER.read(folder, _plan_of)
