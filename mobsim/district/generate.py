"""The built-in synthetic district: seeded, reproducing the Xindu facts of the brief (section 2).

Every table that draws draws from its own random stream (SeedSequence(seed, spawn_key=(0,
table))), so a change of one count leaves every table that does not depend on it unchanged,
draw for draw. The pairings and the cadres draw nothing: they follow from the communities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mobsim.codes import (
    COMMUNITY_KINDS,
    COMPOUND_TYPES,
    MEMBER_ROLES,
    SUBDISTRICT_KINDS,
)
from mobsim.district.apportion import seat_places
from mobsim.district.places import Place, subdistrict_places
from mobsim.district.tables import TABLE_NAMES, District, Table
from mobsim.errors import InputError
from mobsim.random import table_generator

MICROGRIDS = 10_161
GENERAL_GRIDS = 1_270
"""10,161 micro-grids in general grids of 7, 8 or 9 (8 on average)."""
URBAN_GENERAL_GRIDS = 1_003
"""79% of the general grids, hence of the households, are urban (2020 census: 79% urban)."""
MICROGRID_HOUSEHOLDS = 50
"""Mean households per micro-grid: 508,050 in all, exactly."""
MICROGRID_HOUSEHOLDS_MIN, MICROGRID_HOUSEHOLDS_MAX = 40, 60
GRID_DEVIATION = 50
"""A general grid holds 50 households per micro-grid ± this; with 7–9 micro-grids that stays
within 300–500 households and within 40–60 per micro-grid."""
UNITS = 61

COMMUNITY_SIZE_SHAPE = 4.0
"""Gamma shape of the community size weights (coefficient of variation 1/2)."""

COMMUNITY_SPREAD_SHARE = (0.3, 0.6)
"""Spread (sd) of urban communities and villages around their sub-district's seat, as a share
of the sub-district's radius (placeholders: urban communities gather in the built-up area)."""
# Spread (km, sd) of each level around the one above, for urban communities and villages.
GRID_SPREAD_KM = (0.35, 0.9)
MICROGRID_SPREAD_KM = (0.08, 0.25)
HOME_SPREAD_KM = 0.05
UNIT_SPREAD_KM = 0.5
UNIT_NEAR_KM = 1.5
"""A work unit sits around the centre of the communities it is paired with (sd UNIT_SPREAD_KM,
at most UNIT_NEAR_KM from it): placeholders, no source places the 61 units."""

# Compound types of a general grid, with plausible shares (placeholders until local data).
URBAN_COMPOUNDS: dict[str, float] = {
    "commercial_housing": 0.40, "work_unit_compound": 0.12, "old_compound": 0.18,
    "affordable_housing": 0.10, "demolition_resettlement": 0.20,
}
VILLAGE_COMPOUNDS: dict[str, float] = {"rural_settlement": 0.70, "self_built_resettlement": 0.30}

ROLE_SHARES: dict[str, float] = {
    "party_member": 0.40, "building_head": 0.22, "unit_head": 0.10, "owners_committee": 0.10,
    "legal_worker": 0.04, "retired_teacher": 0.06, "social_worker": 0.08,
}
"""Share of each role among micro-grid members (placeholder)."""
LIVES_IN_MICROGRID: dict[str, float] = {
    "commercial_housing": 0.75, "work_unit_compound": 0.90, "old_compound": 0.90,
    "affordable_housing": 0.85, "self_built_resettlement": 0.90,
    "demolition_resettlement": 0.85, "rural_settlement": 0.95,
}
"""Members who live inside their micro-grid, by its compound type; the others live elsewhere in
the community (placeholders, range 0.6-1.0: building heads and retired residents of
work-unit, old and rural compounds live there; owners' committee members and party members of
large commercial compounds more often live or work elsewhere)."""

_URBAN, _VILLAGE = COMMUNITY_KINDS.index("urban"), COMMUNITY_KINDS.index("village")

CITY_SCALE = 20
"""The city preset: twenty Xindu-sized districts' worth (about 10.2 million households)."""
MAX_SCALE = 98
"""Largest scale: 98 × 508,050 households stay within a run's limit (district_check)."""


@dataclass(frozen=True)
class Shape:
    """How many of each level a district `scale` times Xindu holds, every proportion kept."""

    scale: int

    @property
    def subdistricts(self) -> tuple[Place, ...]:
        """Xindu's sub-districts at their real positions, or `scale` tiles of them."""
        return subdistrict_places(self.scale)

    @property
    def general_grids(self) -> int:
        """General grids in all."""
        return GENERAL_GRIDS * self.scale

    @property
    def urban_general_grids(self) -> int:
        """General grids in urban communities."""
        return URBAN_GENERAL_GRIDS * self.scale

    @property
    def microgrids(self) -> int:
        """Micro-grids in all."""
        return MICROGRIDS * self.scale

    @property
    def units(self) -> int:
        """Paired work units."""
        return UNITS * self.scale


def generate_xindu(seed: int = 2020, members: int = 12_518, cadres: int = 3_241,
                   scanners: int = 400, scale: int = 1) -> District:
    """The synthetic Xindu district; the arguments are district.seed and the *.count keys.

    With `scale` S, one district of S × Xindu: 9·S sub-districts, 184·S communities,
    10,161·S micro-grids and 61·S work units on S × Xindu's area, every proportion kept
    (the staff counts are the caller's: scale them too to keep members per micro-grid).
    """
    seed = whole_number("district.seed", seed)
    members = whole_number("members.count", members)
    cadres = whole_number("cadres.count", cadres)
    scanners = whole_number("scanners.count", scanners)
    scale = whole_number("scale", scale)
    if not 1 <= scale <= MAX_SCALE:
        raise InputError(f"scale: must be from 1 to {MAX_SCALE}, got {scale}")
    shape = Shape(scale)
    if members < shape.microgrids:
        raise InputError(f"members.count: {members} members cannot staff the {shape.microgrids} "
                         f"micro-grids of the Xindu district (at least one each)")
    communities = _communities(_stream(seed, "communities"), shape)
    general_grids, grid_size = _general_grids(_stream(seed, "general_grids"), communities, shape)
    microgrids = _microgrids(_stream(seed, "microgrids"), communities, general_grids, grid_size,
                             shape)
    community_households = np.bincount(microgrids["community_id"], microgrids["households"],
                                       len(communities["community_id"]))
    pairings = _pairings(communities, shape)
    units = _units(_stream(seed, "units"), communities, pairings, shape)
    cadre_table, per_unit = _cadres(cadres, pairings, community_households, shape.units)
    units["cadres"] = per_unit
    return District(
        subdistricts=_subdistricts(shape), communities=communities, general_grids=general_grids,
        microgrids=microgrids,
        members=_members(_stream(seed, "members"), members, microgrids, communities, shape),
        units=units, pairings=pairings, cadres=cadre_table,
        scanners=_scanners(_stream(seed, "scanners"), scanners, community_households))


def whole_number(key: str, value: Any) -> int:
    """`value` as an int ≥ 0; InputError naming the scenario `key` otherwise."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= 0:
        return int(value)
    raise InputError(f"{key}: expected a whole number ≥ 0, got {value!r}")


def _stream(seed: int, table: str) -> np.random.Generator:
    return table_generator(seed, "generate", TABLE_NAMES.index(table))


def _ids(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int32)


def _subdistricts(shape: Shape) -> Table:
    rows = shape.subdistricts
    return {
        "subdistrict_id": _ids(len(rows)),
        "name": np.array([row.name for row in rows]),
        "kind": np.array([SUBDISTRICT_KINDS.index(row.kind) for row in rows], np.int8),
        "x_km": np.array([row.x_km for row in rows]), "y_km": np.array([row.y_km for row in rows]),
    }


def _extents(shape: Shape, subdistrict: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre (km, n × 2) and radius (km) of the sub-district of each row of `subdistrict`."""
    rows = shape.subdistricts
    centres = np.array([(row.x_km, row.y_km) for row in rows])
    radius = np.array([row.radius_km for row in rows])
    return centres[subdistrict], radius[subdistrict]


def _communities(rng: np.random.Generator, shape: Shape) -> Table:
    """Urban communities first, then villages, sub-district by sub-district."""
    rows = shape.subdistricts
    counts = np.array([(row.urban, row.villages) for row in rows])
    subdistrict = np.repeat(np.arange(len(rows)), counts.sum(axis=1))
    kind = np.repeat(np.tile([_URBAN, _VILLAGE], len(rows)), counts.reshape(-1))
    names = [f"{rows[s].name} {'village' if k == _VILLAGE else 'community'} {j + 1}"
             for s, (urban, villages) in enumerate(counts)
             for k, n in ((_URBAN, urban), (_VILLAGE, villages)) for j in range(n)]
    centres, radius = _extents(shape, subdistrict)
    xy = _scatter(rng, centres, np.take(COMMUNITY_SPREAD_SHARE, kind) * radius, centres, radius)
    return {
        "community_id": _ids(len(kind)), "subdistrict_id": subdistrict.astype(np.int32),
        "name": np.array(names), "kind": kind.astype(np.int8),
        "x_km": xy[:, 0], "y_km": xy[:, 1],
    }


def _general_grids(rng: np.random.Generator, communities: Table,
                   shape: Shape) -> tuple[Table, np.ndarray]:
    """General grids by community, and how many micro-grids (7–9) each holds."""
    kind = communities["kind"]
    per_community = np.empty(len(kind), np.int64)
    grids, urban_grids = shape.general_grids, shape.urban_general_grids
    for code, total in ((_URBAN, urban_grids), (_VILLAGE, grids - urban_grids)):
        of_kind = kind == code
        weight = rng.gamma(COMMUNITY_SIZE_SHAPE, size=of_kind.sum())
        per_community[of_kind] = 1 + rng.multinomial(total - of_kind.sum(), weight / weight.sum())
    # 8 micro-grids a grid, one less in a quarter of them, one more in as many plus the surplus
    fewer = grids // 4
    more = fewer + shape.microgrids - 8 * grids
    size = 8 + rng.permutation(np.repeat([-1, 1, 0], [fewer, more, grids - fewer - more]))
    # a zero-sum deviation keeps the district total at exactly 50 households per micro-grid
    offset = rng.integers(0, GRID_DEVIATION + 1, grids)
    households = MICROGRID_HOUSEHOLDS * size + offset - offset[rng.permutation(grids)]
    return {
        "general_grid_id": _ids(grids),
        "community_id": np.repeat(communities["community_id"], per_community),
        "households": households.astype(np.int32),
    }, size


def _microgrids(rng: np.random.Generator, communities: Table, general_grids: Table,
                grid_size: np.ndarray, shape: Shape) -> Table:
    """Micro-grids by general grid: households split 40–60 each, one compound type per grid."""
    grid = np.repeat(np.arange(shape.general_grids), grid_size)
    grid_community = general_grids["community_id"]
    grid_village = communities["kind"][grid_community] == _VILLAGE
    compound = _compound_types(rng, grid_village)
    community_xy = np.column_stack([communities["x_km"], communities["y_km"]])
    centres, radius = _extents(shape, communities["subdistrict_id"][grid_community])
    grid_xy = _scatter(rng, community_xy[grid_community],
                       np.take(GRID_SPREAD_KM, grid_village.astype(int)), centres, radius)
    xy = _scatter(rng, grid_xy[grid], np.take(MICROGRID_SPREAD_KM, grid_village[grid].astype(int)),
                  centres[grid], radius[grid])
    households = _split_households(rng, general_grids["households"], grid_size)
    return {
        "microgrid_id": _ids(shape.microgrids), "general_grid_id": grid.astype(np.int32),
        "community_id": grid_community[grid], "compound_type": compound[grid],
        "households": households.astype(np.int32), "x_km": xy[:, 0], "y_km": xy[:, 1],
    }


def _compound_types(rng: np.random.Generator, village: np.ndarray) -> np.ndarray:
    """A compound type for each general grid, drawn by the kind of its community."""
    draw = rng.random(len(village))
    codes = np.empty(len(village), np.int8)
    for where, shares in ((~village, URBAN_COMPOUNDS), (village, VILLAGE_COMPOUNDS)):
        bounds = np.cumsum(list(shares.values()))
        pick = np.minimum(np.searchsorted(bounds, draw[where] * bounds[-1], side="right"),
                          len(bounds) - 1)
        codes[where] = np.array([COMPOUND_TYPES.index(name) for name in shares], np.int8)[pick]
    return codes


def _split_households(rng: np.random.Generator, grid_households: np.ndarray,
                      grid_size: np.ndarray) -> np.ndarray:
    """Split each grid's households among its micro-grids, each within 40–60, totals exact.

    Above the minimum, a grid's extra households fill a random subset of its micro-grids'
    free places (max − min per micro-grid), all subsets equally likely.
    """
    places = MICROGRID_HOUSEHOLDS_MAX - MICROGRID_HOUSEHOLDS_MIN
    grid_places = grid_size * places
    slot_grid = np.repeat(np.arange(len(grid_size)), grid_places)
    slot_microgrid = np.repeat(np.arange(grid_size.sum()), places)
    # grid + u/2 (u uniform in [0, 1)) shuffles each grid's places and keeps the grids in
    # order: unlike grid + u, it cannot round up to the next grid's number
    order = np.argsort(slot_grid + rng.random(len(slot_grid)) / 2)
    rank = np.arange(len(slot_grid)) - np.repeat(np.cumsum(grid_places) - grid_places, grid_places)
    extra = grid_households - MICROGRID_HOUSEHOLDS_MIN * grid_size
    filled = slot_microgrid[order[rank < extra[slot_grid]]]
    return MICROGRID_HOUSEHOLDS_MIN + np.bincount(filled, minlength=len(slot_microgrid) // places)


def _members(rng: np.random.Generator, count: int, microgrids: Table, communities: Table,
             shape: Shape) -> Table:
    """One member in every micro-grid, the rest where households are; sorted by micro-grid."""
    n_mg = len(microgrids["microgrid_id"])
    weight = microgrids["households"] / microgrids["households"].sum()
    microgrid = np.sort(np.concatenate([np.arange(n_mg), rng.choice(n_mg, count - n_mg, p=weight)]))
    role = rng.choice(len(MEMBER_ROLES), count,
                      p=[ROLE_SHARES[name] for name in MEMBER_ROLES]).astype(np.int8)
    share = np.array([LIVES_IN_MICROGRID[name] for name in COMPOUND_TYPES])
    lives_in = rng.random(count) < share[microgrids["compound_type"][microgrid]]
    # micro-grids are numbered community by community: a community's are a contiguous range
    community = microgrids["community_id"][microgrid]
    first = np.searchsorted(microgrids["community_id"], community)
    in_community = np.searchsorted(microgrids["community_id"], community, side="right") - first
    elsewhere = first + (rng.random(count) * in_community).astype(np.int64)
    anchor = np.where(lives_in, microgrid, elsewhere)
    mg_xy = np.column_stack([microgrids["x_km"], microgrids["y_km"]])
    centres, radius = _extents(shape, communities["subdistrict_id"][community])
    home = _scatter(rng, mg_xy[anchor], np.full(count, HOME_SPREAD_KM), centres, radius)
    return {
        "member_id": _ids(count), "microgrid_id": microgrid.astype(np.int32), "role": role,
        "lives_in_microgrid": lives_in, "home_x_km": home[:, 0], "home_y_km": home[:, 1],
    }


def _units(rng: np.random.Generator, communities: Table, pairings: Table, shape: Shape) -> Table:
    """Work units around the centre of their paired communities; cadre counts come later."""
    units = shape.units
    paired = np.bincount(pairings["unit_id"], minlength=units)
    community_xy = np.column_stack([communities["x_km"], communities["y_km"]])
    served_xy = np.column_stack([np.bincount(pairings["unit_id"], xy[pairings["community_id"]],
                                             units) / paired for xy in community_xy.T])
    xy = _scatter(rng, served_xy, np.full(units, UNIT_SPREAD_KM), served_xy,
                  np.full(units, UNIT_NEAR_KM))
    return {
        "unit_id": _ids(units), "name": np.array([f"work unit {u + 1:02d}" for u in range(units)]),
        "x_km": xy[:, 0], "y_km": xy[:, 1], "cadres": np.zeros(units, np.int32),
    }


def _pairings(communities: Table, shape: Shape) -> Table:
    """Every community paired with one unit, every unit with neighbours in one sub-district.

    Each sub-district gets units in proportion to its communities (largest remainder); they
    take its communities in turn around its seat, 2 to 4 each.
    """
    subdistrict = communities["subdistrict_id"]
    per_subdistrict = np.bincount(subdistrict, minlength=len(shape.subdistricts))
    quota = shape.units * per_subdistrict / per_subdistrict.sum()
    allotted = np.floor(quota).astype(np.int64)
    allotted[np.argsort(allotted - quota, kind="stable")[:shape.units - allotted.sum()]] += 1
    centres, _ = _extents(shape, subdistrict)
    angle = np.arctan2(communities["y_km"] - centres[:, 1], communities["x_km"] - centres[:, 0])
    around = np.lexsort((angle, subdistrict))
    first_unit = np.cumsum(allotted) - allotted
    unit = np.empty(len(subdistrict), np.int32)
    for s, members in enumerate(np.split(around, np.cumsum(per_subdistrict)[:-1])):
        for offset, chunk in enumerate(np.array_split(members, allotted[s])):
            unit[chunk] = first_unit[s] + offset
    order = np.lexsort((np.arange(len(unit)), unit))
    return {"unit_id": unit[order], "community_id": order.astype(np.int32)}


def _cadres(count: int, pairings: Table, community_households: np.ndarray,
            units: int) -> tuple[Table, np.ndarray]:
    """Cadres by community in proportion to its households, one at least (when there are as
    many cadres as communities), sent by its paired unit; numbered in the order the seats are
    given, so a larger count keeps every cadre of a smaller one (mobsim.district.apportion)."""
    community = seat_places(community_households, count).astype(np.int32)
    unit_of_community = np.empty(len(community_households), np.int32)
    unit_of_community[pairings["community_id"]] = pairings["unit_id"]
    unit = unit_of_community[community]
    cadres = {"cadre_id": _ids(count), "unit_id": unit, "community_id": community}
    return cadres, np.bincount(unit, minlength=units).astype(np.int32)


def _scanners(rng: np.random.Generator, count: int, community_households: np.ndarray) -> Table:
    """Scanners by community, in proportion to its households."""
    community = np.sort(rng.choice(len(community_households), count,
                                   p=community_households / community_households.sum()))
    return {"scanner_id": _ids(count), "community_id": community.astype(np.int32)}


def _scatter(rng: np.random.Generator, centres: np.ndarray, spread_km: np.ndarray,
             bound_xy: np.ndarray, bound_km: np.ndarray) -> np.ndarray:
    """Points around `centres` (normal, sd `spread_km`), each folded back inside its disc
    (centre `bound_xy`, radius `bound_km`): a point beyond the rim is reflected across it."""
    xy = centres + rng.standard_normal(centres.shape) * spread_km[:, None]
    offset = xy - bound_xy
    radius = np.hypot(offset[:, 0], offset[:, 1])
    inside = np.minimum(np.abs(bound_km - np.abs(bound_km - radius)), bound_km)
    scale = np.divide(inside, radius, out=np.ones_like(radius), where=radius > bound_km)
    return bound_xy + offset * scale[:, None]
