"""Travel speeds from members who set out from home and arrived: route length over time taken.

The model gives every member the same walking speed (`travel.walk_speed_mps`, routes up to
`travel.walk_max_km`) and riding speed (`travel.ride_speed_kmh`, beyond), so a speed is fitted
as one number: total route over total time of those who walked (or rode), with a percentile
bootstrap interval over people (`scipy.stats.bootstrap`). Routes are the straight line times
the base's `travel.detour_factor`; a trip to a village post is first divided by the base's
`travel.village_factor`. A member who set out but had not arrived at the window's end is left
out: trips from home take minutes, so few are cut off, and none but the slowest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from mobsim.district import District
from mobsim.scenario import Scenario
from mobsim.scenario.params import Settings
from mobsim.studies.calibration.censored import Estimate
from mobsim.studies.calibration.drill_log import DrillLog
from mobsim.studies.calibration.observations import MIN_EXACT, inside_min, route_km

BOOTSTRAP_RESAMPLES = 999
"""Bootstrap resamples of a speed's interval (seeded: the interval is reproducible)."""

_KEYS: dict[str, tuple[str, float]] = {"walk": ("travel.walk_speed_mps", 1 / 3.6),
                                       "ride": ("travel.ride_speed_kmh", 1.0)}
"""Mode → scenario key and the factor from km/h to its unit."""

SPEED_KEYS: tuple[str, ...] = tuple(key for key, _ in _KEYS.values())
"""The scenario keys of the fitted speeds."""


def _speed_kmh(km: np.ndarray, hours: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.sum(km, axis=axis) / np.sum(hours, axis=axis)


def travelled(log: DrillLog, district: District, scenario: Scenario) -> pd.DataFrame:
    """Members from home who set out and arrived: route (km), hours on the way, mode."""
    rows = log.rows
    members = rows[(rows["role"] == "member") & rows["state"].isin(("home", "asleep"))
                   & rows["set_out_min"].notna() & rows["arrived_min"].notna()]
    km, factor = route_km(members, district, scenario)
    walk_max_km = Settings(scenario).number("travel.walk_max_km")
    on_the_way_min = (members["arrived_min"] - members["set_out_min"]).to_numpy()
    hours = (on_the_way_min - inside_min(members, district, scenario)) / factor / 60.0
    moving = (km > 0) & (hours > 0)
    return pd.DataFrame({"km": km[moving], "hours": hours[moving],
                         "mode": np.where(km[moving] <= walk_max_km, "walk", "ride")})


def fit_speeds(log: DrillLog, district: District, scenario: Scenario,
               confidence: float) -> list[tuple[str, Estimate, int]]:
    """(key, estimate, people) of each speed with at least MIN_EXACT trips."""
    trips = travelled(log, district, scenario)
    out = []
    for mode, (key, unit) in _KEYS.items():
        mine = trips[trips["mode"] == mode]
        if len(mine) < MIN_EXACT:
            continue
        km, hours = mine["km"].to_numpy(), mine["hours"].to_numpy()
        speed = _speed_kmh(km, hours)
        if np.allclose(km / hours, speed):
            low = high = speed  # every trip at one speed: resampling cannot vary it
        else:
            result = stats.bootstrap((km, hours), _speed_kmh, paired=True, vectorized=True,
                                     confidence_level=confidence, n_resamples=BOOTSTRAP_RESAMPLES,
                                     method="percentile", random_state=np.random.default_rng(0))
            low, high = result.confidence_interval
        out.append((key, Estimate(*(float(v * unit) for v in (speed, low, high))), len(mine)))
    return out
