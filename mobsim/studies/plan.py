"""`mobsim plan`: the least values of one or more levers for which the verdict is PASS.

The verdict is about the district time (every post staffed), or with `measure` "act" about the
minute every community can act on every wartime task (`mobsim check --measure act`).

A lever is one numeric scenario key (cadres.at_once, escalation.grid_worker_covers, a team's
callers, …), assumed to help the more there is of it. Every lever at its highest value is
checked first (if even that does not pass, nothing in the ranges does). Then the levers are
lowered one at a time, in the order given: each lever's range is searched (its lowest value,
then halving until its step) with the levers before it at the values found and those after it
still at their highest. Each probe is `mobsim check --until-decided` on the same seed, so every
probe draws the same random numbers (common random numbers) and stops as soon as its verdict is
decided. A probe left UNDECIDED counts as not passing: the answer is a combination shown to
pass, and, more of a lever never hurting, no lever of it can be lowered by its step alone and
still pass (a Pareto-least combination); the levers given first are the ones saved most.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from mobsim.errors import InputError
from mobsim.results.jsonable import dumps
from mobsim.results.bound import PASS
from mobsim.results.check import require_wartime
from mobsim.runner import Executor, within
from mobsim.runner.local import pool_for, run_local
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
    """One combination of lever values checked: its verdict and the replications it took."""

    values: dict[str, float]
    verdict: str
    replications: int
    within_target: int


@dataclass
class PlanResult:
    """Every probe in the order run, and the least combination shown to pass (None: none)."""

    levers: list[Lever]
    probes: list[Probe] = field(default_factory=list)
    answer: dict[str, float] | None = None
    elapsed_s: float = 0.0
    measure: str = "district"
    """What the verdict bounds (mobsim.results.check.MEASURES)."""

    @property
    def replications(self) -> int:
        """Replications run over all probes."""
        return sum(p.replications for p in self.probes)


def parse_lever(text: str, scenario: Scenario, step: float = 0.0) -> Lever:
    """"KEY=MIN..MAX", "KEY=MIN..MAX/STEP", or "KEY" with the range from the scenario's
    sensitivity.ranges.

    The step is the resolution of the answer: given after "/", else `step` (> 0), else 1 for a
    whole-number key and 1/64 of the range for a float one.
    """
    key, given, span = (part.strip() for part in text.partition("="))
    try:
        base = Settings(scenario).value(key)
    except KeyError as err:
        raise InputError(f"--lever {text}: {err.args[0]}") from None
    if isinstance(base, bool) or not isinstance(base, (int, float)):
        raise InputError(f"--lever {text}: {key} is not a number")
    integer = isinstance(base, int)
    span, slash, step_text = span.partition("/")
    if slash:
        step = _number(step_text, text, integer)
        if step <= 0:
            raise InputError(f"--lever {text}: the step after / must be above 0")
    if given:
        low_text, dots, high_text = span.partition("..")
        if not dots:
            raise InputError(f"--lever {text}: expected KEY=MIN..MAX, e.g. cadres.at_once=1000..3241")
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
        raise InputError(f"--lever {text}: step {step:g}: {key} takes whole numbers")
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


def parse_levers(texts: Sequence[str], scenario: Scenario, step: float = 0.0) -> list[Lever]:
    """Every --lever, each key once."""
    if not texts:
        raise InputError("--lever: give at least one")
    levers = [parse_lever(text, scenario, step) for text in texts]
    keys = [lever.key for lever in levers]
    twice = next((key for key in keys if keys.count(key) > 1), None)
    if twice is not None:
        raise InputError(f"--lever {twice}: given twice")
    return levers


def plan(scenario: Scenario, lever_texts: Sequence[str], seed: int, max_replications: int,
         jobs: int, executor: Executor = run_local, step: float = 0.0,
         progress: Callable[..., None] | None = None, measure: str = "district") -> PlanResult:
    """Search the levers' ranges for the least combination whose sequential check about
    `measure` is PASS; `progress(done, total, label)` counts each probe's replications, the
    probe named."""
    started = time.perf_counter()
    require_wartime(scenario, "plan")
    result = PlanResult(parse_levers(lever_texts, scenario, step), measure=measure)
    typed = {lever.key: (int if lever.integer else float) for lever in result.levers}

    def passes(values: dict[str, float], run_on: Executor) -> bool:
        probed = scenario.with_({key: typed[key](value) for key, value in values.items()})
        label = f"probe {len(result.probes) + 1}: {_values_text(values)}"
        verdict, outcome = check_until_decided(probed, seed, max_replications, jobs, run_on,
                                               within(progress, 0, max_replications, label),
                                               measure=measure)
        checked = verdict.act if measure == "act" else verdict.district
        result.probes.append(Probe(dict(values), outcome.verdict, outcome.replications,
                                   checked.within_target))
        return outcome.verdict == PASS

    current = {lever.key: lever.high for lever in result.levers}
    with pool_for(executor, jobs) as run_on:  # one pool for every probe
        probe = functools.partial(passes, run_on=run_on)
        if probe(current):
            for lever in result.levers:
                current[lever.key] = _least(lever, current, probe)
            result.answer = current
    result.elapsed_s = time.perf_counter() - started
    return result


def _least(lever: Lever, current: dict[str, float],
           passes: Callable[[dict[str, float]], bool]) -> float:
    """The least value of `lever` that passes with the other levers at `current`, which passes."""
    def at(value: float) -> dict[str, float]:
        return {**current, lever.key: value}

    if passes(at(lever.low)):
        return lever.low
    failing, passing = lever.low, current[lever.key]
    while passing - failing > lever.step * (1 + 1e-9):
        middle = lever.middle(failing, passing)
        if passes(at(middle)):
            passing = middle
        else:
            failing = middle
    return passing


def _values_text(values: dict[str, float]) -> str:
    return ", ".join(f"{key} = {value:g}" for key, value in values.items())


def probe_rows(result: PlanResult) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the probes table: each lever's value, verdict, replications."""
    keys = [lever.key for lever in result.levers]
    rows = [[*(f"{p.values[key]:g}" for key in keys), p.verdict, str(p.replications),
             f"{p.within_target}/{p.replications}"] for p in result.probes]
    return [*keys, "verdict", "replications", "in time"], rows


def answer_text(result: PlanResult) -> str:
    """The answer in plain words."""
    if result.answer is None:
        return ("no combination up to " + _values_text({lever.key: lever.high for lever
                                                       in result.levers})
                + " is shown to meet the target (with these replications)")
    return "least shown to meet the target: " + _values_text(result.answer)


def ranges_text(result: PlanResult) -> str:
    """The levers searched, in their order."""
    return ", ".join(f"{lever.key} in {lever.low:g}..{lever.high:g} (step {lever.step:g})"
                     for lever in result.levers)


def cost_text(result: PlanResult) -> str:
    """How many probes and replications the search took."""
    return (f"{len(result.probes)} probes, {result.replications} replications, "
            f"{result.elapsed_s:.0f} s (each probe: check --until-decided, same seed)")


def measure_text(result: PlanResult) -> str:
    """What the plan's verdicts are about, in plain words."""
    return ("every community able to act on every wartime task" if result.measure == "act"
            else "every post staffed (the district time)")


def format_plan(name: str, result: PlanResult) -> str:
    """The probes as a table and the answer in plain words."""
    return "\n".join([f"{name}: plan for {ranges_text(result)}; the target: "
                      f"{measure_text(result)}", "", *text_table(*probe_rows(result)),
                      "", answer_text(result), cost_text(result)])


def text_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """The lines of a plain-text table, each column as wide as its widest cell."""
    lines = [headers, *rows]
    widths = [max(len(row[i]) for row in lines) for i in range(len(headers))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in lines]


def plan_dict(name: str, result: PlanResult) -> dict:
    """The plan as plain JSON types."""
    return {"scenario": name, "measure": result.measure,
            "levers": [asdict(lever) for lever in result.levers],
            "answer": result.answer, "replications": result.replications,
            "elapsed_s": round(result.elapsed_s, 3), "probes": [asdict(p) for p in result.probes]}


def plan_json(name: str, result: PlanResult) -> str:
    """The plan as one JSON object."""
    return dumps(plan_dict(name, result))
