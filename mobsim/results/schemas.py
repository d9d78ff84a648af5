"""Arrow schemas of the run's output tables and their atomic, streamed writing."""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.parquet as pq

from mobsim.codes import POOLS
from mobsim.results.definitions import definition_columns


def _category() -> pa.DataType:
    return pa.dictionary(pa.int8(), pa.string())


GAP_COLUMNS: dict[str, str] = {who: f"gaps_by_{who}" for who in ("grid_worker", "cadre", *POOLS)}
"""Every kind of reserve that fills posts (`activated_by`), and its replications.parquet column
of the micro-grids it activated."""

OUTPUT_SCHEMAS: dict[str, pa.Schema] = {
    "microgrids": pa.schema([
        ("replication", pa.int32()),
        ("microgrid_id", pa.int32()),
        ("community_id", pa.int32()),
        ("subdistrict_id", pa.int32()),
        ("compound_type", _category()),
        ("households", pa.int32()),
        ("activated_min", pa.float64()),
        ("activated_by", _category()),
        ("hand_changes", pa.int32()),
    ]),
    "members": pa.schema([
        ("replication", pa.int32()),
        ("member_id", pa.int32()),
        ("microgrid_id", pa.int32()),
        ("state_at_order", _category()),
        ("channel", _category()),
        ("notified_min", pa.float64()),
        ("acknowledged_min", pa.float64()),
        ("arrived_min", pa.float64()),
    ]),
    "cadres": pa.schema([
        ("replication", pa.int32()),
        ("cadre_id", pa.int32()),
        ("unit_id", pa.int32()),
        ("community_id", pa.int32()),
        ("microgrid_id", pa.int32()),
        ("dispatched_min", pa.float64()),
        ("arrived_min", pa.float64()),
    ]),
    "reserve_shifts": pa.schema([
        ("replication", pa.int32()),
        ("kind", _category()),
        ("reserve_id", pa.int32()),
        ("microgrid_id", pa.int32()),
        ("arrived_min", pa.float64()),
        ("released_min", pa.float64()),
        ("why", _category()),
    ]),
    "curves": pa.schema([
        ("replication", pa.int32()),
        ("minute", pa.int32()),
        ("subdistrict_id", pa.int32()),
        ("share_microgrids_activated", pa.float64()),
        ("share_households_reached", pa.float64()),
    ]),
    "replications": pa.schema([
        ("replication", pa.int32()),
        ("seed", pa.int64()),
        ("t50_min", pa.float64()),
        ("t90_min", pa.float64()),
        ("t95_min", pa.float64()),
        ("t_full_min", pa.float64()),
        *((name, pa.float64()) for name in definition_columns("district")),
        ("share_activated_at_target", pa.float64()),
        ("share_households_reached_at_target", pa.float64()),
        ("met_target", pa.bool_()),
        *((column, pa.int32()) for column in GAP_COLUMNS.values()),
        ("never_activated", pa.int32()),
        ("events", pa.int64()),
        ("last_microgrid_id", pa.int32()),
        ("last_community_id", pa.int32()),
        ("last_subdistrict_id", pa.int32()),
        ("last_cause", _category()),
        ("t_act_min", pa.float64()),
        *((name, pa.float64()) for name in definition_columns("act")),
        ("act_limited_by", pa.string()),
        ("share_informed_at_target", pa.float64()),
        ("share_tested_at_target", pa.float64()),
        ("share_supplied_at_target", pa.float64()),
        ("checkpoints_kept_at_target", pa.float64()),
        ("share_units_acting_at_target", pa.float64()),
        ("people_short_at_target", pa.int32()),
    ]),
    "tasks": pa.schema([
        ("replication", pa.int32()),
        ("community_id", pa.int32()),
        ("task", _category()),
        ("able_min", pa.float64()),
        ("staff_at_target", pa.int32()),
        ("done_at_target", pa.float64()),
        ("units", pa.int32()),
        ("units_acting_at_target", pa.int32()),
        ("short_at_target", pa.int32()),
    ]),
    "task_units": pa.schema([
        ("replication", pa.int32()),
        ("community_id", pa.int32()),
        ("task", _category()),
        ("unit", pa.int32()),
        ("designated", pa.bool_()),
        ("x_km", pa.float64()),
        ("y_km", pa.float64()),
        ("min_staff", pa.int32()),
        ("full_staff", pa.int32()),
        ("staffed_min", pa.float64()),
        ("able_min", pa.float64()),
        ("staff_at_target", pa.int32()),
        ("short_at_target", pa.int32()),
        ("acting_at_target", pa.bool_()),
    ]),
    "task_curves": pa.schema([
        ("replication", pa.int32()),
        ("task", _category()),
        ("minute", pa.int32()),
        ("share_done", pa.float64()),
    ]),
    "bottlenecks": pa.schema([
        ("replication", pa.int32()),
        ("community_id", pa.int32()),
        ("late_posts", pa.int32()),
        ("posts_without_member", pa.int32()),
        ("reserves_in_time", pa.int32()),
        ("reserve_deficit", pa.int32()),
        ("holds_last", pa.bool_()),
    ]),
    "communities": pa.schema([
        ("community_id", pa.int32()),
        ("subdistrict_id", pa.int32()),
        ("kind", _category()),
        ("x_km", pa.float64()),
        ("y_km", pa.float64()),
        ("name", pa.string()),
        ("lon_deg", pa.float64()),
        ("lat_deg", pa.float64()),
    ]),
    "subdistricts": pa.schema([
        ("subdistrict_id", pa.int32()),
        ("name", pa.string()),
        ("kind", _category()),
        ("microgrids", pa.int32()),
        ("households", pa.int64()),
    ]),
    "units": pa.schema([
        ("unit_id", pa.int32()),
        ("name", pa.string()),
    ]),
    "events": pa.schema([
        ("replication", pa.int32()),
        ("time_min", pa.float64()),
        ("entity", _category()),
        ("entity_id", pa.int32()),
        ("event", _category()),
    ]),
}
"""Column name and Arrow type of every output table, in file order."""

SCAN_SCHEMAS: dict[str, pa.Schema] = {
    "scan_curves": pa.schema([
        ("replication", pa.int32()),
        ("day", pa.int32()),
        ("subdistrict_id", pa.int32()),
        ("share_households_verified", pa.float64()),
    ]),
    "replications": pa.schema([
        ("replication", pa.int32()),
        ("seed", pa.int64()),
        ("days_to_95pct", pa.float64()),
        ("days_to_full", pa.float64()),
        ("share_verified_at_horizon", pa.float64()),
        ("visits", pa.int64()),
    ]),
}
"""The per-replication tables of the scan mode (the building-scan campaign), in file order."""

PER_REPLICATION: tuple[str, ...] = ("microgrids", "members", "cadres", "reserve_shifts", "curves",
                                    "replications", "tasks", "task_units", "task_curves",
                                    "bottlenecks")
"""Wartime tables that gain rows with every replication (events too, when traced)."""


def per_replication_schemas(mode: str, trace: bool) -> dict[str, pa.Schema]:
    """The tables every replication of a `mode` run adds rows to (events only traced, wartime)."""
    if mode == "scan":
        return dict(SCAN_SCHEMAS)
    names = (*PER_REPLICATION, *(("events",) if trace else ()))
    return {name: OUTPUT_SCHEMAS[name] for name in names}


def with_metadata(schema: pa.Schema, metadata: dict[str, str]) -> pa.Schema:
    """Return `schema` carrying the run's key-value metadata (version, scenario, seed)."""
    return schema.with_metadata({k.encode(): v.encode() for k, v in metadata.items()})


ROW_GROUP_ROWS = 131_072
"""Rows gathered into one Parquet row group. The writer holds every row group's metadata until
the file closes, so one row group per replication would make memory grow with the number of
replications (about 30 kB each for a Xindu run); gathered, a thousand replications of Xindu
make under a hundred row groups per table."""


class TableWriter:
    """Streams rows of one table to `<dir>/<name>.parquet`, renamed into place on close."""

    def __init__(self, directory: Path, name: str, schema: pa.Schema) -> None:
        self.path = directory / f"{name}.parquet"
        self._tmp = directory / f".{name}.parquet.partial"
        self._schema = schema
        self._writer = pq.ParquetWriter(self._tmp, schema, compression="zstd")
        self._gathered: list[pa.Table] = []
        self._gathered_rows = 0

    def write(self, table: pa.Table) -> None:
        """Append the rows of `table` (cast to this table's schema)."""
        self._gathered.append(table.cast(self._schema))
        self._gathered_rows += table.num_rows
        if self._gathered_rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._gathered:
            self._writer.write_table(pa.concat_tables(self._gathered))
            self._gathered, self._gathered_rows = [], 0

    def commit(self) -> None:
        """Finish the file and move it atomically to its final name (or drop it if that fails)."""
        try:
            self._flush()
            self._writer.close()
        except BaseException:
            self.abort()
            raise
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        """Drop the partial file, leaving any earlier whole file untouched."""
        try:
            self._writer.close()
        except OSError:
            pass  # the file is dropped anyway; a full disk makes closing it fail too
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()
