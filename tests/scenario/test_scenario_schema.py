"""The baseline as schema: merging layers key by key, kinds of values, key paths and suggestions."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from mobsim.scenario.schema import Origin, leaves, lookup, merge_layer, show, suggestion

SCHEMA = {
    "name": "base",
    "district": {"path": "", "seed": 2020},
    "alert": {"start": "14:00", "horizon_min": 720.0, "urgent": False,
              "delay": {"dist": "lognormal", "median": 2.0, "sigma": 1.0}},
    "cascade": {"channels": ["messaging", "phone"], "levels": []},
}
BASE = Origin(0, "base.toml", Path("/base"))
USER = Origin(1, "user.toml", Path("/home/planner/scenarios"))


def merged_with(layer: dict) -> tuple[dict, dict, list[str]]:
    """The schema merged with `layer` from user.toml: data, origins, problems."""
    merged: dict = {}
    origins: dict = {}
    assert merge_layer(merged, SCHEMA, SCHEMA, BASE, origins) == []
    return merged, origins, merge_layer(merged, layer, SCHEMA, USER, origins)


def test_a_layer_changes_only_what_it_states() -> None:
    merged, origins, problems = merged_with({"alert": {"start": "02:00"}})
    assert problems == []
    assert merged["alert"] == {**SCHEMA["alert"], "start": "02:00"}
    assert {k: v for k, v in merged.items() if k != "alert"} == \
        {k: v for k, v in SCHEMA.items() if k != "alert"}
    assert origins["alert.start"] == USER and origins["alert.horizon_min"] == BASE


def test_a_distribution_is_replaced_whole_and_numbers_become_floats() -> None:
    merged, _, problems = merged_with({"alert": {"delay": {"dist": "fixed", "value": 3},
                                                 "horizon_min": 600}})
    assert problems == []
    assert merged["alert"]["delay"] == {"dist": "fixed", "value": 3.0}
    assert isinstance(merged["alert"]["horizon_min"], float)


def test_relative_paths_are_resolved_against_the_folder_of_their_file() -> None:
    merged, _, _ = merged_with({"district": {"path": "../tables"}})
    assert merged["district"]["path"] == os.path.normpath("/home/planner/tables")
    merged, _, _ = merged_with({"district": {"path": "/data/xindu"}})
    assert merged["district"]["path"] == "/data/xindu"


def test_merged_data_shares_no_lists_with_the_layers() -> None:
    layer = {"cascade": {"channels": ["sms"]}}
    merged, _, _ = merged_with(layer)
    merged["cascade"]["channels"].append("phone")
    assert layer["cascade"]["channels"] == ["sms"]


@pytest.mark.parametrize(("layer", "message"), [
    ({"alert": {"strat": "02:00"}}, "user.toml: alert.strat: unknown key; did you mean alert.start?"),
    ({"alrt": {"start": "02:00"}}, "user.toml: alrt: unknown key; did you mean alert?"),
    ({"alert": {"zz": 1}}, "user.toml: alert.zz: unknown key; alert has start, horizon_min, urgent, delay"),
    ({"alert": 3}, "user.toml: alert: expected a table (start, horizon_min, urgent, delay), got 3"),
    ({"alert": {"dist": "fixed", "value": 3}}, "user.toml: alert: expected a table "),
    ({"name": 3}, "user.toml: name: expected text in quotes, got 3"),
    ({"alert": {"start": datetime.time(2, 0)}},
     "user.toml: alert.start: expected text in quotes, got 02:00:00 (a TOML date or time; "
     "text needs quotes)"),
    ({"district": {"seed": -1}}, "user.toml: district.seed: expected a non-negative integer, got -1"),
    ({"district": {"seed": 2.0}}, "user.toml: district.seed: expected a non-negative integer, got 2.0"),
    ({"district": {"seed": 2**63}}, "user.toml: district.seed: expected a non-negative integer"),
    ({"district": {"seed": True}}, "user.toml: district.seed: expected a non-negative integer, got true"),
    ({"alert": {"horizon_min": "600"}}, 'user.toml: alert.horizon_min: expected a number or a '
                                        'distribution table like {dist = "fixed", value = 5}, got "600"'),
    ({"alert": {"delay": [1]}}, "user.toml: alert.delay: expected a number or a distribution table"),
    ({"alert": {"urgent": 1}}, "user.toml: alert.urgent: expected true or false, got 1"),
    ({"cascade": {"channels": "sms"}}, 'user.toml: cascade.channels: expected an array of text in '
                                       'quotes, got "sms"'),
    ({"cascade": {"channels": ["sms", 3]}}, "user.toml: cascade.channels: expected an array of text"),
])
def test_misfits_are_reported_on_one_line_and_left_out(layer: dict, message: str) -> None:
    merged, origins, problems = merged_with(layer)
    assert len(problems) == 1 and problems[0].startswith(message) and "\n" not in problems[0]
    assert merged == merged_with({})[0]


def test_every_misfit_of_a_layer_is_reported() -> None:
    _, _, problems = merged_with({"name": 1, "alert": {"strat": "x", "urgent": "yes"}, "zz": 2})
    assert [p.split(": ")[1] for p in problems] == ["name", "alert.strat", "alert.urgent", "zz"]


def test_an_empty_array_in_the_baseline_takes_any_array() -> None:
    assert merged_with({"cascade": {"levels": [1, "a"]}})[2] == []


def test_lookup_and_its_error() -> None:
    assert lookup(SCHEMA, "alert.delay") == SCHEMA["alert"]["delay"]
    with pytest.raises(KeyError, match="alert.delay.median: no such scenario key"):
        lookup(SCHEMA, "alert.delay.median")
    with pytest.raises(KeyError, match="did you mean alert.start"):
        lookup(SCHEMA, "alert.starts")


def test_suggestion_falls_back_to_the_keys_of_the_nearest_table() -> None:
    assert suggestion("cascade.qq", SCHEMA) == "; cascade has channels, levels"
    assert suggestion("qq.rr", SCHEMA) == "; the top level has name, district, alert, cascade"


def test_leaves_stop_at_distributions() -> None:
    assert dict(leaves(SCHEMA))["alert.delay"] == SCHEMA["alert"]["delay"]
    assert "alert.delay.median" not in dict(leaves(SCHEMA))


def test_show_is_short() -> None:
    assert show("x" * 100) == '"' + "x" * 56 + "..."
    assert show({"dist": "fixed"}) == "a distribution table"
    assert show(["a", 1]) == '["a", 1]'
