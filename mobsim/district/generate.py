"""The built-in synthetic district: seeded, reproducing the Xindu facts of the brief (section 2).

Every table draws from its own random stream (SeedSequence(seed, spawn_key=(0, table))), so a
change of one count leaves every table that does not depend on it unchanged, draw for draw.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mobsim.codes import (
    COMMUNITY_KINDS,
    COMPOUND_TYPES,
    MEMBER_ROLES,
    SUBDISTRICT_KINDS,
)
from mobsim.district.tables import TABLE_NAMES, District, Table
from mobsim.errors import InputError
from mobsim.random import table_generator

AREA_KM2 = 496.0
RADIUS_KM = math.sqrt(AREA_KM2 / math.pi)
"""The district is drawn as a disc of Xindu's area, centred on (0, 0)."""

# Sub-district: name, kind, centre (km), urban communities, villages. The core street at the
# centre, the other streets around it, the two towns at the edge; the split of the 105 urban
# communities and 79 villages among them is a plausible placeholder, not census data.
SUBDISTRICTS: tuple[tuple[str, str, tuple[float, float], int, int], ...] = (
    ("Xindu", "street", (0.0, 0.0), 24, 2),
    ("Dafeng", "street", (-1.5, -6.0), 16, 8),
    ("Sanhe", "street", (4.5, -4.0), 14, 8),
    ("Guihu", "street", (-5.0, -1.5), 13, 7),
    ("Xinfan", "street", (-6.0, 4.0), 12, 10),
    ("Banzhuyuan", "street", (1.0, 6.5), 10, 10),
    ("Shibantan", "street", (6.5, 2.0), 8, 12),
    ("Juntun", "town", (-5.5, 9.5), 4, 11),
    ("Qingliu", "town", (8.0, 8.5), 4, 11),
)

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
UNIT_SIZE_SHAPE = 2.0
"""Gamma shape of the work-unit size weights."""

# Spread (km, sd) of each level around the one above, for urban communities and villages.
COMMUNITY_SPREAD_KM = (1.2, 2.5)
GRID_SPREAD_KM = (0.35, 0.9)
MICROGRID_SPREAD_KM = (0.08, 0.25)
HOME_SPREAD_KM = 0.05
UNIT_SPREAD_KM = 2.0
"""Work units (departments, state enterprises) sit in the urban core."""

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
LIVES_IN_MICROGRID = 0.85
"""Members who live inside their micro-grid; the others live elsewhere in the community."""

_URBAN, _VILLAGE = COMMUNITY_KINDS.index("urban"), COMMUNITY_KINDS.index("village")


def generate_xindu(seed: int = 2020, members: int = 12_518, cadres: int = 3_241,
                   scanners: int = 400) -> District:
    """The synthetic Xindu district; the arguments are district.seed and the *.count keys."""
    seed = whole_number("district.seed", seed)
    members = whole_number("members.count", members)
    cadres = whole_number("cadres.count", cadres)
    scanners = whole_number("scanners.count", scanners)
    if members < MICROGRIDS:
        raise InputError(f"members.count: {members} members cannot staff the {MICROGRIDS} "
                         f"micro-grids of the Xindu district (at least one each)")
    communities = _communities(_stream(seed, "communities"))
    general_grids, grid_size = _general_grids(_stream(seed, "general_grids"), communities)
    microgrids = _microgrids(_stream(seed, "microgrids"), communities, general_grids, grid_size)
    community_households = np.bincount(microgrids["community_id"], microgrids["households"],
                                       len(communities["community_id"]))
    units = _units(_stream(seed, "units"))
    pairings = _pairings(_stream(seed, "pairings"))
    cadre_table, per_unit = _cadres(_stream(seed, "cadres"), cadres, pairings,
                                     community_households)
    units["cadres"] = per_unit
    return District(
        subdistricts=_subdistricts(), communities=communities, general_grids=general_grids,
        microgrids=microgrids, members=_members(_stream(seed, "members"), members, microgrids),
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


def _subdistricts() -> Table:
    centres = np.array([centre for _, _, centre, _, _ in SUBDISTRICTS])
    return {
        "subdistrict_id": _ids(len(SUBDISTRICTS)),
        "name": np.array([name for name, *_ in SUBDISTRICTS]),
        "kind": np.array([SUBDISTRICT_KINDS.index(kind) for _, kind, *_ in SUBDISTRICTS], np.int8),
        "x_km": centres[:, 0].copy(), "y_km": centres[:, 1].copy(),
    }


def _communities(rng: np.random.Generator) -> Table:
    """Urban communities first, then villages, sub-district by sub-district."""
    counts = np.array([(urban, villages) for *_, urban, villages in SUBDISTRICTS])
    subdistrict = np.repeat(np.arange(len(SUBDISTRICTS)), counts.sum(axis=1))
    kind = np.repeat(np.tile([_URBAN, _VILLAGE], len(SUBDISTRICTS)), counts.reshape(-1))
    names = [f"{SUBDISTRICTS[s][0]} {'village' if k == _VILLAGE else 'community'} {j + 1}"
             for s, (urban, villages) in enumerate(counts)
             for k, n in ((_URBAN, urban), (_VILLAGE, villages)) for j in range(n)]
    centres = np.array([centre for _, _, centre, _, _ in SUBDISTRICTS])[subdistrict]
    xy = _scatter(rng, centres, np.take(COMMUNITY_SPREAD_KM, kind))
    return {
        "community_id": _ids(len(kind)), "subdistrict_id": subdistrict.astype(np.int32),
        "name": np.array(names), "kind": kind.astype(np.int8),
        "x_km": xy[:, 0], "y_km": xy[:, 1],
    }


def _general_grids(rng: np.random.Generator, communities: Table) -> tuple[Table, np.ndarray]:
    """General grids by community, and how many micro-grids (7–9) each holds."""
    kind = communities["kind"]
    per_community = np.empty(len(kind), np.int64)
    village_grids = GENERAL_GRIDS - URBAN_GENERAL_GRIDS
    for code, total in ((_URBAN, URBAN_GENERAL_GRIDS), (_VILLAGE, village_grids)):
        of_kind = kind == code
        weight = rng.gamma(COMMUNITY_SIZE_SHAPE, size=of_kind.sum())
        per_community[of_kind] = 1 + rng.multinomial(total - of_kind.sum(), weight / weight.sum())
    # 8 micro-grids a grid, one less in a quarter of them, one more in as many plus the surplus
    fewer = GENERAL_GRIDS // 4
    more = fewer + MICROGRIDS - 8 * GENERAL_GRIDS
    size = 8 + rng.permutation(np.repeat([-1, 1, 0], [fewer, more, GENERAL_GRIDS - fewer - more]))
    # a zero-sum deviation keeps the district total at exactly 50 households per micro-grid
    offset = rng.integers(0, GRID_DEVIATION + 1, GENERAL_GRIDS)
    households = MICROGRID_HOUSEHOLDS * size + offset - offset[rng.permutation(GENERAL_GRIDS)]
    return {
        "general_grid_id": _ids(GENERAL_GRIDS),
        "community_id": np.repeat(communities["community_id"], per_community),
        "households": households.astype(np.int32),
    }, size


def _microgrids(rng: np.random.Generator, communities: Table, general_grids: Table,
                grid_size: np.ndarray) -> Table:
    """Micro-grids by general grid: households split 40–60 each, one compound type per grid."""
    grid = np.repeat(np.arange(GENERAL_GRIDS), grid_size)
    grid_community = general_grids["community_id"]
    grid_village = communities["kind"][grid_community] == _VILLAGE
    compound = _compound_types(rng, grid_village)
    community_xy = np.column_stack([communities["x_km"], communities["y_km"]])
    grid_xy = _scatter(rng, community_xy[grid_community],
                       np.take(GRID_SPREAD_KM, grid_village.astype(int)))
    xy = _scatter(rng, grid_xy[grid], np.take(MICROGRID_SPREAD_KM, grid_village[grid].astype(int)))
    households = _split_households(rng, general_grids["households"], grid_size)
    return {
        "microgrid_id": _ids(MICROGRIDS), "general_grid_id": grid.astype(np.int32),
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


def _members(rng: np.random.Generator, count: int, microgrids: Table) -> Table:
    """One member in every micro-grid, the rest where households are; sorted by micro-grid."""
    n_mg = len(microgrids["microgrid_id"])
    weight = microgrids["households"] / microgrids["households"].sum()
    microgrid = np.sort(np.concatenate([np.arange(n_mg), rng.choice(n_mg, count - n_mg, p=weight)]))
    role = rng.choice(len(MEMBER_ROLES), count,
                      p=[ROLE_SHARES[name] for name in MEMBER_ROLES]).astype(np.int8)
    lives_in = rng.random(count) < LIVES_IN_MICROGRID
    # micro-grids are numbered community by community: a community's are a contiguous range
    community = microgrids["community_id"][microgrid]
    first = np.searchsorted(microgrids["community_id"], community)
    in_community = np.searchsorted(microgrids["community_id"], community, side="right") - first
    elsewhere = first + (rng.random(count) * in_community).astype(np.int64)
    anchor = np.where(lives_in, microgrid, elsewhere)
    mg_xy = np.column_stack([microgrids["x_km"], microgrids["y_km"]])
    home = _scatter(rng, mg_xy[anchor], np.full(count, HOME_SPREAD_KM))
    return {
        "member_id": _ids(count), "microgrid_id": microgrid.astype(np.int32), "role": role,
        "lives_in_microgrid": lives_in, "home_x_km": home[:, 0], "home_y_km": home[:, 1],
    }


def _units(rng: np.random.Generator) -> Table:
    """Work units in the urban core; their cadre counts are filled in with the cadres."""
    xy = _scatter(rng, np.zeros((UNITS, 2)), np.full(UNITS, UNIT_SPREAD_KM))
    return {
        "unit_id": _ids(UNITS), "name": np.array([f"work unit {u + 1:02d}" for u in range(UNITS)]),
        "x_km": xy[:, 0], "y_km": xy[:, 1], "cadres": np.zeros(UNITS, np.int32),
    }


def _pairings(rng: np.random.Generator) -> Table:
    """Every community paired with one unit; every unit with 3 or 4 communities."""
    n_communities = sum(urban + villages for *_, urban, villages in SUBDISTRICTS)
    unit = np.empty(n_communities, np.int32)
    unit[rng.permutation(n_communities)] = np.arange(n_communities) % UNITS
    order = np.lexsort((np.arange(n_communities), unit))
    return {"unit_id": unit[order], "community_id": order.astype(np.int32)}


def _cadres(rng: np.random.Generator, count: int, pairings: Table,
            community_households: np.ndarray) -> tuple[Table, np.ndarray]:
    """Cadres by unit (units of uneven size), each reporting to a paired community by households."""
    weight = rng.gamma(UNIT_SIZE_SHAPE, size=UNITS)
    per_unit = rng.multinomial(count, weight / weight.sum())
    unit = np.repeat(np.arange(UNITS), per_unit)
    # pairings are sorted by unit: draw a point on the unit's stretch of the cumulative households
    cumulative = np.cumsum(community_households[pairings["community_id"]])
    start = np.searchsorted(pairings["unit_id"], np.arange(UNITS))
    end = np.searchsorted(pairings["unit_id"], np.arange(UNITS), side="right")
    before = np.where(start > 0, cumulative[start - 1], 0.0)
    target = before[unit] + rng.random(count) * (cumulative[end - 1] - before)[unit]
    row = np.minimum(np.searchsorted(cumulative, target, side="right"), end[unit] - 1)
    community = pairings["community_id"][row]
    order = np.lexsort((community, unit))
    cadres = {"cadre_id": _ids(count), "unit_id": unit[order].astype(np.int32),
              "community_id": community[order]}
    return cadres, per_unit.astype(np.int32)


def _scanners(rng: np.random.Generator, count: int, community_households: np.ndarray) -> Table:
    """Scanners by community, in proportion to its households."""
    community = np.sort(rng.choice(len(community_households), count,
                                   p=community_households / community_households.sum()))
    return {"scanner_id": _ids(count), "community_id": community.astype(np.int32)}


def _scatter(rng: np.random.Generator, centres: np.ndarray, spread_km: np.ndarray) -> np.ndarray:
    """Points around `centres` (normal, sd `spread_km`), folded back inside the district disc."""
    xy = centres + rng.standard_normal(centres.shape) * spread_km[:, None]
    radius = np.hypot(xy[:, 0], xy[:, 1])
    inside = np.minimum(np.abs(RADIUS_KM - np.abs(RADIUS_KM - radius)), RADIUS_KM)
    scale = np.divide(inside, radius, out=np.ones_like(radius), where=radius > RADIUS_KM)
    return xy * scale[:, None]
