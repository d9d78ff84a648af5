"""The report page of a scan-mode run: the peacetime building-scan campaign, day by day."""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from mobsim.errors import InputError
from mobsim.reports.figures import coverage_days_png
from mobsim.reports.inputs import run_heading, run_name
from mobsim.reports.names import names
from mobsim.reports.page import (
    document,
    figure,
    number,
    percent_text,
    section,
    table,
)
from mobsim.reports.story import settings_section
from mobsim.results import stats
from mobsim.results.run import Run

SHARE_COLUMN = "share_households_verified"


def is_scan_run(run: Run) -> bool:
    """Whether the run is of the building-scan campaign (mode = "scan")."""
    return "scan_curves" in run.table_names


def _weights(run: Run, curves: pd.DataFrame) -> pd.Series:
    """Households per sub-district from subdistricts.parquet (equal weights without it)."""
    if "subdistricts" in run.table_names and "households" in run.table("subdistricts").columns:
        frame = run.table("subdistricts")
        return frame.set_index("subdistrict_id")["households"].astype(float)
    return pd.Series(1.0, index=np.unique(curves["subdistrict_id"]))


def district_coverage(run: Run) -> pd.DataFrame:
    """District share of households verified per day (rows) and replication (columns)."""
    curves = run.table("scan_curves")
    if curves.empty:
        raise InputError(f"{run.table_path('scan_curves')}: the table has no rows")
    weight = curves["subdistrict_id"].map(_weights(run, curves))
    weighted = (curves[SHARE_COLUMN] * weight).groupby([curves["day"], curves["replication"]]).sum()
    total = weight.groupby([curves["day"], curves["replication"]]).sum()
    return (weighted / total).unstack("replication")


def _weeks(days: float) -> str:
    return f"{days / 7:.1f} weeks" if np.isfinite(days) else "never"


def _duration_rows(reps: pd.DataFrame, quantile: float) -> list[list[str]]:
    rows = []
    for column, label in (("days_to_95pct", "95% of households verified"),
                          ("days_to_full", "campaign over (verified or given up)")):
        days = stats.never_last(reps[column])
        figures = [("median", stats.order_statistic(days, 0.5)),
                   (f"p{quantile * 100:g}", stats.order_statistic(days, quantile)),
                   ("max", float(days.max()))]
        never = int(np.isinf(days).sum())
        rows.append([escape(label)] + [number(f"{column}-{key}", value, _weeks(value), "td")
                                       for key, value in figures]
                    + [number(f"{column}-never", never, f"{never} of {len(days)}", "td")])
    return rows


def _subdistrict_rows(run: Run, horizon: int) -> list[list[str]]:
    curves = run.table("scan_curves")
    last = curves[curves["day"] == horizon]
    labels = names(run, "subdistricts", np.unique(last["subdistrict_id"]))
    return [[escape(labels[int(sub)]),
             number(f"subdistrict-{int(sub)}-verified", share, percent_text(share), "td")]
            for sub, rows in last.groupby("subdistrict_id")
            for share in [stats.order_statistic(rows[SHARE_COLUMN], 0.5)]]


def scan_page(run: Run) -> str:
    """The report page of a building-scan run."""
    reps = run.table("replications")
    coverage = district_coverage(run)
    band = stats.curve_band(coverage)
    horizon = int(coverage.index.max())
    quantile = run.target.quantile
    body = "".join([
        run_heading("Building-scan campaign report", run, len(reps)),
        section("How long the campaign takes", table(
            ["measure", "median", f"p{quantile * 100:g}", "max", "not within the horizon"],
            _duration_rows(reps, quantile))),
        settings_section(run),
        section("Households verified day by day", figure(
            coverage_days_png(band, len(reps)), "households verified by day",
            "District-wide share of households verified, day by day since the campaign start "
            "(sub-districts weighted by households): median over replications, band spanning "
            f"{stats.BAND_LABEL} of them.")),
        section(f"By sub-district, at the horizon (day {horizon})", table(
            ["sub-district", "households verified (median over replications)"],
            _subdistrict_rows(run, horizon))),
    ])
    return document(f"mobsim scan report: {run_name(run)}", body)
