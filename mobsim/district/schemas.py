"""Arrow schemas of the district tables: the single definition of every column."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from mobsim.codes import (
    COMMUNITY_KINDS,
    COMPOUND_TYPES,
    MEMBER_ROLES,
    SUBDISTRICT_KINDS,
)
from mobsim.district.lonlat import LONLAT_COLUMNS


def _category() -> pa.DataType:
    return pa.dictionary(pa.int8(), pa.string())


POSITION: tuple[tuple[str, pa.DataType], ...] = (
    ("x_km", pa.float64()), ("y_km", pa.float64()),
    ("lon_deg", pa.float64()), ("lat_deg", pa.float64()))
"""A place: km east and north of the district origin, and the same as WGS84 degrees."""

DISTRICT_SCHEMAS: dict[str, pa.Schema] = {
    "subdistricts": pa.schema([
        ("subdistrict_id", pa.int32()),
        ("name", pa.string()),
        ("kind", _category()),
        *POSITION,
    ]),
    "communities": pa.schema([
        ("community_id", pa.int32()),
        ("subdistrict_id", pa.int32()),
        ("name", pa.string()),
        ("kind", _category()),
        *POSITION,
    ]),
    "general_grids": pa.schema([
        ("general_grid_id", pa.int32()),
        ("community_id", pa.int32()),
        ("households", pa.int32()),
    ]),
    "microgrids": pa.schema([
        ("microgrid_id", pa.int32()),
        ("general_grid_id", pa.int32()),
        ("community_id", pa.int32()),
        ("compound_type", _category()),
        ("households", pa.int32()),
        *POSITION,
    ]),
    "members": pa.schema([
        ("member_id", pa.int32()),
        ("microgrid_id", pa.int32()),
        ("role", _category()),
        ("lives_in_microgrid", pa.bool_()),
        ("home_x_km", pa.float64()),
        ("home_y_km", pa.float64()),
    ]),
    "units": pa.schema([
        ("unit_id", pa.int32()),
        ("name", pa.string()),
        *POSITION,
        ("cadres", pa.int32()),
    ]),
    "pairings": pa.schema([
        ("unit_id", pa.int32()),
        ("community_id", pa.int32()),
    ]),
    "cadres": pa.schema([
        ("cadre_id", pa.int32()),
        ("unit_id", pa.int32()),
        ("community_id", pa.int32()),
    ]),
    "scanners": pa.schema([
        ("scanner_id", pa.int32()),
        ("community_id", pa.int32()),
    ]),
}
"""Column name and Arrow type of every district table, in file order."""

PRIMARY_KEYS: dict[str, str | None] = {
    "subdistricts": "subdistrict_id",
    "communities": "community_id",
    "general_grids": "general_grid_id",
    "microgrids": "microgrid_id",
    "members": "member_id",
    "units": "unit_id",
    "pairings": None,
    "cadres": "cadre_id",
    "scanners": "scanner_id",
}
"""The id column of each table (pairings has none: it is a relation)."""

FOREIGN_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "communities": (("subdistrict_id", "subdistricts"),),
    "general_grids": (("community_id", "communities"),),
    "microgrids": (("general_grid_id", "general_grids"), ("community_id", "communities")),
    "members": (("microgrid_id", "microgrids"),),
    "pairings": (("unit_id", "units"), ("community_id", "communities")),
    "cadres": (("unit_id", "units"), ("community_id", "communities")),
    "scanners": (("community_id", "communities"),),
}
"""Column → referenced table for every reference between tables."""

CATEGORIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("subdistricts", "kind"): SUBDISTRICT_KINDS,
    ("communities", "kind"): COMMUNITY_KINDS,
    ("microgrids", "compound_type"): COMPOUND_TYPES,
    ("members", "role"): MEMBER_ROLES,
}
"""Allowed values of each categorical column."""

OPTIONAL_COLUMNS: frozenset[tuple[str, str]] = frozenset(
    (table, column) for table, columns in LONLAT_COLUMNS.items() for column in columns[2:])
"""Columns a district folder may leave out: derived from the km columns when read
(mobsim.district.lonlat)."""

COUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("general_grids", "households"),
    ("microgrids", "households"),
    ("units", "cadres"),
)
"""Columns that hold counts and must not be negative."""


def category_array(codes: np.ndarray, names: tuple[str, ...]) -> pa.DictionaryArray:
    """Dictionary-encode int8 `codes` against the full tuple `names` (stable bytes whatever occurs)."""
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), pa.array(names, pa.string()))
