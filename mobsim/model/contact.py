"""How a sender's relay reaches its children: pre-drawn contact outcomes and channel arithmetic.

Per receiving population, everything random about being contacted is drawn up front in
entity order from its own stream: whether each channel reaches the person at all
(`channels.<channel>.reach`, a probability drawn once per replication), how long reading
takes in the person's state (`channels.<messaging|sms>.read_min.<state>`), SMS delivery,
and each phone attempt's outcome and durations. A relay then only does arithmetic.

People change state over the horizon (mobsim.model.presence.Timeline): from `home_min` on,
a person asleep or at work at the order reads and answers as one at home. Before it, a
message is read only if it wakes them (their own state's reading delay) and a call answered
with their own state's probability (`channels.phone.answer.asleep`: the phone wakes them).
An officer on duty is reached on every channel, reads at once and answers the first call.
A member whose phone attempts all failed is chased at the door: by a building head
(`chase.by = "building_head"`: found `chase.after_min` after the last attempt, with
probability `chase.success`), or by their grid worker (mobsim.model.chase), who is told when
the attempts failed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobsim.codes import CHANNELS, PRESENCE_STATES
from mobsim.kernels import relay
from mobsim.model.presence import HOME, Timeline
from mobsim.scenario.params import Parameters

PHONE, MESSAGING, SMS, DOOR = (CHANNELS.index(c) for c in ("phone", "messaging", "sms", "door"))


@dataclass(frozen=True)
class Contact:
    """Pre-drawn contact outcomes of one population on the channels its sender uses.

    Per channel code and person (rows of channels not used are never read): `reached`,
    `delivery_min`, `read_min` in the person's own state, `read_home_min` once at home. Per
    person and phone attempt (no columns without the phone): `answered`, `answered_home`,
    `ring_min`, `retry_min`. Per person: `call_min`, `home_min` (inf: the state holds for
    the horizon) and `chase_min` (inf: never found at the door, or not chased).
    """

    messages: np.ndarray
    """Codes of the message channels used (all but the phone), in the sender's order."""
    callers: int
    reached: np.ndarray
    delivery_min: np.ndarray
    read_min: np.ndarray
    read_home_min: np.ndarray
    answered: np.ndarray
    answered_home: np.ndarray
    call_min: np.ndarray
    ring_min: np.ndarray
    retry_min: np.ndarray
    home_min: np.ndarray
    chase_min: np.ndarray

    @classmethod
    def join(cls, parts: list["Contact"]) -> "Contact":
        """The people of every part, in order (the parts drawn for one sender's channels)."""
        first = parts[0]
        by_channel = ("reached", "delivery_min", "read_min", "read_home_min")
        by_person = ("answered", "answered_home", "call_min", "ring_min", "retry_min",
                     "home_min", "chase_min")
        joined = {name: np.concatenate([getattr(p, name) for p in parts], axis=1)
                  for name in by_channel}
        joined |= {name: np.concatenate([getattr(p, name) for p in parts]) for name in by_person}
        return cls(first.messages, first.callers, **joined)

    @property
    def dials(self) -> bool:
        """The sender also calls (after the messages): there are phone attempts (at least one
        when the phone is a channel)."""
        return self.answered.shape[1] > 0


def _by_state(params: Parameters, key: str, quantity: str,
              states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-person draws of a duration that depends on the person's state: (own state's, home's).

    Every state's distribution is drawn for everyone (from its own stream), then each person
    takes their own state's value: a person's draws do not depend on anyone else's state.
    """
    n = len(states)
    draws = [params.streams.sample("cascade", f"{quantity}.{s}", params.duration(f"{key}.{s}"), n)
             for s in PRESENCE_STATES]
    return np.choose(states, draws), draws[HOME]


def chase_found(params: Parameters, population: str, n: int) -> np.ndarray:
    """Whether each person chased at the door is found there (`chase.success`), whoever chases."""
    found = params.streams.uniform("escalation", f"{population}.chase.found", n)
    return found < params.probability("chase.success")


def _chase_min(params: Parameters, population: str, n: int) -> np.ndarray:
    """Minutes from the last failed attempt to the member found at the door by a building head;
    inf if not found."""
    after = params.streams.sample("escalation", f"{population}.chase",
                                  params.duration("chase.after_min"), n)
    return np.where(chase_found(params, population, n), after, np.inf)


def draw_contact(params: Parameters, population: str, states: np.ndarray,
                 channels: tuple[int, ...], callers: int, timeline: Timeline | None = None,
                 chased: bool = False) -> Contact:
    """Draw the contact outcomes of `population` (people in `states`) for the given channels.

    `timeline`: when each person is awake at home, and who is an officer on duty (None: the
    state holds for the horizon); `chased`: silent members are found at the door by a
    building head (`chase_min`; a grid worker's chase is outside the relay).
    """
    n = len(states)
    streams = params.streams
    duty = timeline.duty if timeline is not None else np.zeros(n, dtype=bool)
    reached = np.zeros((len(CHANNELS), n), dtype=bool)
    delivery, read_min, read_home = (np.zeros((len(CHANNELS), n)) for _ in range(3))
    for channel in channels:
        name = CHANNELS[channel]
        p = params.probability(f"channels.{name}.reach")
        reached[channel] = (streams.uniform("cascade", f"{population}.{name}.reach", n) < p) | duty
        if channel != PHONE:
            own, home = _by_state(params, f"channels.{name}.read_min",
                                  f"{population}.{name}.read", states)
            read_min[channel] = np.where(duty, 0.0, own)
            read_home[channel] = np.where(duty, 0.0, home)
    if SMS in channels:
        delivery[SMS] = streams.sample("cascade", f"{population}.sms.delivery",
                                       params.duration("channels.sms.delivery_min"), n)
    home_min = timeline.home_min if timeline is not None else np.full(n, np.inf)
    chase = _chase_min(params, population, n) if chased else np.full(n, np.inf)
    messages = np.array([c for c in channels if c != PHONE], dtype=np.int64)
    phone = (_draw_phone(params, population, states, reached[PHONE], duty) if PHONE in channels
             else _no_phone(n))
    return Contact(messages, callers, reached, delivery, read_min, read_home,
                   *phone, np.asarray(home_min, dtype=np.float64), chase)


def _draw_phone(params: Parameters, population: str, states: np.ndarray, reached: np.ndarray,
                duty: np.ndarray) -> tuple[np.ndarray, ...]:
    """(answered, answered at home, call, ring, retry) of every person and attempt."""
    n, streams = len(states), params.streams
    attempts = params.count("channels.phone.attempts")
    answer_p = np.array([params.probability(f"channels.phone.answer.{s}") for s in PRESENCE_STATES])
    u = streams.uniform("cascade", f"{population}.phone.answer", (n, attempts))
    answered = reached[:, None] & ((u < answer_p[states][:, None]) | duty[:, None])
    answered_home = reached[:, None] & ((u < answer_p[HOME]) | duty[:, None])

    def per_attempt(what: str) -> np.ndarray:
        dist = params.duration(f"channels.phone.{what}")
        draws = streams.sample("cascade", f"{population}.phone.{what}", dist, n * attempts)
        return draws.reshape(n, attempts)

    call = streams.sample("cascade", f"{population}.phone.call",
                          params.duration("channels.phone.call_min"), n)
    return answered, answered_home, call, per_attempt("ring_min"), per_attempt("retry_min")


def _no_phone(n: int) -> tuple[np.ndarray, ...]:
    """The phone's arrays of a sender who does not call: no attempts."""
    never = np.zeros((n, 0), dtype=bool)
    return never, never, np.zeros(n), np.zeros((n, 0)), np.zeros((n, 0))


def reach(contact: Contact, children: np.ndarray, start_min: float, horizon_min: float,
          prior_min: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """A relay begun at `start_min` to `children`: (acknowledged, channel, notified, gave up)
    of each child.

    A child acknowledges on the first channel that reaches them; inf = not within the horizon.
    "Gave up": the end of the last of the child's phone attempts, all unanswered (inf: none).
    `prior_min`: when each child acknowledges on what reached them before (another sender's
    broadcast); the result is never later, and the phone skips those who acknowledged.
    """
    prior = (np.full(len(children), np.inf) if prior_min is None
             else np.asarray(prior_min, dtype=np.float64))
    c = contact
    return relay.reach(np.asarray(children, dtype=np.int64), float(start_min), float(horizon_min),
                       prior, c.messages, c.reached, c.delivery_min, c.read_min, c.read_home_min,
                       c.home_min, c.dials, PHONE, c.callers, c.answered, c.answered_home,
                       c.call_min, c.ring_min, c.retry_min, DOOR, c.chase_min)
