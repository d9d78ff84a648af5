"""Tests of the comparison table's text and JSON forms."""

import json
import math

import pandas as pd
import pytest

from mobsim.reports.comparison import (
    comparison_json,
    difference_text,
    format_comparison,
)

INF, NAN = math.inf, math.nan


def _row(run: str, never: int, pairing: str, diffs: tuple[float, ...], quantile: float = 0.95,
         median: float = 120.0) -> dict:
    return {"run": run, "replications": 4, "seed": 7, "median_min": median, "quantile": quantile,
            "quantile_min": 150.25, "max_min": INF if never else 160.0, "never": never,
            "target_min": 180.0, "share_at_target": 0.875, "verdict": "FAIL", "confidence": 0.9,
            "pairing": pairing,
            **dict(zip(("share_diff", "share_diff_low", "share_diff_high", "t_full_diff_min",
                        "t_full_diff_low_min", "t_full_diff_high_min"), diffs))}


def _table(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


REFERENCE = _row("a", 0, "reference", (NAN,) * 6)
PAIRED = _row("b", 1, "paired by seed 7", (0.0123, 0.01, 0.0146, -12.5, -INF, 3.0))
UNPAIRED = _row("c", 0, "unpaired: seeds differ (7 vs 8)", (-0.02, -0.05, 0.01, 4.0, -1.0, 9.5))


def test_difference_text() -> None:
    assert difference_text(0.0123, 0.01, 0.0146, 100) == "+1.2 [+1.0, +1.5]"
    assert difference_text(-12.5, -INF, 3.0) == "-12.5 [-∞, +3.0]"
    assert difference_text(INF, 2.0, INF) == "+∞ [+2.0, +∞]"
    assert difference_text(0.1, NAN, NAN) == "+0.1 [n/a, n/a]"


def test_text_shows_each_row_and_its_difference() -> None:
    text = format_comparison(_table(REFERENCE, PAIRED, UNPAIRED), ["run"], "title", "run a")
    lines = text.splitlines()
    assert lines[0] == "title"
    figures = next(line for line in lines if line.startswith("b "))
    assert figures.split() == ["b", "4", "120.0", "150.2", "never", "1/4", "87.5%", "FAIL"]
    assert "difference from run a:" in lines
    paired = [line for line in lines if line.startswith("b ")][1]
    assert "+1.2 [+1.0, +1.5]" in paired and "-12.5 [-∞, +3.0]" in paired
    assert paired.endswith("paired by seed 7")
    assert any("paired (same seeds)" in line for line in lines)
    assert any("unpaired (seeds differ)" in line for line in lines)
    assert "90% confidence interval" in text


def test_header_names_the_common_target_or_falls_back() -> None:
    common = format_comparison(_table(REFERENCE, PAIRED), ["run"], "t", "run a")
    assert "p95" in common and "on post by 180 min" in common
    mixed = format_comparison(_table(REFERENCE, _row("b", 0, "paired by seed 7", (0,) * 6,
                                                     quantile=0.9)), ["run"], "t", "run a")
    assert "target pct" in mixed and "p95" not in mixed


def test_notes_only_for_the_kinds_of_pairing_present() -> None:
    text = format_comparison(_table(REFERENCE, PAIRED), ["run"], "t", "run a")
    assert "paired (same seeds)" in text and "unpaired (seeds differ)" not in text


def test_both_never_finished_is_said_in_words() -> None:
    all_never = dict(REFERENCE, never=4, median_min=INF)
    other = _row("b", 4, "paired by seed 7", (0.1, 0.05, 0.15, 0.0, 0.0, 0.0), median=INF)
    text = format_comparison(_table(all_never, other), ["run"], "t", "run a")
    assert "both never" in text and "+0.0 [+0.0, +0.0]" not in text


def test_single_row_has_no_difference_block() -> None:
    text = format_comparison(_table(REFERENCE), ["run"], "t", "run a")
    assert "difference from" not in text


def test_json_is_strict_with_null_and_inf_strings() -> None:
    records = json.loads(comparison_json(_table(REFERENCE, PAIRED)),
                         parse_constant=lambda c: pytest.fail(f"bare {c} in JSON"))
    assert records[0]["share_diff"] is None
    assert records[1]["max_min"] == "inf" and records[1]["t_full_diff_low_min"] == "-inf"
    assert records[1]["share_diff"] == 0.0123 and records[1]["pairing"] == "paired by seed 7"
