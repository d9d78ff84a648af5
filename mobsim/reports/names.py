"""Names of a run's sub-districts, communities and work units, for reports and terminal tables.

Run folders keep the district's names (`subdistricts`, `communities`, `units` tables); folders
written before that, or hand-made ones, fall back to "sub-district 3"-style labels.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from mobsim.results.run import Run
from mobsim.results.tail import community_bottlenecks, last_posts

FALLBACK = {"subdistricts": "sub-district", "communities": "community", "units": "work unit"}
"""Word for an id whose name the run folder does not hold."""

ID_COLUMNS = {"subdistricts": "subdistrict_id", "communities": "community_id", "units": "unit_id"}
"""The id column of each name table."""


def names(run: Run, table: str, ids: Iterable[int]) -> dict[int, str]:
    """Name of each of `ids` from the run's `table` (subdistricts, communities or units)."""
    known: dict[int, str] = {}
    if table in run.table_names:
        frame = run.table(table)
        if "name" in frame.columns:
            known = dict(zip(frame[ID_COLUMNS[table]].astype(int), frame["name"].astype(str)))
    return {int(i): known.get(int(i), f"{FALLBACK[table]} {int(i)}") for i in ids}


def last_post_line(run: Run, target_min: float, top: int = 3) -> str:
    """One terminal line: the communities that most often held the district's last post (one
    per replication, mobsim.results.tail's rule), the rest counted, and how often it was never
    staffed."""
    microgrids = run.table("microgrids")
    table = community_bottlenecks(microgrids, target_min)
    table = table[table["last_post_replications"] > 0]
    replications = int(microgrids["replication"].nunique())
    community = names(run, "communities", table.index[:top])
    subdistrict = names(run, "subdistricts", table["subdistrict_id"].iloc[:top])
    held = [f"{community[int(c)]} ({subdistrict[int(r.subdistrict_id)]}) "
            f"{int(r.last_post_replications)} of {replications}"
            for c, r in table.iloc[:top].iterrows()]
    others = table.iloc[top:]
    if len(others):
        plural = "communities" if len(others) > 1 else "community"
        held.append(f"{len(others)} other {plural} "
                    f"{int(others['last_post_replications'].sum())} of {replications}")
    last = last_posts(microgrids)
    never = last[np.isinf(last["last_min"])]
    if len(never):
        held.append(f"never staffed in {len(never)} of {replications} ({never['tied'].mean():.1f} "
                    "posts never staffed on average: the community with the most of them holds "
                    "the last post)")
    return "last post held by: " + "; ".join(held)
