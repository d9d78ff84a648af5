"""The 508,050-household wartime canvass campaign shared by the canvass benchmarks.

Campaign: each of the 10,161 micro-grids (about 50 households each) is canvassed by one worker,
its first micro-grid member on post, who starts when the micro-grid is activated and works
continuously (wartime) from an order given on Tuesday at 14:00. Not-at-home households are
revisited after 60 min, at most 3 attempts (census practice, brief section 4), within 24 h.

Micro-grids (households, compound type) are those of `generate_xindu()`: 10,161 micro-grids of
40-59 households, 508,050 in all. Activation times are a seeded placeholder (uniform over the
first 3 h), since the activation phase is the SimPy model's job; door parameters (who is home,
service and walk times) are placeholders of plausible size.
"""

from __future__ import annotations

import math

import numpy as np
from mobsim.kernels.canvass import Durations
from mobsim.kernels.rng import FIXED, LOGNORMAL

from mobsim.codes import COMPOUND_TYPES
from mobsim.district.generate import generate_xindu

TUESDAY_14H_MIN_OF_WEEK = 1440.0 + 14 * 60.0

# Who is home: better on weekday evenings and weekends (Weeks et al. 1987; Durrant et al. 2011).
_HOME_WEEKDAY_DAY, _HOME_EVENING, _HOME_NIGHT, _HOME_WEEKEND = 0.45, 0.80, 0.90, 0.70
# Per compound type, in mobsim.district.schemas.COMPOUND_TYPES order.
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
    microgrids = generate_xindu(seed).microgrids
    workers = math.ceil(fraction * len(microgrids["households"]))
    households = microgrids["households"][:workers].astype(np.int64)
    activation_min = np.random.default_rng(seed).uniform(0.0, _ACTIVATION_SPREAD_MIN, workers)
    kinds = len(COMPOUND_TYPES)
    return dict(
        worker_offsets=np.concatenate([[0], np.cumsum(households)]),
        household_order=np.arange(households.sum()),
        compound_type=np.repeat(microgrids["compound_type"][:workers], households),
        worker_start_min=activation_min,
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
