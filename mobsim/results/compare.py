"""Comparing runs of scenario variants: differences from a reference run with confidence intervals.

Two measures of each replication are compared, variant minus reference:

* the share of micro-grids activated by the target time (a number in every replication):
  the mean difference, with a t-interval on paired differences when the runs share their
  seeds, a Welch interval otherwise;
* the district time (minutes until the district counts as mobilized under the run's own
  definition, `target.definition` and `target.share`; by default until the last micro-grid is
  on post, t_full), which is "never" in replications where it never was: a mean is
  undefined, so the median of the differences is reported with a distribution-free
  order-statistic interval — the sign-test interval on paired differences, the Hodges–Lehmann
  shift with its Mann–Whitney interval on unpaired runs. Never counts as later than any time
  (+inf): never minus a time is +inf, a time minus never is -inf, never minus never is no
  difference (0).

Medians are order statistics (the ceil(n/2)-th smallest), as everywhere in mobsim.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from mobsim.errors import InputError
from mobsim.results.definitions import definition_minutes
from mobsim.results.run import Run, is_sweep, load_run, read_variants, variant_dirs
from mobsim.results.stats import never_last, order_statistic

EXACT_RANK_SUM_PAIRS = 10_000
"""Largest m·n for which the Mann–Whitney interval uses the exact null distribution of U."""

DIFFERENCE_COLUMNS: tuple[str, ...] = (
    "share_diff", "share_diff_low", "share_diff_high",
    "t_full_diff_min", "t_full_diff_low_min", "t_full_diff_high_min")
"""Columns of a comparison holding a difference from the reference: estimate, low, high."""


@dataclass(frozen=True)
class Measures:
    """The two replication measures a comparison differences: a time that may be never, and a
    share every replication has; and the columns the differences go to."""

    time: str
    share: str
    difference_columns: tuple[str, ...]


MOBILIZED = "mobilized_min"
"""A run's district time under its own definition (`target.definition`, `target.share`; every
post: `t_full_min`), a column the comparison adds to each wartime run's replications."""

WARTIME = Measures(MOBILIZED, "share_activated_at_target", DIFFERENCE_COLUMNS)
SCAN = Measures("days_to_full", "share_verified_at_horizon",
                ("share_diff", "share_diff_low", "share_diff_high",
                 "days_to_full_diff", "days_to_full_diff_low", "days_to_full_diff_high"))
"""The building-scan campaign: days until it is over, households verified by the horizon."""

_ROUNDING = 1e-9  # binomial tail sums that equal alpha/2 exactly must count as within it


@dataclass(frozen=True)
class Difference:
    """An estimated difference (variant minus reference) and its two-sided confidence interval."""

    estimate: float
    low: float
    high: float


def never_difference(variant_min: np.ndarray, reference_min: np.ndarray) -> np.ndarray:
    """variant − reference for times with NaN = never (+inf); never − never is 0 (a tie)."""
    variant, reference = never_last(variant_min), never_last(reference_min)
    both_never = np.isinf(variant) & np.isinf(reference)
    with np.errstate(invalid="ignore"):
        return np.where(both_never, 0.0, variant - reference)


def paired_mean_difference(variant: np.ndarray, reference: np.ndarray,
                           confidence: float) -> Difference:
    """Mean of paired differences with a t-interval (scipy's ttest_rel)."""
    a, b = np.asarray(variant, float), np.asarray(reference, float)
    estimate = float((a - b).mean())
    if len(a) < 2:
        return Difference(estimate, math.nan, math.nan)
    if np.ptp(a - b) == 0:  # no spread: the interval is the point (scipy warns on it)
        return Difference(estimate, estimate, estimate)
    return _with_interval(estimate, stats.ttest_rel(a, b), confidence)


def welch_mean_difference(variant: np.ndarray, reference: np.ndarray,
                          confidence: float) -> Difference:
    """Difference of means of independent samples with a Welch (unequal-variance) t-interval
    (scipy's ttest_ind)."""
    a, b = np.asarray(variant, float), np.asarray(reference, float)
    estimate = float(a.mean() - b.mean())
    if len(a) < 2 or len(b) < 2:
        return Difference(estimate, math.nan, math.nan)
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return Difference(estimate, estimate, estimate)
    return _with_interval(estimate, stats.ttest_ind(a, b, equal_var=False), confidence)


def _with_interval(estimate: float, test, confidence: float) -> Difference:
    interval = test.confidence_interval(confidence_level=confidence)
    return Difference(estimate, float(interval.low), float(interval.high))


def _rank_within(cdf: np.ndarray, confidence: float) -> int:
    """Largest k with cdf[k-1] <= (1 - C)/2 (0 when even cdf[0] exceeds it)."""
    return int(np.sum(cdf <= (1 - confidence) / 2 * (1 + _ROUNDING)))


def sign_test_rank(n: int, confidence: float) -> int:
    """k of the sign-test interval [d(k), d(n+1-k)] for the median of n paired differences."""
    return _rank_within(stats.binom.cdf(np.arange(n), n, 0.5), confidence)


def rank_sum_counts(m: int, n: int) -> np.ndarray:
    """Exact counts of the Mann–Whitney U = 0..m·n over all C(m+n, m) orderings (Python ints)."""
    m, n = min(m, n), max(m, n)
    # Coefficients of the Gaussian binomial [m+n choose m]_q, built one factor at a time as
    # f_i = f_(i-1) · (1 - q^(n+i)) / (1 - q^i), in exact integers.
    counts = np.zeros(m * n + 1, dtype=object)
    counts[0] = 1
    for i in range(1, m + 1):
        counts[n + i:] = counts[n + i:] - counts[:len(counts) - n - i]
        for residue in range(i):
            counts[residue::i] = np.cumsum(counts[residue::i])
    return counts


def mann_whitney_rank(m: int, n: int, confidence: float) -> int:
    """k of the interval [D(k), D(mn+1-k)] of the m·n pairwise differences for a shift."""
    if m * n <= EXACT_RANK_SUM_PAIRS:
        counts = rank_sum_counts(m, n)
        cdf = np.array(np.cumsum(counts)[:-1] / math.comb(m + n, m), dtype=float)
        return _rank_within(cdf, confidence)
    # normal approximation of U with continuity correction, accurate at these sizes
    z = stats.norm.ppf((1 - confidence) / 2)
    return max(int(math.floor(m * n / 2 + 0.5 + z * math.sqrt(m * n * (m + n + 1) / 12))), 0)


def _order_interval(ordered: np.ndarray, k: int) -> tuple[float, float]:
    """[x(k), x(N+1-k)] of sorted values (k 1-based), unbounded when k is 0."""
    if k == 0:
        return -math.inf, math.inf
    return float(ordered[k - 1]), float(ordered[len(ordered) - k])


def paired_median_difference(variant_min: np.ndarray, reference_min: np.ndarray,
                             confidence: float) -> Difference:
    """Median of paired time differences (never = +inf) with the sign-test interval."""
    diffs = np.sort(never_difference(variant_min, reference_min))
    k = sign_test_rank(len(diffs), confidence)
    return Difference(order_statistic(diffs, 0.5), *_order_interval(diffs, k))


def shift_difference(variant_min: np.ndarray, reference_min: np.ndarray,
                     confidence: float) -> Difference:
    """Hodges–Lehmann shift of independent times (never = +inf), Mann–Whitney interval."""
    variant, reference = np.asarray(variant_min, float), np.asarray(reference_min, float)
    diffs = np.sort(never_difference(variant[:, None], reference[None, :]).ravel())
    k = mann_whitney_rank(len(variant), len(reference), confidence)
    return Difference(order_statistic(diffs, 0.5), *_order_interval(diffs, k))


def measures_of(reps: pd.DataFrame) -> Measures:
    """The measures of a run's replications table: the scan campaign's, or wartime's."""
    return SCAN if SCAN.time in reps.columns else WARTIME


def _open(source: Run | str | Path) -> tuple[Run, pd.DataFrame]:
    """A run (or run folder) and its replications table, checked for the columns it needs."""
    run = source if isinstance(source, Run) else load_run(source)
    path = run.path
    if "replications" not in run.table_names:
        raise InputError(f"{path}: the run has no replications table")
    reps = run.table("replications")
    measures = measures_of(reps)
    time = "t_full_min" if measures == WARTIME else measures.time
    missing = [c for c in ("replication", time, measures.share) if c not in reps.columns]
    if missing:
        raise InputError(f"{run.table_path('replications')}: no column {missing[0]!r}")
    if reps.empty:
        raise InputError(f"{run.table_path('replications')}: the table has no rows")
    if measures == WARTIME:
        definition = run.target.definition
        reps = reps.assign(**{MOBILIZED: definition_minutes(reps, definition, own=definition)})
    return run, reps.sort_values("replication")


def _figures(run: Run, reps: pd.DataFrame) -> dict:
    """A run's own figures: district-time quantiles, share activated, the bound verdict."""
    target = run.target
    check = run.check(target).district
    t_mobilized = never_last(reps[MOBILIZED])
    return {
        "replications": len(reps), "seed": run.manifest.get("seed"),
        "definition": target.definition.label,
        "median_min": order_statistic(t_mobilized, 0.5),
        "quantile": target.quantile,
        "quantile_min": order_statistic(t_mobilized, target.quantile),
        "max_min": float(t_mobilized.max()), "never": int(np.isinf(t_mobilized).sum()),
        "target_min": target.minutes,
        "share_at_target": float(reps["share_activated_at_target"].mean()),
        "verdict": check.verdict,
    }


def _differences(reps: pd.DataFrame, reference: pd.DataFrame, paired: bool,
                 confidence: float, measures: Measures = WARTIME) -> dict:
    if paired:
        both = reference.merge(reps, on="replication", suffixes=("_ref", ""))
        share = paired_mean_difference(both[measures.share], both[f"{measures.share}_ref"],
                                       confidence)
        time = paired_median_difference(both[measures.time], both[f"{measures.time}_ref"],
                                        confidence)
    else:
        share = welch_mean_difference(reps[measures.share], reference[measures.share], confidence)
        time = shift_difference(reps[measures.time], reference[measures.time], confidence)
    return dict(zip(measures.difference_columns, (share.estimate, share.low, share.high,
                                                  time.estimate, time.low, time.high)))


def _scan_figures(run: Run, reps: pd.DataFrame) -> dict:
    """A scan run's own figures: days to verify 95% and to finish, share verified."""
    quantile = run.target.quantile
    days = never_last(reps[SCAN.time])
    return {
        "mode": "scan", "replications": len(reps), "seed": run.manifest.get("seed"),
        "days_to_95pct_median": order_statistic(reps["days_to_95pct"], 0.5),
        "quantile": quantile, "days_to_full_median": order_statistic(days, 0.5),
        "days_to_full_quantile": order_statistic(days, quantile),
        "days_to_full_max": float(days.max()), "never": int(np.isinf(days).sum()),
        "share_verified": float(reps[SCAN.share].mean()),
    }


def _pairing(run: Run, reps: pd.DataFrame, reference: Run,
             reference_reps: pd.DataFrame) -> tuple[str, bool]:
    """How a run is compared with the reference: by matching seed and replication, or not."""
    seed, reference_seed = run.manifest.get("seed"), reference.manifest.get("seed")
    if seed is None or seed != reference_seed:
        return f"unpaired: seeds differ ({reference_seed} vs {seed})", False
    common = np.intersect1d(reps["replication"], reference_reps["replication"])
    if len(common) == 0:
        return f"unpaired: same seed {seed} but no replication number in common", False
    if len(common) < max(len(reps), len(reference_reps)):
        return f"paired by seed {seed} on {len(common)} common replications", True
    return f"paired by seed {seed}", True


def compare(runs: Sequence[Run | str | Path]) -> pd.DataFrame:
    """One row per run: its figures and its difference from the first (the reference).

    A run is a `Run` or a run folder; a sweep folder stands for its variants' runs, each row
    with the variant's number and the values of the varied keys (after `run`). The label
    columns are listed in `table.attrs["labels"]`.
    """
    if not runs:
        raise InputError("compare: no run folders given")
    expanded = [entry for source in runs for entry in _expand(source)]
    opened = [_open(path) for path, _ in expanded]
    reference, reference_reps = opened[0]
    measures = measures_of(reference_reps)
    for run, reps in opened[1:]:
        if measures_of(reps) != measures:
            raise InputError(f"{run.path}: a {'scan' if measures_of(reps) == SCAN else 'wartime'} "
                             f"run cannot be compared with {reference.path}, a "
                             f"{'scan' if measures == SCAN else 'wartime'} run")
    figures = _scan_figures if measures == SCAN else _figures
    confidence = reference.target.confidence
    rows = []
    for index, ((run, reps), (_, labels)) in enumerate(zip(opened, expanded)):
        row = {"run": str(run.path), **labels, **figures(run, reps), "confidence": confidence}
        if index == 0:
            row["pairing"] = "reference"
            row.update(dict.fromkeys(measures.difference_columns, math.nan))
        else:
            row["pairing"], paired = _pairing(run, reps, reference, reference_reps)
            row.update(_differences(reps, reference_reps, paired, confidence, measures))
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["labels"] = ["run", *dict.fromkeys(k for _, labels in expanded for k in labels)]
    return table


def _expand(source: Run | str | Path) -> list[tuple[Run | Path, dict]]:
    """A run, or each variant of a sweep folder with its number and varied keys' values."""
    if isinstance(source, Run) or not is_sweep(Path(source)):
        return [(source, {})]
    variants = read_variants(Path(source)).to_dict("records")
    return list(zip(variant_dirs(Path(source)), variants))
