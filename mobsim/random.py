"""The one registry of random streams: every random draw of mobsim starts here.

A stream is a NumPy generator seeded by `SeedSequence(seed, spawn_key=key)`; the key names
what is drawn, so streams are independent and a draw depends only on (seed, its key):
- the SimPy model: (replication, subsystem, quantity) — `Streams`;
- the door-to-door kernel: a counter-based seed per (seed, campaign) — `kernel_seed` — and
  replication-wide probabilities per (replication, "canvass", key) — `Streams.door_once`;
- the district: one stream per table for generating it, another for subsetting it —
  `table_generator`.
Common random numbers follow: a change in one part of a scenario (more cadres, another
channel, a fixed instead of a random delay) leaves every other quantity's draws unchanged.
"""

from __future__ import annotations

import zlib

import numpy as np

from mobsim.distributions import Dist

SUBSYSTEMS: tuple[str, ...] = (
    "parameters", "presence", "cascade", "report", "escalation", "cadres", "dispatch", "tasks")
"""Subsystem codes of the SimPy model: the second element of its streams' spawn keys."""

DOOR_TO_DOOR = zlib.crc32(b"canvass")
"""Spawn-key code of the door-to-door streams, apart from the model's subsystem codes."""

TABLE_PURPOSES: tuple[str, ...] = ("generate", "subset")
"""What a district table's stream is for: the first element of its spawn key."""


def _generator(seed: int, key: tuple[int, ...]) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def _code(name: str) -> int:
    return zlib.crc32(name.encode())


class Streams:
    """The random streams of one replication."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication

    def generator(self, subsystem: str, quantity: str) -> np.random.Generator:
        """A fresh generator for `quantity` (a stable name such as "members.state") of `subsystem`."""
        return _generator(self.seed, (self.replication, SUBSYSTEMS.index(subsystem), _code(quantity)))

    def sample(self, subsystem: str, quantity: str, dist: Dist, size: int) -> np.ndarray:
        """`size` draws of `dist`, one per entity in entity order."""
        return np.asarray(dist.sample(self.generator(subsystem, quantity), size), dtype=np.float64)

    def uniform(self, subsystem: str, quantity: str, shape: int | tuple[int, ...]) -> np.ndarray:
        """Standard uniforms for per-entity Bernoulli and categorical draws."""
        return self.generator(subsystem, quantity).random(shape)

    def once(self, key: str, dist: Dist) -> float:
        """One draw of a replication-wide parameter (a probability, a single delay) named by its key."""
        return float(dist.sample(self.generator("parameters", key)))

    def door_once(self, key: str, dist: Dist) -> float:
        """One draw of a replication-wide door-to-door parameter named by its key."""
        return float(dist.sample(_generator(self.seed, (self.replication, DOOR_TO_DOOR, _code(key)))))


def kernel_seed(seed: int, campaign: str) -> int:
    """The door-to-door kernel's counter-based stream seed for `campaign` ("action", "scan")."""
    sequence = np.random.SeedSequence(seed, spawn_key=(DOOR_TO_DOOR, _code(campaign)))
    return int(sequence.generate_state(1, np.uint64)[0])


def table_generator(seed: int, purpose: str, table: int) -> np.random.Generator:
    """The stream of district table number `table` (its index in TABLE_NAMES) for `purpose`."""
    return _generator(seed, (TABLE_PURPOSES.index(purpose), table))
