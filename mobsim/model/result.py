"""What one replication returns: per-entity arrays in the row order of the district tables."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ACTIVATED_BY: tuple[str, ...] = ("none", "member", "grid_worker", "cadre")
"""Who completed the quorum of a micro-grid (codes of `microgrid_activated_by`)."""

PRESENCE_STATES: tuple[str, ...] = ("home", "work", "asleep", "away")
"""Where a person is when the order comes (codes of `member_state`)."""

CHANNELS: tuple[str, ...] = ("none", "phone", "messaging", "sms")
"""The channel on which a person acknowledged the order (codes of `member_channel`)."""

TRACE_ENTITIES: tuple[str, ...] = (
    "district", "subdistrict", "community", "gridworker", "member", "unit", "cadre", "microgrid")
"""Kinds of entity in a trace (codes of the trace's `entity` field)."""

TRACE_EVENTS: tuple[str, ...] = (
    "notified", "acknowledged", "reported", "dispatched", "arrived", "gap", "activated")
"""Kinds of event in a trace (codes of the trace's `event` field)."""

TRACE_DTYPE = np.dtype([("time_min", np.float64), ("entity", np.int8),
                        ("entity_id", np.int32), ("event", np.int8)])
"""One traced event: minute, entity kind, the entity's id in its district table, event kind."""


@dataclass(frozen=True)
class ReplicationResult:
    """Outcome of one replication; times are minutes after the order, NaN = not within the horizon."""

    microgrid_activated_min: np.ndarray
    microgrid_activated_by: np.ndarray
    microgrid_gap_min: np.ndarray
    microgrid_gridworker_arrived_min: np.ndarray
    member_state: np.ndarray
    member_channel: np.ndarray
    member_notified_min: np.ndarray
    member_acknowledged_min: np.ndarray
    member_arrived_min: np.ndarray
    cadre_acknowledged_min: np.ndarray
    cadre_reported_min: np.ndarray
    cadre_microgrid: np.ndarray
    cadre_dispatched_min: np.ndarray
    cadre_arrived_min: np.ndarray
    gridworker_alerted_min: np.ndarray
    events: int
    trace: np.ndarray | None = None


def within_horizon(times_min: np.ndarray, horizon_min: float) -> np.ndarray:
    """Copy of `times_min` with every time at or after the horizon (or infinite) set to NaN."""
    out = np.array(times_min, dtype=np.float64)
    out[~(out < horizon_min)] = np.nan
    return out
