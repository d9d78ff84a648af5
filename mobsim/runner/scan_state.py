"""The peacetime scan's records as an input of a wartime run (平战结合): which households are verified.

Either `tasks.scan_run`, a scan run folder: its final day's share of households verified per
sub-district (mean over its replications) marks each household of the sub-district verified
with that probability; or `tasks.scan_weeks` W > 0: the scenario's scan campaign (`[scan]`)
simulated for 7·W days (rounded to whole days) from the run's seed, replication 0, and every
household it reached counts as verified. One scan state serves every replication of the run,
and a longer scan verifies a superset of households (the campaign is cut, not redrawn).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mobsim.clock import MINUTES_PER_DAY
from mobsim.district.tables import District
from mobsim.errors import InputError
from mobsim.model.canvass import Households
from mobsim.model.scan import scan_plan, simulate_scan
from mobsim.random import Streams
from mobsim.scenario.params import Parameters, Settings

DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class TaskLayout:
    """What the tasks' work needs once per run."""

    community_of_microgrid: np.ndarray
    community_ids: np.ndarray
    verified: np.ndarray | None
    """bool per household: its record was verified by the peacetime scan (None: no scan)."""


def task_layout(district: District, settings: Settings, seed: int,
                homes: Households) -> TaskLayout:
    """Community rows of the micro-grids, community ids and the scan state."""
    return TaskLayout(district.position("communities", district.microgrids["community_id"]),
                      district.communities["community_id"],
                      verified_households(district, settings, seed, homes))


def verified_households(district: District, settings: Settings, seed: int,
                        homes: Households) -> np.ndarray | None:
    """The households whose record the scan verified before the order (None: no scan)."""
    folder = str(settings.value("tasks.scan_run"))
    if folder:
        share = scan_run_shares(Path(folder), homes.subdistrict_ids)
        draws = Streams(seed, 0).uniform("tasks", "scan.verified", homes.count)
        return draws < share[homes.subdistrict]
    weeks = settings.number("tasks.scan_weeks")
    if weeks <= 0:
        return None
    return scanned_within(district, settings, seed, weeks)


def scanned_within(district: District, settings: Settings, seed: int, weeks: float) -> np.ndarray:
    """Households the scan campaign reached within `weeks` weeks (replication 0 of `seed`)."""
    days = max(1, round(weeks * DAYS_PER_WEEK))
    scenario = settings.scenario.with_({"scan.horizon_days": days})
    plan = scan_plan(district, Settings(scenario))
    result = simulate_scan(plan, Parameters(scenario, Streams(seed, 0)))
    return result.completion_min <= days * MINUTES_PER_DAY


def scan_run_shares(folder: Path, subdistrict_ids: np.ndarray) -> np.ndarray:
    """Share of households verified on the last day of a scan run, per sub-district (in order)."""
    path = folder / "scan_curves.parquet"
    if not path.is_file():
        raise InputError(f"tasks.scan_run: {folder} is not a scan run folder "
                         f"(no scan_curves.parquet)")
    try:
        table = pq.read_table(path, columns=["day", "subdistrict_id", "share_households_verified"])
    except Exception as err:  # noqa: BLE001 -- any unreadable file is the same input problem
        raise InputError(f"tasks.scan_run: {path}: cannot be read ({err})") from err
    last = table.filter(pc.equal(table["day"], pc.max(table["day"])))
    frame = last.to_pandas().groupby("subdistrict_id")["share_households_verified"].mean()
    missing = sorted(set(subdistrict_ids.tolist()) - set(frame.index.tolist()))
    if missing:
        raise InputError(f"tasks.scan_run: {path}: no coverage for sub-district {missing[0]} "
                         "(a scan run of another district?)")
    return frame.reindex(subdistrict_ids).to_numpy(dtype=float)
