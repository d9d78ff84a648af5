"""Looking at the verdict after each batch of replications without raising its error rate.

`mobsim check --until-decided` runs replications in batches and stops at the first PASS or
FAIL. Looking again and again at a test made at level 1 − C would make some wrong verdict more
likely than 1 − C the more often one looks. The error is held by **alpha spending with an equal
Bonferroni split over a planned number of looks**, for each verdict on its own: the looks
n_1 < … < n_K are fixed before the first replication; the K_PASS looks that can show the target
decide a PASS at confidence 1 − (1 − C)/K_PASS, and every look decides a FAIL at
1 − (1 − C)/K_FAIL. By Bonferroni's inequality the chance that any look gives a wrong PASS is
at most K_PASS · (1 − C)/K_PASS = 1 − C, and likewise for a wrong FAIL. It is the conservative
form of Pocock's constant nominal level (S. J. Pocock, "Group sequential methods in the design
and analysis of clinical trials", Biometrika 64:191–199, 1977; C. Jennison and B. W. Turnbull,
"Group Sequential Methods with Applications to Clinical Trials", Chapman & Hall/CRC, 2000, on
Bonferroni bounds).

The looks that can show a PASS start at the fewest replications that can show the target at
their confidence (every one in time: 59 at 95/95 with one look) and double to the maximum, the
last look at the maximum. Before them, looks that can only show a FAIL start at the fewest
replications whose every one late shows it (two at 95/95: the one-sided Clopper–Pearson upper
bound on the share in time is then below the quantile) and double up to the first PASS look: an
order that is clearly late stops after a few replications. A maximum below the first PASS look
can only decide FAIL (or nothing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

from mobsim.errors import InputError
from mobsim.results.bound import FAIL, PASS, UNDECIDED, clopper_pearson_upper, decide


@dataclass(frozen=True)
class Look:
    """One planned look: after how many replications, and at what confidence each verdict is
    decided there (`pass_confidence` None: too few replications to show a PASS)."""

    replications: int
    pass_confidence: float | None
    fail_confidence: float


VerdictAt = Callable[[Look], str]
"""The verdict after the look's replications at its confidences: look → verdict."""


@dataclass(frozen=True)
class LookPlan:
    """The planned looks and the confidence each verdict is decided at."""

    looks: tuple[int, ...]
    first_pass: int | None
    """Replications of the first look that can show a PASS (None: the maximum cannot)."""
    planned_pass: int
    planned_fail: int
    confidence: float

    @property
    def pass_confidence(self) -> float | None:
        """Confidence of a PASS at a look: 1 − (1 − C)/K_PASS (None: no look can show one)."""
        return 1.0 - (1.0 - self.confidence) / self.planned_pass if self.planned_pass else None

    @property
    def fail_confidence(self) -> float:
        """Confidence of a FAIL at a look: 1 − (1 − C)/K_FAIL."""
        return 1.0 - (1.0 - self.confidence) / self.planned_fail

    def without_early_fails(self) -> LookPlan:
        """The plan with its FAIL-only looks left out (only the last kept when every look is
        one), their shares of the error unspent: a look not taken gives no wrong verdict, so
        both error rates still hold."""
        kept = tuple(n for n in self.looks if self.first_pass is not None and n >= self.first_pass)
        return replace(self, looks=kept or self.looks[-1:])

    def look(self, n: int) -> Look:
        """The planned look after `n` replications."""
        can_pass = self.first_pass is not None and n >= self.first_pass
        return Look(n, self.pass_confidence if can_pass else None, self.fail_confidence)


@dataclass(frozen=True)
class SequentialOutcome:
    """Where the looks stopped: the verdict, the replications used and the look that decided."""

    verdict: str
    replications: int
    look: int
    plan: LookPlan

    @property
    def confidence(self) -> float:
        """The confidence the deciding look decided at (a FAIL's, unless it showed a PASS)."""
        decided = self.plan.look(self.replications)
        return decided.pass_confidence if self.verdict == PASS else decided.fail_confidence

    def to_dict(self) -> dict:
        """Plain dict for JSON: the outcome and its plan."""
        plan = self.plan
        return {"verdict": self.verdict, "replications": self.replications, "look": self.look,
                "looks": list(plan.looks), "first_pass_look": plan.first_pass,
                "planned_pass_looks": plan.planned_pass, "planned_fail_looks": plan.planned_fail,
                "pass_confidence": plan.pass_confidence, "fail_confidence": plan.fail_confidence,
                "confidence": plan.confidence,
                "method": "Bonferroni split over looks, for each verdict"}


def fewest_to_show(quantile: float, confidence: float) -> int:
    """Fewest replications that can show the quantile, all in time: 1 − Q^n ≥ C."""
    return math.ceil(math.log(1.0 - confidence) / math.log(quantile) - 1e-12)


def fewest_to_fail(quantile: float, confidence: float) -> int:
    """Fewest replications that can show a FAIL, every one late: the Clopper–Pearson upper bound
    on the share in time of 0 in n, 1 − (1 − C)^(1/n), below Q."""
    n = max(int(math.log(1.0 - confidence) / math.log(1.0 - quantile)), 1)
    while clopper_pearson_upper(0, n, confidence) >= quantile:
        n += 1
    while n > 1 and clopper_pearson_upper(0, n - 1, confidence) < quantile:
        n -= 1
    return n


def _doubling(first: int, last: int) -> tuple[int, ...]:
    """first, 2·first, 4·first, … below `last`, then `last`."""
    looks = [first]
    while looks[-1] * 2 < last:
        looks.append(looks[-1] * 2)
    if looks[-1] < last:
        looks.append(last)
    return tuple(looks)


def _pass_looks(max_replications: int, quantile: float,
                confidence: float) -> tuple[tuple[int, ...], int]:
    """The looks that can show a PASS and their planned number K_PASS (none, 0, when even the
    maximum cannot show one)."""
    if max_replications < fewest_to_show(quantile, confidence):
        return (), 0
    alpha, planned = 1.0 - confidence, 1
    while True:
        first = fewest_to_show(quantile, 1.0 - alpha / planned)
        if first > max_replications:
            return (max_replications,), 1
        looks = _doubling(first, max_replications)
        if len(looks) <= planned:
            return looks, planned
        planned += 1


def plan_looks(max_replications: int, quantile: float, confidence: float) -> LookPlan:
    """The looks for at most `max_replications`: those that can show a PASS, with the fewest
    planned K_PASS that holds them, and before them those that can only show a FAIL, with the
    fewest planned K_FAIL that holds every look."""
    passing, planned_pass = _pass_looks(max_replications, quantile, confidence)
    if not passing and fewest_to_fail(quantile, confidence) > max_replications:
        raise InputError(
            f"--max-replications {max_replications}: too few to show either verdict on the "
            f"{quantile * 100:g}th percentile at {confidence * 100:g}% confidence; give at least "
            f"{fewest_to_fail(quantile, confidence)} (a FAIL) or "
            f"{fewest_to_show(quantile, confidence)} (a PASS)")
    alpha, early_planned = 1.0 - confidence, 0
    while True:
        planned_fail = max(planned_pass + early_planned, 1)
        first = fewest_to_fail(quantile, 1.0 - alpha / planned_fail)
        if passing:  # FAIL-only looks below the first that can show a PASS
            early = tuple(n for n in _doubling(first, passing[0]) if n < passing[0])
        elif first > max_replications:  # more looks would ask too many: one, at the maximum
            return LookPlan((max_replications,), None, 0, 1, confidence)
        else:
            early = _doubling(first, max_replications)
        if len(early) <= early_planned:
            return LookPlan(early + passing, passing[0] if passing else None, planned_pass,
                            planned_fail, confidence)
        early_planned += 1


def decide_look(within: int, look: Look, quantile: float) -> str:
    """The verdict at a look from `within` of its replications in time: PASS if shown at its
    PASS confidence, FAIL if shown at its FAIL confidence, else UNDECIDED."""
    n = look.replications
    if look.pass_confidence is not None and decide(within, n, quantile,
                                                   look.pass_confidence) == PASS:
        return PASS
    return FAIL if decide(within, n, quantile, look.fail_confidence) == FAIL else UNDECIDED


def decide_sequentially(plan: LookPlan, verdict_at: VerdictAt) -> SequentialOutcome:
    """Look at each planned point in turn; stop at the first PASS or FAIL."""
    verdict = UNDECIDED
    for index, n in enumerate(plan.looks, start=1):
        verdict = verdict_at(plan.look(n))
        if verdict != UNDECIDED:
            return SequentialOutcome(verdict, n, index, plan)
    return SequentialOutcome(verdict, plan.looks[-1], len(plan.looks), plan)


def describe(outcome: SequentialOutcome) -> str:
    """One line: where the looks stopped and the error rate they hold."""
    plan = outcome.plan
    if plan.first_pass is None:
        passing = (f"no look can show a PASS (too few replications at "
                   f"{plan.confidence * 100:g}% confidence)")
    else:
        passing = (f"from {plan.first_pass} replications on a PASS at "
                   f"{plan.pass_confidence * 100:.4g}%")
    return (f"sequential check: {outcome.verdict} at look {outcome.look} of {len(plan.looks)} "
            f"after {outcome.replications} replications (looks at "
            f"{', '.join(map(str, plan.looks))}); each look decides a FAIL at "
            f"{plan.fail_confidence * 100:.4g}% confidence and {passing}, so the verdict holds "
            f"at {plan.confidence * 100:g}% over all looks (Bonferroni split over "
            f"{plan.planned_fail} planned looks for a FAIL, {plan.planned_pass} for a PASS)")
