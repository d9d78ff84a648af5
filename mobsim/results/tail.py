"""Where the time goes: the last micro-grid of each replication, why it was late, and where.

Computed from a run's tables (micro-grids, members, cadres) without re-running anything.

The last post of a replication, one rule everywhere (replications.parquet's `last_*` columns,
bottlenecks.parquet's `holds_last`, the summary's "last post held by" and the report): the
micro-grid activated last, never counting as later than any time. When several posts tie for
last — in practice several never staffed — it is the one in the community holding most of the
tied posts, and among those the lowest micro-grid id. Each replication has exactly one last
post, so over n replications the communities' counts sum to n. Its cause, along its critical
path:

- `never staffed, no reserve sent`: nobody came and no cadre was dispatched to it;
- `never staffed, reserve too late`: a cadre was dispatched but not on post in the horizon;
- `reserve dispatched late` / `reserve trip long`: a cadre activated it; the larger of the
  dispatch time and the trip, each beyond that replication's median over cadre-activated posts;
- `covered by a grid worker`: the grid worker went in person (its timeline is not in the tables);
- `covered by a reserve pool`: a person of a reserve pool (community staff, emergency team,
  commando or volunteer team; docs/model.md 7.14) took it (their ride is not in the tables);
- `alert late`, `member slow to acknowledge`, `member trip long`: a member activated it; the
  part of the member's time (notified, notified → acknowledged, acknowledged → on post) most
  beyond that replication's median over member-activated posts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mobsim.codes import POOLS
from mobsim.results.stats import curve_band, district_curves, never_last

MEMBER_PARTS = {"notified_min": "alert late", "ack_delay_min": "member slow to acknowledge",
                "trip_min": "member trip long"}
CADRE_PARTS = {"dispatched_min": "reserve dispatched late", "trip_min": "reserve trip long"}
GRID_WORKER, TOO_LATE, NONE_SENT = ("covered by a grid worker", "never staffed, reserve too late",
                                    "never staffed, no reserve sent")
POOL = "covered by a reserve pool"
CAUSES = (*MEMBER_PARTS.values(), *CADRE_PARTS.values(), GRID_WORKER, TOO_LATE, NONE_SENT, POOL)
"""Every cause of a last post, in the order replications.parquet's `last_cause` codes them."""


def last_posts(microgrids: pd.DataFrame) -> pd.DataFrame:
    """Per replication, its one last post (the module's rule): ids, time (inf: never), filler,
    and `tied`, the posts that tied for last (1 unless several were never staffed)."""
    frame = microgrids.assign(t=never_last(microgrids["activated_min"]))
    frame = frame[frame["t"] == frame.groupby("replication")["t"].transform("max")]
    frame = frame.assign(
        tied=frame.groupby("replication")["t"].transform("size"),
        community_ties=frame.groupby(["replication", "community_id"])["t"].transform("size"))
    frame = frame.sort_values(["replication", "community_ties", "microgrid_id"],
                              ascending=[True, False, True], kind="stable")
    last = frame.drop_duplicates("replication")
    columns = ["replication", "microgrid_id", "community_id", "subdistrict_id", "t",
               "activated_by", "tied"]
    return (last[[c for c in columns if c in last.columns]]
            .rename(columns={"t": "last_min"}).reset_index(drop=True))


def _first_arrivals(members: pd.DataFrame) -> pd.DataFrame:
    """The member who came first to each post: the parts of that member's time."""
    came = members[np.isfinite(members["arrived_min"].to_numpy(dtype=float))]
    came = came.sort_values("arrived_min", kind="stable")
    first = came.drop_duplicates(["replication", "microgrid_id"])
    return pd.DataFrame({
        "replication": first["replication"], "microgrid_id": first["microgrid_id"],
        "notified_min": first["notified_min"],
        "ack_delay_min": first["acknowledged_min"] - first["notified_min"],
        "trip_min": first["arrived_min"] - first["acknowledged_min"]})


def _cadre_arrivals(cadres: pd.DataFrame) -> pd.DataFrame:
    sent = cadres.dropna(subset=["microgrid_id"]).sort_values("arrived_min", kind="stable")
    first = sent.drop_duplicates(["replication", "microgrid_id"])
    return pd.DataFrame({
        "replication": first["replication"], "microgrid_id": first["microgrid_id"].astype(int),
        "dispatched_min": first["dispatched_min"],
        "trip_min": first["arrived_min"] - first["dispatched_min"]})


def _largest_excess(parts: pd.DataFrame, names: dict[str, str], last: pd.DataFrame) -> pd.Series:
    """For each last post, the part most beyond its replication's median over all posts."""
    medians = parts.groupby("replication")[list(names)].median()
    own = last[["replication", "microgrid_id"]].merge(parts, how="left",
                                                      on=["replication", "microgrid_id"])
    excess = (own[list(names)].to_numpy(dtype=float)
              - medians.reindex(own["replication"]).to_numpy(dtype=float))
    excess = np.where(np.isnan(excess), -np.inf, excess)
    return pd.Series(np.array(list(names.values()))[np.argmax(excess, axis=1)],
                     index=last.index)


def attribute(microgrids: pd.DataFrame, members: pd.DataFrame,
              cadres: pd.DataFrame) -> pd.DataFrame:
    """Per replication: the last micro-grid, its community and sub-district, time and cause."""
    last = last_posts(microgrids)
    member_cause = _largest_excess(_first_arrivals(members), MEMBER_PARTS, last)
    cadre_parts = _cadre_arrivals(cadres)
    cadre_cause = _largest_excess(cadre_parts, CADRE_PARTS, last)
    sent = (last.merge(cadre_parts[["replication", "microgrid_id"]], how="left", indicator=True,
                       on=["replication", "microgrid_id"])["_merge"] == "both").to_numpy()
    by = last["activated_by"].astype(str).to_numpy()
    cause = np.select(
        [by == "member", by == "cadre", by == "grid_worker", np.isin(by, POOLS),
         (by == "none") & sent],
        [member_cause, cadre_cause, GRID_WORKER, POOL, TOO_LATE], NONE_SENT)
    return last.assign(cause=cause)


def bottlenecks(microgrids: pd.DataFrame, attributed: pd.DataFrame,
                target_min: float) -> pd.DataFrame:
    """Per community: how often it holds the last post, is late at all, and why it is last.

    `p_last`: share of replications whose last micro-grid is in it; `p_late`: share in which
    some micro-grid of it is on post after the target (or never); `causes`: its last posts'
    causes, most frequent first. Sorted by p_last, then p_late.
    """
    replications = microgrids["replication"].nunique()
    late = never_last(microgrids["activated_min"]) > target_min
    p_late = (pd.Series(late).groupby([microgrids["community_id"].to_numpy(),
                                       microgrids["replication"].to_numpy()]).any()
              .groupby(level=0).sum() / replications)
    held = attributed.groupby("community_id")
    causes = held["cause"].agg(lambda c: "; ".join(f"{name} {count}" for name, count
                                                   in c.value_counts().items()))
    table = pd.DataFrame({"subdistrict_id": microgrids.groupby("community_id")["subdistrict_id"]
                          .first(), "p_last": held.size() / replications,
                          "p_late": p_late, "causes": causes})
    table["p_last"] = table["p_last"].fillna(0.0)
    table["causes"] = table["causes"].fillna("")
    return table.sort_values(["p_last", "p_late"], ascending=False)


def reserve_deficit(microgrids: pd.DataFrame, members: pd.DataFrame, shifts: pd.DataFrame,
                    target_min: float) -> pd.DataFrame:
    """Per replication and community: posts no member reached by the target, the reserves on a
    post of it by the target, and their difference (the reserve deficit; < 0: reserves to spare).

    A reserve is a grid worker, a cadre or a pool's person (reserve_shifts `kind`,
    `reserve_id`), counted once however many posts of the community it took by the target.
    """
    first = members.groupby(["replication", "microgrid_id"])["arrived_min"].min()
    posts = microgrids[["replication", "microgrid_id", "community_id"]]
    arrived = first.reindex(pd.MultiIndex.from_frame(posts[["replication", "microgrid_id"]]))
    no_member = never_last(arrived.to_numpy(dtype=float)) > target_min
    keys = [posts["replication"].to_numpy(), posts["community_id"].to_numpy()]
    table = pd.DataFrame({"posts_without_member": pd.Series(no_member).groupby(keys).sum()})
    in_time = shifts[shifts["arrived_min"].to_numpy(dtype=float) <= target_min]
    in_time = in_time.merge(posts, on=["replication", "microgrid_id"])
    reserves = (in_time.drop_duplicates(["replication", "community_id", "kind", "reserve_id"])
                .groupby(["replication", "community_id"]).size())
    table.index.names = ["replication", "community_id"]
    table["reserves_in_time"] = reserves.reindex(table.index, fill_value=0)
    table["reserve_deficit"] = table["posts_without_member"] - table["reserves_in_time"]
    return table.reset_index()


def community_bottlenecks(microgrids: pd.DataFrame, target_min: float) -> pd.DataFrame:
    """Per community: replications in which it held the district's last post (the module's
    rule: one community per replication), and its posts staffed after the target or never,
    per replication; worst first."""
    replications = microgrids["replication"].nunique()
    times = pd.Series(never_last(microgrids["activated_min"]), index=microgrids.index)
    held = last_posts(microgrids)["community_id"].value_counts()
    late = (times > target_min).groupby(microgrids["community_id"]).sum()
    never = np.isinf(times).groupby(microgrids["community_id"]).sum()
    table = pd.DataFrame({
        "late_per_replication": late / replications,
        "never_per_replication": never / replications,
        "subdistrict_id": microgrids.groupby("community_id")["subdistrict_id"].first(),
    })
    table.insert(0, "last_post_replications", held.reindex(table.index, fill_value=0))
    table.index.name = "community_id"
    return table.sort_values(["last_post_replications", "late_per_replication"],
                             ascending=False, kind="stable")


def unstaffed_band(curves: pd.DataFrame, microgrids_by_subdistrict: pd.Series) -> pd.DataFrame:
    """Micro-grids still without staff on post per minute: the band across replications."""
    shares = district_curves(curves, "share_microgrids_activated", microgrids_by_subdistrict)
    unstaffed = (1.0 - shares) * float(microgrids_by_subdistrict.sum())
    # rounding: the weighted share of whole counts carries float error of ~1e-12 posts
    return curve_band(unstaffed.round(6))
