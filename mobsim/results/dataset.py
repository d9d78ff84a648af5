"""A sweep folder as one Arrow dataset per table, partitioned by variant.

Each variant runs into `DIR/variant=K/` like any run; once finished, its tables move to
`DIR/<table>/variant=K/part-0.parquet` and its manifest records where they went
(`table_paths`), so `DIR/variant=K/` keeps the manifest and the resolved scenario and still
opens with `mobsim.load`, while `pd.read_parquet("DIR/replications")`, `pyarrow.dataset` and
DuckDB's `read_parquet('DIR/replications/*/*.parquet', hive_partitioning = true)` read every
variant of a table at once, with its `variant` column.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

PART_FILE = "part-0.parquet"
"""The one file of a variant's partition of a table."""


def partition(out_dir: Path, table: str, number: int) -> Path:
    """The folder of variant `number`'s rows of `table` in the sweep folder `out_dir`."""
    return out_dir / table / f"variant={number}"


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
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            os.replace(source, target / PART_FILE)
        paths[table] = os.path.relpath(target / PART_FILE, run_dir)
    if manifest.get("table_paths") == paths:
        return
    manifest["table_paths"] = paths
    tmp = manifest_path.with_name(".manifest.json.partial")
    tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    os.replace(tmp, manifest_path)


def stale_partitions(out_dir: Path, count: int) -> list[Path]:
    """Partitions and run folders of variants numbered `count` or more (an earlier, larger sweep)."""
    if not out_dir.is_dir():
        return []
    found = []
    for folder in [out_dir, *(p for p in out_dir.iterdir() if p.is_dir())]:
        for path in folder.glob("variant=*"):
            number = path.name.removeprefix("variant=")
            if path.is_dir() and number.isdigit() and int(number) >= count:
                found.append(path)
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
