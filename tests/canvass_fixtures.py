"""Scenario overrides and districts for the door-to-door tests (action, scan, parameters)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from model_fixtures import small_district

from mobsim.codes import COMPOUND_TYPES, PERIODS
from mobsim.district import write_district
from mobsim.district.tables import District
from mobsim.runner import run
from mobsim.scenario import load_scenario


def fixed_doors(campaign: str, service_min: float, walk_min: float,
                home_p: float = 1.0) -> list[str]:
    """Overrides: every door opens with `home_p` at any hour; fixed service and walk everywhere."""
    return ([f"canvass.home.{period}={home_p}" for period in PERIODS]
            + [f"canvass.home_factor.{kind}=1.0" for kind in COMPOUND_TYPES]
            + [f"canvass.walk_min.{kind}={walk_min}" for kind in COMPOUND_TYPES]
            + [f"{campaign}.service_min.{kind}={service_min}" for kind in COMPOUND_TYPES]
            + ["canvass.absent_min=0.0"])


def with_scanners(district: District, community_rows: list[int]) -> District:
    """`district` with one scanner per entry of `community_rows` (ids 0..n-1 in that order)."""
    communities = district.communities["community_id"][np.asarray(community_rows, dtype=np.int64)]
    return replace(district, scanners={
        "scanner_id": np.arange(len(community_rows), dtype=np.int32),
        "community_id": communities.astype(np.int32)})


def with_households(district: District, households: list[int]) -> District:
    """`district` with these household counts per micro-grid (one per micro-grid row)."""
    microgrids = {**district.microgrids, "households": np.asarray(households, dtype=np.int32)}
    return replace(district, microgrids=microgrids)


def scan_run(folder: Path, name: str, jobs: int) -> Path:
    """A 3-replication scan campaign of 5 scanners on a small district, written to folder/name."""
    district = with_scanners(small_district(subdistricts=2, communities=3, grids=1,
                                            microgrids=4, units=1, cadres=1), [0, 0, 2, 4, 5])
    write_district(district, folder / "district")
    scenario = load_scenario("xindu-building-scan",
                             [f"district.path='{folder / 'district'}'", "members.count=24",
                              "cadres.count=1", "scanners.count=5", "scan.horizon_days=60"])
    return run(scenario, replications=3, seed=9, out=folder / name, jobs=jobs).path
