"""Optional event trace of a replication: what happened, to whom, when."""

from __future__ import annotations

import numpy as np

from mobsim.codes import TRACE_ENTITIES, TRACE_EVENTS
from mobsim.model.result import TRACE_DTYPE


class Trace:
    """Collects (minute, entity kind, row, event kind) records; a no-op when disabled."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._chunks: list[tuple[np.ndarray, int, np.ndarray, int]] = []

    def record(self, time_min: float | np.ndarray, entity: str, rows: int | np.ndarray,
               event: str) -> None:
        """Record one event, or the same event for several rows (times may lie in the future)."""
        if self.enabled:
            rows = np.atleast_1d(rows)
            times = np.broadcast_to(np.asarray(time_min, dtype=np.float64), rows.shape)
            self._chunks.append((times, TRACE_ENTITIES.index(entity), rows, TRACE_EVENTS.index(event)))

    def table(self, ids: dict[str, np.ndarray], horizon_min: float) -> np.ndarray | None:
        """The records before the horizon as a structured array sorted by time; ids replace rows."""
        if not self.enabled:
            return None
        out = np.empty(sum(len(rows) for _, _, rows, _ in self._chunks), dtype=TRACE_DTYPE)
        at = 0
        for times, entity, rows, event in self._chunks:
            end = at + len(rows)
            out["time_min"][at:end] = times
            out["entity"][at:end] = entity
            out["entity_id"][at:end] = ids[TRACE_ENTITIES[entity]][rows]
            out["event"][at:end] = event
            at = end
        out = out[out["time_min"] < horizon_min]
        return out[np.argsort(out["time_min"], kind="stable")]
