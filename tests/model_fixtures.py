"""Small hand-built districts and scenario overrides for the model's tests."""

from __future__ import annotations

import numpy as np

from mobsim.codes import COMPOUND_TYPES, POOLS, PRESENCE_STATES
from mobsim.district.tables import District
from mobsim.scenario.files import Scenario, load_scenario

POPULATIONS = ("commanders", "gridworkers", "members", "cadres")
SENDERS = ("district", "subdistricts", "communities", "gridworkers", "units")


def _ids(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int32)


def small_district(subdistricts: int = 2, communities: int = 2, grids: int = 2,
                   microgrids: int = 3, members: int = 1, units: int = 2, cadres: int = 3,
                   spacing_km: float = 0.3, home_offset_km: float = 0.0,
                   village: bool = False) -> District:
    """A regular district: every level splits evenly; rows and ids are 0..n-1 in nesting order.

    Micro-grids lie on a line `spacing_km` apart; members live `home_offset_km` north of their
    micro-grid; unit u is paired with community u mod the communities; each unit has `cadres`.
    """
    n_com = subdistricts * communities
    n_grid = n_com * grids
    n_mg = n_grid * microgrids
    n_mem = n_mg * members
    n_cad = units * cadres
    mg_x = np.arange(n_mg) * spacing_km
    grid_of_mg = np.arange(n_mg) // microgrids
    com_of_mg = grid_of_mg // grids
    com_x = np.array([mg_x[com_of_mg == c].mean() for c in range(n_com)])
    mg_of_member = np.arange(n_mem) // members
    unit_community = _ids(units) % n_com
    tables = {
        "subdistricts": {"subdistrict_id": _ids(subdistricts),
                         "name": np.array([f"s{i}" for i in range(subdistricts)]),
                         "kind": np.zeros(subdistricts, np.int8),
                         "x_km": np.zeros(subdistricts), "y_km": np.zeros(subdistricts)},
        "communities": {"community_id": _ids(n_com), "subdistrict_id": _ids(n_com) // communities,
                        "name": np.array([f"c{i}" for i in range(n_com)]),
                        "kind": np.full(n_com, int(village), np.int8),
                        "x_km": com_x, "y_km": np.zeros(n_com)},
        "general_grids": {"general_grid_id": _ids(n_grid), "community_id": _ids(n_grid) // grids,
                          "households": np.full(n_grid, 50 * microgrids, np.int32)},
        "microgrids": {"microgrid_id": _ids(n_mg), "general_grid_id": grid_of_mg.astype(np.int32),
                       "community_id": com_of_mg.astype(np.int32),
                       "compound_type": np.zeros(n_mg, np.int8),
                       "households": np.full(n_mg, 50, np.int32), "x_km": mg_x, "y_km": np.zeros(n_mg)},
        "members": {"member_id": _ids(n_mem), "microgrid_id": mg_of_member.astype(np.int32),
                    "role": np.zeros(n_mem, np.int8), "lives_in_microgrid": np.ones(n_mem, bool),
                    "home_x_km": mg_x[mg_of_member],
                    "home_y_km": np.full(n_mem, home_offset_km)},
        "units": {"unit_id": _ids(units), "name": np.array([f"u{i}" for i in range(units)]),
                  "x_km": com_x[unit_community], "y_km": np.full(units, 1.0),
                  "cadres": np.full(units, cadres, np.int32)},
        "pairings": {"unit_id": _ids(units), "community_id": unit_community},
        "cadres": {"cadre_id": _ids(n_cad), "unit_id": _ids(n_cad) // cadres,
                   "community_id": unit_community[_ids(n_cad) // cadres]},
        "scanners": {"scanner_id": _ids(0), "community_id": _ids(0)},
    }
    return District(**tables)


def everyone(state: str, period: str = "day") -> list[str]:
    """Overrides putting every population in one presence state during `period`."""
    shares = ", ".join(f"{s} = {1.0 if s == state else 0.0}" for s in PRESENCE_STATES)
    return [f"{p}.presence.{period}={{{shares}}}" for p in POPULATIONS]


def without_pools() -> list[str]:
    """Overrides leaving out the reserve pools and party branches: the reserves are the grid
    workers and cadres alone, every cadre on duty (a small district's cadres are fewer than the
    baseline's `cadres.at_once`)."""
    return [f"pools.{pool}.teams=0" for pool in POOLS] + ["branches.count=0"]


def deterministic(call_min: float = 2.0, processing_min: tuple[float, ...] = (3.0, 5.0, 7.0, 11.0, 13.0),
                  callers: tuple[int, ...] = (1, 2, 1, 1, 1), prepare_min: float = 4.0) -> list[str]:
    """Overrides of a deterministic day: everyone home and available, phone only, fixed delays,
    no travel inside compounds."""
    overrides = everyone("home") + [
        "alert.start='14:00'", "alert.weekday='tue'",
        "channels.phone.reach=1.0", "channels.phone.answer.home=1.0",
        f"channels.phone.call_min={call_min}",
        f"members.prepare_min.home={prepare_min}", f"gridworkers.prepare_min.home={prepare_min}",
        f"cadres.prepare_min.home={prepare_min}",
        "escalation.after_min=600.0", "escalation.sweep_min=650.0",
        "cascade.units.order_min=5.0",
        *without_pools(),
    ] + [f"travel.inside_compound_min.{name}=0.0" for name in COMPOUND_TYPES]
    for population in ("members", "gridworkers", "cadres"):
        overrides.append(f"{population}.availability.day=1.0")
    for sender, processing, lines in zip(SENDERS, processing_min, callers):
        overrides += [f"cascade.{sender}.channels=['phone']", f"cascade.{sender}.callers={lines}",
                      f"cascade.{sender}.processing_min={processing}"]
    return overrides


def scenario(*overrides: str) -> Scenario:
    """The baseline with `overrides` applied."""
    return load_scenario(None, overrides)
