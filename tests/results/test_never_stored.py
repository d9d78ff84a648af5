"""A time that never happened is stored as +inf, so pandas and DuckDB count it as later than
any time instead of dropping it as a null (docs/outputs.md)."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pytest
from cli_fixtures import write_scenario
from model_fixtures import without_pools

import mobsim
from mobsim.reports.summary import format_wartime_summary
from mobsim.runner import run
from mobsim.scenario import load_scenario

REPLICATIONS = 8


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A small district whose order leaves the district after 0–120 min: some replications
    finish within the 180-min horizon and some leave a micro-grid never on post (the pools,
    sized for all of Xindu, left out)."""
    folder = tmp_path_factory.mktemp("never")
    scenario = write_scenario(folder, "alert.horizon_min=180", *without_pools(),
                              'cascade.district.processing_min={dist = "uniform", low = 0.0, high = 120.0}')
    run(load_scenario(scenario), REPLICATIONS, seed=1, out=folder / "run", jobs=1)
    return folder / "run"


def _never_replications(run_dir: Path) -> int:
    """Replications with a micro-grid never on post, counted from microgrids.parquet."""
    mg = mobsim.load(run_dir).microgrids
    return int(mg.groupby("replication")["activated_min"].max().map(math.isinf).sum())


def test_the_run_mixes_finished_and_never_finished_replications(run_dir: Path) -> None:
    assert 0 < _never_replications(run_dir) < REPLICATIONS


def test_no_time_column_holds_a_null(run_dir: Path) -> None:
    loaded = mobsim.load(run_dir)
    for name in ("microgrids", "members", "cadres", "replications"):
        frame = loaded.table(name)
        for column in [c for c in frame.columns if c.endswith("_min")]:
            assert not frame[column].isna().any(), (name, column)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # std and inf - inf
def test_pandas_counts_never_as_later_than_any_time(run_dir: Path) -> None:
    t_full = mobsim.load(run_dir).replications.t_full_min
    described = t_full.describe()
    assert described["count"] == REPLICATIONS
    assert described["max"] == math.inf
    assert int(np.isinf(t_full).sum()) == _never_replications(run_dir)
    assert t_full.quantile(0.95, interpolation="higher") == math.inf


def test_duckdb_counts_never_as_later_than_any_time(run_dir: Path) -> None:
    count, latest, q95, never = duckdb.sql(
        "SELECT count(t_full_min), max(t_full_min), quantile_cont(t_full_min, 0.95), "
        f"count(*) FILTER (WHERE isinf(t_full_min)) FROM read_parquet('{run_dir}/replications.parquet')"
    ).fetchall()[0]
    assert count == REPLICATIONS and latest == math.inf and q95 == math.inf
    assert never == _never_replications(run_dir)


def test_the_summary_counts_never_finished_replications(run_dir: Path) -> None:
    reps = mobsim.load(run_dir).replications
    text = format_wartime_summary("never", reps, 180.0, 0.95)
    assert f"never finished: {_never_replications(run_dir)} of {REPLICATIONS}" in text
    assert "max never" in text
