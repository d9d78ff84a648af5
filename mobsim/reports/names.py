"""Names of a run's sub-districts, communities and work units, for reports and terminal tables.

Run folders keep the district's names (`subdistricts`, `communities`, `units` tables); folders
written before that, or hand-made ones, fall back to "sub-district 3"-style labels.
"""

from __future__ import annotations

from collections.abc import Iterable

from mobsim.results.run import Run
from mobsim.results.tail import community_bottlenecks

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
    """One terminal line naming the communities that most often held the district's last post."""
    table = community_bottlenecks(run.table("microgrids"), target_min).head(top)
    replications = int(run.table("microgrids")["replication"].nunique())
    community = names(run, "communities", table.index)
    subdistrict = names(run, "subdistricts", table["subdistrict_id"])
    held = [f"{community[int(c)]} ({subdistrict[int(r.subdistrict_id)]}) "
            f"{int(r.last_post_replications)} of {replications}" for c, r in table.iterrows()]
    return "last post held by: " + "; ".join(held)
