"""Writing nested data back as TOML, so that a resolved scenario can be run again as a file."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from typing import Any

import tomlkit

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def dumps(data: dict[str, Any], header: str = "",
          inline_table: Callable[[dict[str, Any]], bool] = lambda table: False) -> str:
    """TOML text for `data` (written by tomlkit): tables become [sections] unless
    `inline_table` says otherwise.

    `header` lines become comments at the top.
    """
    document = tomlkit.document()
    for line in header.splitlines():
        document.add(tomlkit.comment(line) if line.strip() else tomlkit.nl())
    for key, value in data.items():
        document.add(key, _item(value, inline_table, inside_inline=False))
    return tomlkit.dumps(document)


def _item(value: Any, inline_table: Callable[[dict[str, Any]], bool], inside_inline: bool) -> Any:
    """The tomlkit item of `value`: a dict as a [section] or an inline table, lists inline."""
    if isinstance(value, dict):
        inline_here = inside_inline or inline_table(value)
        table = tomlkit.inline_table() if inline_here else tomlkit.table()
        for key, item in value.items():
            table.append(key, _item(item, inline_table, inline_here))
        return table
    if isinstance(value, list):
        array = tomlkit.array()
        array.extend(_item(item, inline_table, True) for item in value)
        return array
    return tomlkit.item(value)


def inline(value: Any) -> str:
    """One TOML value on one line: tables as {k = v}, arrays as [a, b]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # JSON string escapes are all TOML basic-string escapes. Every other unprintable
        # character (DEL, NEL, line separators, direction marks) is escaped too, so that a
        # value or key stays on one line wherever it is shown.
        return "".join(c if c.isprintable() else _escape(c)
                       for c in json.dumps(value, ensure_ascii=False))
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(inline(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key_text(k)} = {inline(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def key_text(key: str) -> str:
    """A TOML key: bare when it can be, else quoted (so it also prints on one line)."""
    return key if _BARE_KEY.fullmatch(key) else inline(key)
