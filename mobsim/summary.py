"""The short table `mobsim run` prints: district time, share activated, gap filling, verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mobsim.bound import BoundCheck


def _minutes(value: float) -> str:
    return "never" if np.isnan(value) else f"{value:.1f}"


def empirical_quantile(t_full_min: np.ndarray, q: float) -> float:
    """The order-statistic q-quantile of district times, with never counted as infinitely late."""
    times = np.sort(np.where(np.isnan(t_full_min), np.inf, t_full_min))
    k = max(int(np.ceil(q * len(times) - 1e-9)), 1)
    return float(times[k - 1]) if np.isfinite(times[k - 1]) else float("nan")


def format_summary(name: str, reps: pd.DataFrame, target_min: float, quantile: float) -> str:
    """Render the run summary for the terminal from replications.parquet rows."""
    t_full = reps["t_full_min"].to_numpy(dtype=float)
    n = len(reps)
    never = int(np.isnan(t_full).sum())
    q_label = f"{quantile * 100:g}th pct"
    lines = [
        f"{name}: {n} replication{'s' if n != 1 else ''}",
        "district mobilization time (last micro-grid on post), minutes:",
        f"  median {_minutes(empirical_quantile(t_full, 0.5))}   "
        f"{q_label} {_minutes(empirical_quantile(t_full, quantile))}   "
        f"max {_minutes(empirical_quantile(t_full, 1.0))}   never finished: {never} of {n}",
        f"micro-grids activated by {target_min:g} min: "
        f"{reps['share_activated_at_target'].mean() * 100:.2f}% (mean over replications)",
        "gaps filled per replication (mean): "
        f"grid workers {reps['gaps_by_grid_worker'].mean():.1f}, "
        f"cadres {reps['gaps_by_cadre'].mean():.1f}, "
        f"never filled {reps['never_activated'].mean():.1f}",
    ]
    met = int(reps["met_target"].sum())
    t_q = empirical_quantile(t_full, quantile)
    verdict = "MET" if not np.isnan(t_q) and t_q <= target_min else "NOT MET"
    lines.append(f"target {target_min:g} min: {verdict} — {met} of {n} replications had every "
                 f"micro-grid on post in time; empirical {q_label} {_minutes(t_q)} min "
                 "(`mobsim check` states the confidence)")
    return "\n".join(lines)


def format_check(name: str, check: BoundCheck) -> str:
    """Render a bound check's verdict with the figures behind it."""
    q_pct, c_pct = f"{check.quantile * 100:g}th", f"{check.confidence * 100:g}%"
    k = "—" if check.order_index is None else f"{check.order_index} of {check.replications}"
    lines = [
        f"{name}: {check.replications} replications; is the {q_pct} percentile of the district "
        f"time ≤ {check.target_min:g} min at {c_pct} confidence?",
        f"within target: {check.within_target} of {check.replications} "
        f"({check.share_within_target * 100:.1f}%)",
        f"empirical {q_pct} percentile: {_minutes(check.empirical_quantile_min)} min; "
        f"one-sided upper bound (order statistic {k}): {_minutes(check.upper_bound_min)} min",
        f"Clopper–Pearson {c_pct} lower bound on P(T ≤ {check.target_min:g} min): "
        f"{check.lower_bound_share:.4f}",
    ]
    if check.passed:
        lines.append(f"verdict: PASS — the {q_pct} percentile is ≤ {check.target_min:g} min "
                     f"with {c_pct} confidence")
    elif check.replications_needed is not None:
        lines.append(f"verdict: FAIL — not shown with {check.replications} replications; about "
                     f"{check.replications_needed} would be needed if the share within target held")
    else:
        lines.append(f"verdict: FAIL — the share within target is at or below {check.quantile:g}: "
                     "more replications would not show the bound")
    return "\n".join(lines)
