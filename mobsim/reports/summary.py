"""The summary `mobsim run` prints: wartime district time, gaps and verdict, or a scan's weeks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mobsim.results.bound import BoundCheck
from mobsim.results.check import Verdict
from mobsim.results.stats import finite_order_statistic
from mobsim.scenario.params import Target


def _minutes(value: float) -> str:
    return f"{value:.1f}" if np.isfinite(value) else "never"


def format_summary(name: str, reps: pd.DataFrame, target: Target) -> str:
    """Render the run summary for the terminal from replications.parquet rows of either mode."""
    if "days_to_full" in reps.columns:
        return format_scan_summary(name, reps, target.quantile)
    return format_wartime_summary(name, reps, target.minutes, target.quantile,
                                  target.households_share)


def format_wartime_summary(name: str, reps: pd.DataFrame, target_min: float, quantile: float,
                           households_share: float = 0.0) -> str:
    """The wartime summary: district time, activation and households reached by the target.

    A positive `households_share` (target.households_share) adds how many replications
    reached at least that share of the households by the target.
    """
    t_full = reps["t_full_min"].to_numpy(dtype=float)
    n = len(reps)
    never = int((~np.isfinite(t_full)).sum())
    q_label = f"{quantile * 100:g}th pct"
    lines = [
        f"{name}: {n} replication{'s' if n != 1 else ''}",
        "district mobilization time (last micro-grid on post), minutes:",
        f"  median {_minutes(finite_order_statistic(t_full, 0.5))}   "
        f"{q_label} {_minutes(finite_order_statistic(t_full, quantile))}   "
        f"max {_minutes(finite_order_statistic(t_full, 1.0))}   never finished: {never} of {n}",
        f"micro-grids activated by {target_min:g} min: "
        f"{reps['share_activated_at_target'].mean() * 100:.2f}% (mean over replications)",
        _households_line(reps["share_households_reached_at_target"].to_numpy(dtype=float),
                         target_min, households_share),
        "gaps filled per replication (mean): "
        f"grid workers {reps['gaps_by_grid_worker'].mean():.1f}, "
        f"cadres {reps['gaps_by_cadre'].mean():.1f}, "
        f"never filled {reps['never_activated'].mean():.1f}",
    ]
    met = int(reps["met_target"].sum())
    t_q = finite_order_statistic(t_full, quantile)
    verdict = "MET" if np.isfinite(t_q) and t_q <= target_min else "NOT MET"
    lines.append(f"target {target_min:g} min: {verdict} — {met} of {n} replications had every "
                 f"micro-grid on post in time; empirical {q_label} {_minutes(t_q)} min "
                 "(`mobsim check` states the confidence)")
    return "\n".join(lines)


def _households_line(reached: np.ndarray, target_min: float, households_share: float) -> str:
    line = (f"households reached door to door by {target_min:g} min: "
            f"{reached.mean() * 100:.2f}% (mean over replications)")
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
    lines.append(f"households verified within the horizon: "
                 f"{reps['share_verified_at_horizon'].mean() * 100:.2f}% (mean over replications)")
    return "\n".join(lines)


def format_check(name: str, check: BoundCheck) -> str:
    """Render the district-time bound check's verdict with the figures behind it."""
    q_pct, c_pct = f"{check.quantile * 100:g}th", f"{check.confidence * 100:g}%"
    k = "—" if check.order_index is None else f"{check.order_index} of {check.replications}"
    return "\n".join([
        f"{name}: {check.replications} replications; is the {q_pct} percentile of the district "
        f"time ≤ {check.target_min:g} min at {c_pct} confidence?",
        f"within target: {check.within_target} of {check.replications} "
        f"({check.share_within_target * 100:.1f}%)",
        f"empirical {q_pct} percentile: {_minutes(check.empirical_quantile_min)} min; "
        f"one-sided upper bound (order statistic {k}): {_minutes(check.upper_bound_min)} min",
        f"Clopper–Pearson {c_pct} lower bound on P(T ≤ {check.target_min:g} min): "
        f"{check.lower_bound_share:.4f}",
        _verdict_line(check, f"the {q_pct} percentile is ≤ {check.target_min:g} min"),
    ])


def _verdict_line(check: BoundCheck, claim: str) -> str:
    if check.passed:
        return f"verdict: PASS — {claim} with {check.confidence * 100:g}% confidence"
    if check.replications_needed is not None:
        return (f"verdict: FAIL — not shown with {check.replications} replications; about "
                f"{check.replications_needed} would be needed if the share within target held")
    return (f"verdict: FAIL — the share within target is at or below {check.quantile:g}: "
            "more replications would not show it")


def format_verdict(name: str, verdict: Verdict) -> str:
    """Render `mobsim check`'s answer: the district time and, when asked, households reached."""
    text = format_check(name, verdict.district)
    h = verdict.households
    if h is None:
        return text
    share = f"{verdict.households_share * 100:g}%"
    return "\n".join([
        text,
        f"households: does a replication reach {share} of households by {h.target_min:g} min "
        f"with probability ≥ {h.quantile:g}, at {h.confidence * 100:g}% confidence?",
        f"replications reaching it: {h.within_target} of {h.replications} "
        f"({h.share_within_target * 100:.1f}%); Clopper–Pearson lower bound {h.lower_bound_share:.4f}",
        _verdict_line(h, f"{share} of households are reached by {h.target_min:g} min "
                         f"in at least {h.quantile * 100:g}% of replications"),
        f"overall: {'PASS' if verdict.passed else 'FAIL'}",
    ])
