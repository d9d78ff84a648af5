"""Tests of the run lifecycle: identical files for any number of jobs, folder protection."""

from pathlib import Path

import pandas as pd
import pytest

from mobsim.errors import InputError
from mobsim.runner import run
from mobsim.scenario import load_scenario

FAST = ("alert.horizon_min=240",)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(None, FAST)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.parquet"))}


def test_one_and_two_jobs_write_identical_files(scenario, tmp_path: Path) -> None:
    one = run(scenario, 3, seed=5, out_dir=tmp_path / "one", jobs=1)
    two = run(scenario, 3, seed=5, out_dir=tmp_path / "two", jobs=2)
    assert _files(one.out_dir) == _files(two.out_dir)
    assert set(_files(one.out_dir)) >= {"microgrids.parquet", "members.parquet", "cadres.parquet",
                                        "curves.parquet", "replications.parquet"}
    assert not (one.out_dir / ".parts").exists()


def test_the_summary_without_files_equals_the_written_table(scenario, tmp_path: Path) -> None:
    written = run(scenario, 2, seed=9, out_dir=tmp_path / "r", jobs=1)
    unwritten = run(scenario, 2, seed=9, jobs=2, write=False)
    assert unwritten.out_dir is None
    pd.testing.assert_frame_equal(unwritten.replications, written.replications)


def test_a_different_run_is_not_overwritten_without_force(scenario, tmp_path: Path) -> None:
    run(scenario, 1, seed=1, out_dir=tmp_path)
    run(scenario, 1, seed=1, out_dir=tmp_path)  # the same run may be repeated
    with pytest.raises(InputError, match="already holds a different run"):
        run(scenario, 1, seed=2, out_dir=tmp_path)
    run(scenario, 1, seed=2, out_dir=tmp_path, force=True)
    assert '"seed": 2' in (tmp_path / "manifest.json").read_text()
