"""A plan folder (`mobsim plan -o DIR`): plan.json and the resolved scenario, for the report."""

from __future__ import annotations

import json
from pathlib import Path

from mobsim.errors import InputError
from mobsim.results.folders import reason
from mobsim.scenario import Scenario, load_scenario
from mobsim.studies import outputs
from mobsim.studies.outputs import write_atomic
from mobsim.studies.plan import Lever, PlanResult, Probe, plan_dict

MANIFEST = "plan.json"
"""The file that makes a folder a plan folder: the plan as `mobsim plan --json` prints it."""

FILES = (MANIFEST, "scenario.toml")
"""Every file a plan folder holds (besides report.html)."""


def check_writable(folder: Path) -> None:
    """Refuse a folder holding anything but a previous plan (before the plan runs)."""
    outputs.check_writable(folder, FILES, "plan")


def write_plan(folder: Path, scenario: Scenario, name: str, result: PlanResult) -> None:
    """Write the plan and the scenario it searched to `folder`."""
    check_writable(folder)
    try:
        write_atomic(folder / "scenario.toml",
                     lambda p: p.write_text(scenario.to_toml(), "utf-8"))
        write_atomic(folder / MANIFEST, lambda p: p.write_text(
            json.dumps(plan_dict(name, result), indent=1), "utf-8"))
    except OSError as err:
        raise InputError(f"{folder}/: could not write the plan ({reason(err)})") from None


def read_plan(folder: Path) -> tuple[Scenario, str, PlanResult]:
    """The scenario, its name and the plan a plan folder holds."""
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise InputError(f"{folder}: not a whole plan folder (no {missing[0]})")
    try:
        found = json.loads((folder / MANIFEST).read_text("utf-8"))
        result = PlanResult([Lever(**lever) for lever in found["levers"]],
                            [Probe(**probe) for probe in found["probes"]], found["answer"],
                            found["elapsed_s"])
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise InputError(f"{folder / MANIFEST}: not a plan ({err})") from None
    return load_scenario(folder / "scenario.toml"), found["scenario"], result
