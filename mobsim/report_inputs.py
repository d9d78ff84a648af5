"""What the report reads from a run folder: checked tables, the target, the bound verdict."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mobsim.bound import BoundCheck, check_bound
from mobsim.errors import InputError
from mobsim.rundata import RunData

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "microgrids": ("replication", "microgrid_id", "community_id", "subdistrict_id",
                   "compound_type", "households", "activated_min", "activated_by"),
    "curves": ("replication", "minute", "subdistrict_id", "share_microgrids_activated"),
    "replications": ("replication", "t_full_min"),
    "communities": ("community_id", "subdistrict_id", "kind", "x_km", "y_km"),
}
"""Columns the report uses from each output table."""

HOUSEHOLDS_COLUMN = "share_households_reached"
"""Optional curves.parquet column of the door-to-door measure, per sub-district and minute."""

DEFAULT_TARGET = {"minutes": 180.0, "quantile": 0.95, "confidence": 0.95}
"""The built-in baseline's target, used where a manifest does not state one."""


@dataclass(frozen=True)
class Target:
    """The mobilization target a run is judged against."""

    minutes: float
    quantile: float
    confidence: float


def run_target(run: RunData) -> Target:
    """The target from the manifest's scenario_data.target table, baseline values where absent."""
    stated = run.manifest.get("scenario_data", {}).get("target", {})
    values = {}
    for key, default in DEFAULT_TARGET.items():
        try:
            values[key] = float(stated.get(key, default))
        except (TypeError, ValueError):
            raise InputError(f"{run.path / 'manifest.json'}: scenario_data.target.{key} is "
                             f"{stated.get(key)!r}, not a number") from None
    return Target(**values)


def checked_table(run: RunData, name: str) -> pd.DataFrame:
    """The run's table `name`, after checking it has every column the report uses."""
    frame = run.table(name)
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in frame.columns]
    if missing:
        raise InputError(f"{run.table_path(name)}: no column {missing[0]!r}")
    if frame.empty:
        raise InputError(f"{run.table_path(name)}: the table has no rows")
    return frame


def district_time_check(run: RunData, target: Target) -> BoundCheck:
    """The bound check of the run's district times (replications.parquet t_full_min)."""
    t_full = checked_table(run, "replications")["t_full_min"].to_numpy(dtype=float)
    return check_bound(t_full, target.minutes, target.quantile, target.confidence)
