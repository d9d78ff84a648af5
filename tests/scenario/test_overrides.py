"""Overrides: "dotted.key=VALUE" strings parsed against the baseline into one-key layers."""

from __future__ import annotations

import pytest

from mobsim.errors import InputError
from mobsim.scenario.overrides import parse_override

SCHEMA = {
    "name": "base",
    "alert": {"start": "14:00", "horizon_min": 720.0,
              "delay": {"dist": "lognormal", "median": 2.0, "sigma": 1.0}},
    "members": {"count": 12518, "availability": {"night": 0.79}},
    "flags": {"on": True, "channels": ["phone"]},
}


@pytest.mark.parametrize(("text", "layer"), [
    ("alert.horizon_min=600", {"alert": {"horizon_min": 600}}),
    ("alert.horizon_min = 600.5 ", {"alert": {"horizon_min": 600.5}}),
    ("members.availability.night=0.5", {"members": {"availability": {"night": 0.5}}}),
    ('alert.delay={dist="fixed",value=3}', {"alert": {"delay": {"dist": "fixed", "value": 3}}}),
    ("alert.delay=4", {"alert": {"delay": 4}}),
    ("alert={start='03:00'}", {"alert": {"start": "03:00"}}),
    ("flags.on=false", {"flags": {"on": False}}),
    ("flags.channels=['sms', 'phone']", {"flags": {"channels": ["sms", "phone"]}}),
    ("members.count=4000", {"members": {"count": 4000}}),
])
def test_values_are_toml(text: str, layer: dict) -> None:
    assert parse_override(text, SCHEMA) == layer


@pytest.mark.parametrize(("text", "value"), [
    ("alert.start=02:00", "02:00"),        # not TOML 1.0: no seconds
    ("alert.start=02:00:00", "02:00:00"),  # a TOML local time
    ("alert.start=2020-01-01", "2020-01-01"),
    ("alert.start='02:00'", "02:00"),
    ('alert.start="a=b"', "a=b"),
    ("name=night shift", "night shift"),
    ("name=2024", "2024"),
    ("name=true", "true"),
    ("name=", ""),
])
def test_text_keys_take_what_was_typed(text: str, value: str) -> None:
    key = text.partition("=")[0]
    layer = parse_override(text, SCHEMA)
    for part in key.split("."):
        layer = layer[part]
    assert layer == value


@pytest.mark.parametrize(("text", "message"), [
    ("alert.start", "--set: 'alert.start': expected dotted.key=VALUE, e.g. alert.start=02:00"),
    ("=3", "--set: '=3': expected dotted.key=VALUE"),
    ("alert.strat=02:00", "--set: alert.strat: unknown key; did you mean alert.start?"),
    ("members.cuont=3", "--set: members.cuont: unknown key; did you mean members.count?"),
    ("zzz.qqq=3", "--set: zzz.qqq: unknown key; the top level has name, alert, members, flags"),
    ("alert..start=3", '--set: alert."".start: unknown key'),
    ("alert.st\nart=3", '--set: alert."st\\nart": unknown key'),
    ("alert.horizon_min=abc",
     '--set: alert.horizon_min: "abc" is not a TOML value; write text in quotes, numbers plain'),
    ("members.count=" + "9" * 5000, '--set: members.count: "' + "9" * 56 + '... is not a TOML value'),
    ("alert=3", "--set: alert: is a table; set one of its keys (alert.start, alert.horizon_min, "
                "alert.delay) or give an inline table {k = v, ...}"),
    ("members.availability='high'", "--set: members.availability: is a table; set one of its keys"),
    ("alert.start.hour=2", "--set: alert.start.hour: alert.start is a single value, not a table; "
                           'set it whole, e.g. alert.start="14:00"'),
    ("alert.delay.median=3", "--set: alert.delay.median: alert.delay is a single value, not a table; "
                             'set it whole, e.g. alert.delay={dist = "lognormal", median = 2.0, '
                             "sigma = 1.0}"),
])
def test_errors_name_the_key_on_one_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_override(text, SCHEMA)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)
