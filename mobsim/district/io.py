"""District folders: one Parquet or CSV file per table, read with validation, written atomically."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from mobsim.district.arrow import from_arrow, to_arrow
from mobsim.district.check import check_tables, pairing_warnings
from mobsim.district.generate import generate_xindu
from mobsim.district.lonlat import with_lonlat
from mobsim.district.schemas import DISTRICT_SCHEMAS, PRIMARY_KEYS
from mobsim.district.tables import TABLE_NAMES, District, Table
from mobsim.errors import InputError
from mobsim.random import table_generator
from mobsim.scenario.files import Scenario
from mobsim.scenario.params import DistrictSource

FORMATS: tuple[str, ...] = ("parquet", "csv")
"""File formats of a district folder, by file suffix."""

COUNTED_TABLES: tuple[str, ...] = ("members", "cadres", "scanners")
"""Tables of which the scenario's `<table>.count` says how many rows take part."""


def write_district(district: District, folder: str | Path, file_format: str = "parquet") -> None:
    """Write one `<table>.<file_format>` per table into `folder`; no partial files on error."""
    if file_format not in FORMATS:
        raise ValueError(f"file_format must be one of {FORMATS}, got {file_format!r}")
    folder = Path(folder)
    temporary = [folder / f".{name}.{file_format}.{os.getpid()}.tmp" for name in TABLE_NAMES]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, path in zip(TABLE_NAMES, temporary):
            _write_table(to_arrow(name, district.table(name)), path, file_format)
        for name, path in zip(TABLE_NAMES, temporary):
            os.replace(path, folder / f"{name}.{file_format}")
    except OSError as err:
        raise InputError(f"{folder}: cannot write the district ({err.strerror or err})") from None
    finally:
        for path in temporary:
            if path.exists():
                path.unlink()


def _write_table(table: pa.Table, path: Path, file_format: str) -> None:
    if file_format == "parquet":
        pq.write_table(table, path, compression="zstd")
    else:
        pcsv.write_csv(table, path)


def read_district(folder: str | Path) -> District:
    """The district in `folder`; InputError with its first problem (and how many more)."""
    district, problems, _ = _read_checked(Path(folder))
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise InputError(problems[0] + more)
    return district


def check_folder(folder: str | Path) -> list[str]:
    """Every problem of the district in `folder`, one line each (empty when it is sound)."""
    return _read_checked(Path(folder))[1]


def _read_checked(folder: Path) -> tuple[District | None, list[str], list[str]]:
    """The district in `folder`, its problems and (when it has none) its warnings."""
    if not folder.is_dir():
        return None, [f"{folder}: no such district folder"], []
    tables: dict[str, Table] = {}
    files: dict[str, str] = {}
    problems: list[str] = []
    for name in TABLE_NAMES:
        path, missing = _table_file(folder, name)
        if missing:
            problems.append(missing)
            continue
        files[name] = str(path)
        table, table_problems = _read_table(name, path)
        tables[name] = with_lonlat(name, table)
        problems += table_problems
    problems = problems or check_tables(tables, files)
    if problems:
        return None, problems, []
    district = District(**{name: _sorted_by_id(name, table) for name, table in tables.items()})
    return district, [], pairing_warnings(tables, files)


def _table_file(folder: Path, name: str) -> tuple[Path, str]:
    """The one file holding table `name`, or a line saying why there is none."""
    found = [path for path in (folder / f"{name}.{suffix}" for suffix in FORMATS) if path.is_file()]
    if not found:
        return folder / f"{name}.parquet", (f"{folder / name}.parquet: missing "
                                            f"(nor is there a {name}.csv)")
    if len(found) > 1:
        return found[0], f"{folder / name}.parquet: {name}.csv is there too; keep only one of them"
    return found[0], ""


def _read_table(name: str, path: Path) -> tuple[Table, list[str]]:
    """Read one file into typed columns; categories and booleans of a CSV are text."""
    text = path.suffix == ".csv"
    try:
        if text:
            strings = {column: pa.string() for column in DISTRICT_SCHEMAS[name].names}
            arrow = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(
                column_types=strings, strings_can_be_null=True, null_values=[""]))
        else:
            arrow = pq.read_table(path)
    except (pa.ArrowException, OSError) as err:
        kind = "CSV" if text else "Parquet"
        return {}, [f"{path}: not a readable {kind} file ({str(err).splitlines()[0]})"]
    return from_arrow(name, arrow, str(path), text)


def _sorted_by_id(name: str, table: Table) -> Table:
    """Rows in id order (pairings: by unit, then community)."""
    key = PRIMARY_KEYS[name]
    order = (np.argsort(table[key], kind="stable") if key is not None
             else np.lexsort((table["community_id"], table["unit_id"])))
    return {column: values[order] for column, values in table.items()}


def load_district(source: DistrictSource | Scenario) -> District:
    """The scenario's district: its folder (district.path) or the built-in generator."""
    if isinstance(source, Scenario):
        source = DistrictSource.of(source)
    if source.path is None:
        return generate_xindu(seed=source.seed, members=source.members, cadres=source.cadres,
                              scanners=source.scanners)
    return _select_rows(read_district(source.path), source)


def district_problems(source: DistrictSource) -> list[str]:
    """Every problem of the scenario's district, one line each, for `mobsim validate`."""
    try:
        if source.path is not None and (problems := check_folder(source.path)):
            return problems
        load_district(source)
    except InputError as err:
        return [str(err)]
    return []


def district_warnings(source: DistrictSource) -> list[str]:
    """What a sound district lacks that the article's had, one line each, for `mobsim validate`:
    communities no cadre reports to. A folder is judged as written (`cadres.count` and
    `cadres.at_once` then choose who takes part); the generator as `cadres.count` makes it."""
    if source.path is not None:
        return _read_checked(Path(source.path))[2]
    district = load_district(source)
    communities = district.rows("communities")
    unserved = communities - len(np.unique(district.cadres["community_id"]))
    if unserved == 0:
        return []
    return [f"cadres.count: {source.cadres} cadres leave {unserved} of the {communities} "
            f"communities of the generated district without paired cadres; {communities} or "
            f"more give every community at least one"]


def scaled_district(source: DistrictSource, scale: int) -> District:
    """The generator's district `scale` times Xindu, its staff counts scaled alike."""
    if source.path is not None:
        raise InputError("district.path: a scaled district comes from the generator; "
                         "leave district.path empty")
    return generate_xindu(seed=source.seed, scale=scale, members=source.members * scale,
                          cadres=source.cadres * scale, scanners=source.scanners * scale)


def _select_rows(district: District, source: DistrictSource) -> District:
    """Keep a seeded subset of members, cadres and scanners as the count keys ask."""
    for name in COUNTED_TABLES:
        count, rows = getattr(source, name), district.rows(name)
        if count > rows:
            key = f"{name}.count"
            raise InputError(f"{key}: {count} asked for, but {source.path / name}.* holds only "
                             f"{rows} rows; set {key} to at most {rows}")
        if count < rows:
            district = replace(district, **{name: _subset(district.table(name), count,
                                                          source.seed, name)})
    return replace(district, units=_recount_cadres(district))


def _subset(table: Table, count: int, seed: int, name: str) -> Table:
    """`count` rows chosen by a seeded permutation: a smaller count keeps a subset of a larger."""
    rng = table_generator(seed, "subset", TABLE_NAMES.index(name))
    keep = np.sort(rng.permutation(len(next(iter(table.values()))))[:count])
    return {column: values[keep] for column, values in table.items()}


def _recount_cadres(district: District) -> Table:
    """Units with their cadre counts matching the cadres table."""
    rows = district.position("units", district.cadres["unit_id"])
    counts = np.bincount(rows, minlength=district.rows("units")).astype(np.int32)
    return {**district.units, "cadres": counts}
