"""Rules on merged scenario values: every message class, its key path and its one-line shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobsim.clock import clock_minutes
from mobsim.codes import WEEKDAYS
from mobsim.scenario.rules import check_values
from mobsim.scenario.schema import Origin, merge_layer

SCHEMA = {
    "name": "base",
    "district": {"path": ""},
    "alert": {"start": "14:00", "weekday": "tue", "horizon_min": 720.0},
    "target": {"minutes": 180.0, "quantile": 0.95, "confidence": 0.95},
    "periods": {"day_start": "07:00"},
    "channels": {"phone": {"reach": 0.59}, "sms": {"reach": 0.95}},
    "cascade": {"units": {"channels": ["phone"], "callers": 2,
                          "delay_min": {"dist": "exponential", "mean": 3.0}}},
    "travel": {"walk_speed_mps": 1.25, "walk_max_km": 2.0},
    "members": {"presence": {"night": {"home": 0.1, "asleep": 0.9}}},
}
PROBABILITIES = ("channels.*.reach", "members.presence.*.*")
SHARES = ("members.presence.*",)


def problems(*layers: dict, folder: Path = Path("/nowhere")) -> list[str]:
    """Problems of SCHEMA with `layers` merged over it; layer i is named "file<i>.toml"."""
    merged: dict = {}
    origins: dict = {}
    for rank, layer in enumerate((SCHEMA, *layers)):
        assert merge_layer(merged, layer, SCHEMA, Origin(rank, f"file{rank}.toml", folder), origins) == []
    found = check_values(merged, SCHEMA, origins, PROBABILITIES, SHARES)
    assert all("\n" not in line for line in found)
    return found


def test_the_schema_itself_breaks_no_rule() -> None:
    assert problems() == []


@pytest.mark.parametrize(("layer", "message"), [
    ({"name": "  "}, "file1.toml: name: must not be empty"),
    ({"alert": {"start": "24:00"}},
     'file1.toml: alert.start: expected a clock time "HH:MM" from 00:00 to 23:59, got "24:00"'),
    ({"alert": {"start": "2:00"}}, "file1.toml: alert.start: expected a clock time"),
    ({"alert": {"start": "12:60"}}, "file1.toml: alert.start: expected a clock time"),
    ({"periods": {"day_start": "7am"}}, "file1.toml: periods.day_start: expected a clock time"),
    ({"alert": {"weekday": "Monday"}},
     'file1.toml: alert.weekday: expected one of mon, tue, wed, thu, fri, sat, sun, got "Monday"'),
    ({"alert": {"horizon_min": 0}},
     "file1.toml: alert.horizon_min: must be a positive number, got 0"),
    ({"target": {"minutes": -5}}, "file1.toml: target.minutes: must be a positive number"),
    ({"target": {"minutes": float("inf")}}, "file1.toml: target.minutes: expected a finite number, got inf"),
    ({"target": {"minutes": {"dist": "fixed", "value": 3}}},
     "file1.toml: target.minutes: expected a plain number here, got a distribution table"),
    ({"target": {"quantile": 1}}, "file1.toml: target.quantile: must lie strictly between 0 and 1, got 1"),
    ({"target": {"confidence": 0}}, "file1.toml: target.confidence: must lie strictly between 0 and 1"),
    ({"target": {"quantile": float("nan")}}, "file1.toml: target.quantile: expected a finite number"),
    ({"district": {"path": "no-such-folder"}}, "file1.toml: district.path: no folder /nowhere/no-such-folder"),
    ({"cascade": {"units": {"channels": ["phone", "fax"]}}},
     'file1.toml: cascade.units.channels: expected distinct names from phone, sms, at least one, '
     'got ["phone", "fax"]'),
    ({"cascade": {"units": {"channels": []}}}, "file1.toml: cascade.units.channels: expected distinct"),
    ({"cascade": {"units": {"channels": ["sms", "sms"]}}}, "file1.toml: cascade.units.channels: expected"),
    ({"cascade": {"units": {"callers": 0}}}, "file1.toml: cascade.units.callers: must be at least 1, got 0"),
    ({"travel": {"walk_speed_mps": 0}}, "file1.toml: travel.walk_speed_mps: must be a positive number"),
    ({"travel": {"walk_speed_mps": {"dist": "fixed", "value": 1}}},
     "file1.toml: travel.walk_speed_mps: expected a plain number here, got a distribution table"),
    ({"travel": {"walk_max_km": -0.5}}, "file1.toml: travel.walk_max_km: must not be negative, got -0.5"),
    ({"cascade": {"units": {"delay_min": -1}}}, "file1.toml: cascade.units.delay_min: must not be negative"),
    ({"cascade": {"units": {"delay_min": {"dist": "exponential", "mean": 0}}}},
     "file1.toml: cascade.units.delay_min.mean: must be positive, got 0"),
    ({"channels": {"sms": {"reach": 1.2}}},
     "file1.toml: channels.sms.reach: a probability must lie in [0, 1], got 1.2"),
    ({"channels": {"sms": {"reach": {"dist": "exponential", "mean": 0.5}}}},
     "file1.toml: channels.sms.reach: a probability needs a number or a fixed, uniform or beta"),
])
def test_one_rule_broken_gives_one_line_naming_file_and_key(layer: dict, message: str) -> None:
    found = problems(layer)
    assert len(found) == 1 and found[0].startswith(message)


def test_a_probability_pattern_accepts_a_beta_distribution() -> None:
    assert problems({"channels": {"sms": {"reach": {"dist": "beta", "a": 9, "b": 1}}}}) == []


def test_only_keys_matching_a_probability_pattern_are_held_to_one() -> None:
    assert problems({"cascade": {"units": {"delay_min": 1.2}}}) == []


def test_shares_must_sum_to_one_and_the_last_setter_is_named() -> None:
    assert problems({"members": {"presence": {"night": {"home": 0.2, "asleep": 0.8}}}}) == []
    found = problems({}, {"members": {"presence": {"night": {"home": 0.2}}}})
    assert found == ["file2.toml: members.presence.night: shares must sum to 1, got 1.1 "
                     "(home 0.2 + asleep 0.9)"]


def test_shares_may_miss_one_by_a_rounding_error() -> None:
    assert problems({"members": {"presence": {"night": {"home": 0.1 + 1e-7, "asleep": 0.9}}}}) == []
    assert problems({"members": {"presence": {"night": {"home": 0.1 + 1e-5, "asleep": 0.9}}}}) != []


def test_zero_is_not_negative() -> None:
    assert problems({"travel": {"walk_max_km": 0}}) == []


def test_shares_must_be_plain_numbers() -> None:
    found = problems({"members": {"presence": {"night": {"home": {"dist": "beta", "a": 1, "b": 9}}}}})
    assert found == ["file1.toml: members.presence.night.home: expected a plain number here, "
                     "got a distribution table"]


def test_horizon_shorter_than_target_blames_the_later_setting() -> None:
    assert problems({"alert": {"horizon_min": 100}}) == [
        "file1.toml: alert.horizon_min: 100 is shorter than target.minutes (180); "
        "a run must last at least the target"]
    assert problems({"alert": {"horizon_min": 100}}, {"target": {"minutes": 200}}) == [
        "file2.toml: target.minutes: 200 is longer than alert.horizon_min (100); "
        "a run must last at least the target"]
    assert problems({"alert": {"horizon_min": 180}}) == []


def test_an_existing_folder_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "tables").mkdir()
    assert problems({"district": {"path": "tables"}}, folder=tmp_path) == []


def test_every_problem_is_reported() -> None:
    found = problems({"name": "", "alert": {"start": "x", "weekday": "x"},
                      "target": {"quantile": 2}})
    assert [line.split(": ")[1] for line in found] == \
        ["name", "alert.start", "alert.weekday", "target.quantile"]


@pytest.mark.parametrize(("text", "minutes"), [("00:00", 0), ("02:00", 120), ("23:59", 1439),
                                               ("14:05", 845)])
def test_clock_minutes(text: str, minutes: int) -> None:
    assert clock_minutes(text) == minutes


@pytest.mark.parametrize("text", ["24:00", "2:00", "02:00:00", "02-00", " 02:00", ""])
def test_clock_minutes_refuses_other_forms(text: str) -> None:
    assert clock_minutes(text) is None


def test_weekdays_start_on_monday() -> None:
    assert WEEKDAYS[0] == "mon" and len(WEEKDAYS) == 7


def test_a_share_given_as_a_table_is_reported_not_summed() -> None:
    assert problems({"members": {"presence": {"night": {"home": {}}}}}) == [
        "file1.toml: members.presence.night.home: a distribution table needs dist = one of "
        "fixed, exponential, lognormal, gamma, uniform, beta",
        "file1.toml: members.presence.night.home: expected a plain number here, got a table"]
