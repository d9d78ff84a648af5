"""The tornado chart of a sensitivity analysis: each top parameter alone at the ends of its range."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mobsim.reports.plots import (
    BAR_COLOR,
    NEVER_COLOR,
    TARGET_STYLE,
    _figure,
    png_bytes,
)

LOW_COLOR, HIGH_COLOR = NEVER_COLOR, BAR_COLOR
BAR_HEIGHT, BAR_OFFSET = 0.36, 0.19
"""Each end's bar: its height and its offset from the row's middle (rows are 1 apart)."""
X_MARGIN = 0.08
"""Room left on either side of the bars, the scenario's line and the target, as a share."""


def tornado_order(ends: pd.DataFrame) -> pd.DataFrame:
    """The end runs, widest swing of the target percentile (|high − low|) first; ties by key."""
    swing = (ends["high_min"].astype(float) - ends["low_min"].astype(float)).abs()
    return (ends.assign(swing_min=swing)
            .sort_values(["swing_min", "key"], ascending=[False, True], kind="stable")
            .reset_index(drop=True))


def tornado_png(ends: pd.DataFrame, target_min: float, quantile: float) -> bytes:
    """The tornado chart as PNG (tornado_figure)."""
    return png_bytes(tornado_figure(ends, target_min, quantile))


def tornado_figure(ends: pd.DataFrame, target_min: float, quantile: float) -> Figure:
    """Bars from the scenario's own target percentile to its value at each end of a range.

    `ends` in the order to draw, top first (tornado_order); a parameter that flips the verdict
    at either end is marked.
    """
    fig = _figure(1.2 + 0.55 * len(ends))
    ax = fig.add_subplot()
    rows = np.arange(len(ends))
    base = ends["base_min"].to_numpy(dtype=float)
    # The two ends side by side in each row, so neither hides the other when both lie on the
    # same side of the scenario's own value.
    ends_drawn = (("low_min", LOW_COLOR, "low end of the range", -BAR_OFFSET),
                  ("high_min", HIGH_COLOR, "high end of the range", BAR_OFFSET))
    for column, color, label, offset in ends_drawn:
        at = ends[column].to_numpy(dtype=float)
        ax.barh(rows + offset, at - base, left=base, color=color, height=BAR_HEIGHT, label=label)
    ax.axvline(float(base[0]) if len(base) else 0.0, color="#222", linewidth=1.5, zorder=3,
               label="the scenario's values")
    ax.axvline(target_min, **TARGET_STYLE, label=f"target {target_min:g} min")
    shown = np.concatenate([base, ends["low_min"].to_numpy(float), ends["high_min"].to_numpy(float),
                            [target_min]])
    low, high = float(shown.min()), float(shown.max())
    margin = max(high - low, 1.0) * X_MARGIN  # the scenario's line never on the axis' edge
    ax.set_xlim(low - margin, high + margin)
    labels = [f"{key}{'  (flips the verdict)' if flips else ''}"
              for key, flips in zip(ends["key"], ends["flips"])]
    ax.set_yticks(rows, labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"{quantile * 100:g}th percentile of the district time (min; never = horizon)")
    ax.set_title("Each parameter alone at the ends of its range")
    ax.grid(alpha=0.3, axis="x")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=4, fontsize=8,
               frameon=False)
    return fig
