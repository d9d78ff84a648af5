"""The peacetime building-scan campaign: scanners verify every household in weekly windows.

Routes: the scanners of a community split its households in contiguous blocks of whole
micro-grids (in micro-grid order), each block close to an equal share of the households. A
community without scanners is covered by the nearest community that has some (distance
between community offices; ties to the lower row), its micro-grids following that
community's own in the split. Every scanner starts at the campaign start (`alert.start` on
`alert.weekday`) and works only inside `scan.windows`, for `scan.horizon_days` days
(docs/model.md section 10).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobsim.clock import MINUTES_PER_DAY
from mobsim.district.tables import District
from mobsim.errors import InputError
from mobsim.kernels.canvass import CanvassResult, canvass
from mobsim.model.canvass import Households, door_arguments, households
from mobsim.scenario.params import Parameters, Settings


@dataclass(frozen=True)
class ScanPlan:
    """What every replication of a scan campaign shares: households, routes, windows."""

    homes: Households
    scanner_offsets: np.ndarray
    """int64 (scanners + 1,): scanner row s visits household_order[offsets[s]:offsets[s + 1]]."""
    household_order: np.ndarray
    """int64: households in visiting order, scanner by scanner."""
    windows_min: np.ndarray
    """float64 (m, 2): the weekly [start, end) working windows, minutes of the week."""


def scan_plan(district: District, settings: Settings) -> ScanPlan:
    """Number the households, route the scanners and read the windows once per run."""
    homes = households(district)
    offsets, order = scanner_routes(district, homes)
    return ScanPlan(homes, offsets, order, settings.windows_min("scan.windows"))


def simulate_scan(plan: ScanPlan, params: Parameters) -> CanvassResult:
    """One replication of the campaign; times in minutes from the campaign start."""
    return canvass(plan.scanner_offsets, plan.household_order, plan.homes.compound_type,
                   np.zeros(len(plan.scanner_offsets) - 1), windows_min=plan.windows_min,
                   horizon_min=params.scan_days * MINUTES_PER_DAY,
                   **door_arguments(params, "scan"))


def covering_community(district: District) -> np.ndarray:
    """Row of the community whose scanners cover each community (itself if it has scanners)."""
    communities = district.communities
    staffed = np.bincount(district.position("communities", district.scanners["community_id"]),
                          minlength=len(communities["community_id"])) > 0
    if not staffed.any():
        raise InputError("scanners: the district has no building scanners; the scan campaign "
                         "needs at least one (scanners.count, or the scanners table)")
    x, y = communities["x_km"], communities["y_km"]
    candidates = np.flatnonzero(staffed)
    distance = np.hypot(x[:, None] - x[candidates], y[:, None] - y[candidates])
    return np.where(staffed, np.arange(len(staffed)), candidates[np.argmin(distance, axis=1)])


def scanner_routes(district: District, homes: Households) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, household order) of every scanner row: blocks of whole micro-grids."""
    own = district.position("communities", district.microgrids["community_id"])
    cover = covering_community(district)[own]
    size = np.diff(homes.microgrid_offsets)
    # Micro-grids in route order: by covering community, its own first, then by row.
    microgrid = np.lexsort((np.arange(len(own)), own, own != cover, cover))
    scanner = _split(cover[microgrid], size[microgrid], district)
    by_scanner = microgrid[np.argsort(scanner, kind="stable")]
    n_scanners = district.rows("scanners")
    per_scanner = np.bincount(scanner, size[microgrid], n_scanners).astype(np.int64)
    lengths = size[by_scanner]
    first = homes.microgrid_offsets[by_scanner]
    starts_in_order = np.cumsum(lengths) - lengths
    order = np.repeat(first - starts_in_order, lengths) + np.arange(lengths.sum())
    return np.concatenate([[0], np.cumsum(per_scanner)]), order


def _split(group: np.ndarray, size: np.ndarray, district: District) -> np.ndarray:
    """Scanner row of each micro-grid, in route order: contiguous, balanced blocks per group.

    A micro-grid goes to the scanner whose equal share of the group's households holds the
    micro-grid's middle household.
    """
    scanner_community = district.position("communities", district.scanners["community_id"])
    # Scanner rows of each community, in row order: first row and count per community.
    order = np.argsort(scanner_community, kind="stable")
    count = np.bincount(scanner_community, minlength=district.rows("communities"))
    first = np.cumsum(count) - count
    total = np.bincount(group, size, district.rows("communities"))
    before = np.cumsum(size) - size - (np.cumsum(total) - total)[group]
    share = np.divide(before + size / 2.0, total[group], out=np.zeros(len(size)),
                      where=total[group] > 0)
    slot = np.minimum((share * count[group]).astype(np.int64), count[group] - 1)
    return order[first[group] + slot]
