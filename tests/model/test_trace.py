"""The optional event trace."""

import numpy as np

from mobsim.codes import TRACE_ENTITIES, TRACE_EVENTS
from mobsim.model import TRACE_DTYPE
from mobsim.model.trace import Trace


def test_a_disabled_trace_records_nothing() -> None:
    trace = Trace(False)
    trace.record(1.0, "member", 3, "arrived")
    assert trace.table({}, 10.0) is None


def test_records_are_sorted_by_time_cut_at_the_horizon_and_carry_ids() -> None:
    trace = Trace(True)
    trace.record(np.array([5.0, 2.0, 30.0]), "member", np.array([0, 1, 2]), "notified")
    trace.record(3.0, "cadre", 1, "dispatched")
    table = trace.table({"member": np.array([10, 11, 12]), "cadre": np.array([7, 8])}, 20.0)
    assert table.dtype == TRACE_DTYPE
    assert table["time_min"].tolist() == [2.0, 3.0, 5.0]
    assert table["entity_id"].tolist() == [11, 8, 10]
    assert [TRACE_ENTITIES[e] for e in table["entity"]] == ["member", "cadre", "member"]
    assert [TRACE_EVENTS[e] for e in table["event"]] == ["notified", "dispatched", "notified"]
