"""The report page of a sweep folder: every variant's mobilization curve and verdict together."""

from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from mobsim.reports.comparison import difference_rows, notes
from mobsim.reports.figures import variant_bands_png
from mobsim.reports.inputs import checked_table, district_time_check, district_times
from mobsim.reports.page import (
    document,
    figure,
    minutes_text,
    number,
    paragraph,
    section,
)
from mobsim.reports.page import table as table_html
from mobsim.results import stats
from mobsim.results.compare import compare
from mobsim.results.run import Run, load_run, read_variants
from mobsim.sweeps import variant_label


def _band(run: Run) -> pd.DataFrame:
    microgrids = checked_table(run, "microgrids")
    per_replication = stats.district_curves(
        checked_table(run, "curves"), "share_microgrids_activated",
        stats.subdistrict_sizes(microgrids)["microgrids"])
    return stats.curve_band(per_replication)


def _variant_row(variant: int, label: str, run: Run) -> list[str]:
    target = run.target
    check = district_time_check(run)
    t_mobilized = district_times(run)
    median = stats.order_statistic(t_mobilized, 0.5)
    quantile = stats.order_statistic(t_mobilized, target.quantile)
    never = int(np.isinf(t_mobilized).sum())

    def cell(column: str, value: float | str, text: str) -> str:
        return number(f"variant-{variant}-{column}", value, text, "td")

    return [
        escape(str(variant)), escape(label),
        cell("replications", check.replications, str(check.replications)),
        cell("median-min", median, minutes_text(median)),
        cell("quantile-min", quantile,
             f"{minutes_text(quantile)} (p{target.quantile * 100:g})"),
        cell("max-min", float(t_mobilized.max()), minutes_text(float(t_mobilized.max()))),
        cell("never", never, str(never)),
        cell("within-target", check.within_target,
             f"{check.within_target} of {check.replications} (≤ {target.minutes:g} min)"),
        number(f"variant-{variant}-verdict", check.verdict.lower(), check.verdict, "td",
               check.verdict.lower()),
    ]


def sweep_page(sweep_dir: Path) -> str:
    """The report page of a sweep folder (variants.parquet and one run folder per variant)."""
    variants = read_variants(sweep_dir)
    keys = [c for c in variants.columns if c != "variant"]
    bands, rows, targets = {}, [], []
    for _, row in variants.iterrows():
        variant, label = int(row["variant"]), variant_label(row, keys)
        run = load_run(sweep_dir / f"variant={variant}")
        bands[label] = _band(run)
        targets.append(run.target.minutes)
        rows.append(_variant_row(variant, label, run))
    body = "".join([
        f"<h1>Sweep report: {escape(sweep_dir.resolve().name)}</h1>",
        paragraph(f"{len(variants)} variants of {escape(', '.join(keys) or 'no key')}; "
                  f"sweep folder {escape(str(sweep_dir))}", "meta"),
        section("Mobilization curves", figure(
            variant_bands_png(bands, targets), "mobilization curve of each variant",
            "District-wide share of micro-grids with staff on post: the line is the median over "
            f"each variant's replications, the shaded band spans {stats.BAND_LABEL} of them "
            "(sub-district curves weighted by micro-grid counts); red: the target.")),
        section("District time and verdict per variant",
                table_html(["variant", "varied keys", "replications", "median (min)",
                       "target percentile (min)", "max (min)", "never finished",
                       "within target", "verdict"], rows),
                paragraph("District time: minutes until the district counts as mobilized "
                          "under each variant's own definition (by default the last "
                          "micro-grid had staff on post); verdict: the bound check of each "
                          "variant's own target (quantile, confidence, definition) from its "
                          "manifest. For a variant's full report run "
                          f"<code>mobsim report {escape(str(sweep_dir))}/variant=K</code>.",
                          "meta")),
        _differences_section(sweep_dir, variants, keys),
    ])
    return document(f"mobsim sweep report: {sweep_dir.resolve().name}", body)


def _differences_section(sweep_dir: Path, variants: pd.DataFrame, keys: list[str]) -> str:
    """Each variant's difference from variant 0, as `mobsim sweep` prints it."""
    if len(variants) < 2:
        return ""
    table = pd.concat([variants.reset_index(drop=True),
                       compare([sweep_dir / f"variant={int(k)}" for k in variants["variant"]])],
                      axis=1)
    headers, rows = difference_rows(table, ["variant", *keys])
    reference = f"variant 0 ({variant_label(variants.iloc[0], keys)})"
    return section(f"Differences from {reference}",
                   table_html(headers, [[escape(cell) for cell in row] for row in rows]),
                   *(paragraph(escape(line), "meta") for line in notes(table, reference)))
