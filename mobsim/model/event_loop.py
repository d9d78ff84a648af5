"""The model's SimPy environment: an event loop that stops at the horizon, at least cost per event."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from heapq import heappop, heappush
from typing import Callable, Iterator

import simpy
from simpy.core import NORMAL


class Call(simpy.Event):
    """An event that runs one callback: a timeout without `Environment.timeout`'s checks and
    extra attributes, since the model schedules one of these per acknowledgement, arrival and
    ride."""

    def __init__(self, loop: "EventLoop", value: object, callback: Callable[[simpy.Event], None]
                 ) -> None:
        self.env = loop
        self.callbacks = [callback]
        self._value = value
        self._ok = True


class EventLoop(simpy.Environment):
    """A SimPy environment whose `run_before` processes events as `step` does, inline.

    A replication processes about 50,000 events, each a few microseconds of model work; the
    two method calls `peek` and `step` per event cost nearly a tenth of a replication.
    """

    def call(self, delay_min: float, value: object, callback: Callable[[simpy.Event], None]
             ) -> None:
        """Run `callback(event)` (`event.value` is `value`) `delay_min` (a float, not negative)
        from now: `schedule` inlined, as it runs for every event of a replication."""
        heappush(self._queue, (self._now + delay_min, NORMAL, next(self._eid),
                               Call(self, value, callback)))

    def run_before(self, horizon_min: float) -> int:
        """Process every event scheduled before `horizon_min`, in SimPy's order (time,
        priority, scheduling order); return how many were processed. A failed event nobody
        defused raises its exception, as `step` does."""
        queue = self._queue
        events = 0
        with _collector_paused():
            while queue and queue[0][0] < horizon_min:
                self._now, _, _, event = heappop(queue)
                callbacks, event.callbacks = event.callbacks, None
                for callback in callbacks:
                    callback(event)
                events += 1
                if not event._ok and not hasattr(event, "_defused"):
                    raise event._value
        return events


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block, as it was after.

    The event loop allocates an event, a heap entry and a few tuples per event. Each
    allocation burst starts a collection that walks every young container, the model's large
    lists of people included: a tenth of a replication or more, for almost no garbage. The
    few reference cycles the loop makes are collected once the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
