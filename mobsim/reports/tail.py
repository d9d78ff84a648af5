"""The report's section on why the last posts were late (mobsim.results.tail)."""

from __future__ import annotations

from html import escape

import pandas as pd

from mobsim.reports.names import names
from mobsim.reports.page import number, paragraph, percent_text, section, table
from mobsim.results.run import Run
from mobsim.results.tail import attribute, bottlenecks

TOP_COMMUNITIES = 10
"""Communities the section lists, those most often holding the last post first."""

TITLE = "Why the last posts were late"


def causes_section(run: Run, microgrids: pd.DataFrame, target_min: float) -> str:
    """The communities most often last, how often late, and the causes of their last posts."""
    if not {"members", "cadres"} <= set(run.table_names):
        return section(TITLE, paragraph("This run folder has no members.parquet or "
                                        "cadres.parquet, so the last posts cannot be traced.",
                                        "note"))
    attributed = attribute(microgrids, run.table("members"), run.table("cadres"))
    communities = bottlenecks(microgrids, attributed, target_min).head(TOP_COMMUNITIES)
    causes = attributed["cause"].value_counts()
    n = len(attributed)
    community = names(run, "communities", communities.index)
    subdistrict = names(run, "subdistricts", communities["subdistrict_id"])
    deficit = _mean_deficit(run, communities.index)
    rows = [[escape(community[c]), escape(subdistrict[row.subdistrict_id]),
             number(f"causes-{c}-last", round(row.p_last * n), f"{round(row.p_last * n)} of {n}",
                    "td"),
             percent_text(row.p_late), deficit[c], escape(row.causes)]
            for c, row in communities.iterrows()]
    return section(
        TITLE,
        paragraph("Why the last micro-grid of each replication was last: "
                  + escape("; ".join(f"{cause} in {count} of {n}" for cause, count
                                     in causes.items())) + "."),
        table(["community", "sub-district", "holds the last post", f"late (after "
               f"{target_min:g} min or never)", "reserve deficit (posts, mean)",
               "causes of its last posts"], rows),
        paragraph("A member's cause is the part of that member's time (alert, acknowledging, "
                  "trip) most beyond the replication's median; a reserve's, its dispatch or "
                  "trip. mobsim.results.tail documents each cause. Reserve deficit: posts no "
                  "member reached by the target minus the reserves that took a post there by "
                  "then (bottlenecks.parquet); above 0 the community lacked reserves in reach.",
                  "meta"))


def _mean_deficit(run: Run, communities: pd.Index) -> dict[int, str]:
    """Each community's mean reserve deficit as a table cell ("—" for a run without it)."""
    if "bottlenecks" not in run.table_names:
        return {c: "—" for c in communities}
    mean = run.table("bottlenecks").groupby("community_id")["reserve_deficit"].mean()
    return {c: number(f"deficit-{c}", float(mean[c]), f"{mean[c]:+.1f}", "td")
            for c in communities}
