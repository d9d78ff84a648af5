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
A member whose phone attempts all failed is chased at the door (`chase.after_min` after the
last attempt, found with probability `chase.success`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobsim.codes import CHANNELS, PRESENCE_STATES
from mobsim.model.phone import dial
from mobsim.model.presence import HOME, Timeline
from mobsim.scenario.params import Parameters

PHONE, MESSAGING, SMS, DOOR = (CHANNELS.index(c) for c in ("phone", "messaging", "sms", "door"))


@dataclass(frozen=True)
class Contact:
    """Pre-drawn contact outcomes of one population on the channels its sender uses."""

    channels: tuple[int, ...]
    callers: int
    reached: dict[int, np.ndarray]
    read_min: dict[int, np.ndarray]
    delivery_min: np.ndarray | None
    answered: np.ndarray | None
    call_min: np.ndarray | None
    ring_min: np.ndarray | None
    retry_min: np.ndarray | None
    home_min: np.ndarray | None = None
    read_home_min: dict[int, np.ndarray] | None = None
    answered_home: np.ndarray | None = None
    chase_min: np.ndarray | None = None


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


def _chase_min(params: Parameters, population: str, n: int) -> np.ndarray:
    """Minutes from the last failed attempt to the member found at the door; inf if not found."""
    after = params.streams.sample("escalation", f"{population}.chase",
                                  params.duration("chase.after_min"), n)
    found = params.streams.uniform("escalation", f"{population}.chase.found", n)
    return np.where(found < params.probability("chase.success"), after, np.inf)


def draw_contact(params: Parameters, population: str, states: np.ndarray,
                 channels: tuple[int, ...], callers: int, timeline: Timeline | None = None,
                 chased: bool = False) -> Contact:
    """Draw the contact outcomes of `population` (people in `states`) for the given channels.

    `timeline`: when each person is awake at home, and who is an officer on duty (None: the
    state holds for the horizon); `chased`: silent members are chased at the door.
    """
    n = len(states)
    streams = params.streams
    duty = timeline.duty if timeline is not None else np.zeros(n, dtype=bool)
    reached, read_min, read_home = {}, {}, {}
    for channel in channels:
        name = CHANNELS[channel]
        p = params.probability(f"channels.{name}.reach")
        reached[channel] = (streams.uniform("cascade", f"{population}.{name}.reach", n) < p) | duty
        if channel != PHONE:
            own, home = _by_state(params, f"channels.{name}.read_min",
                                  f"{population}.{name}.read", states)
            read_min[channel] = np.where(duty, 0.0, own)
            read_home[channel] = np.where(duty, 0.0, home)
    delivery = (streams.sample("cascade", f"{population}.sms.delivery",
                               params.duration("channels.sms.delivery_min"), n)
                if SMS in channels else None)
    home_min = timeline.home_min if timeline is not None else None
    chase = _chase_min(params, population, n) if chased else None
    if PHONE not in channels:
        return Contact(channels, callers, reached, read_min, delivery, None, None, None, None,
                       home_min, read_home, None, chase)
    attempts = params.count("channels.phone.attempts")
    answer_p = np.array([params.probability(f"channels.phone.answer.{s}") for s in PRESENCE_STATES])
    u = streams.uniform("cascade", f"{population}.phone.answer", (n, attempts))
    answered = reached[PHONE][:, None] & ((u < answer_p[states][:, None]) | duty[:, None])
    answered_home = reached[PHONE][:, None] & ((u < answer_p[HOME]) | duty[:, None])

    def per_attempt(what: str) -> np.ndarray:
        dist = params.duration(f"channels.phone.{what}")
        draws = streams.sample("cascade", f"{population}.phone.{what}", dist, n * attempts)
        return draws.reshape(n, attempts)

    call = streams.sample("cascade", f"{population}.phone.call",
                          params.duration("channels.phone.call_min"), n)
    return Contact(channels, callers, reached, read_min, delivery, answered, call,
                   per_attempt("ring_min"), per_attempt("retry_min"), home_min, read_home,
                   answered_home, chase)


def _read(contact: Contact, code: int, children: np.ndarray, delivered: np.ndarray) -> np.ndarray:
    """When each child reads a message delivered at `delivered`: woken by it, or once at home."""
    read = delivered + contact.read_min[code][children]
    if contact.home_min is None:
        return read
    later = np.maximum(delivered, contact.home_min[children]) + contact.read_home_min[code][children]
    return np.minimum(read, later)


def reach(contact: Contact, children: np.ndarray, start_min: float, horizon_min: float,
          prior_min: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A relay begun at `start_min` to `children`: (acknowledged, channel, notified) of each child.

    A child acknowledges on the first channel that reaches them; inf = not within the horizon.
    `prior_min`: when each child acknowledges on what reached them before (another sender's
    broadcast); the result is never later, and the phone skips those who acknowledged.
    """
    n = len(children)
    acknowledged = np.full(n, np.inf) if prior_min is None else prior_min.astype(np.float64)
    channel = np.zeros(n, dtype=np.int8)
    notified = np.full(n, np.inf)
    for code in contact.channels:
        if code == PHONE:
            continue
        hit = contact.reached[code][children]
        delivered = np.full(n, start_min)
        if code == SMS:
            delivered = delivered + contact.delivery_min[children]
        delivered = np.where(hit, delivered, np.inf)
        read = _read(contact, code, children, delivered)
        sooner = read < acknowledged
        acknowledged = np.where(sooner, read, acknowledged)
        channel[sooner] = code
        notified = np.minimum(notified, delivered)
    if PHONE in contact.channels:
        later = None
        if contact.home_min is not None:
            later = (contact.answered_home[children], contact.home_min[children])
        phone, ring, gave_up = dial(start_min, acknowledged, contact.answered[children],
                                    contact.call_min[children], contact.ring_min[children],
                                    contact.retry_min[children], contact.callers, horizon_min,
                                    later)
        sooner = phone < acknowledged
        acknowledged = np.where(sooner, phone, acknowledged)
        channel[sooner] = PHONE
        notified = np.minimum(notified, ring)
        if contact.chase_min is not None:
            door = gave_up + contact.chase_min[children]
            sooner = door < acknowledged
            acknowledged = np.where(sooner, door, acknowledged)
            channel[sooner] = DOOR
    return acknowledged, channel, notified
