"""The verification scenarios of this folder, run on a district written to a folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mobsim.district import District, write_district
from mobsim.scenario.files import Scenario, load_scenario

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
"""The scenario file of every verification case."""


def case_on_district(case: str, district: District, folder: Path) -> Scenario:
    """Load `scenarios/<case>.toml` on `district`, as a user would: a file naming the tables.

    The district is written to `folder/district/`, and `folder/scenario.toml` extends the
    case, sets `district.path` and takes every member, cadre and scanner of the tables.
    """
    write_district(district, folder / "district")
    counts = "".join(f"\n[{table}]\ncount = {district.rows(table)}\n"
                     for table in ("members", "cadres", "scanners"))
    scenario_file = folder / "scenario.toml"
    scenario_file.write_text(f'extends = "{SCENARIOS / case}.toml"\nname = "{case}"\n\n'
                             f'[district]\npath = "district"\n{counts}')
    return load_scenario(scenario_file)


def child_positions(parent: np.ndarray) -> np.ndarray:
    """1-based position of each row among the rows with the same parent, in row order.

    This is the order in which a sender's phone lines call its children.
    """
    order = np.argsort(parent, kind="stable")
    ranks = np.empty(len(parent), dtype=np.int64)
    sorted_parent = parent[order]
    ranks[order] = np.arange(len(parent)) - np.searchsorted(sorted_parent, sorted_parent)
    return ranks + 1
