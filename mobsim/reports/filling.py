"""The district filling over time: the community map at several minutes after the order, each
community coloured by the share of its micro-grids with staff on post (mean over replications).
Inline SVG small multiples, offline, no script."""

from __future__ import annotations

import numpy as np
import pandas as pd
from markupsafe import Markup
from matplotlib import colormaps
from matplotlib.colors import to_hex

from mobsim.reports.map import pixels
from mobsim.reports.templating import render
from mobsim.results.shares import percent_text
from mobsim.results.stats import never_last

MINUTES = (30, 60, 120)
"""Minutes after the order drawn before the target's own (and none past the horizon)."""
PANEL_PX, PANEL_MARGIN_PX, RADIUS_PX = 370, 14, 3.2
COLORMAP = "YlGnBu"
LEGEND_STEPS = (0.0, 0.25, 0.5, 0.75, 1.0)


def panel_minutes(target_min: float, horizon_min: float) -> list[int]:
    """30, 60, 120 and the target, those within the horizon, in order."""
    chosen = {m for m in (*MINUTES, int(round(target_min))) if m <= horizon_min}
    return sorted(chosen)


def filling_shares(microgrids: pd.DataFrame, minutes: list[int]) -> pd.DataFrame:
    """Per community (rows) and minute (columns): the share of its micro-grids with staff on
    post by then, the mean over replications."""
    times = never_last(microgrids["activated_min"])
    keys = [microgrids["community_id"].to_numpy(), microgrids["replication"].to_numpy()]
    per_replication = pd.DataFrame({m: times <= m for m in minutes}).groupby(keys).mean()
    return per_replication.groupby(level=0).mean()


def _fill(share: float) -> str:
    return to_hex(colormaps[COLORMAP](0.1 + 0.85 * share))


def filling_svg(communities: pd.DataFrame, shares: pd.DataFrame,
                district_shares: dict[int, float], target_min: float) -> Markup:
    """One SVG map per minute of `shares`, then the colour legend; `district_shares` the
    district-wide share on post at each minute (the panel's title)."""
    frame = communities.merge(shares, left_on="community_id", right_index=True, how="left")
    px, py, height = pixels(frame, PANEL_PX, PANEL_MARGIN_PX)
    panels = []
    for minute in shares.columns:
        values = frame[minute].fillna(0.0).to_numpy(dtype=float)
        target = " (the target)" if minute == round(target_min) else ""
        panels.append({
            "minute": int(minute), "share": repr(float(district_shares[minute])),
            "title": f"{minute} min{target}: {percent_text(district_shares[minute])} on post",
            "communities": [
                {"id": int(c), "x": round(x, 1), "y": round(y, 1), "share": repr(float(v)),
                 "fill": _fill(v), "title": f"{name}: {percent_text(v)} of its micro-grids "
                                            f"on post by {minute} min"}
                for c, x, y, v, name in zip(frame["community_id"], px, py, values,
                                            frame["name"])]})
    legend = [{"x": 10 + 62 * i, "fill": _fill(share), "text": percent_text(share, 0)}
              for i, share in enumerate(LEGEND_STEPS)]
    return render("filling.svg.j2", panels=panels, width=PANEL_PX, height=height,
                  radius=RADIUS_PX, legend=legend)


def district_filling(microgrids: pd.DataFrame, minutes: list[int]) -> dict[int, float]:
    """The district-wide share of micro-grids on post by each minute, mean over replications."""
    times = never_last(microgrids["activated_min"])
    by_replication = pd.DataFrame({m: times <= m for m in minutes}).groupby(
        microgrids["replication"].to_numpy()).mean()
    return {m: float(np.mean(by_replication[m])) for m in minutes}
