"""TOML writing: what is written reads back as the same data."""

from __future__ import annotations

import datetime
import math
import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobsim.scenario.tomlwrite import dumps, inline

_SCALARS = st.one_of(
    st.booleans(), st.integers(min_value=-2**63, max_value=2**63 - 1),
    st.floats(allow_nan=False), st.text(st.characters(exclude_categories=("Cs",))),
    st.dates(), st.times(),
)
_KEYS = st.text(min_size=1, max_size=8)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(_KEYS, inner, max_size=3), max_leaves=8)
_TABLES = st.recursive(st.dictionaries(_KEYS, _VALUES, max_size=4),
                       lambda inner: st.dictionaries(_KEYS, inner | _VALUES, max_size=3),
                       max_leaves=6)


@given(_TABLES)
def test_dumps_reads_back_equal(data: dict) -> None:
    assert tomllib.loads(dumps(data)) == data


@given(_TABLES)
def test_inline_tables_read_back_equal(data: dict) -> None:
    assert tomllib.loads(dumps(data, inline_table=lambda table: len(table) < 2)) == data


def test_sections_headers_and_inline_tables() -> None:
    data = {"name": "n", "alert": {"start": "02:00", "delay": {"dist": "fixed", "value": 3.0}},
            "cascade": {"units": {"callers": 2}}, "empty": {}}
    text = dumps(data, header="first\nsecond", inline_table=lambda t: "dist" in t)
    assert text.splitlines() == [
        "# first", "# second", 'name = "n"', "",
        "[alert]", 'start = "02:00"', 'delay = {dist = "fixed", value = 3.0}', "",
        "[cascade.units]", "callers = 2", "",
        "[empty]",
    ]


@pytest.mark.parametrize(("value", "text"), [
    (True, "true"), (3, "3"), (0.1, "0.1"), (1e22, "1e+22"), (math.inf, "inf"),
    ("a\"b\\c\x7f", r'"a\"b\\c\u007f"'), ("x y", '"x y"'),
    (datetime.time(2, 0), "02:00:00"), (datetime.date(2020, 2, 1), "2020-02-01"),
    ([1, "a"], '[1, "a"]'), ({"a b": 1}, '{"a b" = 1}'),
])
def test_inline_values(value: object, text: str) -> None:
    assert inline(value) == text
    assert tomllib.loads(f"v = {text}")["v"] == value


def test_values_without_a_toml_form_are_refused() -> None:
    with pytest.raises(TypeError, match="no TOML form for set"):
        inline({1, 2})
