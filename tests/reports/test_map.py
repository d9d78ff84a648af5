"""The report's map: lon/lat drawn north up in an equirectangular projection, km as fallback."""

import math
import re

import numpy as np
import pandas as pd

from mobsim.district.lonlat import XINDU_ORIGIN_DEG, to_lonlat
from mobsim.reports.map import community_map_svg, plane

# four communities: a square 6 km a side, plus its centre
X_KM = np.array([0.0, 6.0, 0.0, 6.0, 3.0])
Y_KM = np.array([0.0, 0.0, 6.0, 6.0, 3.0])


def _communities(with_lonlat: bool) -> pd.DataFrame:
    frame = pd.DataFrame({"community_id": np.arange(5), "subdistrict_id": np.zeros(5, int),
                          "name": [f"c{i}" for i in range(5)], "x_km": X_KM, "y_km": Y_KM})
    if with_lonlat:
        lon, lat = to_lonlat(X_KM, Y_KM)
        # km columns that disagree show which coordinates the map uses
        frame = frame.assign(lon_deg=lon, lat_deg=lat, x_km=X_KM * 3, y_km=Y_KM)
    return frame


def _centres(svg: str) -> dict[int, tuple[float, float]]:
    found = re.findall(r'id="map-community-(\d+)"[^>]*cx="([\d.]+)" cy="([\d.]+)"', svg)
    return {int(i): (float(x), float(y)) for i, x, y in found}


def _map(frame: pd.DataFrame) -> dict[int, tuple[float, float]]:
    empty = pd.DataFrame({"last_post_replications": [], "late_per_replication": []})
    return _centres(str(community_map_svg(frame, empty, {0: "S"}, 1, 180.0)))


def test_lonlat_map_keeps_a_square_square_and_north_up() -> None:
    frame = _communities(with_lonlat=True)
    centres = _map(frame)
    east = math.dist(centres[0], centres[1])
    north = math.dist(centres[0], centres[2])
    # the map scales longitude at its middle latitude, the km projection at the origin's
    mid_lat = math.radians((frame["lat_deg"].min() + frame["lat_deg"].max()) / 2)
    ratio = math.cos(mid_lat) / math.cos(math.radians(XINDU_ORIGIN_DEG[1]))
    assert abs(east - north * ratio) <= 0.2  # the SVG rounds each coordinate to 0.1 px
    assert centres[2][1] < centres[0][1]  # north is up (smaller SVG y)
    assert centres[1][0] > centres[0][0]  # east is right


def test_the_lonlat_map_draws_what_the_km_map_draws() -> None:
    by_lonlat = _map(_communities(with_lonlat=True))
    by_km = _map(_communities(with_lonlat=False))
    for community in range(5):
        assert math.dist(by_lonlat[community], by_km[community]) <= 0.5, community


def test_plane_falls_back_to_km_without_lonlat() -> None:
    x, y = plane(_communities(with_lonlat=False))
    assert np.array_equal(x, X_KM) and np.array_equal(y, Y_KM)


def _boxes(svg: str) -> list[tuple[float, float, float, float]]:
    """Each placed label's box, as the map estimates text (11 px font)."""
    from mobsim.reports.map import LABEL_CHAR_PX, LABEL_HEIGHT_PX
    found = re.findall(r'<text id="map-label-\d+" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)<', svg)
    return [(float(x), float(y) + 2 - LABEL_HEIGHT_PX, float(x) + len(name) * LABEL_CHAR_PX,
             float(y) + 2) for x, y, name in found]


def test_labels_of_a_tight_cluster_do_not_overlap() -> None:
    """Eight late communities within 300 m of each other, among others far away (the Xinfan
    cluster): every label placed overlaps no other label, and the worst is always named."""
    rng = np.random.default_rng(3)
    x = np.concatenate([5.0 + rng.uniform(0, 0.3, 8), [0.0, 12.0, 0.0, 12.0]])
    y = np.concatenate([5.0 + rng.uniform(0, 0.3, 8), [0.0, 0.0, 12.0, 12.0]])
    n = len(x)
    frame = pd.DataFrame({"community_id": np.arange(n), "subdistrict_id": np.zeros(n, int),
                          "name": [f"Xinfan community {i}" for i in range(n)], "x_km": x,
                          "y_km": y})
    table = pd.DataFrame({"last_post_replications": [3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                          "late_per_replication": [4.0, 3.5, 3.0, 2.5, 2.0, 1.5, 1.0, 0.5,
                                                   0, 0, 0, 0]}, index=np.arange(n))
    svg = str(community_map_svg(frame, table, {0: "Xinfan"}, 6, 180.0))
    boxes = _boxes(svg)
    assert 'id="map-label-0"' in svg and len(boxes) >= 3
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
