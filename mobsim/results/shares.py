"""Shares as printed, everywhere (terminal, report, calibration): a percentage that never
rounds to 100% when the share is below 1, nor to 0% when it is above 0 — a planner reads
"100.0%" as "every one", so 99.97% prints as ">99.9%" and 0.02% as "<0.1%"."""

from __future__ import annotations

import math


def percent_text(share: float, digits: int = 1, width: int = 0) -> str:
    """`share` (0–1) as a percentage with `digits` decimals, right-aligned in `width`."""
    if math.isnan(share):
        return "n/a".rjust(width)
    text = f"{100 * share:.{digits}f}%"
    step = 10.0 ** -digits
    if share < 1 and text == f"{100:.{digits}f}%":
        text = f">{100 - step:.{digits}f}%"
    elif share > 0 and text == f"{0:.{digits}f}%":
        text = f"<{step:.{digits}f}%"
    return text.rjust(width)
