"""The short table `mobsim run` prints: district time, share activated, gap filling, verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd


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
