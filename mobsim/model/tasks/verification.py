"""Personnel verification: the door-to-door round of each post, faster where the scan verified.

The round is the wartime action of docs/model.md section 10 (one worker per post from its
activation, `[action]`, `[canvass]`). A household whose record the peacetime building scan
verified takes `tasks.verification.verified_time_factor` times the service time and is found
at a visit with `tasks.verification.verified_home_factor` times the probability (capped at 1).
The kernel sees such a household as a compound type of its own (code + number of compound
types), so an unverified household draws exactly what it drew before: common random numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mobsim.codes import COMPOUND_TYPES
from mobsim.kernels.canvass import Durations, canvass
from mobsim.kernels.rng import LOGNORMAL
from mobsim.model.canvass import Households, door_arguments
from mobsim.scenario.params import Parameters


def verified_doors(arguments: dict[str, Any], time_factor: float,
                   home_factor: float) -> dict[str, Any]:
    """`canvass` door arguments with a second set of compound types for verified households."""
    service = arguments["service_min"]
    scale = np.where(service.family == LOGNORMAL, np.log(time_factor), 0.0)
    faster = Durations(service.family,
                       np.where(service.family == LOGNORMAL, service.a + scale,
                                service.a * time_factor),
                       service.b)
    walk = arguments["walk_min"]
    return {
        **arguments,
        "home_p": np.vstack([arguments["home_p"],
                             np.minimum(arguments["home_p"] * home_factor, 1.0)]),
        "service_min": Durations(*(np.concatenate([a, b]) for a, b in zip(service, faster))),
        "walk_min": Durations(*(np.concatenate([a, a]) for a in walk)),
        "absent_min": np.tile(arguments["absent_min"], 2),
    }


def verification_reached_min(homes: Households, params: Parameters, activated_min: np.ndarray,
                             verified: np.ndarray | None = None) -> np.ndarray:
    """Minute each household was verified (NaN: not within `alert.horizon_min`).

    `verified` (bool per household) marks the records the scan verified; None = none.
    """
    arguments = door_arguments(params, "action")
    compound_type = homes.compound_type
    if verified is not None and verified.any():
        arguments = verified_doors(arguments,
                                   params.number("tasks.verification.verified_time_factor"),
                                   params.number("tasks.verification.verified_home_factor"))
        compound_type = (compound_type + len(COMPOUND_TYPES) * verified).astype(np.int8)
    start_min = np.where(np.isnan(activated_min), np.inf, activated_min)
    result = canvass(homes.microgrid_offsets, np.arange(homes.count), compound_type, start_min,
                     horizon_min=params.horizon_min, **arguments)
    return result.completion_min
