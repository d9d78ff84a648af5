"""Tests of run comparison: every difference and interval recomputed here from its definition."""

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from mobsim.cli import main
from mobsim.errors import InputError
from mobsim.results.bound import check_bound
from mobsim.results.compare import (
    EXACT_RANK_SUM_PAIRS,
    compare,
    mann_whitney_rank,
    never_difference,
    paired_mean_difference,
    paired_median_difference,
    rank_sum_counts,
    shift_difference,
    sign_test_rank,
    welch_mean_difference,
)

CONFIDENCE = 0.9
TARGET = {"minutes": 180.0, "quantile": 0.95, "confidence": CONFIDENCE}


def _difference(a: float, b: float) -> float:
    """a − b, NaN = never: never − never is 0, never − t is +inf, t − never is −inf."""
    if math.isnan(a) and math.isnan(b):
        return 0.0
    return math.inf if math.isnan(a) else -math.inf if math.isnan(b) else a - b


def _order_statistic(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered) - 1e-9), 1) - 1]


def _sign_rank_by_definition(n: int, confidence: float) -> int:
    """Largest k with sum_{j<k} C(n, j) / 2^n <= (1 - C)/2."""
    k = 0
    while k < n and sum(math.comb(n, j) for j in range(k + 1)) / 2 ** n <= (1 - confidence) / 2:
        k += 1
    return k


def _u_counts_by_enumeration(m: int, n: int) -> list[int]:
    """Counts of U (pairs with the m-sample element above the n-sample one) over all orderings."""
    counts = [0] * (m * n + 1)
    for positions in itertools.combinations(range(m + n), m):
        counts[sum(p - i for i, p in enumerate(positions))] += 1
    return counts


def _mw_rank_by_enumeration(m: int, n: int, confidence: float) -> int:
    counts = _u_counts_by_enumeration(m, n)
    cdf = np.cumsum(counts) / math.comb(m + n, m)
    return int(np.sum(cdf[:-1] <= (1 - confidence) / 2 + 1e-12))


def _interval(values: list[float], k: int) -> tuple[float, float]:
    ordered = sorted(values)
    return (-math.inf, math.inf) if k == 0 else (ordered[k - 1], ordered[len(ordered) - k])


def test_never_difference_rules() -> None:
    variant = np.array([10.0, np.nan, 5.0, np.nan])
    reference = np.array([4.0, 3.0, np.nan, np.nan])
    assert never_difference(variant, reference).tolist() == [6.0, math.inf, -math.inf, 0.0]


def test_paired_mean_difference_is_the_paired_t_interval() -> None:
    rng = np.random.default_rng(1)
    reference = rng.uniform(0.3, 0.9, 12)
    variant = reference + rng.normal(0.05, 0.02, 12)
    found = paired_mean_difference(variant, reference, 0.95)
    expected = stats.ttest_rel(variant, reference).confidence_interval(0.95)
    assert found.estimate == pytest.approx(np.mean(variant - reference), rel=1e-12)
    assert (found.low, found.high) == pytest.approx((expected.low, expected.high), rel=1e-12)


def test_paired_mean_difference_degenerate_cases() -> None:
    same = paired_mean_difference(np.array([0.5, 0.7]), np.array([0.4, 0.6]), 0.95)
    assert (same.low, same.high) == pytest.approx((0.1, 0.1))
    single = paired_mean_difference(np.array([0.5]), np.array([0.4]), 0.95)
    assert single.estimate == pytest.approx(0.1) and math.isnan(single.low)


def test_welch_mean_difference_is_scipys_welch_interval() -> None:
    rng = np.random.default_rng(2)
    variant, reference = rng.normal(0.6, 0.05, 9), rng.normal(0.5, 0.1, 14)
    found = welch_mean_difference(variant, reference, 0.9)
    expected = stats.ttest_ind(variant, reference, equal_var=False).confidence_interval(0.9)
    assert found.estimate == pytest.approx(variant.mean() - reference.mean(), rel=1e-12)
    assert (found.low, found.high) == pytest.approx((expected.low, expected.high), rel=1e-10)


@pytest.mark.parametrize("m, n", [(1, 1), (1, 5), (2, 3), (3, 2), (4, 4), (5, 6)])
def test_rank_sum_counts_match_enumeration(m: int, n: int) -> None:
    assert list(rank_sum_counts(m, n)) == _u_counts_by_enumeration(m, n)


@pytest.mark.parametrize("n", range(1, 30))
@pytest.mark.parametrize("confidence", [0.5, 0.9, 0.95])
def test_sign_test_rank_matches_its_definition(n: int, confidence: float) -> None:
    assert sign_test_rank(n, confidence) == _sign_rank_by_definition(n, confidence)


def test_sign_test_needs_six_pairs_for_95_percent() -> None:
    assert sign_test_rank(5, 0.95) == 0 and sign_test_rank(6, 0.95) == 1


@pytest.mark.parametrize("m, n", [(2, 2), (3, 5), (4, 4), (5, 5), (6, 4)])
@pytest.mark.parametrize("confidence", [0.5, 0.9, 0.95])
def test_mann_whitney_rank_matches_enumeration(m: int, n: int, confidence: float) -> None:
    assert mann_whitney_rank(m, n, confidence) == _mw_rank_by_enumeration(m, n, confidence)


def test_mann_whitney_normal_approximation_within_one_rank_of_exact() -> None:
    m = n = 101  # just past the exact limit
    assert m * n > EXACT_RANK_SUM_PAIRS
    counts = rank_sum_counts(m, n)
    cdf = np.array(np.cumsum(counts)[:-1] / math.comb(m + n, m), dtype=float)
    exact = int(np.sum(cdf <= 0.025))
    assert abs(mann_whitney_rank(m, n, 0.95) - exact) <= 1


def test_paired_median_difference_with_never() -> None:
    variant = np.array([np.nan, np.nan, 5.0, 7.0, 1.0])
    reference = np.array([np.nan, 3.0, 1.0, 2.0, np.nan])
    diffs = [0.0, math.inf, 4.0, 5.0, -math.inf]
    found = paired_median_difference(variant, reference, 0.5)
    assert found.estimate == _order_statistic(diffs, 0.5) == 4.0
    assert (found.low, found.high) == _interval(diffs, _sign_rank_by_definition(5, 0.5))


def test_shift_difference_is_hodges_lehmann_with_mann_whitney_interval() -> None:
    variant = np.array([12.0, np.nan, 15.0, 9.0])
    reference = np.array([10.0, 11.0, np.nan, 8.0, 7.0])
    diffs = [_difference(a, b) for a in variant for b in reference]
    found = shift_difference(variant, reference, 0.9)
    assert found.estimate == _order_statistic(diffs, 0.5)
    assert (found.low, found.high) == _interval(diffs, _mw_rank_by_enumeration(4, 5, 0.9))


def test_sign_interval_coverage_at_fixed_seed() -> None:
    # Continuous paired differences: coverage is exactly 1 - 2 P(Bin(n, 1/2) <= k-1).
    rng = np.random.default_rng(11)
    n, trials, shift = 15, 4000, 7.0
    k = sign_test_rank(n, 0.9)
    exact = 1 - 2 * stats.binom.cdf(k - 1, n, 0.5)
    covered = 0
    for _ in range(trials):
        reference = rng.exponential(30.0, n)
        variant = rng.exponential(30.0, n) + shift  # difference symmetric about the shift
        found = paired_median_difference(variant, reference, 0.9)
        covered += found.low <= shift <= found.high
    se = math.sqrt(exact * (1 - exact) / trials)
    assert abs(covered / trials - exact) <= 4 * se


def test_mann_whitney_interval_coverage_at_fixed_seed() -> None:
    # Under a pure shift of a continuous law, coverage is exactly 1 - 2 P(U <= k-1).
    rng = np.random.default_rng(12)
    m, n, trials, shift = 8, 10, 3000, -5.0
    k = mann_whitney_rank(m, n, 0.9)
    exact = 1 - 2 * float(np.sum(rank_sum_counts(m, n)[:k])) / math.comb(m + n, m)
    covered = 0
    for _ in range(trials):
        found = shift_difference(rng.gamma(3.0, 10.0, m) + shift, rng.gamma(3.0, 10.0, n), 0.9)
        covered += found.low <= shift <= found.high
    se = math.sqrt(exact * (1 - exact) / trials)
    assert abs(covered / trials - exact) <= 4 * se


def write_run(path: Path, replications: int, seed: int, data_seed: int,
              delay_min: float = 0.0) -> Path:
    """A run folder holding what a comparison reads: manifest and replications.parquet."""
    rng = np.random.default_rng(data_seed)
    t_full = rng.gamma(9.0, 16.0, replications) + delay_min
    t_full[rng.random(replications) < 0.3] = np.nan  # some replications never finish
    path.mkdir(parents=True)
    pd.DataFrame({"replication": np.arange(replications, dtype=np.int32),
                  "seed": np.full(replications, seed), "t_full_min": t_full,
                  "share_activated_at_target": rng.uniform(0.85, 1.0, replications)}
                 ).to_parquet(path / "replications.parquet")
    (path / "manifest.json").write_text(json.dumps({
        "scenario": "fake", "seed": seed, "replications": replications,
        "scenario_data": {"target": TARGET}, "tables": ["replications.parquet"]}))
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    return {"reference": write_run(root / "reference", 8, 7, data_seed=1),
            "faster": write_run(root / "faster", 8, 7, data_seed=2, delay_min=-20.0),
            "other_seed": write_run(root / "other_seed", 6, 8, data_seed=3, delay_min=20.0),
            "shorter": write_run(root / "shorter", 5, 7, data_seed=4)}


def _replications(run: Path) -> pd.DataFrame:
    return pd.read_parquet(run / "replications.parquet").sort_values("replication")


def test_each_run_figures_match_its_tables(runs: dict[str, Path]) -> None:
    table = compare([runs["reference"], runs["other_seed"]])
    for row, run in zip(table.itertuples(), (runs["reference"], runs["other_seed"])):
        reps = _replications(run)
        t_full = [math.inf if math.isnan(t) else t for t in reps["t_full_min"]]
        assert row.replications == len(reps)
        assert row.median_min == _order_statistic(t_full, 0.5)
        assert row.quantile_min == _order_statistic(t_full, 0.95)
        assert row.max_min == max(t_full)
        assert row.never == reps["t_full_min"].isna().sum()
        assert row.share_at_target == pytest.approx(reps["share_activated_at_target"].mean())
        check = check_bound(reps["t_full_min"].to_numpy(), 180.0, 0.95, CONFIDENCE)
        assert row.verdict == check.verdict


def test_same_seed_is_paired_by_replication(runs: dict[str, Path]) -> None:
    table = compare([runs["reference"], runs["faster"]])
    reference, faster = table.iloc[0], table.iloc[1]
    assert reference["pairing"] == "reference" and math.isnan(reference["share_diff"])
    assert faster["pairing"] == "paired by seed 7"
    a, b = _replications(runs["faster"]), _replications(runs["reference"])
    shares = stats.ttest_rel(a["share_activated_at_target"], b["share_activated_at_target"])
    ci = shares.confidence_interval(CONFIDENCE)
    share_diffs = (a["share_activated_at_target"].to_numpy()
                   - b["share_activated_at_target"].to_numpy())
    assert faster["share_diff"] == pytest.approx(share_diffs.mean())
    assert (faster["share_diff_low"], faster["share_diff_high"]) == pytest.approx((ci.low, ci.high))
    diffs = [_difference(x, y) for x, y in zip(a["t_full_min"], b["t_full_min"])]
    assert faster["t_full_diff_min"] == _order_statistic(diffs, 0.5)
    assert (faster["t_full_diff_low_min"], faster["t_full_diff_high_min"]) == _interval(
        diffs, _sign_rank_by_definition(8, CONFIDENCE))


def test_different_seeds_are_unpaired(runs: dict[str, Path]) -> None:
    row = compare([runs["reference"], runs["other_seed"]]).iloc[1]
    assert row["pairing"] == "unpaired: seeds differ (7 vs 8)"
    a, b = _replications(runs["other_seed"]), _replications(runs["reference"])
    ci = stats.ttest_ind(a["share_activated_at_target"], b["share_activated_at_target"],
                         equal_var=False).confidence_interval(CONFIDENCE)
    assert (row["share_diff_low"], row["share_diff_high"]) == pytest.approx((ci.low, ci.high))
    diffs = [_difference(x, y) for x in a["t_full_min"] for y in b["t_full_min"]]
    assert row["t_full_diff_min"] == _order_statistic(diffs, 0.5)
    assert (row["t_full_diff_low_min"], row["t_full_diff_high_min"]) == _interval(
        diffs, _mw_rank_by_enumeration(6, 8, CONFIDENCE))


def test_same_seed_fewer_replications_pairs_the_common_ones(runs: dict[str, Path]) -> None:
    row = compare([runs["reference"], runs["shorter"]]).iloc[1]
    assert row["pairing"] == "paired by seed 7 on 5 common replications"
    a, b = _replications(runs["shorter"]), _replications(runs["reference"]).iloc[:5]
    diffs = a["share_activated_at_target"].to_numpy() - b["share_activated_at_target"].to_numpy()
    assert row["share_diff"] == pytest.approx(diffs.mean())


def test_not_a_run_folder_is_an_input_error(tmp_path: Path, runs: dict[str, Path]) -> None:
    with pytest.raises(InputError, match="not a run folder"):
        compare([runs["reference"], tmp_path])
    (tmp_path / "variants.parquet").write_bytes(b"")
    with pytest.raises(InputError, match=r"variants.parquet: not a readable Parquet file"):
        compare([tmp_path])


def test_missing_share_column_is_an_input_error(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", 3, 7, data_seed=5)
    reps = pd.read_parquet(run / "replications.parquet")
    reps.drop(columns=["share_activated_at_target"]).to_parquet(run / "replications.parquet")
    with pytest.raises(InputError, match="no column 'share_activated_at_target'"):
        compare([run])


def test_cli_text_names_the_pairing(runs: dict[str, Path]) -> None:
    result = CliRunner().invoke(main, ["compare", str(runs["reference"]), str(runs["faster"]),
                                       str(runs["other_seed"])])
    assert result.exit_code == 0, result.output
    assert "paired by seed 7" in result.output
    assert "unpaired: seeds differ (7 vs 8)" in result.output
    assert f"difference from the first run ({runs['reference']})" in result.output


def test_cli_json_is_the_api_table(runs: dict[str, Path]) -> None:
    dirs = [runs["reference"], runs["other_seed"]]
    result = CliRunner().invoke(main, ["compare", *map(str, dirs), "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output, parse_constant=lambda c: pytest.fail(f"bare {c} in JSON"))
    table = compare(dirs)
    assert [r["pairing"] for r in records] == list(table["pairing"])
    for column in ("share_diff", "t_full_diff_min", "t_full_diff_low_min", "median_min"):
        got = [math.nan if r[column] is None else float(r[column]) for r in records]
        assert got == pytest.approx(list(table[column]), nan_ok=True)


def test_cli_bad_folder_exits_2_with_one_line(runs: dict[str, Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["compare", str(runs["reference"]), str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "not a run folder" in result.stderr


def test_cli_needs_two_folders(runs: dict[str, Path]) -> None:
    result = CliRunner().invoke(main, ["compare", str(runs["reference"])])
    assert result.exit_code == 2 and "at least two run folders" in result.stderr
