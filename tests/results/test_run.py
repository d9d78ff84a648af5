"""A run folder reads back the same through mobsim.load, pyarrow.dataset and DuckDB, and its
files match the documented schema (docs/outputs.md)."""

import re
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import mobsim
from mobsim.errors import InputError
from mobsim.results.schemas import SCAN_SCHEMAS
from mobsim.runner import run
from mobsim.scenario.files import load_scenario

DOCS = Path(__file__).resolve().parents[2] / "docs" / "outputs.md"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run")
    run(load_scenario(None, ["alert.horizon_min=240"]), 2, seed=3, out=out, jobs=1, trace=True)
    return out


def documented_columns() -> dict[str, list[str]]:
    """Table heading in docs/outputs.md → the column names its table lists, in order."""
    tables: dict[str, list[str]] = {}
    current = None
    for line in DOCS.read_text().splitlines():
        heading = re.match(r"^#{2,3} (\w+)\.parquet( \(scan mode\))?", line)
        if heading:
            current = heading.group(1) + ("@scan" if heading.group(2) else "")
            tables[current] = []
        elif line.startswith("#"):
            current = None
        elif current and line.startswith("| ") and not line.startswith("| column") \
                and not line.startswith("| ---"):
            tables[current] += [name.strip() for name in line.split("|")[1].split(",")]
    return tables


def test_load_gives_every_table_and_the_manifest(run_dir: Path) -> None:
    loaded = mobsim.load(run_dir)
    assert loaded.manifest["seed"] == 3 and loaded.manifest["replications"] == 2
    for name in loaded.table_names:
        frame = loaded.table(name)
        assert len(frame) == pq.read_metadata(run_dir / f"{name}.parquet").num_rows
    assert sorted(loaded.replications.replication) == [0, 1]


def test_the_folder_reads_with_pyarrow_dataset_and_duckdb(run_dir: Path) -> None:
    table = ds.dataset(run_dir / "microgrids.parquet").to_table()
    count = duckdb.sql(f"SELECT count(*) FROM read_parquet('{run_dir}/microgrids.parquet')").fetchall()[0][0]
    assert count == table.num_rows == 2 * 10_161
    share = duckdb.sql(f"SELECT avg(share_activated_at_target) FROM "
                       f"read_parquet('{run_dir}/replications.parquet')").fetchall()[0][0]
    assert share == pytest.approx(mobsim.load(run_dir).replications.share_activated_at_target.mean())


def test_every_written_file_has_exactly_the_documented_columns(run_dir: Path) -> None:
    documented = documented_columns()
    for path in sorted(run_dir.glob("*.parquet")):
        assert pq.read_schema(path).names == documented[path.stem], path.name


def test_the_scan_tables_are_documented_too() -> None:
    documented = documented_columns()
    assert SCAN_SCHEMAS["scan_curves"].names == documented["scan_curves"]
    assert SCAN_SCHEMAS["replications"].names == documented["replications@scan"]


def test_files_carry_the_run_metadata(run_dir: Path) -> None:
    meta = pq.read_schema(run_dir / "members.parquet").metadata
    assert meta[b"seed"] == b"3" and meta[b"scenario"] == b"xindu-baseline"
    assert meta[b"mobsim_version"] == mobsim.__version__.encode()


def test_load_stays_the_function_once_its_module_is_imported() -> None:
    import mobsim.results.run  # noqa: F401  (what the report and compare modules import)

    assert callable(mobsim.load) and mobsim.load is mobsim.results.run.load


def test_a_folder_that_is_not_a_run_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a run folder"):
        mobsim.load(tmp_path)


def test_every_manifest_key_is_documented(run_dir: Path) -> None:
    text = DOCS.read_text().split("## manifest.json", 1)[1]
    documented = set(re.findall(r"^\| `(\w+)` \|", text, flags=re.M))
    assert set(mobsim.load(run_dir).manifest) <= documented
    assert "table_paths" in documented
