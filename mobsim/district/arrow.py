"""District tables to Arrow tables and back, with one-line problems for a user's bad columns."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mobsim.district.check import at, row_problems
from mobsim.district.schemas import (
    CATEGORIES,
    DISTRICT_SCHEMAS,
    OPTIONAL_COLUMNS,
    category_array,
)
from mobsim.district.tables import Table

_INT32 = np.iinfo(np.int32)

# What a cell of text must look like to become each column type (CSV files).
_TEXT_KINDS: dict[pa.DataType, str] = {
    pa.int32(): "a whole number",
    pa.float64(): "a number",
    pa.bool_(): "true or false",
}


def to_arrow(name: str, table: Table) -> pa.Table:
    """Table `name` as an Arrow table in its schema; categories carry their full tuple."""
    schema = DISTRICT_SCHEMAS[name]
    arrays = [category_array(table[field.name], CATEGORIES[(name, field.name)])
              if pa.types.is_dictionary(field.type) else pa.array(table[field.name], field.type)
              for field in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def from_arrow(name: str, arrow: pa.Table, file: str, text: bool) -> tuple[Table, list[str]]:
    """Typed NumPy columns of table `name` read from `file` (cells all text if `text`); problems.

    Optional columns the file lacks are left out (the reader derives them)."""
    table: Table = {}
    problems: list[str] = []
    for field in DISTRICT_SCHEMAS[name]:
        if field.name not in arrow.column_names:
            if (name, field.name) in OPTIONAL_COLUMNS:
                continue
            problems.append(f"{at(file, None, field.name)}: missing column")
            continue
        column = arrow.column(field.name).combine_chunks()
        unparsed = np.empty(0, np.intp)
        if text and field.type in _TEXT_KINDS:
            column, unparsed, parse_problems = _parse_text(column, field.type, file, field.name)
            problems += parse_problems
        values, column_problems = _to_numpy(column, field.type, CATEGORIES.get((name, field.name)),
                                            file, field.name, unparsed)
        problems += column_problems
        table[field.name] = values
    return table, problems


def _parse_text(column: pa.Array, target: pa.DataType, file: str,
                name: str) -> tuple[pa.Array, np.ndarray, list[str]]:
    """Cast text cells to `target` (int32 via int64, for the range check); bad cells become null."""
    wide = pa.int64() if target == pa.int32() else target
    try:
        return pc.cast(column, wide), np.empty(0, np.intp), []
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        cells = column.to_pylist()
    bad = np.array([row for row, cell in enumerate(cells)
                    if cell is not None and not _parses(cell, wide)], dtype=np.intp)
    problems = row_problems(file, name, bad,
                            lambda r: f"{cells[r]!r} is not {_TEXT_KINDS[target]}")
    mask = np.zeros(len(cells), bool)
    mask[bad] = True
    cleared = pc.if_else(pa.array(mask), pa.scalar(None, column.type), column)
    return pc.cast(cleared, wide), bad, problems


def _parses(cell: str, target: pa.DataType) -> bool:
    try:
        pa.scalar(cell).cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _to_numpy(column: pa.Array, target: pa.DataType, categories: tuple[str, ...] | None,
              file: str, name: str, reported: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """NumPy column of `target` type; problems for a wrong type, missing or out-of-range cells."""
    expected = "text" if categories else _type_name(target)
    if not _compatible(column.type, target, categories is not None):
        return np.empty(0), [f"{at(file, None, name)}: type {column.type}, expected {expected}"]
    missing = np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))
    problems = row_problems(file, name, np.setdiff1d(missing, reported),
                            lambda r: "missing value")
    if categories is not None:
        values, unknown = _category_codes(column, categories)
        problems += row_problems(file, name, np.setdiff1d(unknown, missing), lambda r: (
            f"unknown category {column[r].as_py()!r}; expected one of {', '.join(categories)}"))
        return values, problems
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if target == pa.string():
        return np.asarray(column.fill_null("").to_pylist(), dtype=str), problems
    if target == pa.bool_():
        return column.fill_null(False).to_numpy(zero_copy_only=False), problems
    if target == pa.float64():
        return pc.cast(column, pa.float64()).fill_null(0.0).to_numpy(), problems
    wide = pc.cast(column, pa.int64()).fill_null(0).to_numpy()
    outside = np.flatnonzero((wide < _INT32.min) | (wide > _INT32.max))
    problems += row_problems(file, name, outside, lambda r: f"{wide[r]} is outside the int32 range")
    return np.clip(wide, _INT32.min, _INT32.max).astype(np.int32), problems


def _type_name(target: pa.DataType) -> str:
    return "whole numbers (int32)" if target == pa.int32() else str(target)


def _compatible(actual: pa.DataType, target: pa.DataType, categorical: bool) -> bool:
    """Whether a column of `actual` type can be read as `target` without losing meaning."""
    if categorical or target == pa.string():
        if pa.types.is_dictionary(actual):
            actual = actual.value_type
        return pa.types.is_string(actual) or pa.types.is_large_string(actual)
    if target == pa.int32():
        return pa.types.is_integer(actual)
    if target == pa.float64():
        return pa.types.is_integer(actual) or pa.types.is_floating(actual)
    return actual == target


def _category_codes(column: pa.Array, categories: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes into `categories`, and the rows whose value is not one of them (nor null)."""
    encoded = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
    names = encoded.dictionary.to_pylist()
    code_of_name = np.array([categories.index(n) if n in categories else -1 for n in names],
                            dtype=np.int8)
    indices = encoded.indices.fill_null(0).to_numpy(zero_copy_only=False).astype(np.intp)
    codes = code_of_name[indices] if len(names) else np.zeros(len(column), np.int8)
    unknown = np.flatnonzero(codes < 0)
    return np.maximum(codes, 0).astype(np.int8), unknown
