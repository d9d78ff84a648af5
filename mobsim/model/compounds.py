"""Travel inside compounds: minutes from a member's building or the compound gate to the post."""

from __future__ import annotations

import numpy as np

from mobsim.scenario.params import Settings


def inside_compound_min(settings: Settings, compound_type: np.ndarray) -> np.ndarray:
    """Extra minutes to each post, by the compound type of its micro-grid.

    `travel.inside_compound_min.<type>`: fixed minutes, no draw, so a change of one type's
    minutes moves only the trips to posts of that type (common random numbers).
    """
    minutes = settings.by_compound_type("travel.inside_compound_min")
    return minutes[np.asarray(compound_type, np.intp)]
