"""Time of day and week: clock times, the presence period in force, weekly working windows.

Minute 0 of the week is Monday 00:00, as for `alert.weekday` and `alert.start`. A window such
as "mon-fri 18:30-21:00" names a day or a range of days in week order (mon … sun) and a clock
range on each of those days; the end may be "24:00" (midnight at the day's end).
"""

from __future__ import annotations

import re

import numpy as np

from mobsim.codes import PERIODS, WEEKDAYS

MINUTES_PER_DAY = 1440
"""Minutes in a day."""

MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
"""Minutes in a week: minute-of-week values wrap at this."""

_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")

_WINDOW = re.compile(r"\s*(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
                     r"(?P<start>\d\d:\d\d)-(?P<end>\d\d:\d\d)\s*")


def clock_minutes(text: str) -> int | None:
    """Minutes after midnight of an "HH:MM" clock time, or None if `text` is not one."""
    match = _CLOCK.fullmatch(text)
    return int(match[1]) * 60 + int(match[2]) if match else None


def minute_of_week(weekday: str, clock: str) -> int:
    """Minute of the week of a weekday name and an "HH:MM" clock time (both valid)."""
    minutes = clock_minutes(clock)
    assert minutes is not None and weekday in WEEKDAYS, "a validated weekday and clock time"
    return WEEKDAYS.index(weekday) * MINUTES_PER_DAY + minutes


def period_codes(minute: np.ndarray, day_start_min: int, evening_start_min: int,
                 night_start_min: int) -> np.ndarray:
    """Code into PERIODS of the presence period in force at each minute of the week.

    The one rule: night from `night_start` to `day_start` every day; otherwise weekend on
    Saturday and Sunday; Monday to Friday day until `evening_start`, then evening. The starts
    follow each other within one day (the scenario's rules check it).
    """
    in_day = np.asarray(minute) % MINUTES_PER_DAY
    weekend = np.asarray(minute) // MINUTES_PER_DAY >= WEEKDAYS.index("sat")
    period = np.where(in_day < evening_start_min, PERIODS.index("day"), PERIODS.index("evening"))
    period = np.where(weekend, PERIODS.index("weekend"), period)
    night = (in_day < day_start_min) | (in_day >= night_start_min)
    return np.where(night, PERIODS.index("night"), period).astype(np.int8)


def parse_window(text: str) -> list[tuple[int, int]]:
    """The [start, end) minute-of-week intervals of one window; ValueError saying what is wrong."""
    match = _WINDOW.fullmatch(text)
    if match is None:
        raise ValueError(f'expected windows like "mon-fri 18:30-21:00" or "sat 09:00-24:00", '
                         f"got {text!r}")
    first, last = match["first"], match["last"] or match["first"]
    if first not in WEEKDAYS or last not in WEEKDAYS:
        raise ValueError(f"{text!r}: days must be among {', '.join(WEEKDAYS)}")
    if WEEKDAYS.index(first) > WEEKDAYS.index(last):
        raise ValueError(f"{text!r}: a range of days runs in week order, mon to sun")
    start = clock_minutes(match["start"])
    end = MINUTES_PER_DAY if match["end"] == "24:00" else clock_minutes(match["end"])
    if start is None or end is None or not start < end:
        raise ValueError(f"{text!r}: expected two clock times, the second later in the day "
                         "(up to 24:00); split a window that crosses midnight")
    days = range(WEEKDAYS.index(first), WEEKDAYS.index(last) + 1)
    return [(day * MINUTES_PER_DAY + start, day * MINUTES_PER_DAY + end) for day in days]


def weekly_windows(texts: list[str]) -> list[tuple[int, int]]:
    """The union of the windows as sorted, disjoint minute-of-week intervals; ValueError if bad."""
    if not texts:
        raise ValueError("expected at least one window")
    intervals = sorted(interval for text in texts for interval in parse_window(text))
    merged = [intervals[0]]
    for start, end in intervals[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
