"""Tests of the staged parts that make a run resumable."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mobsim.errors import InputError
from mobsim.results.store import Staging

SCHEMA = {"t": pa.schema([("replication", pa.int32()), ("x", pa.float64())])}
RUN = {"scenario": "s", "seed": 1, "replications": 3}


def _tables(rep: int) -> dict[str, pa.Table]:
    return {"t": pa.table({"replication": pa.array([rep], pa.int32()), "x": [rep / 2]})}


def test_parts_merge_in_replication_order_whatever_the_finishing_order(tmp_path: Path) -> None:
    staging = Staging(tmp_path)
    staging.begin(RUN, resume=False)
    for rep in (2, 0, 1):
        staging.put(rep, _tables(rep), SCHEMA)
    assert staging.done() == {0, 1, 2}
    gathered = staging.merge(tmp_path, 3, SCHEMA, gather="t")
    staging.discard()
    assert pq.read_table(tmp_path / "t.parquet").column("replication").to_pylist() == [0, 1, 2]
    assert gathered.equals(pq.read_table(tmp_path / "t.parquet").cast(SCHEMA["t"]))
    assert not staging.root.exists()


def test_resume_keeps_the_parts_of_the_same_run_only(tmp_path: Path) -> None:
    staging = Staging(tmp_path)
    staging.begin(RUN, resume=False)
    staging.put(1, _tables(1), SCHEMA)
    Staging(tmp_path).begin(RUN, resume=True)
    assert Staging(tmp_path).done() == {1}
    with pytest.raises(InputError, match="parts of a different run"):
        Staging(tmp_path).begin({**RUN, "seed": 2}, resume=True)
    Staging(tmp_path).begin(RUN, resume=False)
    assert Staging(tmp_path).done() == set()


def test_a_half_written_part_does_not_count(tmp_path: Path) -> None:
    staging = Staging(tmp_path)
    staging.begin(RUN, resume=False)
    (staging.root / ".r000000.partial").mkdir()
    assert staging.done() == set()
