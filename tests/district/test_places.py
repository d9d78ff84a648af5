"""Xindu's real layout: sub-districts at their cited seats, areas, units beside their communities."""

import math

import numpy as np
import pytest

from mobsim.codes import COMMUNITY_KINDS
from mobsim.district.generate import (
    COMMUNITY_SPREAD_SHARE,
    UNIT_NEAR_KM,
    generate_xindu,
)
from mobsim.district.lonlat import EARTH_RADIUS_KM
from mobsim.district.places import AREA_KM2, SITES, site_xy_km, tile_offsets_km
from mobsim.district.tables import District

URBAN = COMMUNITY_KINDS.index("urban")


@pytest.fixture(scope="module")
def xindu() -> District:
    return generate_xindu()


def _haversine_km(lon0: float, lat0: float, lon1: np.ndarray, lat1: np.ndarray) -> np.ndarray:
    """Great-circle distance on the projection's sphere, computed independently of it."""
    p0, p1 = math.radians(lat0), np.radians(lat1)
    a = (np.sin((p1 - p0) / 2) ** 2
         + math.cos(p0) * np.cos(p1) * np.sin(np.radians(lon1 - lon0) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def test_each_subdistrict_sits_at_its_cited_seat_within_its_tolerance(xindu: District) -> None:
    sub = xindu.subdistricts
    assert sub["name"].tolist() == [site.name for site in SITES]
    for row, site in enumerate(SITES):
        off_km = _haversine_km(site.lon_deg, site.lat_deg, sub["lon_deg"][row], sub["lat_deg"][row])
        assert off_km <= site.seat_tolerance_km, site.name
        # the generator places the seat itself, to well under a metre
        assert off_km < 1e-3, site.name


def test_km_distances_between_seats_match_great_circle_distances(xindu: District) -> None:
    sub = xindu.subdistricts
    for i, site in enumerate(SITES):
        planar = np.hypot(sub["x_km"] - sub["x_km"][i], sub["y_km"] - sub["y_km"][i])
        sphere = _haversine_km(site.lon_deg, site.lat_deg,
                               np.array([s.lon_deg for s in SITES]),
                               np.array([s.lat_deg for s in SITES]))
        # equirectangular around one origin: within 0.2% (plus 1 m) over some 30 km
        assert np.all(np.abs(planar - sphere) <= 0.002 * sphere + 1e-3), site.name


def test_areas_add_up_to_the_district_s_496_square_km() -> None:
    assert math.isclose(sum(site.area_km2 for site in SITES), AREA_KM2, abs_tol=0.005)
    assert all(site.area_km2 > 0 and site.seat_tolerance_km > 0 for site in SITES)
    assert len(SITES) == 9 and [s.kind for s in SITES].count("town") == 2


def test_urban_communities_spread_in_proportion_to_their_subdistrict_s_radius(
        xindu: District) -> None:
    # sd = share × radius per axis: distance / radius is Rayleigh(share) in every sub-district
    # (folded back at 1, which for the urban share 0.3 happens with probability e^(-1/0.18) ≈ 0.4%)
    com, sub = xindu.communities, xindu.subdistricts
    of = xindu.position("subdistricts", com["subdistrict_id"])
    radius = np.array([site.radius_km for site in SITES])[of]
    scaled = np.hypot(com["x_km"] - sub["x_km"][of], com["y_km"] - sub["y_km"][of]) / radius
    urban = scaled[com["kind"] == URBAN]
    sigma = COMMUNITY_SPREAD_SHARE[URBAN]
    mean, sd = sigma * math.sqrt(math.pi / 2), sigma * math.sqrt((4 - math.pi) / 2)
    assert abs(urban.mean() - mean) < 4 * sd / math.sqrt(len(urban))
    # and in km the spread grows with the area: larger sub-districts, farther communities
    away_km = scaled * radius
    small, large = min(SITES, key=lambda s: s.area_km2), max(SITES, key=lambda s: s.area_km2)
    names = [s.name for s in SITES]
    assert (away_km[of == names.index(large.name)].mean()
            > away_km[of == names.index(small.name)].mean())


def test_every_unit_serves_one_subdistrict_and_sits_beside_its_communities(
        xindu: District) -> None:
    pairings, com, units = xindu.pairings, xindu.communities, xindu.units
    rows = xindu.position("communities", pairings["community_id"])
    unit = xindu.position("units", pairings["unit_id"])
    served = np.bincount(unit)
    assert served.min() >= 2 and served.max() <= 4
    subdistricts_of_unit = [set(com["subdistrict_id"][rows[unit == u]].tolist())
                            for u in range(len(served))]
    assert all(len(s) == 1 for s in subdistricts_of_unit)
    centre_x = np.bincount(unit, com["x_km"][rows]) / served
    centre_y = np.bincount(unit, com["y_km"][rows]) / served
    assert np.all(np.hypot(units["x_km"] - centre_x, units["y_km"] - centre_y)
                  <= UNIT_NEAR_KM + 1e-9)


def test_units_are_shared_out_in_proportion_to_communities(xindu: District) -> None:
    com = xindu.communities
    per_subdistrict = np.bincount(com["subdistrict_id"])
    unit_subdistrict = com["subdistrict_id"][
        xindu.position("communities", xindu.pairings["community_id"])]
    first = np.unique(xindu.pairings["unit_id"], return_index=True)[1]
    units_of = np.bincount(unit_subdistrict[first], minlength=len(per_subdistrict))
    quota = units_of.sum() * per_subdistrict / per_subdistrict.sum()
    assert np.all(np.abs(units_of - quota) < 1)  # largest remainder: within one of the quota
    assert units_of.sum() == 61


@pytest.mark.parametrize("count", [1, 2, 5, 20])
def test_tiles_of_a_scaled_district_never_overlap(count: int) -> None:
    offsets = tile_offsets_km(count)
    assert len(offsets) == count and np.array_equal(offsets[0], [0.0, 0.0])
    # the box holding every sub-district's disc, around the seats in km
    xy = np.array([site_xy_km(site) for site in SITES])
    radius = np.array([site.radius_km for site in SITES])
    width = (xy[:, 0] + radius).max() - (xy[:, 0] - radius).min()
    height = (xy[:, 1] + radius).max() - (xy[:, 1] - radius).min()
    for i in range(count):
        for j in range(i):
            dx, dy = np.abs(offsets[i] - offsets[j])
            assert dx >= width or dy >= height, (i, j)
