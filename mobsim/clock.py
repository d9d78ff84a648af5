"""Weekly working windows such as "mon-fri 18:30-21:00" as minute-of-week intervals.

A window names a day or a range of days in week order (mon … sun) and a clock range on each of
those days; the end may be "24:00" (midnight at the day's end). Minute 0 of the week is Monday
00:00, as for `alert.weekday` and `alert.start`.
"""

from __future__ import annotations

import re

from mobsim.codes import WEEKDAYS
from mobsim.scenario.rules import clock_minutes

MINUTES_PER_DAY = 1440
"""Minutes in a day."""

_WINDOW = re.compile(r"\s*(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
                     r"(?P<start>\d\d:\d\d)-(?P<end>\d\d:\d\d)\s*")


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
