"""A sweep folder as one Parquet dataset per table: a file per variant, with its `variant` column.

Each variant runs into `DIR/variant=K/` like any run; once finished, each of its tables moves
to `DIR/<table>/variant-K.parquet` with the variant's number added as an int32 `variant`
column (the last), and its manifest records where they went (`table_paths`), so
`DIR/variant=K/` keeps the manifest and the resolved scenario and still opens with
`mobsim.load`. The number is in the files, not in folder names, so every reader gives it the
same type, int32: `pd.read_parquet("DIR/replications")`, `pyarrow.dataset.dataset(
"DIR/replications")` and DuckDB's `read_parquet('DIR/replications/*.parquet')` (hive-style
`variant=K` folders would make it a category in pandas and a BIGINT in DuckDB).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

VARIANT_FILE = re.compile(r"\.?variant-(\d+)\.parquet(?:\.partial)?")
"""A variant's file in a table's dataset (or the partial file it is written as)."""


def partition(out_dir: Path, table: str, number: int) -> Path:
    """The file of variant `number`'s rows of `table` in the sweep folder `out_dir`."""
    return out_dir / table / f"variant-{number}.parquet"


def _with_variant(source: Path, target: Path, number: int) -> None:
    """Copy `source` to `target` (written whole, then renamed) with the `variant` column added,
    one row group at a time."""
    tmp = target.with_name(f".{target.name}.partial")
    reader = pq.ParquetFile(source)
    schema = reader.schema_arrow.append(pa.field("variant", pa.int32()))
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for index in range(reader.num_row_groups):
            group = reader.read_row_group(index)
            writer.write_table(group.append_column(
                "variant", pa.array([number] * group.num_rows, pa.int32())))
    os.replace(tmp, target)


def move_into_dataset(out_dir: Path, run_dir: Path, number: int) -> None:
    """Move a finished variant's tables from its run folder into the sweep's table datasets.

    Idempotent: a table already moved stays where it is, so a sweep stopped half-way through
    this step finishes it on --resume.
    """
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    paths = {}
    for file in manifest["tables"]:
        table = Path(file).stem
        target = partition(out_dir, table, number)
        source = run_dir / file
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            _with_variant(source, target, number)
            source.unlink()
        paths[table] = os.path.relpath(target, run_dir)
    if manifest.get("table_paths") == paths:
        return
    manifest["table_paths"] = paths
    tmp = manifest_path.with_name(".manifest.json.partial")
    tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    os.replace(tmp, manifest_path)


def stale_partitions(out_dir: Path, count: int) -> list[Path]:
    """Variant files and run folders of variants numbered `count` or more (an earlier, larger
    sweep)."""
    if not out_dir.is_dir():
        return []
    found = [path for path in out_dir.glob("variant=*") if path.is_dir()
             and path.name.removeprefix("variant=").isdigit()
             and int(path.name.removeprefix("variant=")) >= count]
    for folder in (p for p in out_dir.iterdir() if p.is_dir()):
        found += [path for path in folder.iterdir()
                  if (match := VARIANT_FILE.fullmatch(path.name)) and int(match[1]) >= count]
    return sorted(found)


def typed_column(values: Sequence[Any], texts: Sequence[str]) -> pa.Array:
    """A varied key's values as an Arrow column of their type: integers, floats, booleans, or
    the text as typed (clock times, words, tables and arrays)."""
    if all(isinstance(v, bool) for v in values):
        return pa.array(values, pa.bool_())
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pa.array(values, pa.int64())
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return pa.array([float(v) for v in values], pa.float64())
    return pa.array(list(texts), pa.string())
