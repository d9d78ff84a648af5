"""The report's opening section: what holds the district back (mobsim.bottlenecks)."""

from __future__ import annotations

from html import escape

import pandas as pd

from mobsim.bottlenecks import attribute, bottlenecks
from mobsim.page import paragraph, percent_text, section, table
from mobsim.rundata import RunData

TOP_COMMUNITIES = 10
"""Communities the section lists, those most often holding the last post first."""

TITLE = "What holds the district back"


def bottleneck_section(run: RunData, microgrids: pd.DataFrame, target_min: float) -> str:
    """The communities most often last, how often late, and the causes of their last posts."""
    if not {"members", "cadres"} <= set(run.table_names):
        return section(TITLE, paragraph("This run folder has no members.parquet or "
                                        "cadres.parquet, so the last posts cannot be traced.",
                                        "note"))
    attributed = attribute(microgrids, run.table("members"), run.table("cadres"))
    communities = bottlenecks(microgrids, attributed, target_min).head(TOP_COMMUNITIES)
    causes = attributed["cause"].value_counts()
    n = len(attributed)
    rows = [[escape(str(community)), escape(str(row.subdistrict_id)), percent_text(row.p_last),
             percent_text(row.p_late), escape(row.causes)]
            for community, row in communities.iterrows()]
    return section(
        TITLE,
        paragraph("Why the last micro-grid of each replication was last: "
                  + escape("; ".join(f"{cause} in {count} of {n}" for cause, count
                                     in causes.items())) + "."),
        table(["community", "sub-district", "holds the last post", f"late (after "
               f"{target_min:g} min or never)", "causes of its last posts"], rows),
        paragraph("A member's cause is the part of that member's time (alert, acknowledging, "
                  "trip) most beyond the replication's median; a reserve's, its dispatch or "
                  "trip. mobsim.bottlenecks documents each cause.", "meta"))
