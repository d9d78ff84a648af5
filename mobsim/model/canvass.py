"""District and scenario → the arrays of the door-to-door kernel (mobsim.kernels.canvass).

Households are not rows of the district tables: micro-grid m holds `households[m]`
households, numbered consecutively micro-grid by micro-grid (`Households.microgrid_offsets`).
Door parameters come from `[canvass]` (who is home, walking, a door nobody opens) and from the
campaign's own table, `[action]` or `[scan]` (service time, revisits).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from mobsim.clock import weekly_windows
from mobsim.codes import COMPOUND_TYPES, PERIODS, WEEKDAYS
from mobsim.distributions import Dist
from mobsim.district.tables import District
from mobsim.errors import InputError
from mobsim.kernels.canvass import HOURS_PER_WEEK, Durations
from mobsim.kernels.rng import FAMILY_CODES
from mobsim.scenario.files import Scenario, order_minute_of_week
from mobsim.scenario.rules import clock_minutes, kernel_family_problem

CANVASS_STREAM = zlib.crc32(b"canvass")
"""Spawn-key code of the canvass streams, apart from the SimPy model's subsystem codes."""


@dataclass(frozen=True)
class Households:
    """The district's households, micro-grid by micro-grid: what the kernel and outputs need."""

    microgrid_offsets: np.ndarray
    """int64 (micro-grids + 1,): households of micro-grid row m are offsets[m]:offsets[m + 1]."""
    compound_type: np.ndarray
    """int8 per household: code into COMPOUND_TYPES (its micro-grid's)."""
    subdistrict: np.ndarray
    """int64 per household: index into `subdistrict_ids`."""
    subdistrict_ids: np.ndarray
    """int32: the sub-districts that hold micro-grids, sorted."""
    subdistrict_households: np.ndarray
    """int64 per sub-district: its households."""

    @property
    def count(self) -> int:
        """Households in the district."""
        return int(self.microgrid_offsets[-1])


def households(district: District) -> Households:
    """Number the district's households micro-grid by micro-grid."""
    size = district.microgrids["households"].astype(np.int64)
    subdistrict_ids, sub_of_microgrid = np.unique(district.microgrid_subdistrict(),
                                                  return_inverse=True)
    return Households(
        microgrid_offsets=np.concatenate([[0], np.cumsum(size)]),
        compound_type=np.repeat(district.microgrids["compound_type"], size).astype(np.int8),
        subdistrict=np.repeat(sub_of_microgrid, size).astype(np.int64),
        subdistrict_ids=subdistrict_ids.astype(np.int32),
        subdistrict_households=np.bincount(sub_of_microgrid, size, len(subdistrict_ids))
        .astype(np.int64))


def door_arguments(scenario: Scenario, campaign: str, seed: int,
                   replication: int) -> dict[str, Any]:
    """Keyword arguments of `canvass` for doors, revisits, the clock and the random streams.

    `campaign` is the scenario table of the campaign ("action" or "scan"); its name also keys
    the campaign's kernel streams, so the two campaigns draw independently.
    """
    kinds = len(COMPOUND_TYPES)
    return dict(
        home_p=home_table(scenario, seed, replication),
        service_min=kernel_durations(scenario, f"{campaign}.service_min"),
        walk_min=kernel_durations(scenario, "canvass.walk_min"),
        absent_min=np.full(kinds, float(scenario.get("canvass.absent_min"))),
        clock0_min_of_week=float(order_minute_of_week(scenario)),
        revisit_gap_min=float(scenario.get(f"{campaign}.revisit_gap_min")),
        max_attempts=int(scenario.get(f"{campaign}.max_attempts")),
        seed=kernel_seed(seed, campaign),
        replication=replication,
    )


def kernel_seed(seed: int, campaign: str) -> int:
    """The kernel's stream seed for `campaign`: the run seed mixed with a subsystem constant."""
    campaign_code = zlib.crc32(campaign.encode())
    sequence = np.random.SeedSequence(seed, spawn_key=(CANVASS_STREAM, campaign_code))
    return int(sequence.generate_state(1, np.uint64)[0])


def kernel_durations(scenario: Scenario, table: str) -> Durations:
    """Family codes and parameters of the durations `<table>.<compound type>`."""
    codes, a, b = [], [], []
    for kind in COMPOUND_TYPES:
        key = f"{table}.{kind}"
        family, first, second = _kernel_parameters(scenario.dist(key), key)
        codes.append(family)
        a.append(first)
        b.append(second)
    return Durations(np.array(codes, np.int64), np.array(a), np.array(b))


def _kernel_parameters(dist: Dist, key: str) -> tuple[int, float, float]:
    """(family code, a, b) of a distribution in the kernel's parameterisation."""
    if dist.family not in FAMILY_CODES:
        raise InputError(kernel_family_problem(key, dist.family))
    if dist.family == "fixed":
        return FAMILY_CODES["fixed"], dist.param("value"), 0.0
    if dist.family == "exponential":
        return FAMILY_CODES["exponential"], dist.param("mean"), 0.0
    return FAMILY_CODES["lognormal"], dist.param("mu"), dist.param("sigma")


def home_table(scenario: Scenario, seed: int, replication: int) -> np.ndarray:
    """Probability that a door opens, by compound type (rows) and hour of week (columns)."""
    by_period = np.array([_probability(scenario, f"canvass.home.{period}", seed, replication)
                          for period in PERIODS])
    factor = np.array([float(scenario.get(f"canvass.home_factor.{kind}"))
                       for kind in COMPOUND_TYPES])
    return np.minimum(np.outer(factor, by_period[hour_periods(scenario)]), 1.0)


def _probability(scenario: Scenario, key: str, seed: int, replication: int) -> float:
    """A probability drawn once per replication from its own stream (a number is fixed)."""
    sequence = np.random.SeedSequence(seed, spawn_key=(replication, CANVASS_STREAM,
                                                       zlib.crc32(key.encode())))
    return float(scenario.dist(key, probability=True).sample(np.random.default_rng(sequence)))


def hour_periods(scenario: Scenario) -> np.ndarray:
    """Code into PERIODS of every hour of the week: the period in force at the hour's start.

    The rule is that of the order's period (mobsim.model.presence.order_period): night from
    `periods.night_start` to `periods.day_start` every day; Saturday and Sunday otherwise
    weekend; Monday to Friday day until `periods.evening_start`, then evening.
    """
    day, evening, night = (clock_minutes(scenario.get(f"periods.{name}_start"))
                           for name in ("day", "evening", "night"))
    if not day < evening < night:
        raise InputError("periods: day_start, evening_start and night_start must follow "
                         "each other within one day")
    hour = np.arange(HOURS_PER_WEEK)
    minute = (hour % 24) * 60
    weekend = hour // 24 >= WEEKDAYS.index("sat")
    period = np.where(minute < evening, PERIODS.index("day"), PERIODS.index("evening"))
    period = np.where(weekend, PERIODS.index("weekend"), period)
    return np.where((minute < day) | (minute >= night), PERIODS.index("night"), period)


def windows_min(scenario: Scenario, key: str) -> np.ndarray:
    """The weekly windows at `key` as sorted, disjoint [start, end) minute-of-week rows."""
    try:
        return np.array(weekly_windows(scenario.get(key)), dtype=np.float64)
    except ValueError as err:
        raise InputError(f"{key}: {err}") from None
