"""One replication's tail as output rows: its last post in replications.parquet, and the
per-community rows of bottlenecks.parquet (mobsim.results.tail computes both)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from mobsim.district.schemas import category_array
from mobsim.results.stats import never_last
from mobsim.results.tail import CAUSES, attribute, reserve_deficit

LAST_COLUMNS = ("last_microgrid_id", "last_community_id", "last_subdistrict_id")
"""replications.parquet columns naming the replication's last post (then `last_cause`)."""

BOTTLENECK_COLUMNS = ("late_posts", "posts_without_member", "reserves_in_time",
                      "reserve_deficit")
"""bottlenecks.parquet's int32 counts per replication and community (then `holds_last`)."""


def _frame(table: pa.Table, columns: list[str]) -> pd.DataFrame:
    return table.select(columns).to_pandas()


def tail_tables(tables: dict[str, pa.Table], target_min: float) -> dict[str, pa.Table]:
    """The replication's summary row with its last post and cause, and its bottleneck rows."""
    microgrids = _frame(tables["microgrids"], ["replication", "microgrid_id", "community_id",
                                               "subdistrict_id", "activated_min",
                                               "activated_by"])
    members = _frame(tables["members"], ["replication", "microgrid_id", "notified_min",
                                         "acknowledged_min", "arrived_min"])
    cadres = _frame(tables["cadres"], ["replication", "microgrid_id", "dispatched_min",
                                       "arrived_min"])
    shifts = _frame(tables["reserve_shifts"], ["replication", "kind", "reserve_id",
                                               "microgrid_id", "arrived_min"])
    last = attribute(microgrids, members, cadres).iloc[0]
    summary = tables["replications"]
    for name in LAST_COLUMNS:
        summary = summary.append_column(name, pa.array([last[name.removeprefix("last_")]],
                                                       pa.int32()))
    cause = category_array(np.array([CAUSES.index(last["cause"])]), CAUSES)
    summary = summary.append_column("last_cause", cause)
    bottlenecks = reserve_deficit(microgrids, members, shifts, target_min)
    late = pd.Series(never_last(microgrids["activated_min"]) > target_min)
    late_posts = late.groupby(microgrids["community_id"].to_numpy()).sum()
    bottlenecks["late_posts"] = late_posts.reindex(bottlenecks["community_id"]).to_numpy()
    return {"replications": summary,
            "bottlenecks": _bottleneck_rows(bottlenecks, int(last["community_id"]))}


def _bottleneck_rows(table: pd.DataFrame, last_community: int) -> pa.Table:
    columns = {"replication": pa.array(table["replication"], pa.int32()),
               "community_id": pa.array(table["community_id"], pa.int32())}
    columns.update({name: pa.array(table[name], pa.int32()) for name in BOTTLENECK_COLUMNS})
    columns["holds_last"] = pa.array(table["community_id"].to_numpy() == last_community)
    return pa.table(columns)
