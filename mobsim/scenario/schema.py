"""The baseline as the schema of scenarios: known key paths, kinds of values, merging layers."""

from __future__ import annotations

import copy
import datetime
import difflib
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mobsim.scenario.tomlwrite import inline, key_text

PATH_KEYS: tuple[str, ...] = ("district.path",)
"""Keys naming a file or folder: relative values are relative to the file that sets them."""

_INT64_LIMIT = 2**63


@dataclass(frozen=True)
class Origin:
    """Where scenario values came from: rank in the merge order, label in messages, base folder."""

    rank: int
    label: str
    folder: Path


def is_dist_table(value: Any) -> bool:
    """True for a `{dist = ...}` table: a single value, replaced whole, never merged key by key."""
    return isinstance(value, dict) and "dist" in value


def is_table(value: Any) -> bool:
    """True for a table of scenario keys (a dict that is not a distribution)."""
    return isinstance(value, dict) and "dist" not in value


def lookup(data: dict[str, Any], dotted: str) -> Any:
    """The value at `dotted` ("alert.start"); KeyError naming the path if there is none."""
    node: Any = data
    for part in dotted.split("."):
        if not is_table(node) or part not in node:
            raise KeyError(f"{dotted}: no such scenario key{suggestion(dotted, data)}")
        node = node[part]
    return node


def suggestion(dotted: str, schema: dict[str, Any]) -> str:
    """"; did you mean x.y?" for the nearest known key path, else the keys of the nearest table."""
    # Close as a whole and in the last name: a shared table prefix alone is no resemblance.
    leaf = dotted.rpartition(".")[2]
    close = [p for p in difflib.get_close_matches(dotted, list(_paths(schema)), n=5, cutoff=0.6)
             if difflib.SequenceMatcher(None, leaf, p.rpartition(".")[2]).ratio() >= 0.6]
    if close:
        return f"; did you mean {close[0]}?"
    parent, node = "", schema
    for part in dotted.split(".")[:-1]:
        if not is_table(node.get(part)):
            break
        parent, node = f"{parent}{part}.", node[part]
    where = parent.rstrip(".") or "the top level"
    return f"; {where} has {', '.join(node)}"


def show(value: Any) -> str:
    """A short rendering of a user's value for messages."""
    if is_dist_table(value):
        return "a distribution table"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (datetime.date, datetime.time)):
        return f"{value.isoformat()} (a TOML date or time; text needs quotes)"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = inline(value)
    return text if len(text) <= 60 else text[:57] + "..."


def merge_layer(merged: dict[str, Any], layer: dict[str, Any], schema: dict[str, Any],
                origin: Origin, origins: dict[str, Origin]) -> list[str]:
    """Merge `layer` into `merged` where it fits `schema`; record origins; return the misfits."""
    return _merge(merged, layer, schema, "", schema, origin, origins)


def _merge(merged: dict[str, Any], layer: dict[str, Any], node: dict[str, Any], prefix: str,
           schema: dict[str, Any], origin: Origin, origins: dict[str, Origin]) -> list[str]:
    problems = []
    for key, value in layer.items():
        path = prefix + key
        if key not in node:
            shown = prefix + key_text(key)
            problems.append(f"{origin.label}: {shown}: unknown key{suggestion(path, schema)}")
        elif is_table(node[key]):
            if is_table(value):
                problems += _merge(merged.setdefault(key, {}), value, node[key], path + ".",
                                   schema, origin, origins)
            else:
                problems.append(f"{origin.label}: {path}: expected a table "
                                f"({', '.join(node[key])}), got {show(value)}")
        elif not _fits(value, node[key]):
            problems.append(f"{origin.label}: {path}: expected {_wanted(node[key])}, "
                            f"got {show(value)}")
        else:
            merged[key] = _normalized(path, value, node[key], origin.folder)
            origins[path] = origin
    return problems


def _fits(value: Any, base: Any) -> bool:
    if isinstance(base, bool) or isinstance(value, bool):
        return isinstance(base, bool) and isinstance(value, bool)
    if isinstance(base, int):
        return isinstance(value, int) and 0 <= value < _INT64_LIMIT
    if isinstance(base, float) or is_dist_table(base):
        return isinstance(value, (int, float, dict))
    if isinstance(base, list):
        return isinstance(value, list) and (not base or all(_fits(v, base[0]) for v in value))
    if isinstance(base, dict):
        return isinstance(value, dict)
    return type(value) is type(base)


def _wanted(base: Any) -> str:
    if isinstance(base, bool):
        return "true or false"
    if isinstance(base, int):
        return "a non-negative integer"
    if isinstance(base, float) or is_dist_table(base):
        return 'a number or a distribution table like {dist = "fixed", value = 5}'
    if isinstance(base, str):
        return "text in quotes"
    if isinstance(base, list):
        return "an array" + (f" of {_wanted(base[0])}" if base else "")
    if isinstance(base, dict):
        return "a table"
    return f"a TOML {type(base).__name__}"


def _normalized(path: str, value: Any, base: Any, folder: Path) -> Any:
    # Numbers where the baseline has floats are stored as floats, so 3 and 3.0 hash alike.
    if isinstance(base, float) or is_dist_table(base):
        if isinstance(value, dict):
            return {k: _float(v) for k, v in value.items()}
        return _float(value)
    if path in PATH_KEYS and value:
        return os.path.normpath(folder / Path(value).expanduser())
    return copy.deepcopy(value)


def _float(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return math.inf  # beyond any float: the checks then report a non-finite number
    return value


def leaves(node: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every value in `node` that is not a table of keys."""
    for key, value in node.items():
        if is_table(value):
            yield from leaves(value, f"{prefix}{key}.")
        else:
            yield prefix + key, value


def _paths(node: dict[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in node.items():
        yield prefix + key
        if is_table(value):
            yield from _paths(value, f"{prefix}{key}.")
