"""The report's tail and sweep figures (matplotlib, PNG bytes), beside mobsim.reports.plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps

from mobsim.reports.plots import (
    BAR_COLOR,
    TARGET_STYLE,
    _figure,
    curve_end_min,
    png_bytes,
)
from mobsim.results.stats import BAND_LABEL


def tail_png(band: pd.DataFrame, target_min: float, replications: int) -> bytes:
    """Posts still unstaffed over time on a log scale: the median and the band across
    replications, so the last few posts stay visible instead of merging with 100%."""
    fig = _figure(4.2)
    ax = fig.add_subplot()
    minutes = band.index.to_numpy()
    ax.fill_between(minutes, band["lower"], band["upper"], color=BAR_COLOR, alpha=0.25,
                    linewidth=0, label=f"{BAND_LABEL} of {replications} replications", step="post")
    ax.step(minutes, band["median"], where="post", color=BAR_COLOR, linewidth=2, label="median")
    ax.axvline(target_min, **TARGET_STYLE, label=f"target {target_min:g} min")
    # symlog: linear below one post, so "none left" (0) stays on the axis
    ax.set_yscale("symlog", linthresh=1.0)
    ax.set_ylim(0, max(float(band["upper"].max()), 1.0) * 1.5)
    settled = band.loc[band["median"] > 0]
    end = curve_end_min(band, target_min)
    if len(settled):
        end = max(end, min(float(settled.index[-1]) * 1.1, float(minutes[-1])))
    ax.set_xlim(0, end)
    ax.set_xlabel("minutes since the order")
    ax.set_ylabel("micro-grids without staff on post")
    ax.set_title("The tail: posts still unstaffed (log scale)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper right")
    return png_bytes(fig)


def variant_bands_png(bands: dict[str, pd.DataFrame], targets: list[float],
                      ylabel: str = "micro-grids activated (%)",
                      title: str = "Mobilization curve of each variant") -> bytes:
    """Each labelled curve's median share (by default of micro-grids on post, one per variant)
    with its band across replications."""
    fig = _figure(4.6)
    ax = fig.add_subplot()
    colors = colormaps["tab10"](np.arange(len(bands)) % 10)
    end = 0.0
    for color, (label, band) in zip(colors, bands.items()):
        minutes = band.index.to_numpy()
        ax.fill_between(minutes, 100 * band["lower"], 100 * band["upper"], color=color,
                        alpha=0.15, linewidth=0)
        ax.plot(minutes, 100 * band["median"], color=color, linewidth=2, label=label)
        end = max(end, curve_end_min(band, max(targets)))
    for target in sorted(set(targets)):
        ax.axvline(target, **TARGET_STYLE)
    ax.set_xlim(0, end)
    ax.set_ylim(0, 102)
    ax.set_xlabel("minutes since the order")
    ax.set_ylabel(ylabel)
    ax.set_title(f"{title}: median and {BAND_LABEL} band")
    ax.grid(alpha=0.3)
    outside = len(bands) > 6
    ax.legend(loc="upper left" if outside else "lower right", fontsize=8,
              bbox_to_anchor=(1.01, 1.0) if outside else None)
    return png_bytes(fig)


def coverage_days_png(band: pd.DataFrame, replications: int) -> bytes:
    """The scan campaign's share of households verified by day: median and band."""
    fig = _figure(4.2)
    ax = fig.add_subplot()
    days = band.index.to_numpy()
    ax.fill_between(days, 100 * band["lower"], 100 * band["upper"], color=BAR_COLOR, alpha=0.25,
                    linewidth=0, label=f"{BAND_LABEL} of {replications} replications")
    ax.plot(days, 100 * band["median"], color=BAR_COLOR, linewidth=2, label="median")
    ax.set_xlim(0, days[-1])
    ax.set_ylim(0, 102)
    ax.set_xlabel("days since the campaign start")
    ax.set_ylabel("households verified (%)")
    ax.set_title("Building-scan campaign: households verified")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return png_bytes(fig)
