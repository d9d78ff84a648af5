"""Tests of the report's aggregations against brute-force recomputation from the tables."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_fixtures import MICROGRIDS, write_fake_run

from mobsim.errors import InputError
from mobsim.results import stats


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    path = write_fake_run(tmp_path_factory.mktemp("run"), replications=8, seed=11, never_share=0.05)
    return {name: pd.read_parquet(path / f"{name}.parquet")
            for name in ("microgrids", "curves", "replications", "communities")}


times_with_never = st.lists(st.one_of(st.floats(0, 1e4), st.just(float("nan"))), min_size=1,
                            max_size=40)


@given(times_with_never, st.floats(0.01, 1.0))
@settings(max_examples=200, deadline=None)
def test_order_statistic_is_the_smallest_value_reaching_the_share(times: list[float], q: float) -> None:
    values = [np.inf if np.isnan(t) else t for t in times]
    # By definition: the smallest value v with at least q·n of the values at or below it.
    expected = min(v for v in values if sum(x <= v for x in values) >= q * len(values) - 1e-9)
    assert stats.order_statistic(np.array(times), q) == expected


def test_grouped_order_statistics_equal_one_group_at_a_time() -> None:
    rng = np.random.default_rng(5)
    keys = pd.DataFrame({"a": rng.integers(0, 4, 300), "b": rng.integers(0, 3, 300)})
    times = np.where(rng.random(300) < 0.1, np.nan, rng.exponential(60, 300))
    quantiles = (0.05, 0.5, 0.95, 1.0)
    got = stats.grouped_order_statistics(keys, times, quantiles)
    assert len(got) == len(keys.drop_duplicates()) and list(got.columns) == list(quantiles)
    for (a, b), row in got.iterrows():
        inside = ((keys["a"] == a) & (keys["b"] == b)).to_numpy()
        for q in quantiles:
            assert row[q] == stats.order_statistic(times[inside], q)


def test_district_curve_is_the_share_of_all_microgrids(run: dict[str, pd.DataFrame]) -> None:
    mg = run["microgrids"]
    sizes = stats.subdistrict_sizes(mg)
    per_rep = stats.district_curves(run["curves"], "share_microgrids_activated", sizes["microgrids"])
    for minute in (0, 37, 90, 180, 400):
        direct = (mg["activated_min"] <= minute).groupby(mg["replication"]).mean()
        np.testing.assert_allclose(per_rep.loc[minute].to_numpy(), direct.to_numpy(), atol=1e-12)
    assert sizes["microgrids"].sum() == MICROGRIDS


def test_share_at_target_matches_replications_table(run: dict[str, pd.DataFrame]) -> None:
    sizes = stats.subdistrict_sizes(run["microgrids"])
    per_rep = stats.district_curves(run["curves"], "share_microgrids_activated", sizes["microgrids"])
    np.testing.assert_allclose(stats.share_at_minute(per_rep, 180.0),
                               run["replications"]["share_activated_at_target"], atol=1e-12)
    assert np.isnan(stats.share_at_minute(per_rep, 10_000.0)).all()


def test_curve_band_orders_lower_median_upper(run: dict[str, pd.DataFrame]) -> None:
    sizes = stats.subdistrict_sizes(run["microgrids"])
    per_rep = stats.district_curves(run["curves"], "share_microgrids_activated", sizes["microgrids"])
    band = stats.curve_band(per_rep)
    assert (band["lower"] <= band["median"]).all() and (band["median"] <= band["upper"]).all()
    assert band.loc[60, "median"] == stats.order_statistic(per_rep.loc[60].to_numpy(), 0.5)


def test_unknown_subdistrict_in_curves_is_an_input_error(run: dict[str, pd.DataFrame]) -> None:
    weights = stats.subdistrict_sizes(run["microgrids"])["microgrids"].iloc[:-1]
    with pytest.raises(InputError, match="sub-district 2"):
        stats.district_curves(run["curves"], "share_microgrids_activated", weights)


def test_breakdown_by_subdistrict(run: dict[str, pd.DataFrame]) -> None:
    mg = run["microgrids"]
    table = stats.breakdown(mg, "subdistrict_id", 120.0)
    for sub, rows in mg.groupby("subdistrict_id"):
        assert table.loc[sub, "microgrids"] == rows["microgrid_id"].nunique()
        assert table.loc[sub, "share_by_target"] == pytest.approx((rows["activated_min"] <= 120).mean())
        never = np.isinf(rows["activated_min"]).sum() / 8
        assert table.loc[sub, "never_per_replication"] == pytest.approx(never)
    assert table["households"].sum() == mg[mg["replication"] == 0]["households"].sum()


def test_breakdown_by_compound_type_lists_only_types_present(run: dict[str, pd.DataFrame]) -> None:
    mg = run["microgrids"]
    table = stats.breakdown(mg, "compound_type", 180.0)
    assert set(table.index) == set(mg["compound_type"].astype(str))
    assert table["microgrids"].sum() == MICROGRIDS


def test_activated_by_counts_match_replications_table(run: dict[str, pd.DataFrame]) -> None:
    counts = stats.activated_by_counts(run["microgrids"])
    reps = run["replications"].set_index("replication")
    assert list(counts.columns) == list(stats.GAP_FILLERS)
    np.testing.assert_array_equal(counts["cadre"], reps["gaps_by_cadre"])
    np.testing.assert_array_equal(counts["grid_worker"], reps["gaps_by_grid_worker"])
    np.testing.assert_array_equal(counts["none"], reps["never_activated"])
    assert (counts.sum(axis=1) == MICROGRIDS).all()


def test_categories_that_never_occur_count_zero(tmp_path: Path) -> None:
    path = write_fake_run(tmp_path / "run", never_share=0.0)
    counts = stats.activated_by_counts(pd.read_parquet(path / "microgrids.parquet"))
    assert (counts["none"] == 0).all() and len(counts) == 5
    summary = stats.count_summary(counts)
    assert summary.loc["none"].tolist() == [0.0, 0.0, 0.0]
    assert summary.loc["member", "min"] <= summary.loc["member", "mean"] <= summary.loc["member", "max"]


def test_finite_order_statistic_gives_never_back_as_nan() -> None:
    times = np.array([5.0, np.nan, 1.0, 3.0])
    assert stats.finite_order_statistic(times, 0.5) == 3.0
    assert stats.finite_order_statistic(times, 0.75) == 5.0
    assert np.isnan(stats.finite_order_statistic(times, 1.0))
    assert stats.finite_order_statistic(np.arange(1.0, 21.0), 0.95) == 19.0
