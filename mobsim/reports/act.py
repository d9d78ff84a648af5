"""The "able to act" measure in a planner's words: the run summary's lines and the check's answer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mobsim.reports.definitions import act_phrase, mobilized_phrase
from mobsim.reports.verdict import plain_verdict, statistics_lines
from mobsim.results.bound import BoundCheck, check_bound
from mobsim.results.check import Verdict
from mobsim.results.definitions import definition_minutes
from mobsim.results.shares import percent_text
from mobsim.results.stats import finite_order_statistic
from mobsim.scenario.params import Definition

TASK_SHARES = {"verification": "share_households_reached_at_target",
               "publicity": "share_informed_at_target", "supply": "share_supplied_at_target",
               "testing": "share_tested_at_target", "checkpoints": "checkpoints_kept_at_target"}
"""Each wartime task (mobsim.codes.TASKS, the names the report uses) and its replications.parquet
share of work done by the target: households verified, informed, supplied, tested;
checkpoints kept."""

ABLE = "had every community able to act on every task in time"
"""What a replication within the able-to-act target did, in plain words."""


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
              f"(district time, {district}: {verdict.district.verdict})"]
    return "\n".join(lines)
