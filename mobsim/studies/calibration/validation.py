"""Validation: simulate the drill with the fitted scenario and compare it with the log.

For each role and step (acknowledged, arrived) of the log: the share of the logged people who
had done it by each minute of the window, in the log and in each simulated replication (the
same people, the same window), and the two-sample Kolmogorov–Smirnov statistic between the
log's times and the simulated ones, a step not done within the window counting as its end.
People of one drill share their senders' delays, so their times are not independent and the
test's p-value would mislead; the statistic is set beside the largest of the model's own
replications, each against the others: a log farther from the model than that is a misfit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from mobsim.district import District
from mobsim.results.shares import percent_text
from mobsim.runner import Executor
from mobsim.runner.local import run_local
from mobsim.runner.pool import district_parts
from mobsim.scenario import Scenario
from mobsim.studies.calibration.drill_log import DrillLog
from mobsim.studies.calibration.synthetic import simulated_drill

COMPARED_STEPS: tuple[str, ...] = ("acknowledged_min", "arrived_min")
"""Steps whose curves are compared."""

BAND: tuple[float, float] = (0.05, 0.95)
"""Quantiles over replications bounding the simulated curves' band."""


@dataclass(frozen=True)
class Validation:
    """Curves (role, step, minute, observed, simulated mean and band) and one summary row per curve."""

    curves: pd.DataFrame
    summary: pd.DataFrame
    replications: int


def _times(rows: pd.DataFrame, step: str, window_min: float) -> np.ndarray:
    return rows[step].fillna(window_min).to_numpy()


def _share_by_minute(times: np.ndarray, minutes: np.ndarray, window_min: float) -> np.ndarray:
    done = np.sort(times[times < window_min])
    return np.searchsorted(done, minutes, side="right") / max(len(times), 1)


def _ks(times: np.ndarray, others: list[np.ndarray]) -> float:
    """Two-sample KS statistic between `times` and the pooled `others`."""
    return float(stats.ks_2samp(times, np.concatenate(others)).statistic) if others else np.nan


@dataclass(frozen=True)
class DrillJob:
    """The drill simulated with a scenario, as an executor runs it: each replication gives the
    rows of a drill log."""

    scenario: Scenario
    district: District
    seed: int
    window_min: float

    def run(self, replication: int) -> pd.DataFrame:
        """The drill log rows of one replication."""
        return simulated_drill(self.district, self.scenario, self.seed, replication,
                               self.window_min).rows

    def shared(self) -> dict[str, object]:
        """The district, sent to a worker once."""
        return district_parts(self.district)

    def load_kernels(self) -> None:
        """Nothing ahead: a worker loads its kernels at its first replication."""


def validate(log: DrillLog, district: District, fitted: Scenario, replications: int,
             seed: int, executor: Executor = run_local, jobs: int = 1) -> Validation:
    """Simulate the drill `replications` times with the fitted scenario (on `executor`) and
    compare with the log."""
    keys = ["role", "person_id"]
    found = dict(executor(DrillJob(fitted, district, seed, log.window_min), range(replications),
                          jobs))
    runs = [found[r].merge(log.rows[keys], on=keys) for r in range(replications)]
    minutes = np.arange(int(np.floor(log.window_min)) + 1, dtype=np.float64)
    curves, summary = [], []
    for role in dict.fromkeys(log.rows["role"]):
        observed_rows = log.role(role)
        for step in COMPARED_STEPS:
            observed = _times(observed_rows, step, log.window_min)
            if not (observed < log.window_min).any():
                continue
            simulated = [_times(run[run["role"] == role], step, log.window_min) for run in runs]
            shares = np.array([_share_by_minute(t, minutes, log.window_min) for t in simulated])
            low, high = np.quantile(shares, BAND, axis=0)
            curves.append(pd.DataFrame({
                "role": role, "step": step, "minute": minutes,
                "observed_share": _share_by_minute(observed, minutes, log.window_min),
                "simulated_share": shares.mean(axis=0), "simulated_low": low,
                "simulated_high": high}))
            summary.append({"role": role, "step": step, "people": len(observed),
                            "observed_share": curves[-1]["observed_share"].iloc[-1],
                            "simulated_share": curves[-1]["simulated_share"].iloc[-1],
                            "simulated_low": low[-1], "simulated_high": high[-1],
                            "ks_statistic": _ks(observed, simulated),
                            "ks_model_max": max(_ks(s, simulated[:r] + simulated[r + 1:])
                                                for r, s in enumerate(simulated))})
    return Validation(pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(),
                      pd.DataFrame(summary), replications)


def format_validation(validation: Validation, window_min: float) -> str:
    """The printed comparison: per role and step, shares by the window's end and the KS statistic."""
    lines = [f"validation: the drill simulated {validation.replications} times with the fitted "
             f"scenario (share done by minute {window_min:g}; band {BAND[0]:.0%}–{BAND[1]:.0%} of "
             "replications; KS statistic D of the times, window's end for not done, and the largest D "
             "of one replication against the others):"]
    for row in validation.summary.itertuples():
        lines.append(f"  {row.role:<12} {row.step.removesuffix('_min'):<13} n = {row.people:>6,}  "
                     f"log {percent_text(row.observed_share, width=6)}  model "
                     f"{percent_text(row.simulated_share, width=6)} "
                     f"[{percent_text(row.simulated_low, width=6)}, "
                     f"{percent_text(row.simulated_high, width=6)}]  "
                     f"KS D = {row.ks_statistic:.3f} (model's own: up to {row.ks_model_max:.3f})")
    return "\n".join(lines)
