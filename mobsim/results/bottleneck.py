"""What holds the district back: the communities holding the last posts, and the posts still
unstaffed minute by minute (the tail of the mobilization curve)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mobsim.results.stats import curve_band, district_curves, never_last


def community_bottlenecks(microgrids: pd.DataFrame, target_min: float) -> pd.DataFrame:
    """Per community: replications in which it held the district's last post, and its posts
    staffed after the target or never, per replication; worst first.

    A replication's last post is its latest-activated micro-grid (never counting as latest);
    when several tie (several never), each of their communities held it.
    """
    replications = microgrids["replication"].nunique()
    times = pd.Series(never_last(microgrids["activated_min"]), index=microgrids.index)
    latest = times.groupby(microgrids["replication"]).transform("max")
    holds_last = (times == latest).groupby(
        [microgrids["community_id"], microgrids["replication"]]).any()
    late = (times > target_min).groupby(microgrids["community_id"]).sum()
    never = np.isinf(times).groupby(microgrids["community_id"]).sum()
    table = pd.DataFrame({
        "last_post_replications": holds_last.groupby(level="community_id").sum(),
        "late_per_replication": late / replications,
        "never_per_replication": never / replications,
        "subdistrict_id": microgrids.groupby("community_id")["subdistrict_id"].first(),
    })
    table.index.name = "community_id"
    return table.sort_values(["last_post_replications", "late_per_replication"],
                             ascending=False, kind="stable")


def unstaffed_band(curves: pd.DataFrame, microgrids_by_subdistrict: pd.Series) -> pd.DataFrame:
    """Micro-grids still without staff on post per minute: the band across replications."""
    shares = district_curves(curves, "share_microgrids_activated", microgrids_by_subdistrict)
    unstaffed = (1.0 - shares) * float(microgrids_by_subdistrict.sum())
    # rounding: the weighted share of whole counts carries float error of ~1e-12 posts
    return curve_band(unstaffed.round(6))
