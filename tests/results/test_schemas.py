"""Tests of the output schemas and the atomic table writer."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mobsim.results.schemas import (
    OUTPUT_SCHEMAS,
    PER_REPLICATION,
    ROW_GROUP_ROWS,
    SCAN_SCHEMAS,
    TableWriter,
    per_replication_schemas,
    with_metadata,
)


def _rows(n: int) -> pa.Table:
    return pa.table({"replication": pa.array(range(n), pa.int32()), "minute": pa.array([0] * n, pa.int32()),
                     "subdistrict_id": pa.array([1] * n, pa.int32()),
                     "share_microgrids_activated": pa.array([0.5] * n),
                     "share_households_reached": pa.array([0.25] * n)})


def test_commit_moves_the_whole_file_into_place(tmp_path: Path) -> None:
    schema = with_metadata(OUTPUT_SCHEMAS["curves"], {"seed": "7"})
    with TableWriter(tmp_path, "curves", schema) as writer:
        writer.write(_rows(3))
        writer.write(_rows(2))
        assert not (tmp_path / "curves.parquet").exists()
    table = pq.read_table(tmp_path / "curves.parquet")
    assert table.num_rows == 5
    assert table.schema.metadata[b"seed"] == b"7"
    assert [p.name for p in tmp_path.iterdir()] == ["curves.parquet"]


def test_error_leaves_earlier_file_and_no_partial(tmp_path: Path) -> None:
    with TableWriter(tmp_path, "curves", OUTPUT_SCHEMAS["curves"]) as writer:
        writer.write(_rows(1))
    before = (tmp_path / "curves.parquet").read_bytes()
    with pytest.raises(RuntimeError):
        with TableWriter(tmp_path, "curves", OUTPUT_SCHEMAS["curves"]) as writer:
            writer.write(_rows(4))
            raise RuntimeError("interrupted")
    assert (tmp_path / "curves.parquet").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["curves.parquet"]


def test_each_mode_has_its_own_per_replication_tables() -> None:
    assert list(per_replication_schemas("wartime", trace=False)) == list(PER_REPLICATION)
    assert list(per_replication_schemas("wartime", trace=True)) == [*PER_REPLICATION, "events"]
    scan = per_replication_schemas("scan", trace=True)
    assert list(scan) == ["scan_curves", "replications"]
    assert scan["replications"] == SCAN_SCHEMAS["replications"] != OUTPUT_SCHEMAS["replications"]


def test_every_time_column_is_float64_minutes() -> None:
    for schema in (*OUTPUT_SCHEMAS.values(), *SCAN_SCHEMAS.values()):
        for field in schema:
            if field.name.endswith("_min"):
                assert field.type == pa.float64(), field.name


def test_small_writes_are_gathered_into_few_row_groups(tmp_path: Path) -> None:
    writes_per_group = -(-ROW_GROUP_ROWS // 1000)  # the first write reaching ROW_GROUP_ROWS
    with TableWriter(tmp_path, "curves", OUTPUT_SCHEMAS["curves"]) as writer:
        for _ in range(2 * writes_per_group + 5):
            writer.write(_rows(1000))
    metadata = pq.ParquetFile(tmp_path / "curves.parquet").metadata
    sizes = [metadata.row_group(k).num_rows for k in range(metadata.num_row_groups)]
    assert sizes == [writes_per_group * 1000] * 2 + [5000]
