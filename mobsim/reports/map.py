"""The report's map: one inline SVG (offline, no script) of community markers sized by late
posts, coloured by whether the community held the district's last post, with names.

Communities with longitude and latitude (WGS84) are drawn in a plain equirectangular
projection, north up; run folders written before those columns use the km coordinates.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from markupsafe import Markup

from mobsim.reports.templating import render

WIDTH_PX = 760
MARGIN_PX = 28
MAX_RADIUS_PX = 16.0
MIN_RADIUS_PX = 2.5
LABELLED = 8
"""Communities named on the map (the worst by the bottleneck order); the rest on hover."""
LAST_POST_FILL, LATE_FILL, IN_TIME_FILL = "#b03a2e", "#e59866", "#85c1e9"


def _radius(late: float, most: float) -> float:
    """Marker radius: area proportional to late posts per replication."""
    if most <= 0:
        return MIN_RADIUS_PX
    return MIN_RADIUS_PX + (MAX_RADIUS_PX - MIN_RADIUS_PX) * math.sqrt(late / most)


def plane(communities: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """East and north map coordinates: lon/lat (equirectangular) when present, else km."""
    if {"lon_deg", "lat_deg"} <= set(communities.columns):
        lon, lat = communities["lon_deg"].to_numpy(float), communities["lat_deg"].to_numpy(float)
        # a degree of longitude is cos(latitude) of a degree of latitude, at the map's middle
        mid_lat = math.radians((lat.min() + lat.max()) / 2)
        return lon * math.cos(mid_lat), lat
    return communities["x_km"].to_numpy(float), communities["y_km"].to_numpy(float)


def community_map_svg(communities: pd.DataFrame, bottlenecks: pd.DataFrame,
                      subdistrict_names: dict[int, str], replications: int,
                      target_min: float) -> Markup:
    """The map as inline SVG; `communities` has community_id, subdistrict_id, name and either
    lon_deg, lat_deg or x_km, y_km."""
    frame = communities.merge(bottlenecks[["last_post_replications", "late_per_replication"]],
                              left_on="community_id", right_index=True, how="left").fillna(
        {"last_post_replications": 0, "late_per_replication": 0.0})
    x, y = plane(frame)
    span = max(np.ptp(x), np.ptp(y), 1e-9)
    scale = (WIDTH_PX - 2 * MARGIN_PX) / span
    height = int(np.ptp(y) * scale + 2 * MARGIN_PX)
    px = MARGIN_PX + (x - x.min()) * scale
    py = height - MARGIN_PX - (y - y.min()) * scale
    most = float(frame["late_per_replication"].max())
    markers = []
    for i, row in enumerate(frame.itertuples(index=False)):
        late, last = float(row.late_per_replication), int(row.last_post_replications)
        fill = LAST_POST_FILL if last else LATE_FILL if late > 0 else IN_TIME_FILL
        name = str(getattr(row, "name", f"community {row.community_id}"))
        markers.append({
            "id": int(row.community_id), "x": round(px[i], 1), "y": round(py[i], 1),
            "r": round(_radius(late, most), 1), "fill": fill, "late": repr(late), "name": name,
            "title": (f"{name} ({subdistrict_names.get(int(row.subdistrict_id), '')}): "
                      f"{late:.2f} posts per replication staffed after {target_min:g} min or "
                      f"never; held the district's last post in {last} of {replications} "
                      "replications")})
    order = bottlenecks.index[:LABELLED]
    labelled = [m for m in markers if m["id"] in set(order) and
                (frame.set_index("community_id").loc[m["id"], "late_per_replication"] > 0)]
    centres = frame.assign(px=px, py=py).groupby("subdistrict_id")[["px", "py"]].mean()
    subdistricts = [{"x": round(r.px, 1), "y": round(r.py, 1),
                     "name": subdistrict_names.get(int(s), f"sub-district {s}")}
                    for s, r in centres.iterrows()]
    legend = [{"r": _radius(most, most), "fill": LAST_POST_FILL,
               "text": f"held the last post; {most:.1f} late"},
              {"r": _radius(most / 4, most), "fill": LATE_FILL,
               "text": f"late posts, {most / 4:.1f} per rep."},
              {"r": MIN_RADIUS_PX, "fill": IN_TIME_FILL, "text": "all posts in time"}]
    return render("map.svg.j2", width=WIDTH_PX, height=height, communities=markers,
                  labelled=labelled, subdistricts=subdistricts, legend=legend)
