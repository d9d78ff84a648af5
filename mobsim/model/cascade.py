"""The alert cascade in SimPy: a level's people acknowledge, process the order, relay it on.

Each acknowledgement is one SimPy event; a sender's relay is one event that works out when
each child acknowledges (contact.reach) and schedules those events. Listeners registered on
a level (the next relay, reporting to post, escalation) run when one of its people
acknowledges. A person can be reached by more than one sender (their own and a broadcast
from a level higher up): they acknowledge once, on whatever reaches them first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Callable

import numpy as np
import simpy

from mobsim.kernels import relay
from mobsim.model.contact import PHONE, Contact, reach
from mobsim.model.event_loop import EventLoop
from mobsim.model.trace import Trace

Listener = Callable[[int], None]
CallsListener = Callable[[int, np.ndarray, np.ndarray, float], None]
"""Called as listener(sender, people, gave up minutes, calls end) after a relay that phones:
the children whose attempts all failed, and when the sender's last call ended."""


@dataclass
class Level:
    """The people of one cascade level and what happened to each (row order of their table)."""

    entity: str
    notified_min: np.ndarray
    acknowledged_min: np.ndarray
    channel: np.ndarray
    due_min: np.ndarray
    listeners: list[Listener] = field(default_factory=list)
    on_calls: list[CallsListener] = field(default_factory=list)

    @classmethod
    def empty(cls, entity: str, n: int) -> "Level":
        """A level of `n` people nobody has reached yet."""
        return cls(entity, np.full(n, np.inf), np.full(n, np.inf), np.zeros(n, dtype=np.int8),
                   np.full(n, np.inf))


@dataclass(frozen=True)
class FollowUp:
    """A sender who has no confirmation from a child `after_min` after relaying gives the
    order in person; child i then acknowledges `in_person_min[i]` later."""

    after_min: float
    in_person_min: np.ndarray


@dataclass(frozen=True)
class Link:
    """How each sender of one level relays to its children in the next."""

    receiver: Level
    contact: Contact
    children: np.ndarray
    bounds: np.ndarray
    follow_up: FollowUp | None = None


_NO_FOLLOW_UP = FollowUp(np.inf, np.zeros(0))


class Cascade:
    """Schedules acknowledgements and relays on a SimPy environment."""

    def __init__(self, env: EventLoop, horizon_min: float, trace: Trace) -> None:
        self.env = env
        self.horizon_min = horizon_min
        self.trace = trace

    def at(self, delay_min: float, value: object, callback: Callable[[simpy.Event], None]) -> None:
        """Run `callback(event)` (`event.value` is `value`) `delay_min` from now, if before the horizon."""
        # A Python float: clock times drawn from NumPy arrays would make every heap comparison
        # and every sum with the clock a NumPy scalar operation (same values, several times slower).
        delay_min = float(delay_min)
        if self.env.now + delay_min < self.horizon_min:
            self.env.call(delay_min, value, callback)

    def start(self, level: Level, at_min: np.ndarray) -> None:
        """Give each person of a root level the order at the given minute (no channel)."""
        callback = partial(self._acknowledge, level)
        level.notified_min[:] = at_min
        level.due_min[:] = at_min
        self.trace.record(at_min, level.entity, np.arange(len(at_min)), "notified")
        for i, t in enumerate(at_min.tolist()):
            self.at(t, i, callback)

    def link(self, sender: Level, receiver: Level, parent: np.ndarray, contact: Contact,
             processing_min: np.ndarray, follow_up: FollowUp | None = None) -> None:
        """Make each sender relay to the receivers of which it is the `parent`, after processing."""
        children = np.argsort(parent, kind="stable")
        bounds = np.searchsorted(parent[children], np.arange(len(processing_min) + 1))
        link = Link(receiver, contact, children, bounds, follow_up)
        relay = partial(self._relay, link)
        sender.listeners.append(lambda i: self.at(processing_min[i], i, relay))

    def acknowledge_now(self, level: Level, i: int, channel: int) -> None:
        """Person `i` of `level` acknowledges now on `channel` (in person), unless they have."""
        if level.acknowledged_min[i] < np.inf:
            return
        now = self.env.now
        level.channel[i] = channel
        level.due_min[i] = now
        level.notified_min[i] = min(level.notified_min[i], now)
        self._take_note(level, i)

    def _acknowledge(self, level: Level, event: simpy.Event) -> None:
        self._take_note(level, event.value)

    def _take_note(self, level: Level, i: int) -> None:
        acknowledged_min = level.acknowledged_min
        if acknowledged_min[i] < np.inf:
            return  # reached earlier by another sender
        now = self.env.now
        acknowledged_min[i] = now
        self.trace.record(now, level.entity, i, "acknowledged")
        for listener in level.listeners:
            listener(i)

    def _relay(self, link: Link, event: simpy.Event) -> None:
        i = event.value
        now = self.env.now
        kids = link.children[link.bounds[i]:link.bounds[i + 1]]
        receiver = link.receiver
        acknowledged, channel, notified, gave_up = reach(link.contact, kids, now, self.horizon_min,
                                                         receiver.due_min[kids])
        follow_up = link.follow_up or _NO_FOLLOW_UP
        first, due_kids, due_min = relay.deliver(
            kids, now, self.horizon_min, acknowledged, channel, notified, receiver.notified_min,
            receiver.due_min, receiver.channel, follow_up.after_min, follow_up.in_person_min)
        if self.trace.enabled:
            self.trace.record(notified[first], receiver.entity, kids[first], "notified")
        if receiver.on_calls and link.contact.dials:
            silent = gave_up < self.horizon_min
            ended = np.concatenate([[now], acknowledged[channel == PHONE], gave_up[silent]])
            calls_end = float(ended[ended < self.horizon_min].max())
            if ((acknowledged >= self.horizon_min) & ~silent).any():
                # Someone's calls go on past the horizon: the list ends after it, whatever the
                # horizon (what happens before the horizon must not depend on where it lies).
                calls_end = np.inf
            for listener in receiver.on_calls:
                listener(i, kids[silent], gave_up[silent], calls_end)
        callback = partial(self._acknowledge, receiver)
        call, horizon_min = self.env.call, self.horizon_min
        for kid, t in zip(due_kids.tolist(), due_min.tolist()):
            if now + (t - now) < horizon_min:  # as `at` decides, rounding included
                call(t - now, kid, callback)
