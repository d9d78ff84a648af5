"""Where people are over the horizon, and from when they can go to post.

The clock time and weekday of the order select a period (PERIODS); each population's state
shares and availability for that period come from the scenario (`<population>.presence.<period>`,
`<population>.availability.<period>`). A person's state is drawn at the order; it then changes
with the clock (`Timeline`): someone asleep wakes at their wake-up time, someone at work is
home when the working period ends, and availability is drawn again for every period that
begins within the horizon, so a person unavailable at the order can become available later,
at their own minute within `presence.availability_ramp_min` after the period begins (no jump
at the boundary).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobsim.clock import MINUTES_PER_DAY, MINUTES_PER_WEEK, clock_minutes
from mobsim.codes import PERIODS, PRESENCE_STATES
from mobsim.scenario.params import Parameters

HOME, WORK, ASLEEP, AWAY = (PRESENCE_STATES.index(s) for s in ("home", "work", "asleep", "away"))

REPORTING: tuple[str, ...] = ("gridworkers", "members", "cadres")
"""Populations that go to posts, with `<population>.availability.<period>` (commanders stay put)."""


@dataclass(frozen=True)
class Timeline:
    """Per person: the state at the order and the minutes (since the order) it changes.

    `home_min`: from then on the person is awake at home (0 for those home at the order; the
    wake-up for the asleep; the end of the working period for those at work; inf for those
    away, who stay away). `available_min`: from then on the person can go to post (inf: never
    within the horizon). `duty`: an officer on duty, awake and answering at once.
    """

    states: np.ndarray
    home_min: np.ndarray
    available_min: np.ndarray
    duty: np.ndarray


def draw_states(params: Parameters, population: str, period: str, level: str,
                n: int, home_factor: np.ndarray | None = None) -> np.ndarray:
    """The state of each of the `n` people of a level (codes into PRESENCE_STATES).

    `population` names the scenario's shares (`<population>.presence.<period>`); `level`
    names the stream, so two levels sharing the same shares draw independently.
    `home_factor` (per person) multiplies the shares at home (home and asleep), the other
    shares scaled to fill the rest: who is home by compound type.
    """
    shares = np.broadcast_to(params.shares(f"{population}.presence.{period}"), (n, 4))
    if home_factor is not None:
        shares = _at_home_scaled(shares, home_factor)
    cumulative = np.cumsum(shares, axis=1)
    cumulative[:, -1] = 1.0
    u = params.streams.uniform("presence", f"{level}.state", n)
    return (cumulative <= u[:, None]).sum(axis=1).astype(np.int8)


def _at_home_scaled(shares: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Shares with home + asleep multiplied by `factor` (capped at 1), work and away rescaled;
    a row with nobody out (work and away 0) has nothing to trade and stays."""
    at_home = shares[:, HOME] + shares[:, ASLEEP]
    scaled = np.where(at_home < 1, np.minimum(at_home * factor, 1.0), at_home)
    with np.errstate(divide="ignore", invalid="ignore"):
        home_scale = np.where(at_home > 0, scaled / at_home, 0.0)
        rest_scale = np.where(at_home < 1, (1.0 - scaled) / (1.0 - at_home), 0.0)
    out = shares * rest_scale[:, None]
    out[:, HOME] = shares[:, HOME] * home_scale
    out[:, ASLEEP] = shares[:, ASLEEP] * home_scale
    return out


def draw_available(params: Parameters, population: str, period: str,
                   states: np.ndarray) -> np.ndarray:
    """Whether each person can go to post at the order: not away, and available with the period's probability."""
    p = params.probability(f"{population}.availability.{period}")
    u = params.streams.uniform("presence", f"{population}.available", len(states))
    return (u < p) & (states != AWAY)


def period_changes(params: Parameters, horizon_min: float) -> tuple[np.ndarray, np.ndarray]:
    """(start minute since the order, code into PERIODS) of the order's period and of each
    period that begins within the horizon."""
    order = params.order_minute_of_week()
    minutes = np.arange(int(np.ceil(horizon_min)))
    codes = params.periods((order + minutes) % MINUTES_PER_WEEK)
    starts = np.flatnonzero(np.diff(codes, prepend=-1) != 0)
    return starts.astype(np.float64), codes[starts]


def wake_min(params: Parameters, level: str, n: int) -> np.ndarray:
    """Minutes from the order to each person's wake-up, were they asleep at the order.

    The wake-up clock is `presence.wake_start` plus a draw of `presence.wake_after_min`. Clocks
    are compared within the night that begins at `periods.night_start`: a wake-up the night
    of the order has already passed means the person was still asleep after it and wakes at
    once, except outside the night, when the sleeper (early to bed) wakes the next morning.
    """
    night_start = clock_minutes(params.text("periods.night_start"))
    order_clock = params.order_minute_of_week() % MINUTES_PER_DAY
    after = params.streams.sample("presence", f"{level}.wake",
                                  params.duration("presence.wake_after_min"), n)
    wake_clock = clock_minutes(params.text("presence.wake_start")) + after
    into_night = (wake_clock - night_start) % MINUTES_PER_DAY
    order_into_night = (order_clock - night_start) % MINUTES_PER_DAY
    minutes = into_night - order_into_night
    in_night = params.order_period() == "night"
    return np.where(minutes >= 0, minutes, 0.0 if in_night else minutes + MINUTES_PER_DAY)


def available_from_min(params: Parameters, population: str, states: np.ndarray,
                       horizon_min: float, level: str | None = None) -> np.ndarray:
    """Minute from which each person can go to post; inf if never within the horizon, or away.

    Available at once if the draw at the order (`draw_available`'s) succeeds; else from the
    first later period whose own draw (stream `<level>.available.j`, compared with that
    period's `<population>.availability.<period>`) succeeds, at the period's start plus the
    person's own share (stream `<level>.available.ramp`) of `presence.availability_ramp_min`.
    A change of one period's probability changes no other period's draws, and raising it
    makes nobody later. `level` names the streams (default: the population's).
    """
    starts, codes = period_changes(params, horizon_min)
    n = len(states)
    level = level or population
    ramp = params.number("presence.availability_ramp_min")
    own_min = ramp * params.streams.uniform("presence", f"{level}.available.ramp", n)
    available = np.full(n, np.inf)
    for j in range(len(starts) - 1, -1, -1):  # latest first: earlier successes overwrite
        p = params.probability(f"{population}.availability.{PERIODS[codes[j]]}")
        u = params.streams.uniform("presence", f"{level}.available" + (f".{j}" if j else ""), n)
        available = np.where(u < p, starts[j] + (own_min if j else 0.0), available)
    return np.where(states == AWAY, np.inf, available)


def draw_timeline(params: Parameters, population: str, level: str, states: np.ndarray,
                  horizon_min: float, duty: bool | np.ndarray = False) -> Timeline:
    """The timeline of the people of a level whose states at the order are `states` (`level`
    names their streams).

    `duty`: who is on duty (all, for an office with an officer): awake, at home or work,
    answers at once.
    """
    n = len(states)
    starts, _ = period_changes(params, horizon_min)
    work_ends_min = starts[1] if len(starts) > 1 else np.inf
    home = np.select([states == ASLEEP, states == WORK, states == AWAY],
                     [wake_min(params, level, n), work_ends_min, np.inf], 0.0)
    available = (available_from_min(params, population, states, horizon_min, level)
                 if population in REPORTING else np.where(states == AWAY, np.inf, 0.0))
    officer = np.broadcast_to(np.asarray(duty, dtype=bool), (n,)).copy()
    states = np.where(officer, WORK, states).astype(np.int8)  # at the office, awake
    home = np.where(officer, 0.0, home)
    return Timeline(states, home, available, officer)


def take_note_min(params: Parameters, level: str, arrives_min: np.ndarray,
                  timeline: Timeline) -> np.ndarray:
    """When each office of a level takes note of an order that arrives at `arrives_min` by
    telephone: at once, unless its head is asleep (no officer on duty) and the call does not
    wake them (`channels.phone.answer.asleep`); then at their wake-up."""
    woken = (params.streams.uniform("presence", f"{level}.woken", len(arrives_min))
             < params.probability("channels.phone.answer.asleep"))
    asleep = (timeline.states == ASLEEP) & ~woken & (timeline.home_min > arrives_min)
    return np.where(asleep, timeline.home_min, arrives_min)
