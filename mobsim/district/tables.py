"""The district model: its hierarchy as tables of NumPy columns, one table per level."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from mobsim.codes import COMMUNITY_KINDS
from mobsim.district.lonlat import with_lonlat
from mobsim.district.schemas import DISTRICT_SCHEMAS, PRIMARY_KEYS

Table = dict[str, np.ndarray]
"""One table: column name → NumPy column, all of one length."""

TABLE_NAMES: tuple[str, ...] = tuple(DISTRICT_SCHEMAS)
"""The district tables in file order."""

@dataclass(frozen=True, eq=False)
class District:
    """A district's hierarchy as tables (see mobsim/tables.py); rows sorted by id.

    Tables given without lon/lat columns get them from their km columns (district.lonlat).
    """

    subdistricts: Table
    communities: Table
    general_grids: Table
    microgrids: Table
    members: Table
    units: Table
    pairings: Table
    cadres: Table
    scanners: Table

    def __post_init__(self) -> None:
        for name in TABLE_NAMES:
            columns = with_lonlat(name, self.table(name))
            expected = DISTRICT_SCHEMAS[name].names
            if columns.keys() == set(expected):
                columns = {column: columns[column] for column in expected}
            object.__setattr__(self, name, columns)
            if list(columns) != expected:
                raise ValueError(f"District.{name}: columns {list(columns)}, expected {expected}")
            if len({len(column) for column in columns.values()}) > 1:
                raise ValueError(f"District.{name}: columns of different lengths")

    def table(self, name: str) -> Table:
        """The table called `name` (one of TABLE_NAMES)."""
        if name not in TABLE_NAMES:
            raise KeyError(f"no district table {name!r}")
        return getattr(self, name)

    def tables(self) -> dict[str, Table]:
        """All tables by name, in file order."""
        return {name: self.table(name) for name in TABLE_NAMES}

    def rows(self, name: str) -> int:
        """Number of rows of table `name`."""
        return len(next(iter(self.table(name).values())))

    def position(self, table: str, ids: Any) -> np.ndarray:
        """Row positions of `ids` in `table`; KeyError naming the first id that is not there."""
        key_column = PRIMARY_KEYS[table]
        if key_column is None:
            raise KeyError(f"table {table!r} has no id column")
        keys = self.table(table)[key_column]
        wanted = np.asarray(ids)
        flat = wanted.reshape(-1)
        rows = np.searchsorted(keys, flat)
        found = rows < len(keys)
        found[found] = keys[rows[found]] == flat[found]
        if not found.all():
            raise KeyError(f"{table}: no row with id {flat[~found][0]}")
        return rows.reshape(wanted.shape)

    def microgrid_subdistrict(self) -> np.ndarray:
        """Sub-district id of every micro-grid (through its community)."""
        rows = self.position("communities", self.microgrids["community_id"])
        return self.communities["subdistrict_id"][rows]

    def microgrid_is_village(self) -> np.ndarray:
        """Whether each micro-grid lies in a village (rather than an urban community)."""
        rows = self.position("communities", self.microgrids["community_id"])
        return self.communities["kind"][rows] == COMMUNITY_KINDS.index("village")

    @cached_property
    def digest(self) -> str:
        """A hash of every table's columns (names, types, values): two districts with the same
        digest are the same district, so a worker holding one need not be sent the other."""
        hashed = hashlib.blake2b(digest_size=16)
        for name in TABLE_NAMES:
            for column, values in self.table(name).items():
                hashed.update(f"{name}.{column}:{values.dtype.str}:{values.shape}".encode())
                hashed.update(np.ascontiguousarray(values).view(np.uint8).ravel()
                              if values.dtype.kind != "O" else repr(values.tolist()).encode())
        return hashed.hexdigest()

    def equals(self, other: District) -> bool:
        """Whether both districts hold the same tables, column for column."""
        return all(_same_table(self.table(name), other.table(name)) for name in TABLE_NAMES)


def _same_table(a: Table, b: Table) -> bool:
    """Same columns, same values, same dtypes (strings of any width)."""
    return a.keys() == b.keys() and all(
        (a[c].dtype == b[c].dtype or a[c].dtype.kind == b[c].dtype.kind == "U")
        and np.array_equal(a[c], b[c]) for c in a)
