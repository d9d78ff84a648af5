"""Consistency checks of district tables, and warnings about sound ones: one line per
problem, naming file, row and column.

Rows count from 0 in file order, as pandas numbers them.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from mobsim.district.schemas import (
    COUNT_COLUMNS,
    DISTRICT_SCHEMAS,
    FOREIGN_KEYS,
    PRIMARY_KEYS,
)
from mobsim.district.tables import TABLE_NAMES, District, Table

SHOWN_ROWS = 10
"""Rows listed for one kind of problem in one column; the rest are counted on one line."""

MAX_HOUSEHOLDS = 50_000_000
"""Most households a district may hold: a run keeps several arrays with one entry per household
(the door-to-door setup and its kernel) for every replication in flight. Five times a city of
twenty Xindu-sized districts (about 10 million households)."""

REQUIRED_TABLES: tuple[str, ...] = ("subdistricts", "communities", "general_grids", "microgrids")
"""Tables a district cannot do without; the others may be empty."""

DEGREE_RANGES: dict[str, tuple[float, float]] = {"lon_deg": (-180.0, 180.0), "lat_deg": (-90.0, 90.0)}
"""Bounds of the WGS84 longitude and latitude columns."""

SINGULAR: dict[str, str] = {
    "subdistricts": "sub-district", "communities": "community", "general_grids": "general grid",
    "microgrids": "micro-grid", "members": "member", "units": "unit", "pairings": "pairing",
    "cadres": "cadre", "scanners": "scanner",
}
"""How one row of each table is called in messages."""


def at(file: str, row: int | None = None, column: str | None = None) -> str:
    """The place of a problem: `file row R, column C`."""
    place = file if row is None else f"{file} row {row}"
    return place if column is None else f"{place}, column {column}"


def row_problems(file: str, column: str | None, rows: np.ndarray,
                 describe: Callable[[int], str]) -> list[str]:
    """One line per bad row (the first SHOWN_ROWS), then one line counting the rest."""
    lines = [f"{at(file, int(row), column)}: {describe(int(row))}" for row in rows[:SHOWN_ROWS]]
    if len(rows) > SHOWN_ROWS:
        lines.append(f"{at(file, None, column)}: {len(rows) - SHOWN_ROWS} more rows like "
                     f"row {int(rows[0])}")
    return lines


def check_district(district: District, folder: str = "district") -> list[str]:
    """Every problem of `district`, as if written to Parquet files in `folder`."""
    return check_tables(district.tables(),
                        {name: f"{folder}/{name}.parquet" for name in TABLE_NAMES})


def check_tables(tables: Mapping[str, Table], files: Mapping[str, str]) -> list[str]:
    """Every problem of well-typed tables read from `files`; cross-table sums only when clean."""
    problems = [line for name in TABLE_NAMES for line in _table_problems(name, tables, files)]
    return problems or _consistency_problems(tables, files)


def _table_problems(name: str, tables: Mapping[str, Table], files: Mapping[str, str]) -> list[str]:
    table, file = tables[name], files[name]
    if name in REQUIRED_TABLES and _length(table) == 0:
        return [f"{file}: no rows; a district needs at least one {SINGULAR[name]}"]
    problems = _duplicate_problems(name, table, file)
    for column in DISTRICT_SCHEMAS[name].names:
        values = table[column]
        if (name, column) in COUNT_COLUMNS:
            problems += row_problems(file, column, np.flatnonzero(values < 0),
                                     lambda r, v=values: f"negative count {v[r]}")
        if values.dtype.kind == "f":
            problems += row_problems(file, column, np.flatnonzero(~np.isfinite(values)),
                                     lambda r, v=values: f"{v[r]} is not a finite number")
        if column in DEGREE_RANGES:
            problems += _degree_problems(values, file, column)
    for column, target in FOREIGN_KEYS.get(name, ()):
        problems += _reference_problems(table[column], tables[target][PRIMARY_KEYS[target]],
                                        file, column, SINGULAR[target])
    return problems


def _degree_problems(values: np.ndarray, file: str, column: str) -> list[str]:
    low, high = DEGREE_RANGES[column]
    rows = np.flatnonzero((values < low) | (values > high))
    return row_problems(file, column, rows, lambda r: (
        f"{values[r]} degrees is outside {low:g} to {high:g} (WGS84)"))


def _length(table: Table) -> int:
    return len(next(iter(table.values())))


def _duplicate_problems(name: str, table: Table, file: str) -> list[str]:
    key = PRIMARY_KEYS[name]
    if key is None:
        rows, first = _repeated_rows(table["unit_id"], table["community_id"])
        return row_problems(file, None, rows, lambda r: (
            f"unit {table['unit_id'][r]} paired with community {table['community_id'][r]} "
            f"again (first at row {first[r]})"))
    rows, first = _repeated_rows(table[key])
    return row_problems(file, key, rows,
                        lambda r: f"duplicate id {table[key][r]} (first at row {first[r]})")


def _repeated_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose values repeat an earlier row, and for every row its first occurrence."""
    if len(columns[0]) == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    _, first, inverse = np.unique(np.column_stack(columns), axis=0,
                                  return_index=True, return_inverse=True)
    first_of_row = first[inverse.reshape(-1)]
    return np.flatnonzero(first_of_row != np.arange(len(first_of_row))), first_of_row


def _reference_problems(refs: np.ndarray, ids: np.ndarray, file: str, column: str,
                        noun: str) -> list[str]:
    rows = np.flatnonzero(~np.isin(refs, ids))
    return row_problems(file, column, rows, lambda r: f"{noun} {refs[r]} does not exist")


def _consistency_problems(tables: Mapping[str, Table], files: Mapping[str, str]) -> list[str]:
    """Checks that only make sense once every id is unique and every reference resolves."""
    return (_microgrid_community_problems(tables, files)
            + _household_sum_problems(tables, files)
            + _household_total_problems(tables, files)
            + _cadre_count_problems(tables, files)
            + _cadre_pairing_problems(tables, files))


def _rows_of(ids: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """Row of each reference in the (unique, complete) id column `ids`."""
    order = np.argsort(ids, kind="stable")
    return order[np.searchsorted(ids, refs, sorter=order)]


def _microgrid_community_problems(tables: Mapping[str, Table],
                                  files: Mapping[str, str]) -> list[str]:
    mg, grids = tables["microgrids"], tables["general_grids"]
    grid_row = _rows_of(grids["general_grid_id"], mg["general_grid_id"])
    grid_community = grids["community_id"][grid_row]
    rows = np.flatnonzero(mg["community_id"] != grid_community)
    return row_problems(files["microgrids"], "community_id", rows, lambda r: (
        f"community {mg['community_id'][r]} differs from community {grid_community[r]} "
        f"of its general grid {mg['general_grid_id'][r]}"))


def _household_sum_problems(tables: Mapping[str, Table], files: Mapping[str, str]) -> list[str]:
    mg, grids = tables["microgrids"], tables["general_grids"]
    held = np.bincount(_rows_of(grids["general_grid_id"], mg["general_grid_id"]),
                       weights=mg["households"], minlength=_length(grids)).astype(np.int64)
    rows = np.flatnonzero(grids["households"] != held)
    return row_problems(files["general_grids"], "households", rows, lambda r: (
        f"{grids['households'][r]} households, but its micro-grids in "
        f"{files['microgrids']} hold {held[r]}"))


def _household_total_problems(tables: Mapping[str, Table], files: Mapping[str, str]) -> list[str]:
    """More households than a run can hold: refused here rather than by a failed allocation."""
    households = tables["microgrids"]["households"].astype(np.int64)
    total = int(households.sum())
    if total <= MAX_HOUSEHOLDS:
        return []
    largest = int(np.argmax(households))
    return [f"{at(files['microgrids'], None, 'households')}: {total:,} households in all "
            f"(row {largest} alone holds {households[largest]:,}); a run holds at most "
            f"{MAX_HOUSEHOLDS:,}"]


def _cadre_count_problems(tables: Mapping[str, Table], files: Mapping[str, str]) -> list[str]:
    units, cadres = tables["units"], tables["cadres"]
    listed = np.bincount(_rows_of(units["unit_id"], cadres["unit_id"]), minlength=_length(units))
    rows = np.flatnonzero(units["cadres"] != listed)
    return row_problems(files["units"], "cadres", rows, lambda r: (
        f"{units['cadres'][r]} cadres, but {files['cadres']} lists {listed[r]}"))


def _cadre_pairing_problems(tables: Mapping[str, Table], files: Mapping[str, str]) -> list[str]:
    cadres, pairings = tables["cadres"], tables["pairings"]
    paired = _pair_codes(pairings["unit_id"], pairings["community_id"])
    rows = np.flatnonzero(~np.isin(_pair_codes(cadres["unit_id"], cadres["community_id"]), paired))
    return row_problems(files["cadres"], "community_id", rows, lambda r: (
        f"community {cadres['community_id'][r]} is not paired with unit {cadres['unit_id'][r]} "
        f"in {files['pairings']}"))


def pairing_warnings(tables: Mapping[str, Table], files: Mapping[str, str]) -> list[str]:
    """Communities of sound tables that no cadre reports to, one line each: the tables hold
    together, but the article's district sent cadres to every community (docs/model.md 11)."""
    communities, cadres, pairings = tables["communities"], tables["cadres"], tables["pairings"]
    ids = communities["community_id"]
    if _length(cadres) == 0:
        return [f"{files['cadres']}: no rows; none of the {len(ids)} communities has paired cadres"]

    def describe(row: int) -> str:
        units = np.unique(pairings["unit_id"][pairings["community_id"] == ids[row]])
        listed = ", ".join(str(unit) for unit in units)
        why = (f"no unit is paired with it in {files['pairings']}" if len(units) == 0 else
               f"{files['cadres']} lists none for it from its paired "
               f"unit{'s' if len(units) > 1 else ''} {listed}")
        return f"community {ids[row]} ({communities['name'][row]}) has no paired cadres: {why}"

    rows = np.flatnonzero(~np.isin(ids, cadres["community_id"]))
    return row_problems(files["communities"], None, rows, describe)


def _pair_codes(unit_id: np.ndarray, community_id: np.ndarray) -> np.ndarray:
    """One int64 per (unit, community) pair, for set membership."""
    return (unit_id.astype(np.int64) << 32) | (community_id.astype(np.int64) & 0xFFFFFFFF)
