"""The typed view of a validated scenario: the only way code outside `mobsim.scenario` reads it.

The scenario's rules (`mobsim.scenario.rules`) check every value once, when it is loaded; the
readers here only convert. Per replication, `Parameters` also draws the replication-wide values
(a probability given as a beta distribution, a single delay) from the registry of streams.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mobsim.clock import clock_minutes, minute_of_week, period_codes, weekly_windows
from mobsim.codes import CHANNELS, COMPOUND_TYPES, DEFINITIONS, PERIODS, PRESENCE_STATES
from mobsim.distributions import Dist
from mobsim.errors import InputError
from mobsim.random import Streams
from mobsim.scenario.files import Scenario


@dataclass(frozen=True)
class Definition:
    """What counts as mobilized: `share` of the posts staffed (and, to act, of each task's units
    ready), counted over the district's posts or within every community or sub-district."""

    over: str = "posts"
    """A code of DEFINITIONS: "posts", "communities" or "subdistricts"."""
    share: float = 1.0
    """Above 0, at most 1; 1 is every post whatever `over` is."""

    @property
    def every_post(self) -> bool:
        """Whether this is the article's reading: every post staffed."""
        return self.share >= 1.0

    def same_as(self, other: Definition) -> bool:
        """Whether both give the same minute in every replication (every post, however counted)."""
        return (self.every_post and other.every_post) or self == other

    @property
    def label(self) -> str:
        """"all posts", "99% of posts", "every community at 95%", "every sub-district at 95%"."""
        if self.every_post:
            return "all posts"
        share = f"{self.share * 100:g}%"
        if self.over == "posts":
            return f"{share} of posts"
        return f"every {'community' if self.over == 'communities' else 'sub-district'} at {share}"

    @property
    def spec(self) -> str:
        """The definition as `--definition` takes it: "posts:0.99", "communities:0.95"."""
        return "all" if self.every_post else f"{self.over}:{self.share:g}"

    @staticmethod
    def changes(text: str) -> dict[str, object]:
        """The `[target]` values that `--definition TEXT` sets: TEXT is "all", "OVER" (every
        post) or "OVER:SHARE", OVER one of DEFINITIONS."""
        over, colon, share_text = (part.strip() for part in text.partition(":"))
        if over == "all" and not colon:
            return {"target.definition": "posts", "target.share": 1.0}
        if over not in DEFINITIONS:
            raise InputError(f"--definition {text}: expected all, or one of "
                             f"{', '.join(DEFINITIONS)} with an optional :SHARE, e.g. posts:0.99")
        try:
            share = float(share_text) if colon else 1.0
        except ValueError:
            share = math.nan
        if not 0 < share <= 1:
            raise InputError(f"--definition {text}: the share must be a number above 0 and at "
                             f"most 1, got {share_text!r}")
        return {"target.definition": over, "target.share": share}

    @classmethod
    def of(cls, scenario: Scenario) -> Definition:
        """The scenario's `target.definition` and `target.share`."""
        return cls(str(scenario.get("target.definition")), float(scenario.get("target.share")))


@dataclass(frozen=True)
class Target:
    """What `mobsim check` asks: the `quantile` of the district time within `minutes`, the
    district mobilized (and able to act) as `definition` says."""

    minutes: float
    quantile: float
    confidence: float
    households_share: float
    definition: Definition = Definition()

    @classmethod
    def of(cls, scenario: Scenario) -> Target:
        """The scenario's `[target]`."""
        return cls(*(float(scenario.get(f"target.{name}"))
                     for name in ("minutes", "quantile", "confidence", "households_share")),
                   definition=Definition.of(scenario))


@dataclass(frozen=True)
class DistrictSource:
    """Where the district comes from: a folder of tables, or the generator with its counts."""

    path: Path | None
    generator: str
    seed: int
    members: int
    cadres: int
    scanners: int

    @classmethod
    def of(cls, scenario: Scenario) -> DistrictSource:
        """The scenario's `[district]` and people counts."""
        path = scenario.get("district.path")
        return cls(Path(path) if path else None, scenario.get("district.generator"),
                   scenario.get("district.seed"), scenario.get("members.count"),
                   scenario.get("cadres.count"), scenario.get("scanners.count"))


class Settings:
    """A validated scenario read as typed values."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario

    @property
    def mode(self) -> str:
        """What a run simulates: "wartime" or "scan"."""
        return self.scenario.get("mode")

    @property
    def horizon_min(self) -> float:
        """How long a wartime replication is simulated (`alert.horizon_min`)."""
        return self.number("alert.horizon_min")

    @property
    def scan_days(self) -> int:
        """How many days a scan campaign is simulated (`scan.horizon_days`)."""
        return self.count("scan.horizon_days")

    @property
    def target(self) -> Target:
        """The scenario's `[target]`."""
        return Target.of(self.scenario)

    @property
    def district_source(self) -> DistrictSource:
        """Where the district comes from."""
        return DistrictSource.of(self.scenario)

    def value(self, key: str) -> object:
        """The value of any key as loaded, for studies that vary keys by name (sweeps, plans)."""
        return self.scenario.get(key)

    def duration(self, key: str) -> Dist:
        """The distribution of a duration in minutes (drawn per entity by its user)."""
        return self.scenario.dist(key)

    def number(self, key: str) -> float:
        """A plain setting: a speed, a factor, a penalty."""
        return float(self.scenario.get(key))

    def text(self, key: str) -> str:
        """A setting that is one of a few names (a policy, a mode)."""
        return str(self.scenario.get(key))

    def keys(self, table: str) -> tuple[str, ...]:
        """The keys of a table of settings, such as the states of `members.prepare_min`."""
        return tuple(self.scenario.get(table))

    def count(self, key: str) -> int:
        """A whole number: callers, attempts, a quorum."""
        return int(self.scenario.get(key))

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of names, such as the levels a broadcast reaches."""
        return tuple(self.scenario.get(key))

    def flag(self, key: str) -> bool:
        """A setting that is on or off."""
        return bool(self.scenario.get(key))

    def channels(self, key: str) -> tuple[int, ...]:
        """A list of channel names as codes into CHANNELS."""
        return tuple(CHANNELS.index(name) for name in self.scenario.get(key))

    def by_compound_type(self, table: str) -> np.ndarray:
        """One number per compound type, in COMPOUND_TYPES order, from a table keyed by type."""
        return np.array([self.number(f"{table}.{name}") for name in COMPOUND_TYPES])

    def shares(self, key: str) -> np.ndarray:
        """Shares of the presence states in PRESENCE_STATES order, renormalized to sum to 1."""
        shares = np.array([self.number(f"{key}.{state}") for state in PRESENCE_STATES])
        return shares / shares.sum()

    def windows_min(self, key: str) -> np.ndarray:
        """Weekly windows as sorted, disjoint [start, end) minute-of-week rows."""
        return np.array(weekly_windows(self.scenario.get(key)), dtype=np.float64)

    def order_minute_of_week(self) -> int:
        """Minute of the week at which the order is given (Monday 00:00 is 0)."""
        return minute_of_week(self.scenario.get("alert.weekday"), self.scenario.get("alert.start"))

    def periods(self, minute: np.ndarray) -> np.ndarray:
        """Code into PERIODS of the presence period in force at each minute of the week."""
        starts = (clock_minutes(self.scenario.get(f"periods.{name}_start"))
                  for name in ("day", "evening", "night"))
        return period_codes(minute, *starts)

    def order_period(self) -> str:
        """The presence period in force when the order is given."""
        return PERIODS[int(self.periods(np.array([self.order_minute_of_week()]))[0])]


class Parameters(Settings):
    """The scenario as one replication reads it: typed values and replication-wide draws."""

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        super().__init__(scenario)
        self.streams = streams

    def probability(self, key: str) -> float:
        """A probability: its distribution sampled once for this replication (a beta = uncertainty)."""
        return self.streams.once(key, self.scenario.dist(key, probability=True))

    def door_probability(self, key: str) -> float:
        """A door-to-door probability, sampled once for this replication from its own stream."""
        return self.streams.door_once(key, self.scenario.dist(key, probability=True))

    def once(self, key: str) -> float:
        """A single duration of the whole replication, drawn once."""
        return self.streams.once(key, self.scenario.dist(key))
