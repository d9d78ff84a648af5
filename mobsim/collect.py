"""Turn one replication's arrays into the rows of the output tables."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from mobsim.district import District
from mobsim.outputs import ACTIVATED_BY
from mobsim.tables import COMPOUND_TYPES, category_array

QUANTILES: tuple[tuple[str, float], ...] = (("t50_min", 0.50), ("t90_min", 0.90), ("t95_min", 0.95))
"""Per-replication quantiles of micro-grid activation written to replications.parquet."""


@dataclass(frozen=True)
class Layout:
    """What collection needs of the district, computed once per run."""

    microgrid_id: np.ndarray
    community_id: np.ndarray
    subdistrict_id: np.ndarray
    compound_type: np.ndarray
    households: np.ndarray
    subdistrict_ids: np.ndarray
    member_id: np.ndarray
    member_microgrid_id: np.ndarray
    cadre_id: np.ndarray
    cadre_unit_id: np.ndarray
    cadre_community_id: np.ndarray


def layout(district: District) -> Layout:
    """Gather the id columns the output tables repeat in every replication."""
    mg = district.microgrids
    community_row = district.position("communities", mg["community_id"])
    subdistrict_id = district.communities["subdistrict_id"][community_row]
    return Layout(
        microgrid_id=mg["microgrid_id"], community_id=mg["community_id"],
        subdistrict_id=subdistrict_id, compound_type=mg["compound_type"],
        households=mg["households"], subdistrict_ids=np.unique(subdistrict_id),
        member_id=district.members["member_id"],
        member_microgrid_id=district.members["microgrid_id"],
        cadre_id=district.cadres["cadre_id"], cadre_unit_id=district.cadres["unit_id"],
        cadre_community_id=district.cadres["community_id"],
    )


def time_to_share(activated_min: np.ndarray, share: float) -> float:
    """Minutes until `share` of the micro-grids are activated; NaN if that never happens."""
    times = np.sort(np.where(np.isnan(activated_min), np.inf, activated_min))
    k = max(math.ceil(share * len(times) - 1e-9), 1)
    t = float(times[k - 1])
    return t if math.isfinite(t) else math.nan


def activation_curves(activated_min: np.ndarray, subdistrict_id: np.ndarray,
                      subdistrict_ids: np.ndarray, horizon_min: float) -> tuple[np.ndarray, ...]:
    """Share of each sub-district's micro-grids activated at every whole minute 0..horizon."""
    minutes = np.arange(int(math.floor(horizon_min)) + 1, dtype=np.int32)
    times = np.where(np.isnan(activated_min), np.inf, activated_min)
    minute_col, sub_col, share_col = [], [], []
    for sub in subdistrict_ids:
        sub_times = np.sort(times[subdistrict_id == sub])
        reached = np.searchsorted(sub_times, minutes, side="right")
        minute_col.append(minutes)
        sub_col.append(np.full(len(minutes), sub, dtype=np.int32))
        share_col.append(reached / len(sub_times))
    return np.concatenate(minute_col), np.concatenate(sub_col), np.concatenate(share_col)


def _nullable(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.float64(), from_pandas=True)


def replication_tables(result, lay: Layout, replication: int, seed: int, target_min: float,
                       horizon_min: float, states: tuple[str, ...],
                       channels: tuple[str, ...]) -> dict[str, pa.Table]:
    """Build every output table's rows for one replication's result."""
    rep = lambda n: pa.array(np.full(n, replication, dtype=np.int32))  # noqa: E731
    act = result.microgrid_activated_min
    n_mg, n_mem, n_cad = len(act), len(lay.member_id), len(lay.cadre_id)
    cadre_pos = result.cadre_microgrid
    cadre_mg = np.where(cadre_pos >= 0, lay.microgrid_id[np.maximum(cadre_pos, 0)], 0)
    minute, sub, share = activation_curves(act, lay.subdistrict_id, lay.subdistrict_ids, horizon_min)
    tables = {
        "microgrids": pa.table([
            rep(n_mg), lay.microgrid_id, lay.community_id, lay.subdistrict_id,
            category_array(lay.compound_type, COMPOUND_TYPES), lay.households,
            _nullable(act), category_array(result.microgrid_activated_by, ACTIVATED_BY),
        ], names=["replication", "microgrid_id", "community_id", "subdistrict_id",
                  "compound_type", "households", "activated_min", "activated_by"]),
        "members": pa.table([
            rep(n_mem), lay.member_id, lay.member_microgrid_id,
            category_array(result.member_state, states), category_array(result.member_channel, channels),
            _nullable(result.member_notified_min), _nullable(result.member_acknowledged_min),
            _nullable(result.member_arrived_min),
        ], names=["replication", "member_id", "microgrid_id", "state_at_order", "channel",
                  "notified_min", "acknowledged_min", "arrived_min"]),
        "cadres": pa.table([
            rep(n_cad), lay.cadre_id, lay.cadre_unit_id, lay.cadre_community_id,
            pa.array(cadre_mg, pa.int32(), mask=cadre_pos < 0),
            _nullable(result.cadre_dispatched_min), _nullable(result.cadre_arrived_min),
        ], names=["replication", "cadre_id", "unit_id", "community_id", "microgrid_id",
                  "dispatched_min", "arrived_min"]),
        "curves": pa.table([rep(len(minute)), minute, sub, share],
                           names=["replication", "minute", "subdistrict_id",
                                  "share_microgrids_activated"]),
        "replications": pa.table(summary_row(result, replication, seed, target_min)),
    }
    if result.trace is not None:
        tables["events"] = trace_table(result.trace, replication)
    return tables


def summary_row(result, replication: int, seed: int, target_min: float) -> dict[str, list]:
    """The replications.parquet row: quantiles, district time and how gaps were filled."""
    act = result.microgrid_activated_min
    t_full = time_to_share(act, 1.0)
    by = np.bincount(result.microgrid_activated_by, minlength=len(ACTIVATED_BY))
    row = {"replication": [replication], "seed": [seed]}
    row.update({name: [time_to_share(act, q)] for name, q in QUANTILES})
    row.update({
        "t_full_min": [t_full],
        "share_activated_at_target": [float(np.mean(np.nan_to_num(act, nan=np.inf) <= target_min))],
        "met_target": [bool(t_full <= target_min)],
        "gaps_by_grid_worker": [int(by[ACTIVATED_BY.index("grid_worker")])],
        "gaps_by_cadre": [int(by[ACTIVATED_BY.index("cadre")])],
        "never_activated": [int(by[ACTIVATED_BY.index("none")])],
        "events": [int(result.events)],
    })
    return row
