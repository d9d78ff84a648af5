"""Writing nested data back as TOML, so that a resolved scenario can be run again as a file."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def dumps(data: dict[str, Any], header: str = "",
          inline_table: Callable[[dict[str, Any]], bool] = lambda table: False) -> str:
    """TOML text for `data`: tables become [sections] unless `inline_table` says otherwise.

    `header` lines become comments at the top.
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    _write_table(data, (), lines, inline_table)
    return "\n".join(lines).lstrip("\n") + "\n"


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


def _write_table(table: dict[str, Any], path: tuple[str, ...], lines: list[str],
                 inline_table: Callable[[dict[str, Any]], bool]) -> None:
    sections = {k: v for k, v in table.items() if isinstance(v, dict) and not inline_table(v)}
    values = [f"{key_text(k)} = {inline(v)}" for k, v in table.items() if k not in sections]
    # A table holding only tables needs no header of its own; an empty one does, to exist.
    if path and (values or not sections):
        lines += ["", "[" + ".".join(key_text(k) for k in path) + "]"]
    lines += values
    for key, value in sections.items():
        _write_table(value, (*path, key), lines, inline_table)


def key_text(key: str) -> str:
    """A TOML key: bare when it can be, else quoted (so it also prints on one line)."""
    return key if _BARE_KEY.fullmatch(key) else inline(key)
