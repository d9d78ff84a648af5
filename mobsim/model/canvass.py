"""District and scenario → the arrays of the door-to-door kernel (mobsim.kernels.canvass).

Households are not rows of the district tables: micro-grid m holds `households[m]`
households, numbered consecutively micro-grid by micro-grid (`Households.microgrid_offsets`).
Door parameters come from `[canvass]` (who is home, walking, a door nobody opens) and from the
campaign's own table, `[action]` or `[scan]` (service time, revisits).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mobsim.codes import COMPOUND_TYPES, PERIODS
from mobsim.distributions import Dist
from mobsim.district.tables import District
from mobsim.kernels.canvass import HOURS_PER_WEEK, Durations
from mobsim.kernels.rng import FAMILY_CODES
from mobsim.random import kernel_seed
from mobsim.scenario.params import Parameters, Settings


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


def door_arguments(params: Parameters, campaign: str) -> dict[str, Any]:
    """Keyword arguments of `canvass` for doors, revisits, the clock and the random streams.

    `campaign` is the scenario table of the campaign ("action" or "scan"); its name also keys
    the campaign's kernel streams, so the two campaigns draw independently.
    """
    return dict(
        home_p=home_table(params),
        service_min=kernel_durations(params, f"{campaign}.service_min"),
        walk_min=kernel_durations(params, "canvass.walk_min"),
        absent_min=np.full(len(COMPOUND_TYPES), params.number("canvass.absent_min")),
        clock0_min_of_week=float(params.order_minute_of_week()),
        revisit_gap_min=params.number(f"{campaign}.revisit_gap_min"),
        max_attempts=params.count(f"{campaign}.max_attempts"),
        seed=kernel_seed(params.streams.seed, campaign),
        replication=params.streams.replication,
    )


def kernel_durations(settings: Settings, table: str) -> Durations:
    """Family codes and parameters of the durations `<table>.<compound type>`."""
    codes, a, b = [], [], []
    for kind in COMPOUND_TYPES:
        family, first, second = _kernel_parameters(settings.duration(f"{table}.{kind}"))
        codes.append(family)
        a.append(first)
        b.append(second)
    return Durations(np.array(codes, np.int64), np.array(a), np.array(b))


def _kernel_parameters(dist: Dist) -> tuple[int, float, float]:
    """(family code, a, b) of a distribution in the kernel's parameterisation."""
    if dist.family == "fixed":
        return FAMILY_CODES["fixed"], dist.param("value"), 0.0
    if dist.family == "exponential":
        return FAMILY_CODES["exponential"], dist.param("mean"), 0.0
    return FAMILY_CODES["lognormal"], dist.param("mu"), dist.param("sigma")


def home_table(params: Parameters) -> np.ndarray:
    """Probability that a door opens, by compound type (rows) and hour of week (columns)."""
    by_period = np.array([params.door_probability(f"canvass.home.{period}") for period in PERIODS])
    factor = np.array([params.number(f"canvass.home_factor.{kind}") for kind in COMPOUND_TYPES])
    hour_periods = params.periods(np.arange(HOURS_PER_WEEK) * 60)
    return np.minimum(np.outer(factor, by_period[hour_periods]), 1.0)
