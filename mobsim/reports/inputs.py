"""What the report reads from a run folder: tables checked for the columns it uses, the verdict."""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from mobsim.errors import InputError
from mobsim.reports.page import paragraph
from mobsim.results.bound import BoundCheck
from mobsim.results.definitions import definition_minutes
from mobsim.results.run import Run
from mobsim.results.stats import never_last

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "microgrids": ("replication", "microgrid_id", "community_id", "subdistrict_id",
                   "compound_type", "households", "activated_min", "activated_by"),
    "curves": ("replication", "minute", "subdistrict_id", "share_microgrids_activated"),
    "replications": ("replication", "t_full_min"),
    "communities": ("community_id", "subdistrict_id", "kind", "x_km", "y_km"),
    "task_curves": ("replication", "task", "minute", "share_done"),
}
"""Columns the report uses from each output table."""

HOUSEHOLDS_COLUMN = "share_households_reached"
"""Optional curves.parquet column of the door-to-door measure, per sub-district and minute."""

def checked_table(run: Run, name: str) -> pd.DataFrame:
    """The run's table `name`, after checking it has every column the report uses."""
    frame = run.table(name)
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in frame.columns]
    if missing:
        raise InputError(f"{run.table_path(name)}: no column {missing[0]!r}")
    if frame.empty:
        raise InputError(f"{run.table_path(name)}: the table has no rows")
    return frame


def district_time_check(run: Run) -> BoundCheck:
    """The bound check of the run's district times against its target."""
    checked_table(run, "replications")
    return run.check().district


def district_times(run: Run) -> np.ndarray:
    """Each replication's district time under the run's own definition, never as +inf."""
    definition = run.target.definition
    return never_last(definition_minutes(checked_table(run, "replications"), definition))


def run_name(run: Run) -> str:
    """The name a page gives its run: the scenario's, else the folder's."""
    return str(run.manifest.get("scenario", run.path.name))


def run_heading(title: str, run: Run, replications: int) -> str:
    """The page's title (`title`: the scenario's name) and the line naming the run it reports."""
    return (f"<h1>{escape(title)}: {escape(run_name(run))}</h1>"
            + paragraph(f"{replications} replications, seed {escape(str(run.manifest.get('seed')))}, "
                        f"mobsim {escape(str(run.manifest.get('mobsim_version')))}; "
                        f"run folder {escape(str(run.path))}", "meta"))
