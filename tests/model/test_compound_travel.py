"""Travel inside compounds: minutes by compound type added to every member's trip to the post."""

from dataclasses import replace

import numpy as np
import pytest
from model_fixtures import deterministic, scenario, small_district, without_pools

from mobsim.codes import COMPOUND_TYPES
from mobsim.district.tables import District
from mobsim.model import simulate

SEED = 11
NO_RESERVES = ["escalation.after_min=600.0", "escalation.sweep_min=650.0", *without_pools()]
"""Gaps only after the horizon's end (no party branch calls them early): a post is filled by
its members alone."""


def _mixed() -> District:
    """A small district whose micro-grids cycle through the seven compound types."""
    district = small_district(subdistricts=2, communities=2, grids=2, microgrids=7, members=2,
                              spacing_km=0.4, home_offset_km=0.3)
    compound = (np.arange(district.rows("microgrids")) % len(COMPOUND_TYPES)).astype(np.int8)
    return replace(district, microgrids={**district.microgrids, "compound_type": compound})


def _inside(minutes: dict[str, float]) -> list[str]:
    return [f"travel.inside_compound_min.{name}={value}" for name, value in minutes.items()]


def _activated(district: District, overrides: list[str], replication: int = 0) -> np.ndarray:
    return simulate(district, scenario(*overrides), SEED, replication).microgrid_activated_min


def test_every_post_is_filled_exactly_the_compound_s_minutes_later() -> None:
    district = _mixed()
    extra = {name: float(2 * code + 1) for code, name in enumerate(COMPOUND_TYPES)}
    base = _activated(district, deterministic() + _inside(dict.fromkeys(COMPOUND_TYPES, 0.0)))
    later = _activated(district, deterministic() + _inside(extra))
    expected = np.array([extra[COMPOUND_TYPES[c]] for c in district.microgrids["compound_type"]])
    assert np.all(np.isfinite(base))
    assert np.allclose(later - base, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("replication", range(4))
def test_shorter_travel_inside_compounds_never_makes_a_post_or_the_district_later(
        replication: int) -> None:
    district = _mixed()
    longer = _inside({name: 6.0 for name in COMPOUND_TYPES})
    shorter = _inside({name: 1.5 for name in COMPOUND_TYPES})
    base = _activated(district, NO_RESERVES + longer, replication)
    better = _activated(district, NO_RESERVES + shorter, replication)
    filled = ~np.isnan(base)
    assert np.array_equal(filled, ~np.isnan(better))  # the same members report (same draws)
    assert np.all(better[filled] <= base[filled])
    assert np.nanmax(better) <= np.nanmax(base)


def test_changing_one_type_moves_only_the_posts_of_that_type() -> None:
    district = _mixed()
    rural = COMPOUND_TYPES.index("rural_settlement")
    base = _activated(district, NO_RESERVES)
    changed = _activated(district, NO_RESERVES + _inside({"rural_settlement": 20.0}))
    others = district.microgrids["compound_type"] != rural
    assert np.array_equal(base[others], changed[others], equal_nan=True)
    # every member of a rural post is later by the same minutes, so its first arrival is too
    baseline_min = scenario().get("travel.inside_compound_min.rural_settlement")
    shift = changed[~others] - base[~others]
    assert np.allclose(shift[~np.isnan(shift)], 20.0 - baseline_min, rtol=0, atol=1e-9)
