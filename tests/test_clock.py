"""Tests of weekly working windows."""

import pytest

from mobsim.clock import parse_window, weekly_windows

MONDAY, TUESDAY, DAY = 0, 1440, 1440


def test_a_range_of_days_gives_one_interval_a_day() -> None:
    assert parse_window("mon-wed 18:30-21:00") == [
        (MONDAY + 1110, MONDAY + 1260), (TUESDAY + 1110, TUESDAY + 1260),
        (2 * DAY + 1110, 2 * DAY + 1260)]
    assert parse_window("sun 09:00-24:00") == [(6 * DAY + 540, 7 * DAY)]


def test_touching_and_overlapping_windows_merge() -> None:
    assert weekly_windows(["mon-sun 00:00-24:00"]) == [(0, 7 * DAY)]
    assert weekly_windows(["tue 10:00-12:00", "mon 20:00-24:00", "tue 00:00-01:00",
                           "tue 11:00-13:00"]) == [(1200, TUESDAY + 60),
                                                  (TUESDAY + 600, TUESDAY + 780)]


@pytest.mark.parametrize("text, message", [
    ("evenings", "expected windows like"),
    ("mon-fry 18:00-21:00", "days must be among"),
    ("fri-mon 18:00-21:00", "in week order"),
    ("mon 21:00-18:00", "split a window that crosses midnight"),
    ("mon 18:00-18:00", "the second later in the day"),
    ("mon 25:00-26:00", "expected two clock times"),
])
def test_bad_windows_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_window(text)


def test_no_window_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one window"):
        weekly_windows([])
