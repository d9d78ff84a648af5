"""District folders: exact and deterministic files, atomic writes, validated reads, loading."""

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import mobsim.district.io as district_io
from mobsim.codes import MEMBER_ROLES
from mobsim.district.check import check_district
from mobsim.district.generate import generate_xindu
from mobsim.district.io import (
    check_folder,
    district_problems,
    load_district,
    read_district,
    write_district,
)
from mobsim.district.schemas import DISTRICT_SCHEMAS
from mobsim.district.tables import TABLE_NAMES, District
from mobsim.errors import InputError
from mobsim.scenario import load_scenario, validate_scenario
from mobsim.scenario.params import DistrictSource, Settings

SMALL = {"members": 10_200, "cadres": 300, "scanners": 50}


@pytest.fixture(scope="module")
def small() -> District:
    return generate_xindu(**SMALL)


@pytest.fixture(scope="module")
def folder(small: District, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("district")
    write_district(small, path)
    return path


def _user_copy(folder: Path, target: Path) -> dict[str, pd.DataFrame]:
    """The tables as a user would edit them in pandas: int64 ids, categories as plain text."""
    frames = {}
    for name in TABLE_NAMES:
        frame = pq.read_table(folder / f"{name}.parquet").to_pandas()
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.CategoricalDtype):
                frame[column] = frame[column].astype(str)
            elif frame[column].dtype == np.int32:
                frame[column] = frame[column].astype(np.int64)
        frames[name] = frame
    target.mkdir(exist_ok=True)
    return frames


def _save(frames: dict[str, pd.DataFrame], target: Path) -> None:
    for name, frame in frames.items():
        frame.to_parquet(target / f"{name}.parquet", index=False)


def test_one_zstd_parquet_file_per_table_in_the_exact_schema(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.parquet" for n in TABLE_NAMES)
    for name in TABLE_NAMES:
        schema = pq.read_schema(folder / f"{name}.parquet").remove_metadata()
        assert schema == DISTRICT_SCHEMAS[name]
        meta = pq.ParquetFile(folder / f"{name}.parquet").metadata
        assert meta.row_group(0).column(0).compression == "ZSTD"


def test_parquet_round_trip(small: District, folder: Path) -> None:
    assert read_district(folder).equals(small)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        write_district(generate_xindu(seed=seed, **SMALL), tmp_path / name)
    for table in TABLE_NAMES:
        file = f"{table}.parquet"
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), table
    assert (tmp_path / "a" / "microgrids.parquet").read_bytes() != \
        (tmp_path / "c" / "microgrids.parquet").read_bytes()


def test_csv_round_trip_equals_parquet_round_trip(small: District, folder: Path,
                                                  tmp_path: Path) -> None:
    write_district(small, tmp_path, file_format="csv")
    assert read_district(tmp_path).equals(read_district(folder))
    with open(tmp_path / "members.csv", newline="") as text:
        rows = list(csv.reader(text))
    assert rows[0] == list(DISTRICT_SCHEMAS["members"].names)
    assert {row[2] for row in rows[1:]} == set(MEMBER_ROLES)
    assert {row[3] for row in rows[1:]} == {"true", "false"}


def test_a_failed_write_leaves_no_file(small: District, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    written = []
    real_write = district_io._write_table

    def fail_on_third(table: Any, path: Path, file_format: str) -> None:
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        written.append(path)
        real_write(table, path, file_format)

    monkeypatch.setattr(district_io, "_write_table", fail_on_third)
    with pytest.raises(InputError, match=r"cannot write the district \(No space left on device\)"):
        write_district(small, tmp_path / "out")
    assert len(written) == 2 and list((tmp_path / "out").iterdir()) == []


def test_writing_over_a_file_is_an_input_error(small: District, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    with pytest.raises(InputError, match=rf"^{tmp_path}/taken: cannot write the district"):
        write_district(small, tmp_path / "taken")


def test_unknown_file_format_is_a_programming_error(small: District, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="file_format"):
        write_district(small, tmp_path, file_format="xlsx")


def test_user_tables_in_any_row_order_are_sorted_by_id(small: District, folder: Path,
                                                       tmp_path: Path) -> None:
    frames = _user_copy(folder, tmp_path)
    rng = np.random.default_rng(3)
    _save({n: f.iloc[rng.permutation(len(f))] for n, f in frames.items()}, tmp_path)
    assert read_district(tmp_path).equals(small)


@pytest.mark.parametrize(("table", "column", "row", "value", "message"), [
    ("microgrids", "general_grid_id", 17, 9999,
     "microgrids.parquet row 17, column general_grid_id: general grid 9999 does not exist"),
    ("communities", "community_id", 5, 2,
     "communities.parquet row 5, column community_id: duplicate id 2 (first at row 2)"),
    ("units", "cadres", 3, -2, "units.parquet row 3, column cadres: negative count -2"),
    ("units", "x_km", 4, np.inf, "units.parquet row 4, column x_km: inf is not a finite number"),
    ("units", "y_km", 4, np.nan, "units.parquet row 4, column y_km: missing value"),
    ("microgrids", "compound_type", 9, "castle", "microgrids.parquet row 9, column "
     "compound_type: unknown category 'castle'; expected one of commercial_housing"),
    ("general_grids", "households", None, None,
     "general_grids.parquet, column households: missing column"),
])
def test_each_bad_user_table_is_one_clear_line(folder: Path, tmp_path: Path, table: str,
                                               column: str, row: int | None, value: Any,
                                               message: str) -> None:
    frames = _user_copy(folder, tmp_path)
    if row is None:
        del frames[table][column]
    else:
        frames[table].loc[row, column] = value
    _save(frames, tmp_path)
    with pytest.raises(InputError) as caught:
        read_district(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path}/{message}")
    assert "\n" not in str(caught.value)


def test_negative_count_is_reported_before_the_sums(folder: Path, tmp_path: Path) -> None:
    frames = _user_copy(folder, tmp_path)
    frames["units"].loc[3, "cadres"] = -2
    _save(frames, tmp_path)
    assert check_folder(tmp_path) == [
        f"{tmp_path}/units.parquet row 3, column cadres: negative count -2"]


def test_missing_table_file(folder: Path, tmp_path: Path) -> None:
    _save(_user_copy(folder, tmp_path), tmp_path)
    (tmp_path / "scanners.parquet").unlink()
    with pytest.raises(InputError, match=rf"^{tmp_path}/scanners.parquet: missing "
                                         r"\(nor is there a scanners.csv\)$"):
        read_district(tmp_path)


def test_a_table_in_both_formats_is_ambiguous(small: District, tmp_path: Path) -> None:
    write_district(small, tmp_path)
    write_district(small, tmp_path, file_format="csv")
    problems = check_folder(tmp_path)
    assert problems[0] == (f"{tmp_path}/subdistricts.parquet: subdistricts.csv is there too; "
                           "keep only one of them")
    assert len(problems) == len(TABLE_NAMES)


def test_unreadable_files(small: District, tmp_path: Path) -> None:
    write_district(small, tmp_path)
    (tmp_path / "units.parquet").write_bytes(b"not parquet at all")
    problems = check_folder(tmp_path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path}/units.parquet: not a readable Parquet file (")


def test_missing_folder() -> None:
    with pytest.raises(InputError, match="^nowhere/at/all: no such district folder$"):
        read_district("nowhere/at/all")


def test_read_names_the_first_problem_and_counts_the_rest(folder: Path, tmp_path: Path) -> None:
    frames = _user_copy(folder, tmp_path)
    frames["scanners"]["community_id"] = 999
    _save(frames, tmp_path)
    with pytest.raises(InputError, match=r"row 0, column community_id: community 999 does not "
                                         r"exist \(and 10 more problems\)$"):
        read_district(tmp_path)
    assert len(check_folder(tmp_path)) == 11


def test_csv_cells_name_their_row(small: District, tmp_path: Path) -> None:
    write_district(small, tmp_path, file_format="csv")
    lines = (tmp_path / "general_grids.csv").read_text().splitlines()
    lines[4] = "3,0,four hundred"
    (tmp_path / "general_grids.csv").write_text("\n".join(lines) + "\n")
    assert check_folder(tmp_path) == [
        f"{tmp_path}/general_grids.csv row 3, column households: "
        "'four hundred' is not a whole number"]


def _source(path: Path | None = None, seed: int = 2020, **counts: int) -> DistrictSource:
    people = {**SMALL, **counts}
    return DistrictSource(path, "xindu", seed, people["members"], people["cadres"],
                          people["scanners"])


def _scenario_counts(district: District) -> list[str]:
    return [f"{name}.count={district.rows(name)}" for name in ("members", "cadres", "scanners")]


def test_load_generates_with_the_scenario_counts() -> None:
    source = _source(seed=11, members=10_300, cadres=12, scanners=3)
    assert load_district(source).equals(
        generate_xindu(seed=11, members=10_300, cadres=12, scanners=3))


def test_load_reads_a_folder_relative_to_the_scenario_file(small: District, folder: Path) -> None:
    scenario_file = folder.parent / "my-scenario.toml"
    scenario_file.write_text(f'[district]\npath = "{folder.name}"\n', "utf-8")
    settings = Settings(load_scenario(scenario_file, _scenario_counts(small)))
    assert load_district(settings.district_source).equals(small)


def test_load_reads_a_folder_relative_to_the_working_folder(
        small: District, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder.parent)
    overrides = [f"district.path='{folder.name}'", *_scenario_counts(small)]
    assert load_district(Settings(load_scenario(None, overrides)).district_source).equals(small)


def _counts(district: District) -> dict[str, int]:
    return {name: district.rows(name) for name in ("members", "cadres", "scanners")}


def test_smaller_counts_keep_a_seeded_nested_subset(small: District, folder: Path) -> None:
    def load(members: int, cadres: int) -> District:
        return load_district(_source(folder, members=members, cadres=cadres))
    few, more = load(10_000, 100), load(10_100, 200)
    assert few.rows("members") == 10_000 and few.rows("cadres") == 100
    assert few.rows("scanners") == small.rows("scanners")
    assert set(few.members["member_id"]) < set(more.members["member_id"]) < \
        set(small.members["member_id"])
    assert set(few.cadres["cadre_id"]) < set(more.cadres["cadre_id"])
    assert load(10_000, 100).equals(few)
    assert few.units["cadres"].sum() == 100 and check_district(few) == []
    kept = small.position("members", few.members["member_id"])
    assert np.array_equal(few.members["microgrid_id"], small.members["microgrid_id"][kept])


def test_larger_count_names_the_key_and_the_table_size(small: District, folder: Path) -> None:
    source = _source(folder, **{**_counts(small), "cadres": 301})
    with pytest.raises(InputError, match=rf"^cadres.count: 301 asked for, but {folder}/cadres.\* "
                                         r"holds only 300 rows; set cadres.count to at most 300$"):
        load_district(source)


def test_unknown_generator_and_bad_path_value_are_refused_by_the_scenario() -> None:
    assert validate_scenario(None, ["district.generator='chengdu'"]) == [
        '--set: district.generator: unknown generator "chengdu" (known: \'xindu\'); '
        "or set district.path to a folder of district tables"]
    found = validate_scenario(None, ["district.path=[3]"])
    assert len(found) == 1 and found[0].startswith("--set: district.path: expected")


def test_district_problems_lists_everything(small: District, folder: Path, tmp_path: Path) -> None:
    assert district_problems(_source(folder, **_counts(small))) == []
    assert district_problems(_source()) == []
    frames = _user_copy(folder, tmp_path)
    frames["members"]["home_x_km"] = np.inf
    _save(frames, tmp_path)
    problems = district_problems(_source(tmp_path, **_counts(small)))
    assert len(problems) == 11 and all("home_x_km: inf is not a finite number" in p
                                       for p in problems[:10])
    too_many = _source(folder, **{**_counts(small), "scanners": 51})
    assert district_problems(too_many) == [
        f"scanners.count: 51 asked for, but {folder}/scanners.* holds only 50 rows; "
        "set scanners.count to at most 50"]
