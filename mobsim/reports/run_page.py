"""`mobsim report`: a run or sweep folder as one self-contained HTML page a planner can mail."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from mobsim.errors import InputError
from mobsim.reports import plots
from mobsim.reports.act import (TASK_SHARES, able_words, limited_by_text, short_section_parts,
                                spread_line)
from mobsim.reports.definitions import act_phrase, definitions_section, mobilized_phrase
from mobsim.reports.figures import variant_bands_png
from mobsim.reports.inputs import (
    HOUSEHOLDS_COLUMN,
    checked_table,
    district_time_check,
    district_times,
    run_heading,
    run_name,
)
from mobsim.reports.names import names
from mobsim.reports.page import (
    count_text,
    document,
    figure,
    minutes_text,
    number,
    paragraph,
    percent_text,
    section,
    table,
)
from mobsim.reports.scan_page import is_scan_run, scan_page
from mobsim.reports.story import (
    bottleneck_section,
    filling_section,
    map_section,
    settings_section,
    tail_section,
)
from mobsim.reports.sources import rests_on_html, run_rests_on
from mobsim.reports.sweep_page import sweep_page
from mobsim.reports.tail import causes_section
from mobsim.reports.verdict import plain_verdict
from mobsim.results import stats
from mobsim.results.bound import BoundCheck
from mobsim.results.check import ACT_SPREAD_COLUMNS, Spread
from mobsim.results.run import Run, Sweep, load_run
from mobsim.scenario.params import Definition, Target


def write_report(source: Run | Sweep | str | os.PathLike[str],
                 out: str | os.PathLike[str] | None = None) -> Path:
    """Write the HTML report of a run or sweep (or its folder), or of a sensitivity or plan
    folder, to `out` (default FOLDER/report.html)."""
    run_dir = Path(source.path if isinstance(source, Run | Sweep) else source)
    if not run_dir.is_dir():
        raise InputError(f"{run_dir}: no such folder")
    if (run_dir / "manifest.json").is_file():
        run = load_run(run_dir)
        html = scan_page(run) if is_scan_run(run) else run_page(run)
    elif (run_dir / "variants.parquet").is_file():
        html = sweep_page(run_dir)
    elif (run_dir / "sensitivity.json").is_file():
        from mobsim.reports.sensitivity_page import (
            sensitivity_page,  # it loads SALib: only for a sensitivity folder
        )
        html = sensitivity_page(run_dir)
    elif (run_dir / "plan.json").is_file():
        from mobsim.reports.plan_page import plan_page
        html = plan_page(run_dir)
    elif (run_dir / "allocation.json").is_file():
        from mobsim.reports.allocation_page import allocation_page
        html = allocation_page(run_dir)
    else:
        raise InputError(f"{run_dir}: not a run folder (no manifest.json), a sweep folder (no "
                         "variants.parquet), a sensitivity folder (no sensitivity.json) nor a "
                         "plan folder (no plan.json or allocation.json)")
    out = Path(out) if out is not None else run_dir / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


def run_page(run: Run) -> str:
    """The report page of one run folder."""
    target = run.target
    microgrids = checked_table(run, "microgrids")
    curves = checked_table(run, "curves")
    check = district_time_check(run)
    sizes = stats.subdistrict_sizes(microgrids)
    labels = names(run, "subdistricts", sizes.index)
    body = "".join([
        run_heading("Mobilization report", run, check.replications),
        paragraph(verdict_html(check, target.definition)),
        definitions_section(run.replications, target),
        _rests_on(run),
        bottleneck_section(run, microgrids, target),
        filling_section(run, microgrids, target, float(curves["minute"].max())),
        causes_section(run, microgrids, target.minutes),
        settings_section(run),
        _curve_section(curves, sizes, target, check.replications),
        tail_section(curves, sizes, target, check.replications),
        _district_time_section(run, check),
        map_section(run, microgrids, target),
        _breakdown_section(microgrids, labels, target),
        _gap_section(microgrids),
        _households_section(curves, sizes, target, check.replications),
        _tasks_section(run, target),
    ])
    return document(f"mobsim report: {run_name(run)}", body)


def _rests_on(run: Run) -> str:
    found = run_rests_on(run)
    return rests_on_html(found) if found is not None else ""


def verdict_html(check: BoundCheck, definition: Definition = Definition()) -> str:
    """The bound verdict as one plain sentence with the PASS/FAIL/UNDECIDED mark (naming the
    definition of mobilized when it is not every post)."""
    mark = number("verdict", check.verdict.lower(), check.verdict)
    named = "" if definition.every_post else f"Mobilized as {definition.label}: "
    return (f'<span class="verdict {check.verdict.lower()}">{mark}</span> '
            f"{escape(named + plain_verdict(check))}")


def _curve_section(curves: pd.DataFrame, sizes: pd.DataFrame, target: Target,
                   replications: int) -> str:
    per_replication = stats.district_curves(curves, "share_microgrids_activated",
                                                sizes["microgrids"])
    band = stats.curve_band(per_replication)
    at_target = stats.share_at_minute(per_replication, target.minutes)
    png = plots.curve_band_png(band, target.minutes, "micro-grids activated",
                               "Mobilization curve: share of micro-grids with staff on post",
                               replications)
    return section(
        "Mobilization curve",
        figure(png, "mobilization curve", "District-wide share of micro-grids with a first staff "
               "member on post, minute by minute: sub-district curves weighted by their micro-grid "
               "counts; the line is the median over replications, the band spans "
               f"{stats.BAND_LABEL} of them; the red line is the target."),
        paragraph(f"Micro-grids activated by the target ({target.minutes:g} min): median "
                  + _share_span("share-at-target", at_target) + "."))


def _share_span(prefix: str, shares: np.ndarray) -> str:
    if np.isnan(shares).all():
        return "not known (the curves end before the target)"
    median = stats.order_statistic(shares, 0.5)
    lower, upper = (stats.order_statistic(shares, q) for q in stats.BAND)
    return (f"{number(f'{prefix}-median', median, percent_text(median))} ({stats.BAND_LABEL} across "
            f"replications: {number(f'{prefix}-lower', lower, percent_text(lower))} to "
            f"{number(f'{prefix}-upper', upper, percent_text(upper))})")


def _district_time_section(run: Run, check: BoundCheck) -> str:
    t_mobilized = district_times(run)
    measured = mobilized_phrase(run.target.definition)
    n, q_label = check.replications, f"{check.quantile * 100:g}th percentile"
    median, quantile = (stats.order_statistic(t_mobilized, q) for q in (0.5, check.quantile))
    never = int(np.isinf(t_mobilized).sum())
    figures = [
        ("replications", "replications", n, str(n)),
        ("median district time (min)", "t-full-median", *_time(median)),
        (f"{q_label}, empirical (min)", "t-full-quantile", *_time(quantile)),
        ("maximum (min)", "t-full-max", *_time(float(t_mobilized.max()))),
        (f"replications never mobilized ({measured})", "never-finished", never, str(never)),
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
    png = plots.district_time_png(t_mobilized, check.target_min, check.quantile, quantile)
    return section(
        "District mobilization time and the target",
        figure(png, "district time histogram", f"Minutes until the district was mobilized "
               f"({measured}), one count per replication; replications in which it never was "
               "are the grey 'never' bar. Red: the target; dashed: the empirical "
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


def _breakdown_section(microgrids: pd.DataFrame, labels: dict[int, str], target: Target) -> str:
    by_sub = stats.breakdown(microgrids, "subdistrict_id", target.minutes)
    by_type = stats.breakdown(microgrids, "compound_type", target.minutes)
    png = plots.breakdown_png(by_sub, by_type, labels, target.minutes)
    return section(
        "By sub-district and compound type",
        figure(png, "activation by sub-district and compound type",
               "Micro-grids pooled over all replications. Left: activation time, bar to the "
               "median, whisker to the 95th percentile, red: the target. Right: share of "
               "micro-grids with staff on post by the target. These percentiles are of single "
               "micro-grids: the district time is the last of all of them, so it can miss the "
               "target while every sub-district's 95th percentile is inside it (see 'What holds "
               "the district back')."),
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
"""Breakdown table cells: element id suffix, column of stats.breakdown, how it is printed."""


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
    summary = stats.count_summary(stats.activated_by_counts(microgrids))
    rows = [[escape(plots.GAP_LABELS[who])]
            + [number(f"gap-{who}-{stat}", r[stat], count_text(r[stat]), "td")
               for stat in ("mean", "min", "max")]
            for who, r in summary.iterrows()]
    return section(
        "How micro-grids were filled",
        figure(plots.gap_filling_png(summary), "who activated the micro-grids",
               "Micro-grids per replication by who was first on post: their own member, a "
               "full-time grid worker filling the gap, a down-sent cadre assigned to it, a "
               "person of a reserve pool (community staff, the emergency team, a commando or "
               "volunteer team), or nobody within the simulated horizon. Bars: mean; whiskers: "
               "min to max."),
        table(["first on post", "mean per replication", "min", "max"], rows))


def _households_section(curves: pd.DataFrame, sizes: pd.DataFrame, target: Target,
                        replications: int) -> str:
    title = "Households reached over time"
    if HOUSEHOLDS_COLUMN not in curves.columns:
        return section(title, paragraph(
            "This run has no door-to-door measure (curves.parquet has no "
            f"{HOUSEHOLDS_COLUMN} column), so households reached cannot be shown.", "note"))
    per_replication = stats.district_curves(curves, HOUSEHOLDS_COLUMN, sizes["households"])
    png = plots.curve_band_png(stats.curve_band(per_replication), target.minutes,
                               "households reached", "Households reached by door-to-door work",
                               replications)
    at_target = stats.share_at_minute(per_replication, target.minutes)
    return section(
        title,
        figure(png, "households reached", "District-wide share of households reached by "
               "door-to-door work (sub-district curves weighted by households): median over "
               f"replications with a band spanning {stats.BAND_LABEL} of them; red: the target."),
        paragraph(f"Households reached by the target ({target.minutes:g} min): median "
                  + _share_span("households-at-target", at_target) + "."))


def _tasks_section(run: Run, target: Target) -> str:
    """Able to act: the verdict of the wartime tasks and each task's share of work done."""
    title = "Able to act: the wartime tasks"
    if "task_curves" not in run.table_names:
        return section(title, paragraph(
            "This run has no wartime tasks (no task_curves.parquet), so whether the district "
            "could act cannot be shown.", "note"))
    check = run.check(measure="act").act
    curves = checked_table(run, "task_curves")
    found = {str(task): rows.pivot(index="minute", columns="replication", values="share_done")
             for task, rows in curves.groupby("task", observed=True, sort=False)}
    per_task = {task: found[task] for task in TASK_SHARES if task in found}  # the CLI's order
    png = variant_bands_png({task: stats.curve_band(frame) for task, frame in per_task.items()},
                            [target.minutes], ylabel="work done (%)",
                            title="Wartime tasks: share of each task's work done")
    mark = number("act-verdict", check.verdict.lower(), check.verdict)
    limited = limited_by_text(run.replications["act_limited_by"].value_counts())
    return section(
        title,
        paragraph(f'<span class="verdict {check.verdict.lower()}">{mark}</span> '
                  + escape(plain_verdict(check, in_time=able_words(target.definition),
                                         finish="can act in time"))),
        paragraph(f"The measure: {escape(act_phrase(target.definition))}; the task that came "
                  f"last{'' if target.definition.every_post else ' (every unit)'}: "
                  f"{escape(limited)}."),
        figure(png, "wartime tasks", "District-wide share of each task's work done, minute by "
               "minute: households verified, informed, tested and supplied (of those who need "
               f"it), checkpoints staffed; median over replications with a band spanning "
               f"{stats.BAND_LABEL} of them; red: the target."),
        table(["task", f"done by the target ({target.minutes:g} min)"],
              [[escape(task), _share_span(f"task-{task}", stats.share_at_minute(frame, target.minutes))]
               for task, frame in per_task.items()]),
        *_short_parts(run, target))


def _short_parts(run: Run, target: Target) -> list[str]:
    """The units acting at the target and the communities short of people then (runs that
    have these measures)."""
    reps = run.replications
    spreads = {name: Spread.of(reps[name]) for name in ACT_SPREAD_COLUMNS if name in reps}
    tasks = run.table("tasks") if "tasks" in run.table_names else pd.DataFrame()
    if not spreads or "short_at_target" not in tasks:
        return []
    communities = run.table("communities")
    subdistrict_of = dict(zip(communities["community_id"].astype(int),
                              communities["subdistrict_id"].astype(int)))
    return [paragraph(escape(spread_line(spreads, target.minutes)[0]) + "."),
            *short_section_parts(tasks, names(run, "communities", subdistrict_of),
                                 names(run, "subdistricts", set(subdistrict_of.values())),
                                 subdistrict_of, target.minutes)]
