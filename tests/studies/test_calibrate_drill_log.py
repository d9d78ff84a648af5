"""The drill log format: a mobsim-made log reads back; hostile logs exit 2 with one line, write nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from calibrate_fixtures import drill_files
from click.testing import CliRunner

from mobsim.cli import main
from mobsim.district import load_district
from mobsim.errors import InputError
from mobsim.studies.calibration.drill_log import COLUMNS, check_ids, read_drill_log


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    return drill_files(tmp_path_factory.mktemp("drill"), 120.0)


def test_a_simulated_log_reads_back_as_written(drill) -> None:
    scenario_path, log_path, scenario, log = drill
    read = read_drill_log(log_path)
    check_ids(read, load_district(scenario))
    assert (read.order_weekday, read.order_start, read.window_min) == ("tue", "14:00", 120.0)
    pd.testing.assert_frame_equal(read.rows[list(COLUMNS)], log.rows, check_dtype=False)
    assert set(read.rows["role"]) == {"subdistrict", "community", "gridworker", "member", "cadre"}


def test_a_parquet_log_reads_like_the_csv(drill, tmp_path) -> None:
    _, log_path, _, log = drill
    parquet = tmp_path / "drill.parquet"
    log.rows.to_parquet(parquet)
    pd.testing.assert_frame_equal(read_drill_log(parquet).rows, read_drill_log(log_path).rows)


def _first_row(rows: pd.DataFrame, role: str, step: str) -> int:
    return int(np.flatnonzero((rows["role"] == role) & rows[step].notna())[0])


def _hostile(rows: pd.DataFrame, case: str) -> tuple[pd.DataFrame, str]:
    """The log with one fault; the fragment the error line must hold."""
    rows = rows.copy()
    i = _first_row(rows, "member", "arrived_min")
    if case == "out of order":
        rows.loc[i, "arrived_min"] = rows.loc[i, "acknowledged_min"] / 2
        return rows, f"row {i + 1}: arrived_min"
    if case == "negative":
        rows.loc[i, "notified_min"] = -1.0
        return rows, f"row {i + 1}: notified_min: minutes since the order cannot be negative"
    if case == "unknown id":
        rows.loc[i, "person_id"] = 99_999
        return rows, f"row {i + 1}: person_id 99999: no member"
    if case == "another order":
        rows.loc[i, "order_start"] = "15:00"
        return rows, f"row {i + 1}: order_start '15:00' differs from row 1"
    if case == "after the window":
        rows.loc[i, "arrived_min"] = 500.0
        return rows, f"row {i + 1}: arrived_min 500 is not before the window's end"
    if case == "unknown role":
        rows.loc[i, "role"] = "mayor"
        return rows, f"row {i + 1}: role: expected subdistrict"
    if case == "child before sender":
        j = _first_row(rows, "gridworker", "acknowledged_min")
        members = rows.index[(rows["role"] == "member") & rows["notified_min"].notna()]
        rows.loc[j, "acknowledged_min"] = rows.loc[members, "notified_min"].max() + 1
        rows.loc[j, "notified_min"] = 0.0
        return rows, "times out of order"
    if case == "empty":
        return rows.iloc[:0], "no rows"
    raise AssertionError(case)


CASES = ("out of order", "negative", "unknown id", "another order", "after the window",
         "unknown role", "child before sender", "empty")


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_log_exits_2_with_one_line_and_writes_nothing(drill, tmp_path, case) -> None:
    scenario_path, _, _, log = drill
    rows, fragment = _hostile(log.rows, case)
    bad = tmp_path / "bad.csv"
    rows.to_csv(bad, index=False)
    out = tmp_path / "fitted.toml"
    result = CliRunner().invoke(main, ["calibrate", str(bad), "--scenario", str(scenario_path),
                                       "-o", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}: "), result.stderr
    assert fragment in lines[0], lines[0]
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


@pytest.mark.parametrize("content, fragment", [
    ("", "empty file"),
    ("role,person_id\nmember,1\n", "missing column(s) post_id"),
])
def test_an_empty_or_partial_file_is_one_line(tmp_path, content: str, fragment: str) -> None:
    path = tmp_path / "drill.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=r"^\S+drill.csv: ") as err:
        read_drill_log(path)
    assert fragment in str(err.value) and "\n" not in str(err.value)


def test_a_missing_log_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such drill log"):
        read_drill_log(tmp_path / "nowhere.csv")
