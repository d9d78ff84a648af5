"""The tornado chart of a sensitivity analysis: each top parameter alone at the ends of its range."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mobsim.reports.plots import (
    BAR_COLOR,
    NEVER_COLOR,
    TARGET_STYLE,
    _figure,
    png_bytes,
)

LOW_COLOR, HIGH_COLOR = NEVER_COLOR, BAR_COLOR


def tornado_order(ends: pd.DataFrame) -> pd.DataFrame:
    """The end runs, widest swing of the target percentile (|high − low|) first; ties by key."""
    swing = (ends["high_min"].astype(float) - ends["low_min"].astype(float)).abs()
    return (ends.assign(swing_min=swing)
            .sort_values(["swing_min", "key"], ascending=[False, True], kind="stable")
            .reset_index(drop=True))


def tornado_png(ends: pd.DataFrame, target_min: float, quantile: float) -> bytes:
    """Bars from the scenario's own target percentile to its value at each end of a range.

    `ends` in the order to draw, top first (tornado_order); a parameter that flips the verdict
    at either end is marked.
    """
    fig = _figure(1.2 + 0.45 * len(ends))
    ax = fig.add_subplot()
    rows = np.arange(len(ends))
    base = ends["base_min"].to_numpy(dtype=float)
    for column, color, label in (("low_min", LOW_COLOR, "low end of the range"),
                                 ("high_min", HIGH_COLOR, "high end of the range")):
        at = ends[column].to_numpy(dtype=float)
        ax.barh(rows, at - base, left=base, color=color, height=0.6, label=label)
    ax.axvline(float(base[0]) if len(base) else 0.0, color="#222", linewidth=1,
               label="the scenario's values")
    ax.axvline(target_min, **TARGET_STYLE, label=f"target {target_min:g} min")
    labels = [f"{key}{'  (flips the verdict)' if flips else ''}"
              for key, flips in zip(ends["key"], ends["flips"])]
    ax.set_yticks(rows, labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"{quantile * 100:g}th percentile of the district time (min; never = horizon)")
    ax.set_title("Each parameter alone at the ends of its range")
    ax.grid(alpha=0.3, axis="x")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=4, fontsize=8,
               frameon=False)
    return png_bytes(fig)
