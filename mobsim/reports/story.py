"""The first screen of a run report: what holds the district back, the district filling over
time, the settings that differ from the baseline, the tail of the curve and the map of late
posts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from mobsim.reports import figures
from mobsim.reports.filling import district_filling, filling_shares, filling_svg, panel_minutes
from mobsim.reports.inputs import checked_table
from mobsim.reports.map import community_map_svg
from mobsim.reports.names import names
from mobsim.reports.page import figure, paragraph, section
from mobsim.reports.templating import render
from mobsim.results.run import Run
from mobsim.results.tail import community_bottlenecks, unstaffed_band
from mobsim.scenario import load_scenario
from mobsim.scenario.params import Target
from mobsim.scenario.tomlwrite import inline

TOP_COMMUNITIES = 10
"""Communities listed in "what holds the district back"."""
UNCOMPARED_KEYS = ("name", "description")
"""Scenario keys that name a scenario rather than set it."""


def bottleneck_section(run: Run, microgrids: pd.DataFrame, target: Target) -> Markup:
    """The communities holding the last posts and how often, named, with their late posts."""
    replications = int(microgrids["replication"].nunique())
    table = community_bottlenecks(microgrids, target.minutes)
    worst = table[(table["last_post_replications"] > 0) | (table["late_per_replication"] > 0)]
    worst = worst.head(TOP_COMMUNITIES)
    community = names(run, "communities", worst.index)
    subdistrict = names(run, "subdistricts", worst["subdistrict_id"])
    rows = [{"id": int(c), "name": community[int(c)], "subdistrict": subdistrict[int(r.subdistrict_id)],
             "last": int(r.last_post_replications),
             "late_value": repr(float(r.late_per_replication)), "late": f"{r.late_per_replication:.2f}",
             "never_value": repr(float(r.never_per_replication)),
             "never": f"{r.never_per_replication:.2f}"} for c, r in worst.iterrows()]
    late_total = float(table["late_per_replication"].sum())
    if rows:
        sentence = (f"On average {late_total:.1f} micro-grids per replication had nobody on post "
                    f"by {target.minutes:g} min; {len(table[table['late_per_replication'] > 0])} "
                    "communities had at least one such post.")
    else:
        sentence = (f"Every micro-grid had staff on post by {target.minutes:g} min in every "
                    "replication: no community holds the district back.")
    return render("bottleneck.html.j2", late_sentence=sentence, rows=rows,
                  replications=replications, target=f"{target.minutes:g}")


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and "dist" not in value:
            flat.update(_flatten(value, f"{dotted}."))
        else:
            flat[dotted] = value
    return flat


def _shown(value: Any) -> str:
    """A setting as written in a scenario file (TOML)."""
    try:
        return inline(value)
    except TypeError:
        return str(value)


def settings_differences(scenario_data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(dotted key, this run's value, the built-in baseline's) for every setting that differs."""
    baseline = _flatten(load_scenario(None).to_json_dict())
    own = _flatten(scenario_data)
    keys = [k for k in own if k not in UNCOMPARED_KEYS and own[k] != baseline.get(k)]
    keys += [k for k in baseline if k not in own and k not in UNCOMPARED_KEYS]
    return [(k, _shown(own[k]) if k in own else "(absent)",
             _shown(baseline[k]) if k in baseline else "(absent)") for k in keys]


def settings_section(run: Run) -> Markup:
    """The scenario's settings that differ from the built-in baseline, on the first screen."""
    data = run.manifest.get("scenario_data")
    if not isinstance(data, dict) or len(data) < 3:
        return Markup(section("Scenario settings that differ from the baseline", paragraph(
            "The run's manifest does not hold its resolved scenario, so its settings cannot "
            "be compared with the baseline.", "note")))
    rows = [{"key": k, "value": v, "baseline": b} for k, v, b in settings_differences(data)]
    return render("settings.html.j2", rows=rows, baseline="xindu-baseline")


def tail_section(curves: pd.DataFrame, sizes: pd.DataFrame, target: Target,
                 replications: int) -> str:
    """Posts still unstaffed minute by minute, on a log scale."""
    band = unstaffed_band(curves, sizes["microgrids"])
    at_target = band.reindex([int(np.floor(target.minutes))]).iloc[0]
    text = ("the curves end before the target" if at_target.isna().any() else
            f"median {at_target['median']:.0f} ({at_target['lower']:.0f} to "
            f"{at_target['upper']:.0f} across replications)")
    return section(
        "The tail: posts still unstaffed",
        figure(figures.tail_png(band, target.minutes, replications),
               "posts still unstaffed over time",
               "Micro-grids with nobody on post yet, minute by minute, on a log scale so that "
               "the last posts stay visible: the step line is the median over replications, the "
               "band spans 5–95% of them; red: the target."),
        paragraph(f"Posts without staff at the target ({target.minutes:g} min): {text}."))


def _communities(run: Run) -> pd.DataFrame | None:
    """The run's communities with their names (None when the folder has no such table)."""
    if "communities" not in run.table_names:
        return None
    communities = checked_table(run, "communities")
    if "name" not in communities.columns:
        labels = names(run, "communities", communities["community_id"])
        communities = communities.assign(name=communities["community_id"].map(labels))
    return communities


def filling_section(run: Run, microgrids: pd.DataFrame, target: Target,
                    horizon_min: float) -> str:
    """The community map at 30, 60, 120 min and the target: how the district fills."""
    title = "The district filling over time"
    communities = _communities(run)
    if communities is None:
        return section(title, paragraph("This run folder has no communities.parquet, so the "
                                        "communities cannot be placed on a map.", "note"))
    minutes = panel_minutes(target.minutes, horizon_min)
    svg = filling_svg(communities, filling_shares(microgrids, minutes),
                      district_filling(microgrids, minutes), target.minutes)
    return section(title, f'<figure class="filling-maps">{svg}<figcaption>The communities at '
                   f"{', '.join(f'{m} min' for m in minutes)} after the order, each coloured "
                   "by the share of its micro-grids with staff on post by then (mean over "
                   "replications; darker is fuller); each title gives the district's share. "
                   "Hover a community for its name and share.</figcaption></figure>")


def map_section(run: Run, microgrids: pd.DataFrame, target: Target) -> str:
    """Community markers at their locations, sized by late posts, named."""
    title = "Map: where the late posts are"
    communities = _communities(run)
    if communities is None:
        return section(title, paragraph("This run folder has no communities.parquet, so the "
                                        "communities cannot be placed on a map.", "note"))
    table = community_bottlenecks(microgrids, target.minutes)
    subdistricts = names(run, "subdistricts", communities["subdistrict_id"].unique())
    svg = community_map_svg(communities, table, subdistricts,
                            int(microgrids["replication"].nunique()), target.minutes)
    return section(title, f'<figure class="map">{svg}<figcaption>Each marker is a community at '
                   "its location (km in the district's plane); its area is proportional to the "
                   f"micro-grids staffed after {target.minutes:g} min or never, per replication. "
                   "Dark red: the community held the district's last post in some replication; "
                   "orange: late posts; blue: every post in time. Hover a marker for its figures; "
                   "the worst communities are named.</figcaption></figure>")
