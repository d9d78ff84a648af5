"""The report's figures, drawn with matplotlib's Agg canvas and returned as PNG bytes.

Figures are built on `matplotlib.figure.Figure` directly (no pyplot): no global state and no
window, whatever backend the caller's matplotlib is set to. Inputs arrive aggregated
(mobsim.results.stats), so drawing costs the same for 5 replications or 500.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from mobsim.results.shares import percent_text
from mobsim.results.stats import BAND_LABEL

DPI = 110
WIDTH_IN = 8.0
TARGET_STYLE = {"color": "#c0392b", "linewidth": 1.6}
QUANTILE_STYLE = {"color": "#34495e", "linewidth": 1.3, "linestyle": "--"}
BAR_COLOR = "#3a6ea5"
NEVER_COLOR = "#7f7f7f"
GAP_LABELS = {"member": "member on post", "grid_worker": "grid worker backfill",
              "cadre": "cadre backfill", "community_staff": "community staff backfill",
              "emergency_team": "emergency team backfill", "commando_team": "commando team backfill",
              "volunteer_team": "volunteer team backfill", "none": "never activated"}


def _figure(height_in: float) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure) -> bytes:
    """Render `fig` to PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _minutes(value: float) -> str:
    return f"{value:.0f} min" if np.isfinite(value) else "never"


def curve_end_min(curves: pd.DataFrame, target_min: float) -> float:
    """Minute the x axis runs to: past the minute every curve settles and past the target."""
    values = curves.to_numpy()
    unsettled = np.flatnonzero(np.any(values != values[-1], axis=1))
    settled_at = curves.index[min(unsettled[-1] + 1, len(curves) - 1)] if len(unsettled) else 0
    return float(min(max(1.1 * settled_at, 1.15 * target_min), curves.index[-1]))


def _target_line(ax, target_min: float) -> None:
    ax.axvline(target_min, **TARGET_STYLE, label=f"target {target_min:g} min")


def curve_band_png(band: pd.DataFrame, target_min: float, measure: str, title: str,
                   replications: int) -> bytes:
    """Median share over time with its band across replications (BAND) and the target line."""
    fig = _figure(4.2)
    ax = fig.add_subplot()
    minutes = band.index.to_numpy()
    ax.fill_between(minutes, 100 * band["lower"], 100 * band["upper"], color=BAR_COLOR,
                    alpha=0.25, linewidth=0,
                    label=f"{BAND_LABEL} of {replications} replications")
    ax.plot(minutes, 100 * band["median"], color=BAR_COLOR, linewidth=2, label="median")
    _target_line(ax, target_min)
    ax.set_xlim(0, curve_end_min(band, target_min))
    ax.set_ylim(0, 102)
    ax.set_xlabel("minutes since the order")
    ax.set_ylabel(f"{measure} (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return png_bytes(fig)


def district_time_png(t_full_min: np.ndarray, target_min: float, quantile: float,
                      quantile_min: float) -> bytes:
    """Histogram of the district time per replication, never-finished ones as a bar at the right."""
    finite = t_full_min[np.isfinite(t_full_min)]
    never = int(np.sum(~np.isfinite(t_full_min)))
    fig = _figure(4.2)
    ax, ax_never = fig.subplots(1, 2, sharey=True, width_ratios=[8, 1])
    if len(finite):
        bins = min(30, max(5, len(finite) // 3))
        edges = np.histogram_bin_edges(np.r_[finite, target_min], bins=bins)
        ax.hist(finite, bins=edges, color=BAR_COLOR, edgecolor="white")
    else:
        ax.text(0.5, 0.5, "no replication had every micro-grid on post",
                transform=ax.transAxes, ha="center", va="center")
        ax.set_xlim(0, 1.3 * target_min)
    _target_line(ax, target_min)
    quantile_label = f"{quantile * 100:g}th percentile: {_minutes(quantile_min)}"
    if np.isfinite(quantile_min):
        ax.axvline(quantile_min, **QUANTILE_STYLE, label=quantile_label)
    else:
        ax.plot([], [], **QUANTILE_STYLE, label=quantile_label)
    ax.set_xlabel("district mobilization time: last micro-grid on post (min)")
    ax.set_ylabel("replications")
    ax.set_title(f"District time over {len(t_full_min)} replications")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(loc="upper left")
    ax_never.bar([0], [never], color=NEVER_COLOR, width=0.6)
    ax_never.text(0, never, str(never), ha="center", va="bottom")
    ax_never.set_xticks([0], ["never"])
    ax_never.set_xlim(-0.6, 0.6)
    ax_never.tick_params(axis="y", left=False)
    ax.set_ylim(top=max(ax.get_ylim()[1], never * 1.15 + 0.5))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return png_bytes(fig)


def _breakdown_panel(ax, table: pd.DataFrame, labels: list[str], target_min: float,
                     right_min: float) -> None:
    median = table["median_activation_min"].to_numpy(dtype=float)
    p95 = table["p95_activation_min"].to_numpy(dtype=float)
    rows = np.arange(len(table))
    ax.barh(rows, np.minimum(median, right_min), color=BAR_COLOR, height=0.6,
            label="median")
    ax.errorbar(np.minimum(p95, right_min), rows, fmt="|", color="#222", markersize=12,
                label="95th percentile")
    ax.hlines(rows, np.minimum(median, right_min), np.minimum(p95, right_min), color="#222",
              linewidth=1)
    for row, m, p in zip(rows, median, p95):
        ax.text(min(p, right_min), row, f"  {_minutes(m)} / {_minutes(p)}", va="center",
                fontsize=8)
    ax.set_yticks(rows, labels)
    ax.invert_yaxis()
    _target_line(ax, target_min)
    ax.grid(alpha=0.3, axis="x")


def _share_panel(ax, table: pd.DataFrame) -> None:
    shares = table["share_by_target"].to_numpy(dtype=float)
    share = 100 * shares
    rows = np.arange(len(table))
    ax.barh(rows, share, color=BAR_COLOR, height=0.6)
    for row, value, exact in zip(rows, share, shares):
        ax.text(value, row, f" {percent_text(exact)}", va="center", fontsize=8)
    ax.set_xlim(0, 130)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.tick_params(axis="y", left=False)
    ax.grid(alpha=0.3, axis="x")


def breakdown_png(by_subdistrict: pd.DataFrame, by_compound: pd.DataFrame,
                  subdistrict_labels: dict[int, str], target_min: float) -> bytes:
    """Per sub-district and compound type: activation time (median, 95th pct), share by target."""
    columns = ["median_activation_min", "p95_activation_min"]
    times = np.concatenate([t[columns].to_numpy().ravel() for t in (by_subdistrict, by_compound)])
    finite = times[np.isfinite(times)]
    right_min = max(finite.max() if len(finite) else 0.0, target_min) * 1.05
    fig = _figure(1.4 + 0.32 * (len(by_subdistrict) + len(by_compound)))
    (ax_sub, ax_sub_share), (ax_type, ax_type_share) = fig.subplots(
        2, 2, sharex="col", sharey="row", width_ratios=[3, 2],
        height_ratios=[len(by_subdistrict), len(by_compound)])
    _breakdown_panel(ax_sub, by_subdistrict, [subdistrict_labels[s] for s in by_subdistrict.index],
                     target_min, right_min)
    _breakdown_panel(ax_type, by_compound,
                     [str(t).replace("_", " ") for t in by_compound.index], target_min, right_min)
    _share_panel(ax_sub_share, by_subdistrict)
    _share_panel(ax_type_share, by_compound)
    fig.suptitle("Micro-grids by sub-district and compound type (pooled replications)")
    ax_sub.set_title("activation time: median / 95th percentile", fontsize=10)
    ax_sub_share.set_title(f"activated by {target_min:g} min", fontsize=10)
    fig.legend(*ax_sub.get_legend_handles_labels(), loc="outside lower center", ncols=3,
               fontsize=8, frameon=False)
    ax_type.set_xlim(0, right_min * 1.4)
    ax_type.set_xlabel("minutes since the order")
    ax_type_share.set_xlabel("share of micro-grids (%)")
    return png_bytes(fig)


def gap_filling_png(summary: pd.DataFrame) -> bytes:
    """Micro-grids per replication by who activated them: mean bars with min–max whiskers."""
    fig = _figure(2.8)
    ax = fig.add_subplot()
    rows = np.arange(len(summary))
    mean = summary["mean"].to_numpy(dtype=float)
    spread = np.vstack([mean - summary["min"].to_numpy(), summary["max"].to_numpy() - mean])
    colors = [NEVER_COLOR if who == "none" else BAR_COLOR for who in summary.index]
    ax.barh(rows, mean, xerr=spread, color=colors, height=0.6, capsize=4)
    for row, (_, r) in zip(rows, summary.iterrows()):
        ax.text(r["max"], row, f"  {r['mean']:,.1f}  ({r['min']:,.0f}–{r['max']:,.0f})",
                va="center", fontsize=9)
    ax.set_yticks(rows, [GAP_LABELS[who] for who in summary.index])
    ax.invert_yaxis()
    ax.set_xlim(0, max(summary["max"].max(), 1) * 1.3)
    ax.set_xlabel("micro-grids per replication (mean, whiskers min–max)")
    ax.set_title("Who put the first staff on post in each micro-grid")
    ax.grid(alpha=0.3, axis="x")
    return png_bytes(fig)
