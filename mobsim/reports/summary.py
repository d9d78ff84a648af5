"""The summary `mobsim run` prints: wartime district time, gaps and verdict, or a scan's weeks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mobsim.reports.act import act_lines, format_act_verdict
from mobsim.reports.definitions import definitions_lines, mobilized_phrase
from mobsim.reports.verdict import plain_verdict, statistics_lines
from mobsim.results.bound import BoundCheck, check_bound
from mobsim.results.check import Verdict
from mobsim.results.definitions import definition_minutes
from mobsim.results.schemas import GAP_COLUMNS
from mobsim.results.shares import percent_text
from mobsim.results.stats import finite_order_statistic
from mobsim.scenario.params import Definition, Target


def _minutes(value: float) -> str:
    return f"{value:.1f}" if np.isfinite(value) else "never"


def format_summary(name: str, reps: pd.DataFrame, target: Target, verbose: bool = False) -> str:
    """Render the run summary for the terminal from replications.parquet rows of either mode."""
    if "days_to_full" in reps.columns:
        return format_scan_summary(name, reps, target.quantile)
    return format_wartime_summary(name, reps, target.minutes, target.quantile,
                                  target.households_share, target.confidence, verbose,
                                  target.definition)


def format_wartime_summary(name: str, reps: pd.DataFrame, target_min: float, quantile: float,
                           households_share: float = 0.0, confidence: float = 0.95,
                           verbose: bool = False, definition: Definition = Definition()) -> str:
    """The wartime summary: district time, activation and households reached by the target.

    A positive `households_share` (target.households_share) adds how many replications
    reached at least that share of the households by the target. The verdict of the bound
    check (as `mobsim check` gives it) is about the district mobilized as `definition` says,
    after the verdict under each standard definition; `verbose` adds its statistics.
    """
    target = Target(target_min, quantile, confidence, households_share, definition)
    t_mobilized = definition_minutes(reps, definition)
    n = len(reps)
    never = int((~np.isfinite(t_mobilized)).sum())
    q_label = f"{quantile * 100:g}th pct"
    lines = [
        f"{name}: {n} replication{'s' if n != 1 else ''}",
        f"district mobilization time ({mobilized_phrase(definition)}), minutes:",
        f"  median {_minutes(finite_order_statistic(t_mobilized, 0.5))}   "
        f"{q_label} {_minutes(finite_order_statistic(t_mobilized, quantile))}   "
        f"max {_minutes(finite_order_statistic(t_mobilized, 1.0))}   "
        f"never finished: {never} of {n}",
        f"micro-grids activated by {target_min:g} min: "
        f"{percent_text(reps['share_activated_at_target'].mean(), 2)} (mean over replications)",
        _households_line(reps["share_households_reached_at_target"].to_numpy(dtype=float),
                         target_min, households_share),
        _gaps_line(reps),
    ]
    lines += definitions_lines(reps, target)
    check = check_bound(t_mobilized, target_min, quantile, confidence)
    if verbose:
        lines += statistics_lines(check)
    named = "" if definition.every_post else f" ({definition.label})"
    lines.append(f"target {target_min:g} min{named}: {check.verdict} — {plain_verdict(check)}")
    lines += act_lines(reps, target_min, quantile, confidence, verbose, definition)
    return "\n".join(lines)


GAP_FILLERS = {"grid_worker": "grid workers", "cadre": "cadres",
               "community_staff": "community staff", "emergency_team": "emergency team",
               "commando_team": "commando teams", "volunteer_team": "volunteer teams"}
"""Every kind of reserve that fills a post, as the summary names it (GAP_COLUMNS order)."""


def _gaps_line(reps: pd.DataFrame) -> str:
    """Posts each kind of reserve filled, most first; a run made before the pools' columns
    shows the kinds it has."""
    means = {name: reps[GAP_COLUMNS[who]].mean() for who, name in GAP_FILLERS.items()
             if GAP_COLUMNS[who] in reps.columns}
    filled = ", ".join(f"{name} {mean:.1f}" for name, mean
                       in sorted(means.items(), key=lambda item: -item[1]))
    return (f"gaps filled per replication (mean): {filled}; "
            f"never filled {reps['never_activated'].mean():.1f}")


def _households_line(reached: np.ndarray, target_min: float, households_share: float) -> str:
    line = (f"households reached door to door by {target_min:g} min: "
            f"{percent_text(reached.mean(), 2)} (mean over replications)")
    if households_share > 0:
        line += (f"; {int((reached >= households_share).sum())} of {len(reached)} replications "
                 f"reached at least {households_share * 100:g}%")
    return line


def _weeks(days: float) -> str:
    return f"{days / 7:.1f} weeks" if np.isfinite(days) else "never"


def format_scan_summary(name: str, reps: pd.DataFrame, quantile: float) -> str:
    """The scan-campaign summary: weeks to verify 95% and to finish, median and `quantile`."""
    n = len(reps)
    q_label = f"{quantile * 100:g}th pct"
    lines = [f"{name}: {n} replication{'s' if n != 1 else ''} of the building-scan campaign",
             "time from the campaign start:"]
    for column, what in (("days_to_95pct", "95% of households verified"),
                         ("days_to_full", "campaign over (every household verified or given up)")):
        days = reps[column].to_numpy(dtype=float)
        lines.append(f"  {what}: median {_weeks(finite_order_statistic(days, 0.5))}   "
                     f"{q_label} {_weeks(finite_order_statistic(days, quantile))}   "
                     f"not within the horizon: {int((~np.isfinite(days)).sum())} of {n}")
    verified = percent_text(reps["share_verified_at_horizon"].mean(), 2)
    lines.append(f"households verified within the horizon: {verified} (mean over replications)")
    return "\n".join(lines)


def format_check(name: str, check: BoundCheck, verbose: bool = False,
                 definition: Definition = Definition()) -> str:
    """Render the district-time bound check's verdict in plain words (`verbose`: statistics),
    the district mobilized as `definition` says."""
    asked = ("every micro-grid on post" if definition.every_post
             else f"the district mobilized ({mobilized_phrase(definition)})")
    lines = [f"{name}: {check.replications} replications; do at least "
             f"{check.quantile * 100:g}% of orders have {asked} within "
             f"{check.target_min:g} min, at {check.confidence * 100:g}% confidence?"]
    if verbose:
        lines += statistics_lines(check)
    lines.append(f"verdict: {check.verdict} — {plain_verdict(check)}")
    return "\n".join(lines)


def format_verdict(name: str, verdict: Verdict, verbose: bool = False) -> str:
    """Render `mobsim check`'s answer: the district time and, when asked, households reached;
    or the able-to-act measure (`--measure act`)."""
    if verdict.measure == "act":
        return format_act_verdict(name, verdict, verbose)
    text = format_check(name, verdict.district, verbose, verdict.definition)
    h = verdict.households
    if h is None:
        return text
    share = f"{verdict.households_share * 100:g}%"
    lines = [text, f"households: do at least {h.quantile * 100:g}% of orders reach {share} of "
                   f"households door to door by {h.target_min:g} min, at "
                   f"{h.confidence * 100:g}% confidence?"]
    if verbose:
        lines += statistics_lines(h)
    lines += [f"verdict: {h.verdict} — " + plain_verdict(
                  h, in_time=f"reached {share} of households in time",
                  finish=f"reach {share} of households in time"),
              f"overall: {verdict.verdict}"]
    return "\n".join(lines)
