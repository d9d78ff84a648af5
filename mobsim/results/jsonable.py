"""The one JSON encoding of mobsim's answers (every `--json`: check, sweep, compare, plan,
sensitivity): a time that never happened, or an interval end that is unbounded, is the string
"inf" (or "-inf"); an undefined value (NaN) is null. JSON has no infinity, and null alone
would not tell "never" from "undefined" (docs/outputs.md, "JSON")."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np


def plain(value: Any) -> Any:
    """`value` as plain JSON types, never and unbounded as "inf"/"-inf", NaN as None."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
    return value


def dumps(data: Any) -> str:
    """`data` as one line of JSON in the encoding above (never NaN or Infinity, invalid JSON)."""
    return json.dumps(plain(data), allow_nan=False, ensure_ascii=False)
