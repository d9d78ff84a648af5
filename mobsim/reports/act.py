"""The "able to act" measure in a planner's words: the run summary's lines and the check's answer."""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from mobsim.reports.definitions import act_phrase, mobilized_phrase
from mobsim.reports.page import count_text, number, paragraph, table
from mobsim.reports.verdict import plain_verdict, statistics_lines
from mobsim.results.bound import BoundCheck, check_bound
from mobsim.results.check import ACT_SPREAD_COLUMNS, Spread, Verdict
from mobsim.results.definitions import definition_minutes
from mobsim.results.shares import percent_text
from mobsim.results.stats import finite_order_statistic, short_communities
from mobsim.scenario.params import Definition

TASK_SHARES = {"verification": "share_households_reached_at_target",
               "publicity": "share_informed_at_target", "supply": "share_supplied_at_target",
               "testing": "share_tested_at_target", "checkpoints": "checkpoints_kept_at_target"}
"""Each wartime task (mobsim.codes.TASKS, the names the report uses) and its replications.parquet
share of work done by the target: households verified, informed, supplied, tested;
checkpoints kept."""

ABLE = "had every community able to act on every task in time"
"""What a replication within the able-to-act target did, in plain words."""


def spread_line(spreads: dict[str, Spread], target_min: float) -> list[str]:
    """"sites and checkpoints acting at 180 min: 62.3% (57.1–66.0%); people short then: …":
    the able-to-act verdict's explanation beside its all-or-nothing minute (none for a run made
    before these measures)."""
    if set(spreads) != set(ACT_SPREAD_COLUMNS):
        return []
    units, short = (spreads[name] for name in ACT_SPREAD_COLUMNS)
    return [f"sites and checkpoints acting at {target_min:g} min: {units.mean * 100:.1f}% "
            f"(replications {units.low * 100:.1f}–{units.high * 100:.1f}%); people short then "
            f"for every unit of every task to act: {short.mean:,.0f} "
            f"({short.low:,.0f}–{short.high:,.0f})"]


def _minutes(value: float) -> str:
    return f"{value:.1f}" if np.isfinite(value) else "never"


def limited_by_text(counts: pd.Series | dict) -> str:
    """"checkpoints 52, testing 7": the task that came last, with its replications."""
    items = sorted(dict(counts).items(), key=lambda item: -item[1])
    return ", ".join(f"{task} {n}" for task, n in items)


def act_lines(reps: pd.DataFrame, target_min: float, quantile: float, confidence: float,
              verbose: bool = False, definition: Definition = Definition()) -> list[str]:
    """The run summary's lines on the wartime tasks (none for a run made before them), able to
    act as `definition` reads each task's units."""
    if "t_act_min" not in reps.columns:
        return []
    t_act = definition_minutes(reps, definition, "act")
    n = len(reps)

    def mean_pct(column: str) -> str:
        return percent_text(reps[column].mean())

    check = check_bound(t_act, target_min, quantile, confidence)
    lines = [
        f"able to act ({act_phrase(definition)}), minutes:",
        f"  median {_minutes(finite_order_statistic(t_act, 0.5))}   "
        f"{quantile * 100:g}th pct {_minutes(finite_order_statistic(t_act, quantile))}   "
        f"never: {int((~np.isfinite(t_act)).sum())} of {n}   "
        f"last task{'' if definition.every_post else ' (every unit)'}: "
        f"{limited_by_text(reps['act_limited_by'].value_counts())}",
        f"work done by {target_min:g} min (mean over replications): "
        + ", ".join(f"{task} {mean_pct(column)}" for task, column in TASK_SHARES.items()),
        *spread_line({name: Spread.of(reps[name]) for name in ACT_SPREAD_COLUMNS
                      if name in reps.columns}, target_min),
    ]
    if verbose:
        lines += statistics_lines(check)
    in_time = plain_verdict(check, in_time=able_words(definition), finish="can act in time")
    lines.append(f"able to act by {target_min:g} min: {check.verdict} — {in_time}")
    return lines


def able_words(definition: Definition) -> str:
    """What a replication within the able-to-act target did under `definition`."""
    if definition.every_post:
        return ABLE
    return f"were able to act in time ({act_phrase(definition)})"


def format_act_verdict(name: str, verdict: Verdict, verbose: bool = False) -> str:
    """`mobsim check --measure act`'s answer, with the district time's verdict beside it."""
    act: BoundCheck = verdict.act  # type: ignore[assignment]
    definition = verdict.definition
    who = ("every community" if definition.every_post
           else f"the district ({act_phrase(definition)})")
    lines = [f"{name}: {act.replications} replications; do at least {act.quantile * 100:g}% of "
             f"orders have {who} able to act on every wartime task within "
             f"{act.target_min:g} min, at {act.confidence * 100:g}% confidence?"]
    if verbose:
        lines += statistics_lines(act)
    district = "every post staffed" if definition.every_post else mobilized_phrase(definition)
    lines += [f"verdict: {act.verdict} — "
              f"{plain_verdict(act, in_time=able_words(definition), finish='can act in time')}",
              f"task that came last{'' if definition.every_post else ' (every unit)'}: "
              f"{limited_by_text(dict(verdict.act_limited_by))}",
              *spread_line(dict(verdict.act_spread), act.target_min),
              f"(district time, {district}: {verdict.district.verdict})"]
    return "\n".join(lines)


SHORT_ROWS = 15
"""Communities the report lists as short of people at the target, most short first."""


def short_section_parts(tasks: pd.DataFrame, community: dict[int, str], subdistrict: dict[int, str],
                        subdistrict_of: dict[int, int], target_min: float) -> list[str]:
    """The report's paragraph and table of the communities short of people at the target
    (tasks.parquet rows), with how many people would have fixed them."""
    short = short_communities(tasks)
    if short.empty:
        return [paragraph(f"No community was short of people at {target_min:g} min in any "
                          "replication.")]
    n = tasks["community_id"].nunique()
    columns = ("people_short", "most_short", "testing", "checkpoints", "posts")
    rows = [[escape(f"{community[c]} ({subdistrict[subdistrict_of[c]]})"),
             percent_text(r.replications_short),
             *(number(f"short-{c}-{name}", getattr(r, name), count_text(round(getattr(r, name), 1)),
                      tag="td") for name in columns)]
            for c, r in short.head(SHORT_ROWS).iterrows()]
    return [paragraph(f"{len(short)} of {n} communities were short of people at {target_min:g} "
                      "min in some replication; the most short (people who would have let "
                      "every site, checkpoint and post of the community act then, a site's "
                      "setup aside):"),
            table(["community (sub-district)", "replications short", "people short (mean)",
                   "people short (most)", "at sites", "at checkpoints", "at posts"], rows)]
