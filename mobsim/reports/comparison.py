"""The comparison of variants as a planner reads it in a terminal, and as JSON records for CI."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from mobsim.reports.page import minutes_text, percent_text
from mobsim.results.jsonable import dumps
from mobsim.results.run import Sweep
from mobsim.scenario.params import Definition
from mobsim.sweeps import variant_label

_GAP = "  "


def _signed(value: float, scale: float = 1.0) -> str:
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "+∞" if value > 0 else "-∞"
    return f"{value * scale:+.1f}"


def difference_text(estimate: float, low: float, high: float, scale: float = 1.0) -> str:
    """"+12.3 [+4.0, +20.1]": an estimate and its interval, ∞ where unbounded or never."""
    return f"{_signed(estimate, scale)} [{_signed(low, scale)}, {_signed(high, scale)}]"


def _aligned(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows)]
    return [_GAP.join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
            for line in [headers, *rows]]


def _common(values: pd.Series, text: str, otherwise: str) -> str:
    """`text` filled with the value when every row shares it, else `otherwise`."""
    return text.format(values.iloc[0]) if values.nunique() == 1 else otherwise


def _labels(row: pd.Series, label_columns: Sequence[str]) -> list[str]:
    """The row's label cells ("—" where a row has no such label: a run beside a sweep)."""
    return ["—" if isinstance(row[c], float) and math.isnan(row[c]) else str(row[c])
            for c in label_columns]


def _figures_block(table: pd.DataFrame, label_columns: Sequence[str]) -> list[str]:
    if "definition" in table.columns and table["definition"].nunique() > 1:
        label_columns = [*label_columns, "definition"]
    headers = [*label_columns, "reps", "median",
               _common(table["quantile"] * 100, "p{:g}", "target pct"), "max", "never",
               _common(table["target_min"], "on post by {:g} min", "on post by target"), "verdict"]
    rows = [[*_labels(row, label_columns), str(row["replications"]),
             minutes_text(row["median_min"]), minutes_text(row["quantile_min"]),
             minutes_text(row["max_min"]),
             f"{row['never']}/{row['replications']}", percent_text(row["share_at_target"]),
             row["verdict"]] for _, row in table.iterrows()]
    return _aligned(headers, rows)


def _never_finished(row: pd.Series) -> bool:
    return row["never"] == row["replications"]


def _time_difference_text(row: pd.Series, reference: pd.Series) -> str:
    if _never_finished(row) and _never_finished(reference):
        return "both never"
    return difference_text(row["t_full_diff_min"], row["t_full_diff_low_min"],
                           row["t_full_diff_high_min"])


def difference_rows(table: pd.DataFrame,
                    label_columns: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Headers and text cells of each row's difference from the first (the printed block)."""
    headers = [*label_columns, "Δ on post (points)", "Δ district time (min)", "pairing"]
    rows = [[*_labels(row, label_columns),
             difference_text(row["share_diff"], row["share_diff_low"], row["share_diff_high"], 100),
             _time_difference_text(row, table.iloc[0]), row["pairing"]]
            for _, row in table.iloc[1:].iterrows()]
    return headers, rows


def _mobilized(table: pd.DataFrame) -> str:
    """When a district counts as mobilized in the compared runs (their `definition` labels)."""
    labels = table.get("definition", pd.Series([Definition().label]))
    if labels.nunique() > 1:
        return "the district is mobilized as each run's own definition counts it (definition)"
    if labels.iloc[0] == Definition().label:
        return "the last micro-grid has staff on post"
    return f"the district is mobilized as {labels.iloc[0]} counts it (the runs' definition)"


def notes(table: pd.DataFrame, reference: str) -> list[str]:
    """The lines explaining the difference block: intervals, pairing, never."""
    confidence = f"{table['confidence'].iloc[0] * 100:g}%"
    compared = table["pairing"].iloc[1:]
    lines = [
        f"district time: minutes from the order until {_mobilized(table)}; never: not within "
        "the simulated horizon.",
        "verdict: is the target percentile of the district time within the target at the "
        "target confidence (the bound check of `mobsim check`)? PASS: shown; FAIL: shown not "
        "(the Clopper–Pearson upper bound on the share in time is below the percentile); "
        "UNDECIDED: too few replications to show either.",
        f"[low, high]: {confidence} confidence interval of the difference, each row minus "
        f"{reference}. ±∞: one of the two never finished (+∞ this row, -∞ the reference); "
        "[-∞, +∞]: too few replications for an interval at this confidence.",
    ]
    if compared.str.startswith("paired").any():
        lines.append("paired (same seeds): Δ on post is the mean of the per-replication "
                     "differences (t-interval); Δ district time is their median (sign-test "
                     "interval), never counting as later than any time and never against never "
                     "as no difference.")
    if compared.str.startswith("unpaired").any():
        lines.append("unpaired (seeds differ): Δ on post is the difference of the means (Welch "
                     "interval); Δ district time is the Hodges–Lehmann shift, the median of all "
                     "cross differences (Mann–Whitney interval, assuming a shift).")
    return lines


def format_comparison(table: pd.DataFrame, label_columns: Sequence[str], title: str,
                      reference: str) -> str:
    """The comparison as text: each row's figures, then each row's difference from `reference`."""
    lines = [title, "", *_figures_block(table, label_columns)]
    if len(table) > 1:
        lines += ["", f"difference from {reference}:",
                  *_aligned(*difference_rows(table, label_columns)), "", *notes(table, reference)]
    return "\n".join(lines)


def _days(value: float) -> str:
    return f"{value:.1f} d" if math.isfinite(value) else "never"


def format_scan_comparison(table: pd.DataFrame, label_columns: Sequence[str], title: str,
                           reference: str) -> str:
    """The comparison of building-scan runs: days to verify 95% and to finish, share verified."""
    q = _common(table["quantile"] * 100, "p{:g}", "target pct")
    headers = [*label_columns, "reps", "95% verified (median)", "over: median", f"over: {q}",
               "over: max", "not over", "verified by the horizon"]
    rows = [[*_labels(row, label_columns), str(row["replications"]),
             _days(row["days_to_95pct_median"]), _days(row["days_to_full_median"]),
             _days(row["days_to_full_quantile"]), _days(row["days_to_full_max"]),
             f"{row['never']}/{row['replications']}", percent_text(row["share_verified"])]
            for _, row in table.iterrows()]
    lines = [title, "", *_aligned(headers, rows)]
    if len(table) > 1:
        differences = [[*_labels(row, label_columns),
                        difference_text(row["share_diff"], row["share_diff_low"],
                                        row["share_diff_high"], 100),
                        difference_text(row["days_to_full_diff"], row["days_to_full_diff_low"],
                                        row["days_to_full_diff_high"]), row["pairing"]]
                       for _, row in table.iloc[1:].iterrows()]
        confidence = f"{table['confidence'].iloc[0] * 100:g}%"
        lines += ["", f"difference from {reference}:",
                  *_aligned([*label_columns, "Δ verified (points)", "Δ days until over",
                             "pairing"], differences),
                  "", "over: the campaign's end (every household verified or given up); never: "
                  "not within scan.horizon_days.",
                  f"[low, high]: {confidence} confidence interval of the difference, each row "
                  f"minus {reference}; intervals as for wartime runs (mean: t or Welch; days: "
                  "sign-test or Mann–Whitney, never counting as later than any time)."]
    return "\n".join(lines)


def comparison_json(table: pd.DataFrame) -> str:
    """The table as a JSON list of records (mobsim.results.jsonable: never and unbounded as
    "inf"/"-inf", undefined as null)."""
    return dumps(table.to_dict("records"))


def format_sweep(result: Sweep, table: pd.DataFrame) -> str:
    """The sweep's comparison `table` (mobsim.sweeps.comparison) as text, variant 0 the reference."""
    keys = [c for c in result.variants.columns if c != "variant"]
    count = len(result.variants)
    title = (f"sweep of {count} variant{'s' if count != 1 else ''} × {result.replication_count} "
             f"replication{'s' if result.replication_count != 1 else ''}, seed {result.seed}: every "
             "variant draws the same random numbers, so differences come from the varied keys")
    reference = f"variant 0 ({variant_label(result.variants.iloc[0], keys)})"
    return format_comparison(table, ["variant", *keys], title, reference)
