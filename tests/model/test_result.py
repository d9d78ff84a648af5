"""Result codes and the horizon cut."""

import numpy as np

from mobsim.codes import ACTIVATED_BY, CHANNELS, PRESENCE_STATES
from mobsim.model.result import within_horizon


def test_codes_start_with_none_where_nothing_happened() -> None:
    assert ACTIVATED_BY[0] == "none" and CHANNELS[0] == "none"
    assert PRESENCE_STATES == ("home", "work", "asleep", "away")


def test_times_at_or_after_the_horizon_become_never() -> None:
    out = within_horizon(np.array([0.0, 719.9, 720.0, np.inf]), 720.0)
    assert out[:2].tolist() == [0.0, 719.9] and np.isnan(out[2:]).all()
