"""Turn one replication's arrays into the rows of the output tables."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from mobsim.clock import MINUTES_PER_DAY
from mobsim.codes import (
    ACTIVATED_BY,
    COMPOUND_TYPES,
    RELEASE_REASONS,
    TRACE_ENTITIES,
    TRACE_EVENTS,
)
from mobsim.district.schemas import category_array
from mobsim.district.tables import District
from mobsim.kernels.canvass import CanvassResult
from mobsim.model.canvass import Households, households
from mobsim.results.definitions import OWN_COLUMNS, Grouping, definition_row, posts_min
from mobsim.results.schemas import GAP_COLUMNS
from mobsim.results.stats import finite_order_statistic
from mobsim.results.tail_rows import tail_tables
from mobsim.scenario.params import Definition

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
    general_grid_id: np.ndarray
    homes: Households
    grouping: Grouping


def layout(district: District) -> Layout:
    """Gather the id columns the output tables repeat in every replication."""
    mg = district.microgrids
    homes = households(district)
    return Layout(
        microgrid_id=mg["microgrid_id"], community_id=mg["community_id"],
        subdistrict_id=district.microgrid_subdistrict(), compound_type=mg["compound_type"],
        households=mg["households"], subdistrict_ids=homes.subdistrict_ids,
        member_id=district.members["member_id"],
        member_microgrid_id=district.members["microgrid_id"],
        cadre_id=district.cadres["cadre_id"], cadre_unit_id=district.cadres["unit_id"],
        cadre_community_id=district.cadres["community_id"],
        general_grid_id=district.general_grids["general_grid_id"],
        homes=homes,
        grouping=Grouping(
            district.position("communities", mg["community_id"]),
            np.unique(district.communities["subdistrict_id"], return_inverse=True)[1]),
    )


def coverage(done_min: np.ndarray, group: np.ndarray, group_sizes: np.ndarray, step: float,
             steps: int) -> np.ndarray:
    """Share of each group's items done at or before k·step, k = 0..steps: (groups, steps + 1).

    `done_min` is NaN for items never done; `group` indexes `group_sizes` (items per group).
    """
    done = ~np.isnan(done_min)
    t, item_group = done_min[done], group[done]
    edge = np.ceil(t / step)
    # Settle on the exact edges k·step where the division rounded across one.
    edge += t > edge * step
    edge -= t <= (edge - 1.0) * step
    inside = edge <= steps
    cells = item_group[inside] * (steps + 1) + edge[inside].astype(np.int64)
    counts = np.bincount(cells, minlength=len(group_sizes) * (steps + 1))
    reached = np.cumsum(counts.reshape(len(group_sizes), steps + 1), axis=1)
    sizes = np.asarray(group_sizes, dtype=np.float64)[:, None]
    return np.divide(reached, sizes, out=np.ones(reached.shape), where=sizes > 0)


def curves_table(activated_min: np.ndarray, reached_min: np.ndarray, lay: Layout,
                 replication: int, horizon_min: float) -> pa.Table:
    """Per sub-district and minute 0..horizon: shares of micro-grids activated, households reached."""
    steps = int(math.floor(horizon_min))
    sub_of_microgrid = np.searchsorted(lay.subdistrict_ids, lay.subdistrict_id)
    microgrids = np.bincount(sub_of_microgrid, minlength=len(lay.subdistrict_ids))
    activated = coverage(activated_min, sub_of_microgrid, microgrids, 1.0, steps)
    homes = lay.homes
    reached = coverage(reached_min, homes.subdistrict, homes.subdistrict_households, 1.0, steps)
    n = activated.size
    return pa.table([
        pa.array(np.full(n, replication, dtype=np.int32)),
        pa.array(np.tile(np.arange(steps + 1, dtype=np.int32), len(lay.subdistrict_ids))),
        pa.array(np.repeat(lay.subdistrict_ids, steps + 1).astype(np.int32)),
        activated.ravel(), reached.ravel(),
    ], names=["replication", "minute", "subdistrict_id", "share_microgrids_activated",
              "share_households_reached"])


def _times(values: np.ndarray) -> pa.Array:
    """Times as stored: NaN (never happened) as +inf, so that max, describe() and SQL quantiles
    count it as later than any time instead of dropping it as null."""
    return pa.array(np.where(np.isnan(values), np.inf, values), pa.float64())


def _never_as_inf(value: object) -> object:
    return math.inf if isinstance(value, float) and math.isnan(value) else value


def row_table(row: dict[str, list]) -> pa.Table:
    """A summary row as a table, NaN (never happened) written as +inf."""
    return pa.table({name: pa.array([_never_as_inf(v) for v in values])
                     for name, values in row.items()})


def _replication_column(replication: int, n: int) -> pa.Array:
    return pa.array(np.full(n, replication, dtype=np.int32))


def replication_tables(result, reached_min: np.ndarray, lay: Layout, replication: int, seed: int,
                       target_min: float, horizon_min: float, states: tuple[str, ...],
                       channels: tuple[str, ...], curves: bool = True,
                       definition: Definition = Definition()) -> dict[str, pa.Table]:
    """Build every output table's rows for one replication's result and households reached
    (the curves only if `curves`: a check reads none), `definition` the scenario's own."""
    act = result.microgrid_activated_min
    n_mg, n_mem, n_cad = len(act), len(lay.member_id), len(lay.cadre_id)
    cadre_pos = result.cadre_microgrid
    cadre_mg = np.where(cadre_pos >= 0, lay.microgrid_id[np.maximum(cadre_pos, 0)], 0)
    tables = {
        "microgrids": pa.table([
            _replication_column(replication, n_mg), lay.microgrid_id, lay.community_id,
            lay.subdistrict_id,
            category_array(lay.compound_type, COMPOUND_TYPES), lay.households,
            _times(act), category_array(result.microgrid_activated_by, ACTIVATED_BY),
            result.microgrid_hand_changes,
        ], names=["replication", "microgrid_id", "community_id", "subdistrict_id",
                  "compound_type", "households", "activated_min", "activated_by", "hand_changes"]),
        "members": pa.table([
            _replication_column(replication, n_mem), lay.member_id, lay.member_microgrid_id,
            category_array(result.member_state, states), category_array(result.member_channel, channels),
            _times(result.member_notified_min), _times(result.member_acknowledged_min),
            _times(result.member_arrived_min),
        ], names=["replication", "member_id", "microgrid_id", "state_at_order", "channel",
                  "notified_min", "acknowledged_min", "arrived_min"]),
        "cadres": pa.table([
            _replication_column(replication, n_cad), lay.cadre_id, lay.cadre_unit_id,
            lay.cadre_community_id,
            pa.array(cadre_mg, pa.int32(), mask=cadre_pos < 0),
            _times(result.cadre_dispatched_min), _times(result.cadre_arrived_min),
        ], names=["replication", "cadre_id", "unit_id", "community_id", "microgrid_id",
                  "dispatched_min", "arrived_min"]),
        "reserve_shifts": shifts_table(result.reserve_shifts, lay, replication),
        "replications": row_table(summary_row(result, reached_min, replication, seed, target_min,
                                              lay.grouping, definition)),
    }
    if curves:
        tables["curves"] = curves_table(act, reached_min, lay, replication, horizon_min)
    tables.update(tail_tables(tables, target_min))
    if result.trace is not None:
        tables["events"] = trace_table(result.trace, replication)
    return tables


def shifts_table(shifts: np.ndarray, lay: Layout, replication: int) -> pa.Table:
    """The reserve_shifts.parquet rows: each post a reserve held; ids for cadres and grid
    workers, a pool's people by their number within the pool (they are in no district table)."""
    is_cadre = shifts["kind"] == ACTIVATED_BY.index("cadre")
    is_worker = shifts["kind"] == ACTIVATED_BY.index("grid_worker")
    reserve_id = shifts["who"].astype(np.int32)
    reserve_id[is_cadre] = lay.cadre_id[shifts["who"][is_cadre]]
    reserve_id[is_worker] = lay.general_grid_id[shifts["who"][is_worker]]
    return pa.table([
        _replication_column(replication, len(shifts)), category_array(shifts["kind"], ACTIVATED_BY),
        pa.array(reserve_id, pa.int32()), pa.array(lay.microgrid_id[shifts["microgrid"]], pa.int32()),
        _times(shifts["arrived_min"]), _times(shifts["released_min"]),
        category_array(shifts["why"], RELEASE_REASONS),
    ], names=["replication", "kind", "reserve_id", "microgrid_id", "arrived_min", "released_min", "why"])


def summary_row(result, reached_min: np.ndarray, replication: int, seed: int,
                target_min: float, grouping: Grouping,
                definition: Definition = Definition()) -> dict[str, list]:
    """The replications.parquet row: quantiles, district time (every post, the standard
    definitions and the scenario's own), gap filling, households reached."""
    act = result.microgrid_activated_min
    t_full = finite_order_statistic(act, 1.0)
    by = np.bincount(result.microgrid_activated_by, minlength=len(ACTIVATED_BY))
    row = {"replication": [replication], "seed": [seed]}
    row.update({name: [finite_order_statistic(act, q)] for name, q in QUANTILES})
    row["t_full_min"] = [t_full]
    row.update(definition_row(lambda d: posts_min(act, grouping, d), definition, "district"))
    row.update({
        "share_activated_at_target": [float(np.mean(np.nan_to_num(act, nan=np.inf) <= target_min))],
        "share_households_reached_at_target": [
            float(np.count_nonzero(reached_min <= target_min) / max(len(reached_min), 1))],
        "met_target": [bool(row[OWN_COLUMNS["district"]][0] <= target_min)],
        **{column: [int(by[ACTIVATED_BY.index(who)])] for who, column in GAP_COLUMNS.items()},
        "never_activated": [int(by[ACTIVATED_BY.index("none")])],
        "events": [int(result.events)],
    })
    return row


def trace_table(trace: np.ndarray, replication: int) -> pa.Table:
    """The events.parquet rows of one replication's trace records."""
    return pa.table([
        pa.array(np.full(len(trace), replication, dtype=np.int32)), trace["time_min"],
        category_array(trace["entity"], TRACE_ENTITIES), trace["entity_id"],
        category_array(trace["event"], TRACE_EVENTS),
    ], names=["replication", "time_min", "entity", "entity_id", "event"])


SCAN_SHARE = 0.95
"""Share of households verified whose day replications.parquet reports in scan mode."""


def scan_tables(result: CanvassResult, homes: Households, replication: int, seed: int,
                horizon_days: int) -> dict[str, pa.Table]:
    """The scan-mode tables of one campaign replication: coverage by day and its summary row."""
    verified = coverage(result.completion_min, homes.subdistrict, homes.subdistrict_households,
                        float(MINUTES_PER_DAY), horizon_days)
    n = verified.size
    curves = pa.table([
        pa.array(np.full(n, replication, dtype=np.int32)),
        pa.array(np.tile(np.arange(horizon_days + 1, dtype=np.int32), len(homes.subdistrict_ids))),
        pa.array(np.repeat(homes.subdistrict_ids, horizon_days + 1).astype(np.int32)),
        verified.ravel(),
    ], names=["replication", "day", "subdistrict_id", "share_households_verified"])
    finish = result.worker_finish_min
    end_min = float(finish.max(initial=0.0)) if not np.isnan(finish).any() else math.nan
    row = {
        "replication": [replication], "seed": [seed],
        "days_to_95pct": [finite_order_statistic(result.completion_min, SCAN_SHARE) / MINUTES_PER_DAY],
        "days_to_full": [end_min / MINUTES_PER_DAY],
        "share_verified_at_horizon": [
            float(np.count_nonzero(~np.isnan(result.completion_min)) / max(homes.count, 1))],
        "visits": [int(result.worker_visits.sum())],
    }
    return {"scan_curves": curves, "replications": row_table(row)}
