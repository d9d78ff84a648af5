"""Scenario values that are valid but run otherwise than written: said at load as a warning
(mobsim.errors.ScenarioWarning, one line on the command line), never refused."""

from __future__ import annotations

from typing import Any

from mobsim.scenario.schema import Origin, lookup


def scenario_notes(data: dict[str, Any], origins: dict[str, Origin],
                   since_rank: int = 0) -> list[str]:
    """Values that run otherwise than written, one line each (warnings, not problems), among
    those set at `since_rank` or later (a scenario changed in code: only what it changed)."""
    at_once, count = lookup(data, "cadres.at_once"), lookup(data, "cadres.count")
    keys = ("cadres.at_once", "cadres.count")
    if at_once <= count or not all(key in origins for key in keys):
        return []
    # Stated with or after the count, the number is the writer's mistake; a count lowered
    # under an at_once it inherited simply has every cadre on duty (the key's comment).
    rank = origins["cadres.at_once"].rank
    if rank < origins["cadres.count"].rank or rank < since_rank:
        return []
    return [f"{origins['cadres.at_once'].label}: cadres.at_once: {at_once} is more than "
            f"cadres.count ({count}); all {count} cadres are on duty at once"]
