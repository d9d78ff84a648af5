"""Where people are when the order comes, and whether they can go to post.

The clock time and weekday of the order select a period (PERIODS); each population's state
shares and availability for that period come from the scenario (`<population>.presence.<period>`,
`<population>.availability.<period>`). A person's state is drawn once, at the order, and holds
for the replication.
"""

from __future__ import annotations

import numpy as np

from mobsim.codes import PRESENCE_STATES
from mobsim.scenario.params import Parameters

AWAY = PRESENCE_STATES.index("away")


def draw_states(params: Parameters, population: str, period: str, level: str,
                n: int) -> np.ndarray:
    """The state of each of the `n` people of a level (codes into PRESENCE_STATES).

    `population` names the scenario's shares (`<population>.presence.<period>`); `level`
    names the stream, so two levels sharing the same shares draw independently.
    """
    cumulative = np.cumsum(params.shares(f"{population}.presence.{period}"))
    cumulative[-1] = 1.0
    u = params.streams.uniform("presence", f"{level}.state", n)
    return np.searchsorted(cumulative, u, side="right").astype(np.int8)


def draw_available(params: Parameters, population: str, period: str,
                   states: np.ndarray) -> np.ndarray:
    """Whether each person can go to post: not away, and available with the period's probability."""
    p = params.probability(f"{population}.availability.{period}")
    u = params.streams.uniform("presence", f"{population}.available", len(states))
    return (u < p) & (states != AWAY)
