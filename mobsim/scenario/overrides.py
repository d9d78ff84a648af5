"""Command-line overrides: "dotted.key=VALUE" strings, VALUE in TOML, placed by the baseline."""

from __future__ import annotations

import tomllib
from typing import Any

from mobsim.errors import InputError
from mobsim.scenario.schema import is_table, show, suggestion
from mobsim.scenario.tomlwrite import inline, key_text

OVERRIDE_LABEL = "--set"
"""How messages name the source of a value given as an override."""

_NOT_TOML = object()


def parse_override(text: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Turn "dotted.key=VALUE" into a nested one-key layer; raise InputError naming the key."""
    parts, value = parse_setting(text, schema)
    for part in reversed(parts):
        value = {part: value}
    return value


def parse_setting(text: str, schema: dict[str, Any]) -> tuple[list[str], Any]:
    """The key parts and typed value of "dotted.key=VALUE"; InputError naming the key."""
    key, equals, raw = (part.strip() for part in text.partition("="))
    if not equals or not key:
        raise InputError(f"{OVERRIDE_LABEL}: {text!r}: expected dotted.key=VALUE, "
                         "e.g. alert.start=02:00")
    parts = key.split(".")
    key = ".".join(key_text(part) for part in parts)  # quoted where odd, so messages stay one line
    return parts, _parse_value(raw, key, _baseline_value(parts, key, schema))


def _baseline_value(parts: list[str], key: str, schema: dict[str, Any]) -> Any:
    node = schema
    for depth, part in enumerate(parts):
        if not is_table(node):
            leaf = ".".join(parts[:depth])
            raise InputError(f"{OVERRIDE_LABEL}: {key}: {leaf} is a single value, not a table; "
                             f"set it whole, e.g. {leaf}={inline(node)}")
        if part not in node:
            raise InputError(f"{OVERRIDE_LABEL}: {key}: unknown key{suggestion(key, schema)}")
        node = node[part]
    return node


def _parse_value(raw: str, key: str, base: Any) -> Any:
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except ValueError:  # a TOMLDecodeError, or an integer of more than 4300 digits
        value = _NOT_TOML
    if isinstance(base, str) and not isinstance(value, (str, list, dict)):
        # Where the baseline holds text, a bare word, a clock time such as 02:00 (TOML would
        # read a time) or a number is the text as typed: --set alert.start=02:00 just works.
        return raw
    if is_table(base) and not isinstance(value, dict):
        keys = ", ".join(f"{key}.{k}" for k in base)
        raise InputError(f"{OVERRIDE_LABEL}: {key}: is a table; set one of its keys ({keys}) "
                         "or give an inline table {k = v, ...}")
    if value is _NOT_TOML:
        raise InputError(f"{OVERRIDE_LABEL}: {key}: {show(raw)} is not a TOML value; "
                         'write text in quotes, numbers plain, tables as {k = v, ...}')
    return value
