"""Reserves the dispatcher serves: cadres and the pools, each with a home, a scope and a speed.

Every reserve has a kind (a code into ACTIVATED_BY: "cadre" or a pool's name), a home
community and sub-district (-1 when the home is wider: a sub-district pool has no home
community, a district pool neither), a scope (the widest level whose gaps it may fill, a code
into POOL_LEVELS) and a riding speed. A cadre's home is their paired community and their scope
the district: the district may lend them anywhere (docs/model.md 7.7).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mobsim.codes import ACTIVATED_BY, POOL_LEVELS
from mobsim.model.geometry import Geometry

COMMUNITY, SUBDISTRICT, DISTRICT = range(len(POOL_LEVELS))
"""Scope codes (POOL_LEVELS order)."""


@dataclass(frozen=True)
class Reserves:
    """One row per reserve; the rows of one kind are contiguous."""

    kind: np.ndarray
    community: np.ndarray
    subdistrict: np.ndarray
    scope: np.ndarray
    speed_kmh: np.ndarray
    home_xy: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)

    @classmethod
    def join(cls, parts: list[Reserves]) -> Reserves:
        """The rows of every part, in order."""
        return cls(*(np.concatenate([getattr(p, name) for p in parts])
                     for name in ("kind", "community", "subdistrict", "scope", "speed_kmh", "home_xy")))

    @classmethod
    def of(cls, kind: str, community: np.ndarray, subdistrict: np.ndarray, scope: int,
           speed_kmh: float, home_xy: np.ndarray) -> Reserves:
        """Reserves of one kind sharing a scope and a speed."""
        n = len(community)
        return cls(np.full(n, ACTIVATED_BY.index(kind), dtype=np.int8),
                   np.asarray(community, dtype=np.int64), np.asarray(subdistrict, dtype=np.int64),
                   np.full(n, scope, dtype=np.int8), np.full(n, float(speed_kmh)),
                   np.asarray(home_xy, dtype=np.float64).reshape(n, 2))


def cadre_reserves(geo: Geometry, speed_kmh: float) -> Reserves:
    """The cadres: at home in their paired community, lent anywhere by the district."""
    community = geo.community_of_cadre
    cx, cy = geo.community_xy
    return Reserves.of("cadre", community, geo.subdistrict_of_community[community], DISTRICT,
                       speed_kmh, np.column_stack([cx[community], cy[community]]))


def subdistrict_centres(geo: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """Each sub-district office: the mean place of its communities' offices (km)."""
    sub = geo.subdistrict_of_community
    n = int(sub.max(initial=-1)) + 1
    offices = np.maximum(np.bincount(sub, minlength=n), 1)
    cx, cy = geo.community_xy
    return (np.bincount(sub, weights=cx, minlength=n) / offices,
            np.bincount(sub, weights=cy, minlength=n) / offices)


def groups(items: np.ndarray, keys: np.ndarray, n: int) -> Groups:
    """`items` split by their key in 0..n-1 (group k holds the items whose key is k, in order)."""
    return Groups(items, keys, n)


class Groups(Sequence[np.ndarray]):
    """Items split by key; a group is sliced (a view) only when asked for: a dispatch round
    splits by 184 communities and reads a few of them."""

    def __init__(self, items: np.ndarray, keys: np.ndarray, n: int) -> None:
        order = np.argsort(keys, kind="stable")
        self._items = items[order]
        self._bounds = np.searchsorted(keys[order], np.arange(n + 1)).tolist()
        self._n = n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, key: int) -> np.ndarray:  # type: ignore[override]
        if not 0 <= key < self._n:
            raise IndexError(f"group {key} of {self._n}")
        return self._items[self._bounds[key]:self._bounds[key + 1]]


class Sources:
    """Free reserves grouped by (kind, home, place): the sources of one dispatch round.

    Reserves of one source are interchangeable: same kind, home, scope, speed and place.
    """

    def __init__(self, rows: np.ndarray, reserves: Reserves, xy: np.ndarray) -> None:
        keys = (reserves.kind[rows], reserves.community[rows], reserves.subdistrict[rows],
                xy[:, 0], xy[:, 1])
        # Sources in the order of their keys, each one's reserves in the order given.
        order = np.lexsort(keys[::-1])
        changed = np.ones(len(rows), dtype=bool)
        changed[1:] = False
        for key in keys:
            ordered_key = key[order]
            changed[1:] |= ordered_key[1:] != ordered_key[:-1]
        starts = np.flatnonzero(changed)
        head = rows[order[starts]]
        self.community = reserves.community[head]
        self.subdistrict = reserves.subdistrict[head]
        self.scope = reserves.scope[head]
        self.speed_kmh = reserves.speed_kmh[head]
        self.xy = xy[order[starts]]
        ends = np.append(starts, len(rows))
        self.left = np.diff(ends)
        self._ordered = rows[order]  # each source's reserves, one source after the other
        self._next = starts.tolist()  # each source's next reserve there, one value at a time

    def take(self, source: int, count: int) -> np.ndarray:
        """The next `count` reserves of a source, in the order they became free."""
        first = self._next[source]
        self._next[source] = first + count
        self.left[source] -= count
        return self._ordered[first:first + count]
