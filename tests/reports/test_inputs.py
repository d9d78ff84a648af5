"""Tests of what the report reads from a run folder: target, checked tables, verdict."""

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from report_fixtures import write_fake_run

from mobsim.errors import InputError
from mobsim.reports.inputs import checked_table, district_time_check
from mobsim.results.bound import check_bound
from mobsim.results.run import load
from mobsim.scenario.params import Target


def _set_target(run: Path, target: object) -> None:
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["scenario_data"]["target"] = target
    (run / "manifest.json").write_text(json.dumps(manifest))


def test_target_comes_from_the_manifest_with_baseline_defaults(tmp_path: Path) -> None:
    run = write_fake_run(tmp_path / "run", target={"minutes": 150, "quantile": 0.9, "confidence": 0.99})
    assert load(run).target == Target(150.0, 0.9, 0.99, 0.0)
    _set_target(run, {"minutes": 120})
    assert load(run).target == Target(120.0, 0.95, 0.95, 0.0)


def test_non_numeric_target_is_a_one_line_input_error(tmp_path: Path) -> None:
    run = write_fake_run(tmp_path / "run")
    _set_target(run, {"minutes": "three hours"})
    with pytest.raises(InputError, match=r"manifest\.json: scenario_data\.target\.minutes") as err:
        load(run).target  # noqa: B018
    assert "\n" not in str(err.value)


def test_checked_table_names_the_missing_column_and_empty_tables(tmp_path: Path) -> None:
    run = write_fake_run(tmp_path / "run")
    table = pq.read_table(run / "microgrids.parquet")
    pq.write_table(table.drop_columns(["households"]), run / "microgrids.parquet")
    with pytest.raises(InputError, match=r"microgrids\.parquet: no column 'households'"):
        checked_table(load(run), "microgrids")
    pq.write_table(table.slice(0, 0), run / "microgrids.parquet")
    with pytest.raises(InputError, match="no rows"):
        checked_table(load(run), "microgrids")


def test_district_time_check_is_the_bound_check_of_t_full(tmp_path: Path) -> None:
    target = {"minutes": 200.0, "quantile": 0.9, "confidence": 0.9}
    run = load(write_fake_run(tmp_path / "run", replications=20, target=target))
    t_full = pq.read_table(run.path / "replications.parquet").to_pandas()["t_full_min"].to_numpy()
    got = district_time_check(run)
    assert got.to_dict() == check_bound(t_full, 200.0, 0.9, 0.9).to_dict()
