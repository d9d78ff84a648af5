"""Where Xindu's nine sub-districts lie: seat positions (WGS84), areas and their sources.

Positions are the approximate seats (street offices, town governments) read from public maps:
each carries how far the true seat may lie from it (`seat_tolerance_km`), and all of them are
placeholders until checked against an official gazetteer. Areas come from the sources named
beside them where one was found; the three not found share the rest of the district's 496 km²
(placeholders). A district `scale` times Xindu repeats the real layout in tiles around it, like
neighbouring districts of one city.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mobsim.district.lonlat import to_km

AREA_KM2 = 496.0
"""Xindu District's area (source article; brief section 2)."""

AREA_PAGE = "area: district administrative-division page (third-party, citing official figures)"


@dataclass(frozen=True)
class Site:
    """One sub-district: seat position, area, the split of its communities, and sources."""

    name: str
    kind: str
    lon_deg: float
    lat_deg: float
    seat_tolerance_km: float
    area_km2: float
    area_source: str
    urban: int
    villages: int

    @property
    def radius_km(self) -> float:
        """Radius of a disc of the sub-district's area: how far its communities spread."""
        return math.sqrt(self.area_km2 / math.pi)


# The split of the 105 urban communities and 79 villages among the sub-districts is a
# plausible placeholder, not census data (the article gives only the totals).
SITES: tuple[Site, ...] = (
    Site("Xindu", "street", 104.170, 30.845, 3.0, 65.61,
         "area: Xindu street office at its founding, 25 Dec 2019 (page of the Xindu "
         "administrative divisions)", 24, 2),
    Site("Dafeng", "street", 104.100, 30.765, 3.0, 17.5, AREA_PAGE, 16, 8),
    Site("Sanhe", "street", 104.155, 30.770, 3.0, 22.6,
         AREA_PAGE + "; seat about 6 km south of the Xindu urban area", 14, 8),
    Site("Guihu", "street", 104.150, 30.822, 1.5, 52.0,
         "placeholder: share of the 259.89 km² no source gave (range 20-80)", 13, 7),
    Site("Xinfan", "street", 104.000, 30.870, 2.0, 45.67,
         AREA_PAGE + " (figure before the 2019 merger of towns: weak)", 12, 10),
    Site("Banzhuyuan", "street", 104.075, 30.805, 3.0, 30.31,
         AREA_PAGE + " (figure before the 2019 merger of towns: weak)", 10, 10),
    Site("Shibantan", "street", 104.270, 30.790, 4.0, 129.9,
         "placeholder: share of the 259.89 km² no source gave (range 80-170)", 8, 12),
    Site("Juntun", "town", 104.105, 30.880, 3.0, 54.42,
         "area: Juntun town with the former Xinmin town merged in 2019 (encyclopaedia page); "
         "seat about 5 km from the Xindu urban area", 4, 11),
    Site("Qingliu", "town", 104.040, 30.940, 4.0, 77.99,
         "placeholder: share of the 259.89 km² no source gave (range 40-120)", 4, 11),
)
"""The nine sub-districts: street offices first, core streets, towns last."""

TILE_GAP_KM = 2.0
"""Space between the tiles of a scaled district (placeholder)."""


@dataclass(frozen=True)
class Place:
    """A sub-district of a generated district: name, kind, centre and extent (km), communities."""

    name: str
    kind: str
    x_km: float
    y_km: float
    radius_km: float
    urban: int
    villages: int


def site_xy_km(site: Site) -> tuple[float, float]:
    """Position of a site's seat in km around the district origin."""
    x_km, y_km = to_km(site.lon_deg, site.lat_deg)
    return float(x_km), float(y_km)


def tile_offsets_km(count: int) -> np.ndarray:
    """Offsets (km) of `count` copies of the Xindu layout: (0, 0) first, the nearest tiles next.

    Tiles are the layout's bounding box plus TILE_GAP_KM, on a grid, so copies never overlap.
    """
    xy = np.array([site_xy_km(site) for site in SITES])
    radius = np.array([site.radius_km for site in SITES])
    width = np.ptp(np.concatenate([xy[:, 0] - radius, xy[:, 0] + radius])) + TILE_GAP_KM
    height = np.ptp(np.concatenate([xy[:, 1] - radius, xy[:, 1] + radius])) + TILE_GAP_KM
    side = math.ceil(math.sqrt(count))
    i, j = np.meshgrid(np.arange(-side, side + 1), np.arange(-side, side + 1))
    offsets = np.column_stack([i.ravel() * width, j.ravel() * height])
    order = np.lexsort((np.arctan2(offsets[:, 1], offsets[:, 0]), np.hypot(*offsets.T)))
    return offsets[order[:count]]


def subdistrict_places(scale: int) -> tuple[Place, ...]:
    """The sub-districts of a district `scale` times Xindu, each Xindu row `scale` times.

    Rows go sub-district by sub-district (core street first, towns last), copy by copy; copy k
    sits in tile k (tile_offsets_km). At scale 1, the names are Xindu's.
    """
    offsets = tile_offsets_km(scale)
    rows = []
    for site in SITES:
        x_km, y_km = site_xy_km(site)
        for copy, (dx, dy) in enumerate(offsets):
            name = site.name if scale == 1 else f"{site.name} {copy + 1}"
            rows.append(Place(name, site.kind, x_km + float(dx), y_km + float(dy),
                              site.radius_km, site.urban, site.villages))
    return tuple(rows)
