"""An allocation folder (`mobsim plan --allocate -o DIR`): allocation.json and the resolved
scenario, for the report."""

from __future__ import annotations

from pathlib import Path

from mobsim.scenario import Scenario
from mobsim.studies.allocate import Allocation, allocation_dict, allocation_of
from mobsim.studies.outputs import JsonFolder

FOLDER = JsonFolder("allocation.json", "allocation")
"""allocation.json (what `plan --allocate --json` prints) beside scenario.toml."""


def check_writable(folder: Path) -> None:
    """Refuse a folder holding anything but a previous allocation (before the search runs)."""
    FOLDER.check_writable(folder)


def write_allocation(folder: Path, scenario: Scenario, name: str, result: Allocation) -> None:
    """Write the allocation and the scenario it started from to `folder`."""
    FOLDER.write(folder, scenario, allocation_dict(name, result))


def read_allocation(folder: Path) -> tuple[Scenario, str, Allocation]:
    """The scenario, its name and the allocation an allocation folder holds."""
    return FOLDER.read(folder, allocation_of)
