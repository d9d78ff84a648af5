"""How a sender's relay reaches its children: pre-drawn contact outcomes and channel arithmetic.

Per receiving population, everything random about being contacted is drawn up front in
entity order from its own stream: whether each channel reaches the person at all
(`channels.<channel>.reach`, a probability drawn once per replication), how long reading
takes in the person's state (`channels.<messaging|sms>.read_min.<state>`), SMS delivery,
and each phone attempt's outcome and durations. A relay then only does arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobsim.codes import CHANNELS, PRESENCE_STATES
from mobsim.model.phone import dial
from mobsim.scenario.params import Parameters

PHONE, MESSAGING, SMS = (CHANNELS.index(c) for c in ("phone", "messaging", "sms"))


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


def _by_state(params: Parameters, key: str, quantity: str, states: np.ndarray) -> np.ndarray:
    """Per-person draws of a duration that depends on the person's state.

    Every state's distribution is drawn for everyone (from its own stream), then each person
    takes their own state's value: a person's draws do not depend on anyone else's state.
    """
    n = len(states)
    draws = [params.streams.sample("cascade", f"{quantity}.{s}", params.duration(f"{key}.{s}"), n)
             for s in PRESENCE_STATES]
    return np.choose(states, draws)


def draw_contact(params: Parameters, population: str, states: np.ndarray,
                 channels: tuple[int, ...], callers: int) -> Contact:
    """Draw the contact outcomes of `population` (people in `states`) for the given channels."""
    n = len(states)
    streams = params.streams
    reached, read_min = {}, {}
    for channel in channels:
        name = CHANNELS[channel]
        p = params.probability(f"channels.{name}.reach")
        reached[channel] = streams.uniform("cascade", f"{population}.{name}.reach", n) < p
        if channel != PHONE:
            read_min[channel] = _by_state(params, f"channels.{name}.read_min",
                                          f"{population}.{name}.read", states)
    delivery = (streams.sample("cascade", f"{population}.sms.delivery",
                               params.duration("channels.sms.delivery_min"), n)
                if SMS in channels else None)
    if PHONE not in channels:
        return Contact(channels, callers, reached, read_min, delivery, None, None, None, None)
    attempts = params.count("channels.phone.attempts")
    answer_p = np.array([params.probability(f"channels.phone.answer.{s}") for s in PRESENCE_STATES])
    u = streams.uniform("cascade", f"{population}.phone.answer", (n, attempts))
    answered = reached[PHONE][:, None] & (u < answer_p[states][:, None])

    def per_attempt(what: str) -> np.ndarray:
        dist = params.duration(f"channels.phone.{what}")
        draws = streams.sample("cascade", f"{population}.phone.{what}", dist, n * attempts)
        return draws.reshape(n, attempts)

    call = streams.sample("cascade", f"{population}.phone.call",
                          params.duration("channels.phone.call_min"), n)
    return Contact(channels, callers, reached, read_min, delivery, answered, call,
                   per_attempt("ring_min"), per_attempt("retry_min"))


def reach(contact: Contact, children: np.ndarray, start_min: float,
          horizon_min: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A relay begun at `start_min` to `children`: (acknowledged, channel, notified) of each child.

    A child acknowledges on the first channel that reaches them; inf = not within the horizon.
    """
    n = len(children)
    acknowledged = np.full(n, np.inf)
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
        read = delivered + contact.read_min[code][children]
        sooner = read < acknowledged
        acknowledged = np.where(sooner, read, acknowledged)
        channel[sooner] = code
        notified = np.minimum(notified, delivered)
    if PHONE in contact.channels:
        phone, ring = dial(start_min, acknowledged, contact.answered[children],
                           contact.call_min[children], contact.ring_min[children],
                           contact.retry_min[children], contact.callers, horizon_min)
        sooner = phone < acknowledged
        acknowledged = np.where(sooner, phone, acknowledged)
        channel[sooner] = PHONE
        notified = np.minimum(notified, ring)
    return acknowledged, channel, notified
