"""Random streams: one independent NumPy generator per (seed, replication, subsystem, quantity).

Common random numbers: a quantity's values depend only on its own stream and on the number
of entities drawn, so a change in one part of a scenario (more cadres, another channel, a
fixed instead of a random delay) leaves every other quantity's draws unchanged.
"""

from __future__ import annotations

import zlib

import numpy as np

from mobsim.distributions import Dist

SUBSYSTEMS: tuple[str, ...] = (
    "parameters", "presence", "cascade", "report", "escalation", "cadres", "dispatch")
"""Subsystem codes: the second element of every stream's spawn key."""


class Streams:
    """The random streams of one replication."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication

    def generator(self, subsystem: str, quantity: str) -> np.random.Generator:
        """A fresh generator for `quantity` (a stable name such as "members.state") of `subsystem`."""
        key = (self.replication, SUBSYSTEMS.index(subsystem), zlib.crc32(quantity.encode()))
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=key)))

    def sample(self, subsystem: str, quantity: str, dist: Dist, size: int) -> np.ndarray:
        """`size` draws of `dist`, one per entity in entity order."""
        return np.asarray(dist.sample(self.generator(subsystem, quantity), size), dtype=np.float64)

    def uniform(self, subsystem: str, quantity: str, shape: int | tuple[int, ...]) -> np.ndarray:
        """Standard uniforms for per-entity Bernoulli and categorical draws."""
        return self.generator(subsystem, quantity).random(shape)

    def once(self, key: str, dist: Dist) -> float:
        """One draw of a replication-wide parameter (a probability, a single delay) named by its key."""
        return float(dist.sample(self.generator("parameters", key)))
