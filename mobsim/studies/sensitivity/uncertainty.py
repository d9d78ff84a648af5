"""`mobsim check --parameter-uncertainty`: each replication draws its placeholders from priors.

The model draws a probability once per replication from its distribution (a beta states
uncertainty: mobsim.scenario.params.Parameters.probability), and so the few timers it reads once
per replication (`ONCE_KEYS`). Each such placeholder with a prior or range in
`sensitivity.ranges` is replaced by that prior (beta) or range (uniform), so the verdict
covers what is not known as well as chance. The other placeholders are fixed for a whole run
by the model's design (they size the district or set every entity's distribution) and stay at
their values; the check names how many.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mobsim.scenario import Scenario
from mobsim.scenario.ranges import parameters, select

ONCE_KEYS = ("escalation.follow_up_min", "escalation.sweep_min", "escalation.trusted_eta_min")
"""Number keys the model draws once per replication (mobsim.model: `params.once`)."""


@dataclass(frozen=True)
class Uncertainty:
    """The typed changes that draw placeholders per replication, and the placeholders held."""

    changes: Mapping[str, Any]
    drawn: tuple[str, ...]
    held: tuple[str, ...]

    def describe(self) -> str:
        """One line for the check's output."""
        drawn = f"{len(self.drawn)} placeholder{'s' if len(self.drawn) != 1 else ''}"
        return (f"parameter uncertainty: {drawn} drawn from their priors or ranges once per "
                f"replication; {len(self.held)} others held at their values (the model fixes "
                "them for a run)")


def parameter_uncertainty(scenario: Scenario) -> Uncertainty:
    """The changes of `scenario` (for `Scenario.with_`) that turn its felt placeholders into
    per-replication draws."""
    changes, drawn, held = {}, [], []
    for parameter in select(parameters(scenario), [], scenario):
        if parameter.kind == "beta":
            prior = {"dist": "beta", "a": parameter.low, "b": parameter.high}
        elif parameter.kind == "number" and parameter.key in ONCE_KEYS:
            prior = {"dist": "uniform", "low": parameter.low, "high": parameter.high}
        else:
            held.append(parameter.key)
            continue
        changes[parameter.key] = prior
        drawn.append(parameter.key)
    return Uncertainty(changes, tuple(drawn), tuple(held))
