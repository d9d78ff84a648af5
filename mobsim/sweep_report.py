"""The report page of a sweep folder: every variant's mobilization curve and verdict together."""

from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mobsim import aggregate, plots
from mobsim.errors import InputError
from mobsim.rundata import RunData, load
from mobsim.page import document, figure, minutes_text, number, paragraph, section, table
from mobsim.report_inputs import checked_table, district_time_check, run_target


def read_variants(sweep_dir: Path) -> pd.DataFrame:
    """variants.parquet: one row per variant, its number and the value of each varied key."""
    path = sweep_dir / "variants.parquet"
    try:
        variants = pq.read_table(path).to_pandas()
    except (OSError, pa.ArrowInvalid) as err:
        reason = str(err).splitlines()[0]
        raise InputError(f"{path}: not a readable Parquet file ({reason})") from None
    if "variant" not in variants.columns:
        raise InputError(f"{path}: no column 'variant'")
    if variants.empty:
        raise InputError(f"{path}: the table has no rows")
    return variants


def variant_label(row: pd.Series, keys: list[str]) -> str:
    """The legend name of a variant: its varied keys and their values."""
    return ", ".join(f"{key}={row[key]}" for key in keys) or f"variant {row['variant']}"


def _median_curve(run: RunData) -> pd.Series:
    microgrids = checked_table(run, "microgrids")
    per_replication = aggregate.district_curves(
        checked_table(run, "curves"), "share_microgrids_activated",
        aggregate.subdistrict_sizes(microgrids)["microgrids"])
    return aggregate.curve_band(per_replication)["median"]


def _variant_row(variant: int, label: str, run: RunData) -> list[str]:
    target = run_target(run)
    check = district_time_check(run, target)
    t_full = aggregate.never_last(run.table("replications")["t_full_min"])
    median = aggregate.order_statistic(t_full, 0.5)
    quantile = aggregate.order_statistic(t_full, target.quantile)
    never = int(np.isinf(t_full).sum())

    def cell(column: str, value: float | str, text: str) -> str:
        return number(f"variant-{variant}-{column}", value, text, "td")

    return [
        escape(str(variant)), escape(label),
        cell("replications", check.replications, str(check.replications)),
        cell("median-min", median, minutes_text(median)),
        cell("quantile-min", quantile,
             f"{minutes_text(quantile)} (p{target.quantile * 100:g})"),
        cell("max-min", float(t_full.max()), minutes_text(float(t_full.max()))),
        cell("never", never, str(never)),
        cell("within-target", check.within_target,
             f"{check.within_target} of {check.replications} (≤ {target.minutes:g} min)"),
        cell("verdict", check.verdict.lower(), check.verdict),
    ]


def sweep_page(sweep_dir: Path) -> str:
    """The report page of a sweep folder (variants.parquet and one run folder per variant)."""
    variants = read_variants(sweep_dir)
    keys = [c for c in variants.columns if c != "variant"]
    medians, rows, targets = {}, [], []
    for _, row in variants.iterrows():
        variant, label = int(row["variant"]), variant_label(row, keys)
        run = load(sweep_dir / f"variant={variant}")
        medians[label] = _median_curve(run)
        targets.append(run_target(run).minutes)
        rows.append(_variant_row(variant, label, run))
    curves = pd.DataFrame(medians).ffill()
    body = "".join([
        f"<h1>Sweep report: {escape(sweep_dir.resolve().name)}</h1>",
        paragraph(f"{len(variants)} variants of {escape(', '.join(keys) or 'no key')}; "
                  f"sweep folder {escape(str(sweep_dir))}", "meta"),
        section("Mobilization curves", figure(
            plots.variant_curves_png(curves, targets), "mobilization curve of each variant",
            "District-wide share of micro-grids with staff on post, the median over each "
            "variant's replications (sub-district curves weighted by micro-grid counts); red: "
            "the target.")),
        section("District time and verdict per variant",
                table(["variant", "varied keys", "replications", "median (min)",
                       "target percentile (min)", "max (min)", "never finished",
                       "within target", "verdict"], rows),
                paragraph("District time: minutes until the last micro-grid had staff on post; "
                          "verdict: the bound check of each variant's own target (quantile, "
                          "confidence) from its manifest. For a variant's full report run "
                          f"<code>mobsim report {escape(str(sweep_dir))}/variant=K</code>.",
                          "meta")),
    ])
    return document(f"mobsim sweep report: {sweep_dir.resolve().name}", body)
