"""Typed access to the model's scenario keys; probabilities are drawn once per replication."""

from __future__ import annotations

import math

import numpy as np

from mobsim.codes import CHANNELS, PRESENCE_STATES
from mobsim.distributions import Dist
from mobsim.errors import InputError
from mobsim.random import Streams
from mobsim.scenario.files import Scenario
from mobsim.scenario.rules import clock_minutes


class Parameters:
    """The scenario as the model reads it, for one replication."""

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        self.scenario = scenario
        self.streams = streams

    def duration(self, key: str) -> Dist:
        """The distribution of a duration in minutes (drawn per entity by its user)."""
        return self.scenario.dist(key)

    def probability(self, key: str) -> float:
        """A probability: its distribution sampled once for this replication (a beta = uncertainty)."""
        return self.streams.once(key, self.scenario.dist(key, probability=True))

    def once(self, key: str) -> float:
        """A single duration of the whole replication, drawn once."""
        return self.streams.once(key, self.scenario.dist(key))

    def number(self, key: str, positive: bool = True) -> float:
        """A plain setting (a speed, a factor, a penalty): a finite number, positive unless told."""
        value = self.scenario.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise InputError(f"{key}: expected a number, got {value!r}")
        if value < 0 or (positive and value == 0):
            sign = "positive" if positive else "zero or more"
            raise InputError(f"{key}: must be {sign}, got {value!r}")
        return float(value)

    def count(self, key: str, minimum: int = 0) -> int:
        """A whole number of at least `minimum` (callers, attempts, a quorum)."""
        value = self.scenario.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise InputError(f"{key}: expected a whole number of at least {minimum}, got {value!r}")
        return value

    def clock_min(self, key: str) -> int:
        """A clock time "HH:MM" as minutes after midnight."""
        value = self.scenario.get(key)
        minutes = clock_minutes(value) if isinstance(value, str) else None
        if minutes is None:
            raise InputError(f'{key}: expected a clock time "HH:MM", got {value!r}')
        return minutes

    def choice(self, key: str, options: tuple[str, ...]) -> int:
        """The index of a value that must be one of `options`."""
        value = self.scenario.get(key)
        if value not in options:
            raise InputError(f"{key}: expected one of {', '.join(options)}, got {value!r}")
        return options.index(value)

    def channels(self, key: str) -> tuple[int, ...]:
        """A list of channel names as codes into CHANNELS (at least one, no repeats)."""
        value = self.scenario.get(key)
        names = CHANNELS[1:]
        if (not isinstance(value, list) or not value or len(set(value)) != len(value)
                or any(v not in names for v in value)):
            raise InputError(f"{key}: expected a list of distinct channels from "
                             f"{', '.join(names)}, got {value!r}")
        return tuple(CHANNELS.index(v) for v in value)

    def shares(self, key: str) -> np.ndarray:
        """Shares of the presence states (a table with one number per state, summing to 1)."""
        value = self.scenario.get(key)
        if not isinstance(value, dict) or set(value) != set(PRESENCE_STATES):
            raise InputError(f"{key}: expected a table with exactly the keys "
                             f"{', '.join(PRESENCE_STATES)}, got {value!r}")
        shares = np.array([self.number(f"{key}.{s}", positive=False) for s in PRESENCE_STATES])
        if abs(shares.sum() - 1.0) > 1e-6:
            raise InputError(f"{key}: the shares must sum to 1, they sum to {shares.sum():g}")
        return shares / shares.sum()
