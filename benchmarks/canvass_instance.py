"""The 508,050-household wartime canvass campaign shared by the canvass benchmarks.

Campaign: each of the 10,161 micro-grids (about 50 households each) is canvassed by one worker,
its first micro-grid member on post, who starts when the micro-grid is activated and works
continuously (wartime) from an order given on Tuesday at 14:00. Not-at-home households are
revisited after 60 min, at most 3 attempts (census practice, brief section 4), within 24 h.

The micro-grids are a seeded stand-in of the Xindu shape (brief section 2): mobsim/generate.py
did not exist when this module was written, so household counts are exactly 50 per micro-grid
(10,161 × 50 = 508,050, the household total of brief section 5 case 5) and compound types are
drawn from fixed placeholder shares. Door parameters are placeholders of plausible size.
"""

from __future__ import annotations

import math

import numpy as np

from mobsim.kernels.canvass import Durations
from mobsim.kernels.rng import FIXED, LOGNORMAL

MICROGRIDS = 10_161
HOUSEHOLDS_PER_MICROGRID = 50
TUESDAY_14H_MIN_OF_WEEK = 1440.0 + 14 * 60.0

# Placeholder shares of the seven compound types (mobsim.tables.COMPOUND_TYPES order).
_TYPE_SHARES = np.array([0.30, 0.08, 0.15, 0.07, 0.10, 0.10, 0.20])
# Who is home: better on weekday evenings and weekends (Weeks et al. 1987; Durrant et al. 2011).
_HOME_WEEKDAY_DAY, _HOME_EVENING, _HOME_NIGHT, _HOME_WEEKEND = 0.45, 0.80, 0.90, 0.70
_TYPE_HOME_FACTOR = np.array([0.90, 1.00, 1.05, 0.95, 1.00, 1.00, 1.10])
_SERVICE_MEDIAN_MIN = np.array([3.0, 3.0, 3.5, 3.0, 3.5, 3.5, 4.0])
_SERVICE_SIGMA = 0.5
_WALK_MIN = np.array([0.5, 0.7, 1.0, 0.6, 1.2, 1.0, 3.0])
_ABSENT_MIN = 0.5
_ACTIVATION_SPREAD_MIN = 180.0


def hour_of_week_home_p() -> np.ndarray:
    """Placeholder home probability by compound type (rows) and hour of week (columns)."""
    hour = np.arange(168)
    day, hour_of_day = hour // 24, hour % 24
    profile = np.where(hour_of_day < 7, _HOME_NIGHT,
                       np.where(hour_of_day >= 18, _HOME_EVENING, _HOME_WEEKDAY_DAY))
    profile = np.where((day >= 5) & (hour_of_day >= 7), _HOME_WEEKEND, profile)
    return np.clip(np.outer(_TYPE_HOME_FACTOR, profile), 0.0, 1.0)


def build_instance(fraction: float = 1.0, seed: int = 2020) -> dict:
    """Keyword arguments of `canvass` for the first `fraction` of the micro-grids."""
    rng = np.random.default_rng(seed)
    microgrid_type = rng.choice(len(_TYPE_SHARES), size=MICROGRIDS, p=_TYPE_SHARES)
    activation_min = rng.uniform(0.0, _ACTIVATION_SPREAD_MIN, size=MICROGRIDS)
    workers = math.ceil(fraction * MICROGRIDS)
    households = workers * HOUSEHOLDS_PER_MICROGRID
    kinds = len(_TYPE_SHARES)
    return dict(
        worker_offsets=np.arange(workers + 1) * HOUSEHOLDS_PER_MICROGRID,
        household_order=np.arange(households),
        compound_type=np.repeat(microgrid_type[:workers], HOUSEHOLDS_PER_MICROGRID),
        worker_start_min=activation_min[:workers],
        home_p=hour_of_week_home_p(),
        service_min=Durations(np.full(kinds, LOGNORMAL), np.log(_SERVICE_MEDIAN_MIN),
                              np.full(kinds, _SERVICE_SIGMA)),
        walk_min=Durations(np.full(kinds, FIXED), _WALK_MIN, np.zeros(kinds)),
        absent_min=np.full(kinds, _ABSENT_MIN),
        clock0_min_of_week=TUESDAY_14H_MIN_OF_WEEK,
        revisit_gap_min=60.0,
        max_attempts=3,
        horizon_min=1440.0,
        bin_min=15.0,
        n_bins=96,
        seed=seed,
    )
