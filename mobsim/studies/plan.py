"""`mobsim plan`: the least value of a lever for which the verdict is PASS.

The lever is one numeric scenario key (cadres.count, escalation.grid_worker_covers, a team's
callers, …), assumed to help the more there is of it. Its highest value is checked first (if
even that does not pass, nothing in the range does), then its lowest, then the range is
halved until the step: each probe is `mobsim check --until-decided` on the same seed, so every
probe draws the same random numbers (common random numbers) and stops as soon as its verdict
is decided. A probe left UNDECIDED counts as not passing: the answer is a value shown to pass.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field

from mobsim.errors import InputError
from mobsim.results.bound import PASS
from mobsim.results.check import require_wartime
from mobsim.runner import Executor
from mobsim.runner.local import run_local
from mobsim.runner.sequential import check_until_decided
from mobsim.scenario import Scenario
from mobsim.scenario.params import Settings
from mobsim.scenario.ranges import parameters

FLOAT_STEPS = 64
"""A float lever's range is halved down to 1/64 of its width."""


@dataclass(frozen=True)
class Lever:
    """The key a plan moves and the range it searches."""

    key: str
    low: float
    high: float
    integer: bool
    step: float = 0.0

    def __post_init__(self) -> None:
        if self.step <= 0:  # the default: whole numbers, or 1/64 of a float range
            object.__setattr__(self, "step", 1.0 if self.integer
                               else (self.high - self.low) / FLOAT_STEPS)

    def middle(self, low: float, high: float) -> float:
        """A value between `low` and `high` on the grid low + k·step."""
        steps = math.floor((high - low) / self.step / 2 + 1e-9)
        value = low + max(steps, 1) * self.step
        return int(round(value)) if self.integer else value


@dataclass(frozen=True)
class Probe:
    """One value of the lever checked: its verdict and the replications it took."""

    value: float
    verdict: str
    replications: int
    within_target: int


@dataclass
class PlanResult:
    """Every probe in the order run, and the least value shown to pass (None: none in range)."""

    lever: Lever
    probes: list[Probe] = field(default_factory=list)
    answer: float | None = None
    elapsed_s: float = 0.0

    @property
    def replications(self) -> int:
        """Replications run over all probes."""
        return sum(p.replications for p in self.probes)


def parse_lever(text: str, scenario: Scenario, step: float = 0.0) -> Lever:
    """"KEY=MIN..MAX", or "KEY" with the range from the scenario's sensitivity.ranges.

    `step` (> 0) is the resolution of the answer; 0: 1 for a whole-number key, else 1/64 of
    the range.
    """
    key, given, span = (part.strip() for part in text.partition("="))
    try:
        base = Settings(scenario).value(key)
    except KeyError as err:
        raise InputError(f"--lever {text}: {err.args[0]}") from None
    if isinstance(base, bool) or not isinstance(base, (int, float)):
        raise InputError(f"--lever {text}: {key} is not a number")
    integer = isinstance(base, int)
    if given:
        low_text, dots, high_text = span.partition("..")
        if not dots:
            raise InputError(f"--lever {text}: expected KEY=MIN..MAX, e.g. cadres.count=0..6000")
        low, high = (_number(end, text, integer) for end in (low_text, high_text))
    else:
        ranged = {p.key: p for p in parameters(scenario)}.get(key)
        if ranged is None or ranged.kind not in ("number", "integer"):
            raise InputError(f"--lever {text}: give KEY=MIN..MAX ({key} has no range in "
                             "sensitivity.ranges)")
        low, high = ranged.low, ranged.high
    if not low < high:
        raise InputError(f"--lever {text}: MIN must be below MAX")
    if integer and step != int(step):
        raise InputError(f"--step {step:g}: {key} takes whole numbers")
    return Lever(key, low, high, integer, step)


def _number(text: str, lever: str, integer: bool) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise InputError(f"--lever {lever}: {text!r} is not a number") from None
    if not math.isfinite(value) or (integer and value != int(value)):
        raise InputError(f"--lever {lever}: {text!r}: expected a "
                         f"{'whole' if integer else 'finite'} number")
    return int(value) if integer else value


def plan(scenario: Scenario, lever_text: str, seed: int, max_replications: int, jobs: int,
         executor: Executor = run_local, step: float = 0.0) -> PlanResult:
    """Search the lever's range for the least value whose sequential check is PASS."""
    started = time.perf_counter()
    require_wartime(scenario, "plan")
    result = PlanResult(parse_lever(lever_text, scenario, step))
    lever = result.lever

    def passes(value: float) -> bool:
        probed = scenario.with_({lever.key: int(value) if lever.integer else float(value)})
        verdict, outcome = check_until_decided(probed, seed, max_replications, jobs, executor)
        result.probes.append(Probe(value, outcome.verdict, outcome.replications,
                                   verdict.district.within_target))
        return outcome.verdict == PASS

    if passes(lever.high):
        failing, passing = lever.low, lever.high
        if passes(lever.low):
            passing = lever.low
        while passing - failing > lever.step * (1 + 1e-9):
            middle = lever.middle(failing, passing)
            if passes(middle):
                passing = middle
            else:
                failing = middle
        result.answer = passing
    result.elapsed_s = time.perf_counter() - started
    return result


def format_plan(name: str, result: PlanResult) -> str:
    """The probes as a table and the answer in plain words."""
    lever = result.lever
    rows = [("value", "verdict", "replications", "in time")] + [
        (f"{p.value:g}", p.verdict, str(p.replications), f"{p.within_target}/{p.replications}")
        for p in result.probes]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    table = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    if result.answer is None:
        answer = (f"no value of {lever.key} up to {lever.high:g} is shown to meet the target "
                  "(with these replications)")
    else:
        answer = f"least {lever.key} shown to meet the target: {result.answer:g}"
    return "\n".join([f"{name}: plan for {lever.key} in {lever.low:g}..{lever.high:g}", "",
                      *table, "", answer,
                      f"{len(result.probes)} probes, {result.replications} replications, "
                      f"{result.elapsed_s:.0f} s (each probe: check --until-decided, same seed)"])


def plan_json(name: str, result: PlanResult) -> str:
    """The plan as one JSON object."""
    return json.dumps({"scenario": name, "lever": asdict(result.lever), "answer": result.answer,
                       "replications": result.replications, "elapsed_s": round(result.elapsed_s, 3),
                       "probes": [asdict(p) for p in result.probes]})
