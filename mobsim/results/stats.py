"""Aggregate a run's tables into the curves, maps and breakdowns the report shows.

Times that never happened (+inf in the tables, NaN in the model's arrays) count as infinitely late, and every quantile is
an order statistic (the ceil(q·n)-th smallest value), as in the bound check and the run summary.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mobsim.codes import ACTIVATED_BY, POOLS
from mobsim.errors import InputError

BAND: tuple[float, float] = (0.05, 0.95)
"""Quantiles across replications that bound the band drawn around a median curve."""
BAND_LABEL = "5–95%"
"""BAND as printed in legends and captions."""

GAP_FILLERS: tuple[str, ...] = ("member", "grid_worker", "cadre", *POOLS, "none")
"""Codes of `activated_by` in the order the report shows them: own staff first, never last."""


def never_last(times_min: np.ndarray | pd.Series) -> np.ndarray:
    """Times as floats, never happened as +inf (the tables store +inf; the model's arrays NaN)."""
    times = np.asarray(times_min, dtype=float)
    return np.where(np.isnan(times), np.inf, times)


def order_rank(n: int | np.ndarray, q: float) -> np.ndarray:
    """0-based position of the q-quantile among n sorted values (the ceil(q·n)-th smallest)."""
    return np.maximum(np.ceil(q * np.asarray(n) - 1e-9).astype(np.int64), 1) - 1


def order_statistic(times_min: np.ndarray | pd.Series, q: float) -> float:
    """The q-quantile of `times_min` as an order statistic, never counted as +inf."""
    times = np.sort(never_last(times_min))
    return float(times[order_rank(len(times), q)])


def finite_order_statistic(times_min: np.ndarray | pd.Series, q: float) -> float:
    """`order_statistic`, with never (infinitely late) given back as NaN, as the model's arrays hold it."""
    time = order_statistic(times_min, q)
    return time if math.isfinite(time) else math.nan


def grouped_order_statistics(keys: pd.DataFrame, times_min: np.ndarray | pd.Series,
                             quantiles: tuple[float, ...]) -> pd.DataFrame:
    """Per group of equal `keys` rows (sorted), a column per order-statistic quantile of times."""
    # one lexsort by (group, time) serves every quantile: sorting dominates on 10^6 rows
    groups = keys.groupby(list(keys.columns), sort=True, observed=True)
    group = groups.ngroup().to_numpy()
    times = never_last(times_min)
    ordered = times[np.lexsort((times, group))]
    sizes = np.bincount(group)
    starts = np.cumsum(sizes) - sizes
    columns = {q: ordered[starts + order_rank(sizes, q)] for q in quantiles}
    return pd.DataFrame(columns, index=groups.size().index)


def subdistrict_sizes(microgrids: pd.DataFrame) -> pd.DataFrame:
    """Micro-grid and household counts per sub-district (from one replication's rows)."""
    first = microgrids[microgrids["replication"] == microgrids["replication"].min()]
    return first.groupby("subdistrict_id").agg(microgrids=("microgrid_id", "size"),
                                               households=("households", "sum"))


def district_curves(curves: pd.DataFrame, column: str, weights: pd.Series) -> pd.DataFrame:
    """District-wide share per minute (rows) and replication (columns), sub-districts weighted."""
    weight = curves["subdistrict_id"].map(weights)
    missing = curves.loc[weight.isna(), "subdistrict_id"]
    if len(missing):
        raise InputError(f"curves.parquet: sub-district {missing.iloc[0]} has no micro-grids "
                         "in microgrids.parquet")
    weighted = (curves[column] * weight).groupby([curves["minute"], curves["replication"]]).sum()
    return weighted.unstack("replication") / float(weights.sum())


def curve_band(per_replication: pd.DataFrame) -> pd.DataFrame:
    """BAND's lower, the median and BAND's upper quantile across replications, per minute."""
    values = np.quantile(per_replication.to_numpy(), [BAND[0], 0.5, BAND[1]], axis=1,
                         method="inverted_cdf")
    return pd.DataFrame({"lower": values[0], "median": values[1], "upper": values[2]},
                        index=per_replication.index)


def share_at_minute(per_replication: pd.DataFrame, minute: float) -> np.ndarray:
    """Each replication's share at whole minute floor(`minute`); NaN past the curves' end."""
    row = per_replication.reindex([math.floor(minute)])
    return row.to_numpy(dtype=float)[0]


def breakdown(microgrids: pd.DataFrame, by: str, target_min: float) -> pd.DataFrame:
    """Per group of `by`: size, pooled median and 95th percentile activation, share by target."""
    replications = microgrids["replication"].nunique()
    times = never_last(microgrids["activated_min"])
    groups = pd.DataFrame({by: microgrids[by], "microgrid_id": microgrids["microgrid_id"],
                           "households": microgrids["households"],
                           "in_time": times <= target_min, "never": np.isinf(times)}
                          ).groupby(by, sort=True, observed=True)
    quantiles = grouped_order_statistics(microgrids[[by]], times, (0.5, 0.95))
    return pd.DataFrame({
        "microgrids": groups["microgrid_id"].nunique(),
        "households": groups["households"].sum() / replications,
        "median_activation_min": quantiles[0.5],
        "p95_activation_min": quantiles[0.95],
        "share_by_target": groups["in_time"].mean(),
        "never_per_replication": groups["never"].sum() / replications,
    })


def activated_by_counts(microgrids: pd.DataFrame) -> pd.DataFrame:
    """Micro-grids per replication (rows) by who activated them (columns, GAP_FILLERS order)."""
    who = microgrids["activated_by"].astype(pd.CategoricalDtype(ACTIVATED_BY))
    counts = microgrids.groupby([microgrids["replication"], who], observed=False).size()
    return counts.unstack("activated_by")[list(GAP_FILLERS)]


def count_summary(counts: pd.DataFrame) -> pd.DataFrame:
    """Mean, min and max over replications of each column of `counts`."""
    return pd.DataFrame({"mean": counts.mean(), "min": counts.min(), "max": counts.max()})


POST_TASKS: tuple[str, ...] = ("verification", "publicity", "supply")
"""Tasks whose units are the posts: one community's people short for them are the same posts."""


def short_communities(tasks: pd.DataFrame) -> pd.DataFrame:
    """Per community short of people at the target in some replication (tasks.parquet rows):
    the share of replications it was short, the people short then (mean over every replication,
    and the most), and the mean people short by sites, checkpoints and posts; most short first.

    People short for the posts count once (the most of the post tasks: the same posts)."""
    short = tasks.pivot_table(index=["community_id", "replication"], columns="task",
                              values="short_at_target", aggfunc="sum", observed=True).fillna(0)
    kinds = pd.DataFrame({
        "testing": short.get("testing", 0), "checkpoints": short.get("checkpoints", 0),
        "posts": short[[t for t in POST_TASKS if t in short.columns]].max(axis=1)})
    total = kinds.sum(axis=1)
    by_community = total.groupby(level="community_id")
    out = pd.DataFrame({"replications_short": by_community.apply(lambda v: float((v > 0).mean())),
                        "people_short": by_community.mean(), "most_short": by_community.max()})
    out = out.join(kinds.groupby(level="community_id").mean())
    return out[out["most_short"] > 0].sort_values(["people_short", "most_short"], ascending=False)
