"""Each community's task units: testing sites and gate checkpoints, their staff, stations, places.

Sites: one per `tasks.testing.residents_per_site` residents (households times
`tasks.testing.household_size`), rounded up; the community's households are split among them
in contiguous blocks of the household order, and a site stands at the micro-grid of its block's
middle household. The first `tasks.testing.designated_per_community` sites of a community are
designated in peacetime and stand at the community office. A site opens with
`tasks.testing.min_staff` people and takes `support_staff` more when fully staffed.

Checkpoints: a community's households of one compound type form round(households /
`tasks.checkpoints.households_per_compound.<type>`) compounds (at least one), contiguous runs of
its micro-grids of that type; each compound keeps `gates_per_compound.<type>` gates, at the
micro-grid of its middle household, each needing a shift of `tasks.checkpoints.staff`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobsim.codes import COMPOUND_TYPES, TASKS
from mobsim.model.geometry import Geometry
from mobsim.scenario.params import Settings

SITE, CHECKPOINT = TASKS.index("testing"), TASKS.index("checkpoints")


@dataclass(frozen=True)
class UnitPlan:
    """The community-level task units of the district, unit by unit."""

    task: np.ndarray
    """int8 per unit: code into TASKS ("testing" or "checkpoints")."""
    community: np.ndarray
    """int64 per unit: community row."""
    min_staff: np.ndarray
    """int64 per unit: people the unit needs on hand to act (a site opens, a gate is kept)."""
    support: np.ndarray
    """int64 per unit: people a fully staffed unit takes beyond `min_staff` (0 at a gate)."""
    stations: np.ndarray
    """int64 per unit: swab stations of a testing site (0 for a checkpoint)."""
    x_km: np.ndarray
    y_km: np.ndarray
    village: np.ndarray
    """bool per unit: it lies in a village (rides there take `travel.village_factor` longer)."""
    designated: np.ndarray
    """bool per unit: a testing site designated in peacetime (False for a checkpoint)."""

    def __len__(self) -> int:
        return len(self.task)


def middle_items(group: np.ndarray, weight: np.ndarray, blocks: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Split each group's items, in row order, into `blocks[g]` runs of equal weight: the group
    of every run, groups in order, and the item holding the middle of its weight."""
    order = np.argsort(group, kind="stable")
    cumulative = np.cumsum(weight[order].astype(np.float64))
    total = np.bincount(group, weight, len(blocks))
    before = np.cumsum(total) - total  # weight of the groups before each one
    run_group = np.repeat(np.arange(len(blocks)), blocks)
    k = np.arange(len(run_group)) - np.repeat(np.cumsum(blocks) - blocks, blocks)
    middle = before[run_group] + (k + 0.5) * total[run_group] / np.maximum(blocks[run_group], 1)
    at = np.minimum(np.searchsorted(cumulative, middle, side="right"), len(order) - 1)
    return run_group, order[at]


def sites_per_community(geo: Geometry, settings: Settings) -> np.ndarray:
    """Testing sites of each community row (none without households)."""
    homes = np.bincount(geo.community_of_microgrid, geo.households_of_microgrid,
                        len(geo.community_xy[0]))
    residents = homes * settings.number("tasks.testing.household_size")
    return np.ceil(residents / settings.number("tasks.testing.residents_per_site")).astype(np.int64)


def compounds_per_group(geo: Geometry, settings: Settings) -> np.ndarray:
    """Compounds of each (community row, compound type), as an array of that shape."""
    n, types = len(geo.community_xy[0]), len(COMPOUND_TYPES)
    homes = np.bincount(geo.community_of_microgrid * types + geo.compound_of_microgrid,
                        geo.households_of_microgrid, n * types).reshape(n, types)
    size = settings.by_compound_type("tasks.checkpoints.households_per_compound")
    return np.where(homes > 0, np.maximum(np.round(homes / size), 1), 0).astype(np.int64)


def units_per_community(geo: Geometry, settings: Settings) -> dict[str, np.ndarray]:
    """Testing sites and checkpoints per community row."""
    gates = settings.by_compound_type("tasks.checkpoints.gates_per_compound").astype(np.int64)
    return {"testing": sites_per_community(geo, settings),
            "checkpoints": (compounds_per_group(geo, settings) * gates).sum(axis=1)}


def unit_plan(geo: Geometry, settings: Settings) -> UnitPlan:
    """Every testing site and checkpoint, community by community, sites first."""
    community, households = geo.community_of_microgrid, geo.households_of_microgrid
    sites = sites_per_community(geo, settings)
    site_community, site_item = middle_items(community, households, sites)
    rank = np.arange(len(site_community)) - np.repeat(np.cumsum(sites) - sites, sites)
    designated = rank < settings.count("tasks.testing.designated_per_community")
    types = len(COMPOUND_TYPES)
    compounds = compounds_per_group(geo, settings).ravel()
    group, compound_item = middle_items(community * types + geo.compound_of_microgrid,
                                        households, compounds)
    gates = settings.by_compound_type("tasks.checkpoints.gates_per_compound").astype(np.int64)
    gate_item = np.repeat(compound_item, gates[group % types])
    n_sites, n_gates = len(site_item), len(gate_item)
    item = np.concatenate([site_item, gate_item])
    mx, my = geo.microgrid_xy
    cx, cy = geo.community_xy
    x, y = mx[item].astype(np.float64), my[item].astype(np.float64)
    x[:n_sites] = np.where(designated, cx[site_community], x[:n_sites])
    y[:n_sites] = np.where(designated, cy[site_community], y[:n_sites])

    def per_unit(site_value: int, gate_value: int) -> np.ndarray:
        return np.repeat(np.array([site_value, gate_value], np.int64), [n_sites, n_gates])

    return UnitPlan(
        task=np.repeat(np.array([SITE, CHECKPOINT], np.int8), [n_sites, n_gates]),
        community=community[item].astype(np.int64),
        min_staff=per_unit(settings.count("tasks.testing.min_staff"),
                           settings.count("tasks.checkpoints.staff")),
        support=per_unit(settings.count("tasks.testing.support_staff"), 0),
        stations=per_unit(settings.count("tasks.testing.stations"), 0),
        x_km=x, y_km=y, village=geo.village_microgrid[item].astype(bool),
        designated=np.concatenate([designated, np.zeros(n_gates, bool)]))
