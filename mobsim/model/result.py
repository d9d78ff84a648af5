"""What one replication returns: per-entity arrays in the row order of the district tables."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TRACE_DTYPE = np.dtype([("time_min", np.float64), ("entity", np.int8),
                        ("entity_id", np.int32), ("event", np.int8)])
"""One traced event: minute, entity kind, the entity's id in its district table, event kind."""


@dataclass(frozen=True)
class ReplicationResult:
    """Outcome of one replication; times are minutes after the order, NaN = not within the horizon."""

    microgrid_activated_min: np.ndarray
    """float64 per micro-grid: when the quorum was on post."""
    microgrid_activated_by: np.ndarray
    """int8 per micro-grid: code into ACTIVATED_BY of who completed the quorum (0 = never)."""
    microgrid_gap_min: np.ndarray
    """float64 per micro-grid: when it became a gap (escalation or roll-call)."""
    microgrid_gridworker_arrived_min: np.ndarray
    """float64 per micro-grid: when its grid worker arrived to cover it."""
    microgrid_hand_changes: np.ndarray
    """int32 per micro-grid: how often a reserve on post handed it over to a member."""
    member_state: np.ndarray
    """int8 per member: code into PRESENCE_STATES at the order."""
    member_channel: np.ndarray
    """int8 per member: code into CHANNELS of the channel acknowledged on (0 = none)."""
    member_notified_min: np.ndarray
    """float64 per member: first delivery of the order (message in, phone rings)."""
    member_acknowledged_min: np.ndarray
    """float64 per member: when the member took note of the order."""
    member_arrived_min: np.ndarray
    """float64 per member: arrival at the member's micro-grid."""
    cadre_acknowledged_min: np.ndarray
    """float64 per cadre: when the cadre took note of the order."""
    cadre_reported_min: np.ndarray
    """float64 per cadre: arrival at the paired community."""
    cadre_microgrid: np.ndarray
    """int32 per cadre: row of the micro-grid the cadre was sent to, -1 if none."""
    cadre_dispatched_min: np.ndarray
    """float64 per cadre: when the dispatcher sent the cadre."""
    cadre_arrived_min: np.ndarray
    """float64 per cadre: arrival at the micro-grid."""
    gridworker_alerted_min: np.ndarray
    """float64 per general grid: when its grid worker acknowledged the order."""
    reserve_shifts: np.ndarray
    """SHIFT_DTYPE (mobsim.model.handover) records: each post a grid worker or cadre held."""
    events: int
    """SimPy events processed."""
    trace: np.ndarray | None = None
    """TRACE_DTYPE records sorted by time when traced, else None."""
    task_units: np.ndarray | None = None
    """TASK_UNIT_DTYPE (mobsim.model.tasks.wiring) records: every testing site and checkpoint."""

def within_horizon(times_min: np.ndarray, horizon_min: float) -> np.ndarray:
    """Copy of `times_min` with every time at or after the horizon (or infinite) set to NaN."""
    out = np.array(times_min, dtype=np.float64)
    out[~(out < horizon_min)] = np.nan
    return out
