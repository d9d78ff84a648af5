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


LABEL_CHAR_PX, LABEL_HEIGHT_PX, LABEL_GAP_PX = 6.2, 11.0, 2.0
"""A label's width per character and its height at the map's 11 px font, and its gap from its
marker."""
SUBDISTRICT_CHAR_PX = 8.6
"""A sub-district name's width per character (14 px bold), centred on its communities."""
LABEL_SIDES = ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1))
"""Where a label may go around its marker, tried in turn: right, left, above, below, corners."""


def _label_box(marker: dict, side: tuple[int, int], text: str) -> tuple[float, ...]:
    """(left, top, right, bottom) of `text` beside `marker` on `side`."""
    width, r = len(text) * LABEL_CHAR_PX, marker["r"] + LABEL_GAP_PX
    dx, dy = side
    left = (marker["x"] + r if dx > 0 else marker["x"] - r - width if dx < 0
            else marker["x"] - width / 2)
    top = (marker["y"] - r - LABEL_HEIGHT_PX if dy < 0 else marker["y"] + r if dy > 0
           else marker["y"] - LABEL_HEIGHT_PX / 2)
    return left, top, left + width, top + LABEL_HEIGHT_PX


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(worst: list[dict], width: float, height: float,
                 taken: list[tuple[float, ...]] = ()) -> list[dict]:
    """Labels of the `worst` markers, most important first, each on the first side where it
    overlaps no label placed before it, no labelled marker and no box of `taken` (the
    sub-districts' names), inside the map; a label that fits nowhere is left out (the marker's
    tooltip still names it)."""
    placed: list[dict] = []
    obstacles = [*taken, *((m["x"] - m["r"], m["y"] - m["r"], m["x"] + m["r"], m["y"] + m["r"])
                           for m in worst)]
    for marker in worst:
        for side in LABEL_SIDES:
            box = _label_box(marker, side, marker["name"])
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height
            if inside and not any(_overlap(box, other["box"]) for other in placed) \
                    and not any(_overlap(box, other) for other in obstacles):
                placed.append({**marker, "box": box, "lx": round(box[0], 1),
                               "ly": round(box[3] - 2, 1)})
                break
    return placed


def plane(communities: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """East and north map coordinates: lon/lat (equirectangular) when present, else km."""
    if {"lon_deg", "lat_deg"} <= set(communities.columns):
        lon, lat = communities["lon_deg"].to_numpy(float), communities["lat_deg"].to_numpy(float)
        # a degree of longitude is cos(latitude) of a degree of latitude, at the map's middle
        mid_lat = math.radians((lat.min() + lat.max()) / 2)
        return lon * math.cos(mid_lat), lat
    return communities["x_km"].to_numpy(float), communities["y_km"].to_numpy(float)


def pixels(communities: pd.DataFrame, width_px: float,
           margin_px: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Each community's SVG x and y (north up) in a map `width_px` wide, and the map's height."""
    x, y = plane(communities)
    span = max(np.ptp(x), np.ptp(y), 1e-9)
    scale = (width_px - 2 * margin_px) / span
    height = int(np.ptp(y) * scale + 2 * margin_px)
    return (margin_px + (x - x.min()) * scale,
            height - margin_px - (y - y.min()) * scale, height)


def community_map_svg(communities: pd.DataFrame, bottlenecks: pd.DataFrame,
                      subdistrict_names: dict[int, str], replications: int,
                      target_min: float) -> Markup:
    """The map as inline SVG; `communities` has community_id, subdistrict_id, name and either
    lon_deg, lat_deg or x_km, y_km."""
    frame = communities.merge(bottlenecks[["last_post_replications", "late_per_replication"]],
                              left_on="community_id", right_index=True, how="left").fillna(
        {"last_post_replications": 0, "late_per_replication": 0.0})
    px, py, height = pixels(frame, WIDTH_PX, MARGIN_PX)
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
    centres = frame.assign(px=px, py=py).groupby("subdistrict_id")[["px", "py"]].mean()
    subdistricts = [{"x": round(r.px, 1), "y": round(r.py, 1),
                     "name": subdistrict_names.get(int(s), f"sub-district {s}")}
                    for s, r in centres.iterrows()]
    late = frame.set_index("community_id")["late_per_replication"]
    by_id = {m["id"]: m for m in markers}
    worst = [by_id[c] for c in bottlenecks.index[:LABELLED] if c in by_id and late[c] > 0]
    names_taken = [(s["x"] - len(s["name"]) * SUBDISTRICT_CHAR_PX / 2, s["y"] - 13.0,
                    s["x"] + len(s["name"]) * SUBDISTRICT_CHAR_PX / 2, s["y"] + 3.0)
                   for s in subdistricts]
    labelled = place_labels(worst, WIDTH_PX, height, names_taken)
    legend = [{"r": _radius(most, most), "fill": LAST_POST_FILL,
               "text": f"held the last post; {most:.1f} late"},
              {"r": _radius(most / 4, most), "fill": LATE_FILL,
               "text": f"late posts, {most / 4:.1f} per rep."},
              {"r": MIN_RADIUS_PX, "fill": IN_TIME_FILL, "text": "all posts in time"}]
    return render("map.svg.j2", width=WIDTH_PX, height=height, communities=markers,
                  labelled=labelled, subdistricts=subdistricts, legend=legend)
