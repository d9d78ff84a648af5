"""Tests of turning replication arrays into output rows: coverage curves, scan rows, traces."""

import math

import numpy as np
import pytest
from mobsim.kernels.canvass import CanvassResult

from mobsim.codes import TRACE_ENTITIES, TRACE_EVENTS
from mobsim.model import TRACE_DTYPE
from mobsim.model.canvass import Households
from mobsim.results.rows import coverage, scan_tables, trace_table
from mobsim.results.schemas import OUTPUT_SCHEMAS, SCAN_SCHEMAS


def test_coverage_counts_items_done_at_or_before_each_edge() -> None:
    done = np.array([0.0, 1.0, 1.5, np.nan, 2.0, 7.0, 0.5])
    group = np.array([0, 0, 0, 0, 1, 1, 1])
    shares = coverage(done, group, np.array([4, 3, 0]), step=1.0, steps=3)
    assert shares.tolist() == [[0.25, 0.5, 0.75, 0.75], [0.0, 1 / 3, 2 / 3, 2 / 3], [1.0] * 4]


def test_coverage_is_exact_at_edges_the_division_rounds_across() -> None:
    step = 0.1
    # The edge 3 * 0.1 divided by 0.1 exceeds 3 and 0.3 / 0.1 falls short: both belong to edge 3.
    times = np.array([3 * step, np.nextafter(3 * step, 0.0), np.nextafter(3 * step, 1.0), 0.3])
    shares = coverage(times, np.zeros(4, np.int64), np.array([4]), step, steps=4)[0]
    expected = [np.count_nonzero(times <= k * step) / 4 for k in range(5)]
    assert shares.tolist() == expected


def _homes(households_per_subdistrict: list[int]) -> Households:
    sizes = np.array(households_per_subdistrict)
    return Households(np.concatenate([[0], np.cumsum(sizes)]), np.zeros(sizes.sum(), np.int8),
                      np.repeat(np.arange(len(sizes)), sizes), np.array([4, 9], np.int32), sizes)


def test_scan_rows_report_days_to_share_and_campaign_end() -> None:
    day = 1440.0
    completion = np.array([0.5 * day, 1.0 * day, 2.25 * day, np.nan, 1.5 * day])
    result = CanvassResult(completion, np.ones(5, np.int32), np.array([2.25 * day, 3.0 * day]),
                           np.array([4, 5]), np.zeros(0, np.int64))
    tables = scan_tables(result, _homes([3, 2]), replication=2, seed=11, horizon_days=3)
    curves = tables["scan_curves"].to_pydict()
    assert curves["day"] == [0, 1, 2, 3] * 2 and curves["subdistrict_id"] == [4] * 4 + [9] * 4
    assert curves["share_households_verified"] == pytest.approx(
        [0, 2 / 3, 2 / 3, 1, 0, 0, 0.5, 0.5])
    row = tables["replications"].to_pylist()[0]
    assert row == {"replication": 2, "seed": 11, "days_to_95pct": math.inf, "days_to_full": 3.0,
                   "share_verified_at_horizon": 0.8, "visits": 9}
    assert tables["replications"].column_names == SCAN_SCHEMAS["replications"].names
    assert tables["scan_curves"].cast(SCAN_SCHEMAS["scan_curves"]).num_rows == 8


def test_an_unfinished_scanner_leaves_the_campaign_end_never() -> None:
    result = CanvassResult(np.array([10.0, 20.0]), np.ones(2, np.int32),
                           np.array([20.0, np.nan]), np.array([1, 3]), np.zeros(0, np.int64))
    row = scan_tables(result, _homes([1, 1]), 0, 0, 1)["replications"].to_pylist()[0]
    assert row["days_to_full"] == math.inf and row["days_to_95pct"] == pytest.approx(20.0 / 1440)


def test_trace_records_become_event_rows() -> None:
    trace = np.array([(1.5, 4, 17, 0), (2.0, 7, 3, 6)], dtype=TRACE_DTYPE)
    table = trace_table(trace, replication=5).cast(OUTPUT_SCHEMAS["events"])
    assert table.to_pylist() == [
        {"replication": 5, "time_min": 1.5, "entity": TRACE_ENTITIES[4], "entity_id": 17,
         "event": TRACE_EVENTS[0]},
        {"replication": 5, "time_min": 2.0, "entity": TRACE_ENTITIES[7], "entity_id": 3,
         "event": TRACE_EVENTS[6]}]
