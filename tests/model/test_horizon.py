"""Nothing before minute H depends on the horizon: the model knows only what its people know at
that minute, and no decision uses a draw of a later minute (a period change, an availability to
come, a call past the horizon)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_fixtures import scenario, small_district

from mobsim.district.generate import generate_xindu
from mobsim.model import simulate

FIELDS = ("microgrid_activated_min", "microgrid_gap_min", "microgrid_gridworker_arrived_min",
          "member_notified_min", "member_acknowledged_min", "member_arrived_min",
          "cadre_acknowledged_min", "cadre_reported_min")
"""The first minutes of the result (each happens once): up to the shorter horizon, the same.
The cadres' last dispatch is not among them: a later one replaces it."""


def _same_before(short, long, horizon_min: float) -> None:
    for field in FIELDS:
        cut = getattr(short, field)
        full = getattr(long, field)
        full = np.where(full < horizon_min, full, np.nan)
        assert np.array_equal(cut, full, equal_nan=True), field
    # Every event before the horizon: each dispatch, stand-down, arrival, gap, activation.
    before = long.trace[long.trace["time_min"] < horizon_min]
    assert np.array_equal(short.trace, before)


@settings(max_examples=12, deadline=None)
@given(horizon_min=st.floats(min_value=40.0, max_value=500.0), seed=st.integers(0, 50),
       night=st.booleans())
def test_a_shorter_horizon_changes_nothing_before_it(horizon_min: float, seed: int,
                                                     night: bool) -> None:
    district = small_district(subdistricts=3, communities=4, grids=3, microgrids=8, members=1,
                              units=4, cadres=8, home_offset_km=0.5)
    order = ["alert.start='02:00'"] if night else []

    def run(horizon: float):
        chosen = scenario(*order, "target.minutes=30.0", f"alert.horizon_min={horizon}")
        return simulate(district, chosen, seed, 1, trace=True)

    _same_before(run(horizon_min), run(720.0), horizon_min)


@pytest.mark.slow
@pytest.mark.parametrize("horizon_min", [250.0, 290.0])
def test_on_full_xindu_at_night_a_shorter_horizon_changes_nothing_before_it(horizon_min: float) -> None:
    district = generate_xindu()

    def run(horizon: float):
        return simulate(district, scenario("alert.start='02:00'", f"alert.horizon_min={horizon}"),
                        1, 0, trace=True)

    _same_before(run(horizon_min), run(720.0), horizon_min)
