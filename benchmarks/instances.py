"""Shared benchmark instances built from the generated Xindu district."""

from __future__ import annotations

import numpy as np

from mobsim.district.generate import generate_xindu

ROAD_FACTOR = 1.3
"""Road distance over straight-line distance."""

TRAVEL_SPEED_KMH = 30.0
"""Mean urban driving speed of a cadre on the way to a gap."""


def xindu_assignment_instance() -> tuple[np.ndarray, np.ndarray]:
    """Travel minutes from each of 61 units to each of 10,161 micro-grids, and cadres per unit."""
    district = generate_xindu()
    units, microgrids = district.units, district.microgrids
    dx_km = units["x_km"][:, None] - microgrids["x_km"][None, :]
    dy_km = units["y_km"][:, None] - microgrids["y_km"][None, :]
    travel_min = np.hypot(dx_km, dy_km) * ROAD_FACTOR / TRAVEL_SPEED_KMH * 60.0
    return travel_min, units["cadres"].astype(np.int64)
