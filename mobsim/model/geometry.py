"""The district as the model sees it: parent rows of every level, coordinates, village posts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobsim.district.schemas import PRIMARY_KEYS
from mobsim.district.tables import District


@dataclass(frozen=True)
class Geometry:
    """Row positions linking the district tables, and where things are (km)."""

    subdistrict_of_community: np.ndarray
    community_of_grid: np.ndarray
    grid_of_microgrid: np.ndarray
    community_of_microgrid: np.ndarray
    microgrid_of_member: np.ndarray
    unit_of_cadre: np.ndarray
    community_of_cadre: np.ndarray
    microgrid_xy: tuple[np.ndarray, np.ndarray]
    community_xy: tuple[np.ndarray, np.ndarray]
    unit_xy: tuple[np.ndarray, np.ndarray]
    home_xy: tuple[np.ndarray, np.ndarray]
    village_microgrid: np.ndarray
    compound_of_microgrid: np.ndarray
    households_of_microgrid: np.ndarray
    ids: dict[str, np.ndarray]


def geometry(district: District) -> Geometry:
    """Gather what the model needs from the district tables."""
    com, grids, mg = district.communities, district.general_grids, district.microgrids
    members, units, cadres = district.members, district.units, district.cadres
    community_of_microgrid = district.position("communities", mg["community_id"])
    return Geometry(
        subdistrict_of_community=district.position("subdistricts", com["subdistrict_id"]),
        community_of_grid=district.position("communities", grids["community_id"]),
        grid_of_microgrid=district.position("general_grids", mg["general_grid_id"]),
        community_of_microgrid=community_of_microgrid,
        microgrid_of_member=district.position("microgrids", members["microgrid_id"]),
        unit_of_cadre=district.position("units", cadres["unit_id"]),
        community_of_cadre=district.position("communities", cadres["community_id"]),
        microgrid_xy=(mg["x_km"], mg["y_km"]),
        community_xy=(com["x_km"], com["y_km"]),
        unit_xy=(units["x_km"], units["y_km"]),
        home_xy=(members["home_x_km"], members["home_y_km"]),
        village_microgrid=district.microgrid_is_village(),
        compound_of_microgrid=mg["compound_type"],
        households_of_microgrid=mg["households"],
        ids={
            "district": np.zeros(1, dtype=np.int32),
            "subdistrict": district.subdistricts[PRIMARY_KEYS["subdistricts"]],
            "community": com[PRIMARY_KEYS["communities"]],
            "gridworker": grids[PRIMARY_KEYS["general_grids"]],
            "member": members[PRIMARY_KEYS["members"]],
            "unit": units[PRIMARY_KEYS["units"]],
            "cadre": cadres[PRIMARY_KEYS["cadres"]],
            "microgrid": mg[PRIMARY_KEYS["microgrids"]],
        },
    )
