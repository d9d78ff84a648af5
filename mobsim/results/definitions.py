"""What counts as mobilized: each definition's minute in one replication, and where it is stored.

A definition (`mobsim.scenario.params.Definition`) asks for `share` of the posts staffed, over
the district's posts or within every community or sub-district. Within a group of n items the
share is reached at the ⌈share·n⌉-th smallest minute (the order statistic of every quantile in
mobsim); a group of none has it at minute 0; never (NaN, +inf) is later than any minute. Every
community at a share is never earlier than every sub-district at it (a sub-district's posts are
its communities'), which is never earlier than the district's share of all posts; a higher
share is never earlier than a lower one; at share 1 every reading is the last post.

"Able to act" reads the same definition task by task: each task's units are the posts
(verification; supply from the later of the post and the goods), a community's first post
(publicity: its message), the testing sites and the checkpoints. The district can act when
every task has `share` of its units ready over the district, or in every community or
sub-district; at share 1 this is `t_act_min` (docs/model.md section 12). Its minute is worked
out with the tasks' rows (`mobsim.results.task_rows.act_min`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mobsim.errors import InputError
from mobsim.results.stats import never_last, order_rank
from mobsim.scenario.params import Definition

STANDARD: tuple[Definition, ...] = (
    Definition(), Definition("posts", 0.999), Definition("posts", 0.99),
    Definition("communities", 0.95))
"""The definitions every run sets side by side, each a column of replications.parquet."""

MEASURES: dict[str, str] = {"district": "t", "act": "t_act"}
"""Column prefix of each measure: mobilized (posts staffed) and able to act (tasks' units)."""

EVERY_POST_COLUMNS: dict[str, str] = {"district": "t_full_min", "act": "t_act_min"}
"""The columns of the article's reading, every post (and every unit of every task)."""

OWN_COLUMNS: dict[str, str] = {"district": "t_target_min", "act": "t_act_target_min"}
"""The columns of the scenario's own definition, whichever it is."""


def standard_column(definition: Definition, measure: str = "district") -> str | None:
    """The replications.parquet column of a standard definition, None for any other."""
    if definition.every_post:
        return EVERY_POST_COLUMNS[measure]
    if definition not in STANDARD:
        return None
    percent = f"{definition.share * 100:g}".replace(".", "p")
    return f"{MEASURES[measure]}_{definition.over}_{percent}_min"


def definition_columns(measure: str) -> tuple[str, ...]:
    """The columns a run adds for `measure`: the standard definitions beyond every post, then
    the scenario's own."""
    return (*(standard_column(d, measure) for d in STANDARD if not d.every_post),
            OWN_COLUMNS[measure])


@dataclass(frozen=True)
class Grouping:
    """Where each post lies, as dense rows: the groups a definition counts within."""

    community_of_post: np.ndarray
    """Community row (0 … communities − 1) of every micro-grid."""
    subdistrict_of_community: np.ndarray
    """Sub-district row (0 … sub-districts − 1) of every community."""

    @property
    def communities(self) -> int:
        """How many communities there are."""
        return len(self.subdistrict_of_community)

    def groups(self, over: str, community: np.ndarray) -> tuple[np.ndarray, int]:
        """The group of each item lying in `community` (rows) under `over`, and the group count."""
        if over == "communities":
            return community, self.communities
        if over == "subdistricts":
            return (self.subdistrict_of_community[community],
                    int(self.subdistrict_of_community.max(initial=-1)) + 1)
        return np.zeros(len(community), np.int64), 1


def group_share_min(times_min: np.ndarray, group: np.ndarray, groups: int,
                    share: float) -> np.ndarray:
    """Per group, the minute `share` of its items are done (+inf: never; 0: a group of none)."""
    times = never_last(times_min)
    ordered = times[np.lexsort((times, group))]
    sizes = np.bincount(group, minlength=groups)
    starts = np.cumsum(sizes) - sizes
    out = np.zeros(groups)
    some = sizes > 0
    out[some] = ordered[starts[some] + order_rank(sizes[some], share)]
    return out


def reached_min(times_min: np.ndarray, community: np.ndarray, grouping: Grouping,
                definition: Definition) -> float:
    """The minute every group of `definition` has its share of the items done (items lying
    in `community` rows, done at `times_min`; +inf: never)."""
    group, groups = grouping.groups(definition.over, community)
    return float(group_share_min(times_min, group, groups, definition.share).max(initial=0.0))


def posts_min(activated_min: np.ndarray, grouping: Grouping, definition: Definition) -> float:
    """The minute the district counts as mobilized under `definition` (+inf: never)."""
    return reached_min(activated_min, grouping.community_of_post, grouping, definition)


def definition_row(minute_of: Callable[[Definition], float], own: Definition,
                   measure: str) -> dict[str, list[float]]:
    """The replications.parquet columns of `measure` (`definition_columns`), each definition's
    minute given by `minute_of`."""
    row = {standard_column(d, measure): [minute_of(d)] for d in STANDARD if not d.every_post}
    row[OWN_COLUMNS[measure]] = [minute_of(own)]
    return row


def minutes_column(replications: pd.DataFrame, definition: Definition,
                   measure: str = "district", own: Definition | None = None) -> str | None:
    """The column of `replications` holding each replication's minute under `definition`: a
    standard definition's, or the run's own when it is the run's `own` (default:
    `definition`); None when the run holds neither."""
    own = definition if own is None else own
    column = standard_column(definition, measure)
    if column is None and definition.same_as(own):
        column = OWN_COLUMNS[measure]
    return column if column in replications.columns else None


def definition_minutes(replications: pd.DataFrame, definition: Definition,
                       measure: str = "district", own: Definition | None = None) -> np.ndarray:
    """Each replication's minute under `definition` (+inf or NaN: never), from its
    `minutes_column`."""
    column = minutes_column(replications, definition, measure, own)
    if column is None:
        kept = ", ".join(d.spec for d in STANDARD)
        raise InputError(
            f"definition {definition.spec}: the run has no minutes of {definition.label}; a "
            f"run keeps those of the standard definitions ({kept}) and of its own "
            f"({(own or definition).spec}): run it again with this definition")
    return replications[column].to_numpy(dtype=float)
