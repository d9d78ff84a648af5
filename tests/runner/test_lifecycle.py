"""Tests of the run lifecycle: identical files for any number of jobs, folder protection."""

from pathlib import Path

import pandas as pd
import pytest

from mobsim.errors import InputError
from mobsim.runner import run
from mobsim.scenario.files import load_scenario

FAST = ("alert.horizon_min=240",)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(None, FAST)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.parquet"))}


def test_one_and_two_jobs_write_identical_files(scenario, tmp_path: Path) -> None:
    one = run(scenario, 3, seed=5, out=tmp_path / "one", jobs=1)
    two = run(scenario, 3, seed=5, out=tmp_path / "two", jobs=2)
    assert _files(one.path) == _files(two.path)
    assert set(_files(one.path)) >= {"microgrids.parquet", "members.parquet", "cadres.parquet",
                                        "curves.parquet", "replications.parquet"}
    assert not (one.path / ".parts").exists()


def test_the_summary_without_files_equals_the_written_table(scenario, tmp_path: Path) -> None:
    written = run(scenario, 2, seed=9, out=tmp_path / "r", jobs=1)
    unwritten = run(scenario, 2, seed=9, jobs=2, write=False)
    assert unwritten.path is None
    pd.testing.assert_frame_equal(unwritten.replications, written.replications)


def test_a_different_run_is_not_overwritten_without_force(scenario, tmp_path: Path) -> None:
    run(scenario, 1, seed=1, out=tmp_path)
    run(scenario, 1, seed=1, out=tmp_path)  # the same run may be repeated
    with pytest.raises(InputError, match="already holds a different run"):
        run(scenario, 1, seed=2, out=tmp_path)
    run(scenario, 1, seed=2, out=tmp_path, force=True)
    assert '"seed": 2' in (tmp_path / "manifest.json").read_text()


def test_an_interrupted_different_run_is_not_wiped_without_force(scenario, tmp_path: Path) -> None:
    from mobsim.results.store import Staging

    Staging(tmp_path).begin({"scenario": "other", "seed": 8}, resume=False)
    with pytest.raises(InputError, match="different interrupted run"):
        run(scenario, 1, seed=1, out=tmp_path)
    assert Staging(tmp_path).marker.is_file()
    run(scenario, 1, seed=1, out=tmp_path, force=True)
    assert (tmp_path / "manifest.json").is_file()


def test_a_run_stopped_by_bad_input_leaves_no_folder(scenario, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise InputError("cascade.units.channels: no such channel")

    monkeypatch.setattr("mobsim.runner.local.simulate", refuse)
    with pytest.raises(InputError, match="no such channel"):
        run(scenario, 1, seed=1, out=tmp_path / "r", jobs=1)
    assert not (tmp_path / "r").exists()
