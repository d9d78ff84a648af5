"""Drill logs made by mobsim on small districts, with the parameters that made them."""

from __future__ import annotations

import math
from pathlib import Path

from cli_fixtures import write_scenario

from mobsim.district import load_district
from mobsim.scenario import Scenario, load_scenario
from mobsim.studies.calibration.drill_log import DrillLog
from mobsim.studies.calibration.synthetic import simulated_drill

DRILL_SHAPE = {"subdistricts": 3, "communities": 4, "grids": 4, "microgrids": 10, "members": 2,
               "home_offset_km": 0.3}
"""960 members in 48 general grids, each living a 0.3 km walk from the post: enough for
intervals of a few tenths on each parameter."""

NIGHT = ("alert.start='03:00'",)
"""A Tuesday 03:00 order: members mostly asleep (exponential reading, slower preparing)."""


def drill_files(folder: Path, window_min: float, *settings: str,
                seed: int = 1) -> tuple[Path, Path, Scenario, DrillLog]:
    """A scenario file on a small district and a CSV drill log simulated from it.

    Returns (scenario file, drill log file, loaded scenario, the log).
    """
    scenario_path = write_scenario(folder, *settings, **DRILL_SHAPE)
    scenario = load_scenario(scenario_path)
    log = simulated_drill(load_district(scenario), scenario, seed, 0, window_min)
    log_path = folder / "drill.csv"
    log.rows.to_csv(log_path, index=False)
    return scenario_path, log_path, scenario, log


def true_values(scenario: Scenario, key: str) -> dict[str, float]:
    """The parameters behind a fitted key, by the names the fit reports them in."""
    value = scenario.get(key)
    if not isinstance(value, dict):
        return {"value": float(value)}
    dist = scenario.dist(key)
    if dist.family == "exponential":
        return {"mean": dist.param("mean")}
    return {"median": math.exp(dist.param("mu")), "sigma": dist.param("sigma")}
