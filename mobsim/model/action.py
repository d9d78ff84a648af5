"""Wartime door-to-door action: activated micro-grids reach their households, door by door.

One worker per micro-grid — its first staff member on post — starts at the micro-grid's
activation and works continuously through the micro-grid's households in their fixed order,
revisiting absent ones (`[action]`, `[canvass]`; docs/model.md section 10). A micro-grid never
activated is never canvassed. Draws come from the kernel's counter-based streams keyed by
(seed mixed with the "action" subsystem, replication, micro-grid row), apart from every stream
of the SimPy model.
"""

from __future__ import annotations

import numpy as np

from mobsim.kernels.canvass import canvass
from mobsim.model.canvass import Households, door_arguments
from mobsim.scenario.params import Parameters


def household_reached_min(homes: Households, params: Parameters,
                          activated_min: np.ndarray) -> np.ndarray:
    """Minute each household was reached (NaN: not within `alert.horizon_min`)."""
    start_min = np.where(np.isnan(activated_min), np.inf, activated_min)
    result = canvass(homes.microgrid_offsets, np.arange(homes.count), homes.compound_type,
                     start_min, horizon_min=params.horizon_min, **door_arguments(params, "action"))
    return result.completion_min
