"""Reading and checking a drill log: one row per person, the minutes of each step (docs/calibration.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mobsim.clock import clock_minutes
from mobsim.codes import CHANNELS, PRESENCE_STATES, WEEKDAYS
from mobsim.district import District
from mobsim.errors import InputError

ROLES: tuple[str, ...] = ("subdistrict", "community", "gridworker", "member", "cadre")
"""Who a row is: a sub-district command, community head, grid worker, member or cadre."""

STEPS: tuple[str, ...] = ("notified_min", "acknowledged_min", "set_out_min", "arrived_min")
"""Minutes since the order of each step, in the order they happen; empty = not within the window."""

COLUMNS: tuple[str, ...] = ("role", "person_id", "post_id", "order_weekday", "order_start",
                            "window_min", "state", "channel", *STEPS)
"""Every column of a drill log (`state` and `channel` may be empty)."""

LOG_CHANNELS: tuple[str, ...] = CHANNELS[1:]
"""Channels a row may name: phone, messaging, sms."""


@dataclass(frozen=True)
class DrillLog:
    """A checked drill log: its rows and the order and window they share."""

    label: str
    rows: pd.DataFrame
    order_weekday: str
    order_start: str
    window_min: float

    def role(self, name: str) -> pd.DataFrame:
        """The rows of one role."""
        return self.rows[self.rows["role"] == name]


def read_drill_log(path: str | Path) -> DrillLog:
    """Read a CSV or Parquet drill log; InputError naming the file and row on any problem."""
    label = str(path)
    frame = _read_frame(Path(path), label)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{label}: missing column(s) {', '.join(missing)} "
                         f"(a drill log has {', '.join(COLUMNS)})")
    if frame.empty:
        raise InputError(f"{label}: no rows")
    rows = pd.DataFrame({name: _text(frame[name]) for name in ("role", "order_weekday",
                                                               "order_start", "state", "channel")})
    for name in ("person_id", "post_id"):
        rows[name] = _whole_numbers(frame[name], name, label)
    for name in ("window_min", *STEPS):
        rows[name] = _minutes(frame[name], name, label)
    _check_choices(rows, label)
    weekday, start, window = _shared_order(rows, label)
    _check_steps(rows, window, label)
    duplicated = rows.duplicated(["role", "person_id"])
    if duplicated.any():
        raise InputError(f"{label}: row {_row(duplicated)}: {rows['role'][duplicated].iloc[0]} "
                         f"{rows['person_id'][duplicated].iloc[0]} appears twice")
    return DrillLog(label, rows, weekday, start, window)


def _read_frame(path: Path, label: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{label}: no such drill log")
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise InputError(f"{label}: empty file") from None
    except (OSError, ValueError, pd.errors.ParserError) as err:
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        kind = "Parquet" if path.suffix.lower() == ".parquet" else "CSV"
        raise InputError(f"{label}: cannot read as {kind}: {message}") from None


def _row(mask: pd.Series | np.ndarray) -> int:
    """1-based data row (the header is not counted) of the first true entry."""
    return int(np.flatnonzero(np.asarray(mask))[0]) + 1


def _text(column: pd.Series) -> pd.Series:
    return column.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                      else str(v).strip()).reset_index(drop=True)


def _numbers(column: pd.Series, name: str, label: str) -> np.ndarray:
    text = _text(column)
    values = pd.to_numeric(text.where(text != ""), errors="coerce").to_numpy(dtype=np.float64)
    bad = (text != "").to_numpy() & ~np.isfinite(values)
    if bad.any():
        raise InputError(f"{label}: row {_row(bad)}: {name}: expected a number, "
                         f"got {text[bad].iloc[0]!r}")
    return values


def _whole_numbers(column: pd.Series, name: str, label: str) -> np.ndarray:
    values = _numbers(column, name, label)
    bad = np.isnan(values) | (values != np.round(values)) | (np.abs(values) >= 2**31)
    if bad.any():
        raise InputError(f"{label}: row {_row(bad)}: {name}: expected a whole-number id, "
                         f"got {_text(column)[bad].iloc[0]!r}")
    return values.astype(np.int64)


def _minutes(column: pd.Series, name: str, label: str) -> np.ndarray:
    values = _numbers(column, name, label)
    negative = values < 0
    if negative.any():
        raise InputError(f"{label}: row {_row(negative)}: {name}: minutes since the order "
                         f"cannot be negative, got {values[negative][0]:g}")
    return values


def _check_choices(rows: pd.DataFrame, label: str) -> None:
    allowed = {"role": ROLES, "order_weekday": WEEKDAYS,
               "state": ("", *PRESENCE_STATES), "channel": ("", *LOG_CHANNELS)}
    for name, options in allowed.items():
        bad = ~rows[name].isin(options)
        if bad.any():
            shown = ", ".join(o for o in options if o) + (" or empty" if "" in options else "")
            raise InputError(f"{label}: row {_row(bad)}: {name}: expected {shown}, "
                             f"got {rows[name][bad].iloc[0]!r}")
    bad = rows["order_start"].map(lambda t: clock_minutes(t) is None)
    if bad.any():
        raise InputError(f'{label}: row {_row(bad)}: order_start: expected a clock time "HH:MM", '
                         f"got {rows['order_start'][bad].iloc[0]!r}")


def _shared_order(rows: pd.DataFrame, label: str) -> tuple[str, str, float]:
    """The order's weekday, clock time and the window: the same on every row."""
    for name in ("order_weekday", "order_start", "window_min"):
        first = rows[name].iloc[0]
        differs = (rows[name] != first).to_numpy()
        if differs.any():
            raise InputError(f"{label}: row {_row(differs)}: {name} {rows[name][differs].iloc[0]!r} "
                             f"differs from row 1 ({first!r}); a drill log holds one order")
    window = float(rows["window_min"].iloc[0])
    if not window > 0:
        raise InputError(f"{label}: row 1: window_min: the drill window must be positive, "
                         f"got {rows['window_min'].iloc[0]!r}")
    return rows["order_weekday"].iloc[0], rows["order_start"].iloc[0], window


def _check_steps(rows: pd.DataFrame, window_min: float, label: str) -> None:
    """Steps lie within the window and follow each other; a later step needs the earlier ones."""
    for name in STEPS:
        late = (rows[name] >= window_min).to_numpy()
        if late.any():
            raise InputError(f"{label}: row {_row(late)}: {name} {rows[name][late].iloc[0]:g} is "
                             f"not before the window's end ({window_min:g}); leave it empty")
    ack = rows["acknowledged_min"].to_numpy()
    for k, later in enumerate(STEPS[1:], start=1):
        # Compare with the latest earlier step given: an empty step in between is skipped.
        for earlier in reversed(STEPS[:k]):
            before = (rows[later] < rows[earlier]).to_numpy()
            if before.any():
                i = int(np.flatnonzero(before)[0])
                raise InputError(f"{label}: row {i + 1}: {later} ({rows[later].iloc[i]:g}) is "
                                 f"before {earlier} ({rows[earlier].iloc[i]:g}): times out of order")
    for name in ("set_out_min", "arrived_min"):
        orphan = (~np.isnan(rows[name].to_numpy())) & np.isnan(ack)
        if orphan.any():
            raise InputError(f"{label}: row {_row(orphan)}: {name} without acknowledged_min")
    orphan = (rows["channel"] != "").to_numpy() & np.isnan(ack)
    if orphan.any():
        raise InputError(f"{label}: row {_row(orphan)}: channel without acknowledged_min")
    unnotified = np.isnan(rows["notified_min"].to_numpy()) & ~np.isnan(ack)
    if unnotified.any():
        raise InputError(f"{label}: row {_row(unnotified)}: acknowledged_min without notified_min")


POST_TABLES: dict[str, tuple[str, str, str]] = {
    "subdistrict": ("subdistricts", "subdistrict_id", "subdistrict_id"),
    "community": ("communities", "community_id", "community_id"),
    "gridworker": ("general_grids", "general_grid_id", "general_grid_id"),
    "member": ("members", "member_id", "microgrid_id"),
    "cadre": ("cadres", "cadre_id", "community_id"),
}
"""Per role: the district table of its people, the person id column and the post id column."""


def check_ids(log: DrillLog, district: District) -> None:
    """Every person and post of the log exists in the district, and the person holds that post."""
    for role, (table_name, person_key, post_key) in POST_TABLES.items():
        mask = (log.rows["role"] == role).to_numpy()
        if not mask.any():
            continue
        table = district.table(table_name)
        people = table[person_key]
        rows = np.flatnonzero(mask)
        where = np.searchsorted(people, log.rows["person_id"].to_numpy()[rows])
        where = np.minimum(where, len(people) - 1)
        unknown = people[where] != log.rows["person_id"].to_numpy()[rows] if len(people) else \
            np.ones(len(rows), bool)
        if unknown.any():
            i = rows[np.flatnonzero(unknown)[0]]
            raise InputError(f"{log.label}: row {i + 1}: person_id {log.rows['person_id'].iloc[i]}: "
                             f"no {role} with this id in the district ({table_name})")
        wrong = table[post_key][where] != log.rows["post_id"].to_numpy()[rows]
        if wrong.any():
            i = rows[np.flatnonzero(wrong)[0]]
            raise InputError(f"{log.label}: row {i + 1}: post_id {log.rows['post_id'].iloc[i]}: "
                             f"{role} {log.rows['person_id'].iloc[i]} belongs to {post_key} "
                             f"{table[post_key][where][np.flatnonzero(wrong)[0]]}")
