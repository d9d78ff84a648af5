"""Each community's task units: testing sites and checkpoints, their minimum staff and stations.

Sites: one per `tasks.testing.residents_per_site` residents (households times
`tasks.testing.household_size`), rounded up. Checkpoints: `tasks.checkpoints.per_1000_households`
by compound type, summed over the community's micro-grids and rounded up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobsim.codes import COMPOUND_TYPES, TASKS
from mobsim.model.geometry import Geometry
from mobsim.scenario.params import Settings


@dataclass(frozen=True)
class UnitPlan:
    """The community-level task units of the district, unit by unit."""

    task: np.ndarray
    """int8 per unit: code into TASKS ("testing" or "checkpoints")."""
    community: np.ndarray
    """int64 per unit: community row."""
    min_staff: np.ndarray
    """int64 per unit: people the unit needs on hand to act (a site opens, a gate is kept)."""
    stations: np.ndarray
    """int64 per unit: swab stations of a testing site (0 for a checkpoint)."""

    def __len__(self) -> int:
        return len(self.task)


def units_per_community(geo: Geometry, households: np.ndarray, compound_type: np.ndarray,
                        settings: Settings) -> dict[str, np.ndarray]:
    """Testing sites and checkpoints per community row."""
    n = len(geo.community_xy[0])
    community = geo.community_of_microgrid
    homes = np.bincount(community, households, n)
    residents = homes * settings.number("tasks.testing.household_size")
    per_1000 = np.array([settings.number(f"tasks.checkpoints.per_1000_households.{kind}")
                         for kind in COMPOUND_TYPES])
    gates = np.bincount(community, households * per_1000[compound_type] / 1000.0, n)
    sites = np.ceil(residents / settings.number("tasks.testing.residents_per_site"))
    # A community without households needs no site and no gate.
    return {"testing": sites.astype(np.int64),
            "checkpoints": np.where(homes > 0, np.ceil(gates - 1e-9), 0).astype(np.int64)}


def unit_plan(geo: Geometry, households: np.ndarray, compound_type: np.ndarray,
              settings: Settings) -> UnitPlan:
    """Every testing site and checkpoint, community by community, sites first."""
    counts = units_per_community(geo, households, compound_type, settings)
    rows = np.arange(len(geo.community_xy[0]))
    task, community = [], []
    for name in ("testing", "checkpoints"):
        community.append(np.repeat(rows, counts[name]))
        task.append(np.full(int(counts[name].sum()), TASKS.index(name), dtype=np.int8))
    task_codes = np.concatenate(task)
    is_site = task_codes == TASKS.index("testing")
    return UnitPlan(
        task=task_codes, community=np.concatenate(community).astype(np.int64),
        min_staff=np.where(is_site, settings.count("tasks.testing.min_staff"),
                           settings.count("tasks.checkpoints.staff")).astype(np.int64),
        stations=np.where(is_site, settings.count("tasks.testing.stations"), 0).astype(np.int64))
