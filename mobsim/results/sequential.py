"""Looking at the verdict after each batch of replications without raising its error rate.

`mobsim check --until-decided` runs replications in batches and stops at the first PASS or
FAIL. Looking again and again at a test made at level 1 − C would make some wrong verdict more
likely than 1 − C the more often one looks. The error is held by **alpha spending with an equal
Bonferroni split over a planned number of looks**: the looks n_1 < … < n_K are fixed before the
first replication, and each look decides at confidence 1 − (1 − C)/K. By Bonferroni's
inequality the chance that any look gives a wrong PASS (or any look a wrong FAIL) is at most
K · (1 − C)/K = 1 − C. It is the conservative form of Pocock's constant nominal level
(S. J. Pocock, "Group sequential methods in the design and analysis of clinical trials",
Biometrika 64:191–199, 1977; C. Jennison and B. W. Turnbull, "Group Sequential Methods with
Applications to Clinical Trials", Chapman & Hall/CRC, 2000, on Bonferroni bounds).

The looks start at the fewest replications that can show the target at the per-look
confidence (every one in time) and double until the maximum, the last look at the maximum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from mobsim.errors import InputError
from mobsim.results.bound import UNDECIDED

VerdictAt = Callable[[int, float], str]
"""The verdict after the first n replications at a confidence: (n, confidence) → verdict."""


@dataclass(frozen=True)
class LookPlan:
    """The planned looks and the confidence each decides at."""

    looks: tuple[int, ...]
    planned_looks: int
    confidence: float

    @property
    def look_confidence(self) -> float:
        """Confidence of each look: 1 − (1 − C)/K, K the planned number of looks."""
        return 1.0 - (1.0 - self.confidence) / self.planned_looks


@dataclass(frozen=True)
class SequentialOutcome:
    """Where the looks stopped: the verdict, the replications used and the look that decided."""

    verdict: str
    replications: int
    look: int
    plan: LookPlan

    def to_dict(self) -> dict:
        """Plain dict for JSON: the outcome and its plan."""
        return {"verdict": self.verdict, "replications": self.replications, "look": self.look,
                "looks": list(self.plan.looks), "planned_looks": self.plan.planned_looks,
                "look_confidence": self.plan.look_confidence,
                "confidence": self.plan.confidence, "method": "Bonferroni split over looks"}


def fewest_to_show(quantile: float, confidence: float) -> int:
    """Fewest replications that can show the quantile, all in time: 1 − Q^n ≥ C."""
    return math.ceil(math.log(1.0 - confidence) / math.log(quantile) - 1e-12)


def _doubling(first: int, last: int) -> tuple[int, ...]:
    looks = [first]
    while looks[-1] * 2 < last:
        looks.append(looks[-1] * 2)
    if looks[-1] < last:
        looks.append(last)
    return tuple(looks)


def plan_looks(max_replications: int, quantile: float, confidence: float) -> LookPlan:
    """The looks for at most `max_replications`, with the fewest planned looks K that holds them."""
    least = fewest_to_show(quantile, confidence)
    if max_replications < least:
        raise InputError(f"--max-replications {max_replications}: too few to show the "
                         f"{quantile * 100:g}th percentile at {confidence * 100:g}% "
                         f"confidence; give at least {least}")
    alpha, planned = 1.0 - confidence, 1
    while True:
        first = fewest_to_show(quantile, 1.0 - alpha / planned)
        if first > max_replications:
            return LookPlan((max_replications,), 1, confidence)
        looks = _doubling(first, max_replications)
        if len(looks) <= planned:
            return LookPlan(looks, planned, confidence)
        planned += 1


def decide_sequentially(plan: LookPlan, verdict_at: VerdictAt) -> SequentialOutcome:
    """Look at each planned point in turn; stop at the first PASS or FAIL."""
    verdict = UNDECIDED
    for index, n in enumerate(plan.looks, start=1):
        verdict = verdict_at(n, plan.look_confidence)
        if verdict != UNDECIDED:
            return SequentialOutcome(verdict, n, index, plan)
    return SequentialOutcome(verdict, plan.looks[-1], len(plan.looks), plan)


def describe(outcome: SequentialOutcome) -> str:
    """One line: where the looks stopped and the error rate they hold."""
    plan = outcome.plan
    return (f"sequential check: {outcome.verdict} at look {outcome.look} of {len(plan.looks)} "
            f"after {outcome.replications} replications (looks at "
            f"{', '.join(map(str, plan.looks))}); each look at "
            f"{plan.look_confidence * 100:.4g}% confidence, so the verdict holds at "
            f"{plan.confidence * 100:g}% over all looks (Bonferroni split over "
            f"{plan.planned_looks} planned looks)")
