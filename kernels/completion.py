"""Which units a level's people complete (mobsim.model.tasks.moves): a unit acts only with its
whole minimum, so a level sends people only to the units they can complete.

The units are taken in the given order; each takes, level by level from the narrowest, the
people kept for its home at that level, while they last, and is completed only if they cover
its whole need (a unit not completed takes nobody).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def complete_units(order, need, unit_home, kept):
    """Per unit, whether it is completed; `unit_home[level, unit]` its home at each level,
    `kept[level, home]` the people there (used up as units take them)."""
    n_levels = unit_home.shape[0]
    completed = np.zeros(need.size, np.bool_)
    use = np.zeros(n_levels, np.int64)
    for i in order:
        left = need[i]
        for level in range(n_levels):
            use[level] = min(kept[level, unit_home[level, i]], left)
            left -= use[level]
        if left == 0:
            completed[i] = True
            for level in range(n_levels):
                kept[level, unit_home[level, i]] -= use[level]
    return completed
