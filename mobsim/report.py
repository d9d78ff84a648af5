"""`mobsim report`: a run or sweep folder as one self-contained HTML page a planner can mail."""

from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from mobsim import aggregate, plots
from mobsim.bottleneck_report import bottleneck_section
from mobsim.bound import BoundCheck
from mobsim.errors import InputError
from mobsim.rundata import RunData, load
from mobsim.page import (count_text, document, figure, minutes_text, number, paragraph,
                         percent_text, section, table)
from mobsim.report_inputs import (HOUSEHOLDS_COLUMN, Target, checked_table, district_time_check,
                                  run_target)
from mobsim.sweep_report import sweep_page
from mobsim.verdict_words import plain_verdict

def write_report(run_dir: Path, out: Path | None = None) -> Path:
    """Write the HTML report of a run or sweep folder to `out` (default RUN_DIR/report.html)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError(f"{run_dir}: no such folder")
    if (run_dir / "manifest.json").is_file():
        html = run_page(load(run_dir))
    elif (run_dir / "variants.parquet").is_file():
        html = sweep_page(run_dir)
    else:
        raise InputError(f"{run_dir}: not a run folder (no manifest.json) "
                         "nor a sweep folder (no variants.parquet)")
    out = Path(out) if out is not None else run_dir / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


def run_page(run: RunData) -> str:
    """The report page of one run folder."""
    target = run_target(run)
    microgrids = checked_table(run, "microgrids")
    curves = checked_table(run, "curves")
    check = district_time_check(run, target)
    sizes = aggregate.subdistrict_sizes(microgrids)
    labels = {s: f"sub-district {s}" for s in sizes.index}
    name = str(run.manifest.get("scenario", run.path.name))
    body = "".join([
        f"<h1>Mobilization report: {escape(name)}</h1>",
        paragraph(f"{check.replications} replications, seed {escape(str(run.manifest.get('seed')))}, "
                  f"mobsim {escape(str(run.manifest.get('mobsim_version')))}; "
                  f"run folder {escape(str(run.path))}", "meta"),
        paragraph(verdict_html(check)),
        bottleneck_section(run, microgrids, target.minutes),
        _curve_section(curves, sizes, target, check.replications),
        _district_time_section(run, check),
        _map_section(run, microgrids, labels, target),
        _breakdown_section(microgrids, labels, target),
        _gap_section(microgrids),
        _households_section(curves, sizes, target, check.replications),
    ])
    return document(f"mobsim report: {name}", body)


def verdict_html(check: BoundCheck) -> str:
    """The bound verdict as one plain sentence with the PASS/FAIL/UNDECIDED mark."""
    mark = number("verdict", check.verdict.lower(), check.verdict)
    return (f'<span class="verdict {check.verdict.lower()}">{mark}</span> '
            f"{escape(plain_verdict(check))}")


def _curve_section(curves: pd.DataFrame, sizes: pd.DataFrame, target: Target,
                   replications: int) -> str:
    per_replication = aggregate.district_curves(curves, "share_microgrids_activated",
                                                sizes["microgrids"])
    band = aggregate.curve_band(per_replication)
    at_target = aggregate.share_at_minute(per_replication, target.minutes)
    png = plots.curve_band_png(band, target.minutes, "micro-grids activated",
                               "Mobilization curve: share of micro-grids with staff on post",
                               replications)
    return section(
        "1. Mobilization curve",
        figure(png, "mobilization curve", "District-wide share of micro-grids with a first staff "
               "member on post, minute by minute: sub-district curves weighted by their micro-grid "
               "counts; the line is the median over replications, the band spans "
               f"{aggregate.BAND_LABEL} of them; the red line is the target."),
        paragraph(f"Micro-grids activated by the target ({target.minutes:g} min): median "
                  + _share_span("share-at-target", at_target) + "."))


def _share_span(prefix: str, shares: np.ndarray) -> str:
    if np.isnan(shares).all():
        return "not known (the curves end before the target)"
    median = aggregate.order_statistic(shares, 0.5)
    lower, upper = (aggregate.order_statistic(shares, q) for q in aggregate.BAND)
    return (f"{number(f'{prefix}-median', median, percent_text(median))} ({aggregate.BAND_LABEL} across "
            f"replications: {number(f'{prefix}-lower', lower, percent_text(lower))} to "
            f"{number(f'{prefix}-upper', upper, percent_text(upper))})")


def _district_time_section(run: RunData, check: BoundCheck) -> str:
    t_full = aggregate.never_last(run.table("replications")["t_full_min"])
    n, q_label = check.replications, f"{check.quantile * 100:g}th percentile"
    median, quantile = (aggregate.order_statistic(t_full, q) for q in (0.5, check.quantile))
    never = int(np.isinf(t_full).sum())
    figures = [
        ("replications", "replications", n, str(n)),
        ("median district time (min)", "t-full-median", *_time(median)),
        (f"{q_label}, empirical (min)", "t-full-quantile", *_time(quantile)),
        ("maximum (min)", "t-full-max", *_time(float(t_full.max()))),
        ("replications that never had every micro-grid on post", "never-finished", never, str(never)),
        (f"replications within {check.target_min:g} min", "within-target", check.within_target,
         f"{check.within_target} of {n}"),
        (f"one-sided {check.confidence * 100:g}% upper bound on the {q_label} (min)",
         "upper-bound-min", *_upper_bound(check)),
        ("order statistic used for the bound", "order-index",
         "none" if check.order_index is None else check.order_index,
         "none: too few replications" if check.order_index is None
         else f"{check.order_index} of {n}"),
        (f"Clopper–Pearson {check.confidence * 100:g}% lower bound on P(time ≤ "
         f"{check.target_min:g} min)", "lower-bound-share", check.lower_bound_share,
         f"{check.lower_bound_share:.4f}"),
    ]
    rows = [[escape(label), number(key, value, text, "td")] for label, key, value, text in figures]
    png = plots.district_time_png(t_full, check.target_min, check.quantile, quantile)
    return section(
        "2. District mobilization time and the target",
        figure(png, "district time histogram", "Minutes until the last micro-grid had staff on "
               "post, one count per replication; replications in which some micro-grid never "
               "did are the grey 'never' bar. Red: the target; dashed: the empirical "
               f"{q_label}."),
        table(["figure", "value"], rows),
        paragraph("The bound is distribution-free (after IMO MSC.1/Circ.1238 and 1533): the "
                  f"k-th smallest of n times bounds the {q_label} from above at the stated "
                  "confidence; never-finished replications count as later than any time. "
                  "Verdict: PASS when that bound is within the target (the one-sided "
                  "Clopper–Pearson lower bound on P(time ≤ target) reaches the percentile); FAIL "
                  "when the one-sided Clopper–Pearson upper bound is below the percentile; "
                  "UNDECIDED otherwise (more replications needed).", "meta"))


def _time(value: float) -> tuple[float, str]:
    return value, minutes_text(value)


def _upper_bound(check: BoundCheck) -> tuple[float | str, str]:
    """The bound's value and text: 'none' without an order statistic, inf when it is never."""
    if check.order_index is None:
        return "none", "none: too few replications"
    return _time(np.nan_to_num(check.upper_bound_min, nan=np.inf))


def _map_section(run: RunData, microgrids: pd.DataFrame, labels: dict[int, str],
                 target: Target) -> str:
    title = "3. Map: community activation times"
    if "communities" not in run.table_names:
        return section(title, paragraph("This run folder has no communities.parquet, so the "
                                        "communities cannot be placed on a map.", "note"))
    located = aggregate.community_activation(microgrids, checked_table(run, "communities"),
                                             target.minutes)
    return section(title, figure(
        plots.community_map_png(located, labels, target.minutes), "maps of communities",
        "Each marker is a community at its location (circle: urban community, triangle: "
        "village). Left: for each replication the median activation time of the community's "
        "micro-grids, then the median of that over replications (a black cross: the median "
        "micro-grid never had staff on post). Right: the share of the community's micro-grids "
        "with staff on post by the target, over all replications. Labels sit at each "
        "sub-district's centre."))


def _breakdown_section(microgrids: pd.DataFrame, labels: dict[int, str], target: Target) -> str:
    by_sub = aggregate.breakdown(microgrids, "subdistrict_id", target.minutes)
    by_type = aggregate.breakdown(microgrids, "compound_type", target.minutes)
    png = plots.breakdown_png(by_sub, by_type, labels, target.minutes)
    return section(
        "4. By sub-district and compound type",
        figure(png, "activation by sub-district and compound type",
               "Micro-grids pooled over all replications. Left: activation time, bar to the "
               "median, whisker to the 95th percentile, red: the target. Right: share of "
               "micro-grids with staff on post by the target."),
        _breakdown_table("sub-district", "subdistrict", by_sub, labels, target),
        _breakdown_table("compound type", "compound", by_type,
                         {t: str(t).replace("_", " ") for t in by_type.index}, target))


BREAKDOWN_CELLS = (
    ("microgrids", "microgrids", count_text), ("households", "households", count_text),
    ("median-min", "median_activation_min", minutes_text),
    ("p95-min", "p95_activation_min", minutes_text),
    ("share-by-target", "share_by_target", percent_text),
    ("never", "never_per_replication", lambda value: f"{value:.2f}"),
)
"""Breakdown table cells: element id suffix, column of aggregate.breakdown, how it is printed."""


def _breakdown_table(heading: str, prefix: str, frame: pd.DataFrame, labels: dict,
                     target: Target) -> str:
    rows = [[escape(labels[key])] + [number(f"{prefix}-{key}-{element}", r[column],
                                            fmt(r[column]), "td")
                                     for element, column, fmt in BREAKDOWN_CELLS]
            for key, r in frame.iterrows()]
    return table([heading, "micro-grids", "households", "median activation (min)",
                  "95th percentile (min)", f"activated by {target.minutes:g} min",
                  "never activated (per replication)"], rows)


def _gap_section(microgrids: pd.DataFrame) -> str:
    summary = aggregate.count_summary(aggregate.activated_by_counts(microgrids))
    rows = [[escape(plots.GAP_LABELS[who])]
            + [number(f"gap-{who}-{stat}", r[stat], count_text(r[stat]), "td")
               for stat in ("mean", "min", "max")]
            for who, r in summary.iterrows()]
    return section(
        "5. How micro-grids were filled",
        figure(plots.gap_filling_png(summary), "who activated the micro-grids",
               "Micro-grids per replication by who was first on post: their own member, a "
               "full-time grid worker filling the gap, a down-sent cadre assigned to it, or "
               "nobody within the simulated horizon. Bars: mean; whiskers: min to max."),
        table(["first on post", "mean per replication", "min", "max"], rows))


def _households_section(curves: pd.DataFrame, sizes: pd.DataFrame, target: Target,
                        replications: int) -> str:
    title = "6. Households reached over time"
    if HOUSEHOLDS_COLUMN not in curves.columns:
        return section(title, paragraph(
            "This run has no door-to-door measure (curves.parquet has no "
            f"{HOUSEHOLDS_COLUMN} column), so households reached cannot be shown.", "note"))
    per_replication = aggregate.district_curves(curves, HOUSEHOLDS_COLUMN, sizes["households"])
    png = plots.curve_band_png(aggregate.curve_band(per_replication), target.minutes,
                               "households reached", "Households reached by door-to-door work",
                               replications)
    at_target = aggregate.share_at_minute(per_replication, target.minutes)
    return section(
        title,
        figure(png, "households reached", "District-wide share of households reached by "
               "door-to-door work (sub-district curves weighted by households): median over "
               f"replications with a band spanning {aggregate.BAND_LABEL} of them; red: the target."),
        paragraph(f"Households reached by the target ({target.minutes:g} min): median "
                  + _share_span("households-at-target", at_target) + "."))
