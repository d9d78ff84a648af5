"""`mobsim calibrate`'s validation page: the fitted values and, per role and step, the drill
log against the fitted model."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from mobsim.reports.page import document, figure, number, paragraph, section, table
from mobsim.reports.plots import png_bytes
from mobsim.studies.calibration.command import Calibration, validation_files
from mobsim.studies.calibration.fitted import NUMBER, FittedValue, write_fitted
from mobsim.studies.calibration.validation import BAND, Validation


def _curve_png(curve: pd.DataFrame, title: str, replications: int) -> bytes:
    fig = Figure(figsize=(7.0, 3.4), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    minutes = curve["minute"].to_numpy()
    ax.fill_between(minutes, 100 * curve["simulated_low"], 100 * curve["simulated_high"],
                    color="#4c72b0", alpha=0.25, linewidth=0,
                    label=f"model, {BAND[0]:.0%}–{BAND[1]:.0%} of {replications} replications")
    ax.plot(minutes, 100 * curve["simulated_share"], color="#4c72b0", label="model, mean")
    ax.step(minutes, 100 * curve["observed_share"], where="post", color="#222", label="drill log")
    ax.set_xlabel("minutes since the order")
    ax.set_ylabel("share done (%)")
    ax.set_ylim(0, 102)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return png_bytes(fig)


def _fits_table(values: list[FittedValue]) -> str:
    rows = []
    for value in values:
        for name, e in value.intervals.items():
            key = value.key if name == NUMBER else f"{value.key}.{name}"
            rows.append([escape(key), number(f"fit-{key}", e.value, f"{e.value:.4g}", "td"),
                         f"{e.low:.4g} – {e.high:.4g}", f"{value.exact + value.censored:,}",
                         f"{value.censored:,}"])
    return table(["parameter", "fitted", "interval", "n", "censored"], rows)


def validation_page(label: str, values: list[FittedValue], validation: Validation,
                    confidence: float) -> str:
    """One self-contained HTML page: the fitted values, then each curve with its KS distance."""
    parts = []
    for row in validation.summary.itertuples():
        curve = validation.curves[(validation.curves["role"] == row.role)
                                  & (validation.curves["step"] == row.step)]
        step = row.step.removesuffix("_min")
        ks_id = f"ks-{row.role}-{step}"
        parts.append(figure(_curve_png(curve, f"{row.role}: {step}", validation.replications),
                            f"{row.role} {step} curve", f"{row.role}, {step}: n = {row.people:,}"))
        distance = number(ks_id, row.ks_statistic, f"{row.ks_statistic:.3f}")
        own = number(f"{ks_id}-model", row.ks_model_max, f"{row.ks_model_max:.3f}")
        parts.append(paragraph(f"KS distance D = {distance}; the model's own replications: "
                               f"up to {own}"))
    body = (f"<h1>Calibration to {escape(label)}</h1>"
            + section(f"Fitted values ({confidence:.0%} intervals: profile likelihood; "
                      "speeds: bootstrap)",
                      _fits_table(values))
            + section("The drill simulated with the fitted scenario", *parts))
    return document(f"mobsim calibrate: {label}", body)


def write_validation_page(calibration: Calibration, validation: Validation, out: Path,
                          confidence: float) -> Path:
    """Write the validation page beside the fitted scenario `out`, whole or not at all."""
    page_path = validation_files(out)[1]
    write_fitted(validation_page(calibration.log.label, calibration.values, validation,
                                 confidence), page_path)
    return page_path
