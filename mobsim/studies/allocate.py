"""`mobsim plan --allocate pools.<name>`: a greedy allocation of a pool's teams over the
sub-district offices, guided by where the last posts are.

The pool must wait at the sub-district offices (`home = "subdistrict"`); its lever is
`pools.<name>.teams_by_subdistrict`. The search starts from the scenario's allocation (its list,
or the even spread of `teams` written as a list) and checks it with `check --until-decided` on
the given seed, taking no look before the first that could show a PASS (the replications also
choose where to add). While the verdict is not PASS and the budget allows, it adds `batch` teams (`--add`) to
the sub-district that held the last post most often among the replications that missed the
target (among all of them when none did; ties go to the first in table order), and checks
again. Every check draws the same random numbers, and a team added to one sub-district leaves
everyone else's draws as they were (docs/model.md 7.14), so the steps differ only by the
teams added.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from mobsim.codes import POOLS
from mobsim.district import load_district
from mobsim.errors import InputError
from mobsim.district.tables import District
from mobsim.model.geometry import geometry
from mobsim.model.pools import Pool, check_team_counts, home_teams
from mobsim.results.jsonable import dumps
from mobsim.results.bound import PASS
from mobsim.results.check import require_wartime
from mobsim.runner import Executor, within
from mobsim.runner.local import pool_for, run_local
from mobsim.runner.sequential import check_with_summaries
from mobsim.scenario import Scenario
from mobsim.scenario.params import Settings
from mobsim.studies.plan import text_table


@dataclass(frozen=True)
class Step:
    """One allocation checked: teams added so far per sub-district, the verdict, and how often
    each sub-district held the last post of a replication that missed the target."""

    added: list[int]
    verdict: str
    replications: int
    within_target: int
    last_posts: list[int]


@dataclass
class Allocation:
    """Every step in the order run; the answer is the last step's allocation if it passes."""

    pool: str
    subdistricts: list[str]
    start: list[int]
    batch: int
    budget: int
    steps: list[Step] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def passed(self) -> bool:
        """True when the last allocation checked is PASS."""
        return bool(self.steps) and self.steps[-1].verdict == PASS

    @property
    def replications(self) -> int:
        """Replications run over all steps."""
        return sum(step.replications for step in self.steps)


def pool_of(key: str, scenario: Scenario) -> str:
    """The pool named by "pools.<name>", which must wait at the sub-district offices."""
    prefix, _, name = key.partition(".")
    if prefix != "pools" or name not in POOLS:
        raise InputError(f"--allocate {key}: expected pools.<name>, one of "
                         + ", ".join(f"pools.{pool}" for pool in POOLS))
    home = Settings(scenario).text(f"pools.{name}.home")
    if home != "subdistrict":
        raise InputError(f"--allocate {key}: needs pools.{name}.home = \"subdistrict\", got {home!r}")
    return name


def start_teams(settings: Settings, pool: str, district: District) -> list[int]:
    """The scenario's teams per sub-district office: its list, else the spread of `teams`
    by need (mobsim.model.pools)."""
    chosen = Pool.of(settings, pool)
    geo = geometry(district)
    if chosen.teams_by_subdistrict:
        check_team_counts(pool, "teams_by_subdistrict", chosen.teams_by_subdistrict,
                          len(district.subdistricts["subdistrict_id"]), "sub-districts")
    return home_teams(chosen, geo).tolist()


def last_post_counts(summaries: pd.DataFrame, subdistrict_ids: np.ndarray) -> list[int]:
    """How often each sub-district (in table order) held the last post of a replication that
    missed the target; of every replication when none missed."""
    late = summaries[~summaries["met_target"].astype(bool)]
    chosen = late if len(late) else summaries
    rows = np.searchsorted(subdistrict_ids, chosen["last_subdistrict_id"].to_numpy())
    return np.bincount(rows, minlength=len(subdistrict_ids)).tolist()


def allocate(scenario: Scenario, key: str, batch: int, budget: int, seed: int,
             max_replications: int, jobs: int, executor: Executor = run_local,
             progress: Callable[..., None] | None = None) -> Allocation:
    """Add `batch` teams at a time where the last posts are until PASS or `budget` teams added;
    `progress(done, total, label)` counts each step's replications, the step named."""
    started = time.perf_counter()
    require_wartime(scenario, "plan")
    if batch < 1 or budget < 0:
        raise InputError("--add must be at least 1 and --budget at least 0")
    pool = pool_of(key, scenario)
    district = load_district(scenario)
    subdistricts = district.subdistricts
    ids = np.asarray(subdistricts["subdistrict_id"])
    result = Allocation(key, [str(name) for name in subdistricts["name"]],
                        start_teams(Settings(scenario), pool, district), batch, budget)
    added = [0] * len(ids)
    with pool_for(executor, jobs) as run_on:  # one pool for every step
        while True:
            teams = [a + b for a, b in zip(result.start, added)]
            probed = scenario.with_({f"pools.{pool}.teams_by_subdistrict": teams})
            label = f"step {len(result.steps)}: {sum(added)} teams added"
            # The step's replications also say where the last posts are: a step takes no
            # look before the first that can show a PASS, so an early FAIL does not leave
            # the next sub-district to a handful of replications.
            verdict, outcome, summaries = check_with_summaries(
                probed, seed, max_replications, jobs, run_on,
                within(progress, 0, max_replications, label), early_fail=False)
            counts = last_post_counts(summaries, ids)
            result.steps.append(Step(list(added), outcome.verdict, outcome.replications,
                                     verdict.district.within_target, counts))
            left = budget - sum(added)
            if outcome.verdict == PASS or left <= 0:
                break
            added[int(np.argmax(counts))] += min(batch, left)
    result.elapsed_s = time.perf_counter() - started
    return result


def allocation_rows(result: Allocation) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the allocation table: per sub-district, teams at start and added."""
    added = result.steps[-1].added if result.steps else [0] * len(result.start)
    rows = [[name, str(start), str(more), str(start + more)]
            for name, start, more in zip(result.subdistricts, result.start, added)]
    return ["sub-district", "teams at start", "added", "teams"], rows


def step_rows(result: Allocation) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the steps: teams added, verdict, replications, most-last sub-district."""
    rows = [[str(i), str(sum(step.added)), step.verdict, str(step.replications),
             f"{step.within_target}/{step.replications}",
             result.subdistricts[int(np.argmax(step.last_posts))]]
            for i, step in enumerate(result.steps)]
    return ["step", "teams added", "verdict", "replications", "in time", "most last posts"], rows


def answer_text(result: Allocation) -> str:
    """The outcome in plain words."""
    added = sum(result.steps[-1].added) if result.steps else 0
    return (f"PASS with {added} teams added" if result.passed else
            f"not shown to meet the target with {added} of a budget of {result.budget} teams added")


def search_text(result: Allocation) -> str:
    """What was allocated, how."""
    return (f"greedy allocation of {result.pool} over the sub-district offices, {result.batch} "
            f"teams at a time, budget {result.budget}")


def cost_text(result: Allocation) -> str:
    """How many checks and replications the search took."""
    return (f"{len(result.steps)} checks, {result.replications} replications, "
            f"{result.elapsed_s:.0f} s (each: check --until-decided, same seed)")


def format_allocation(name: str, result: Allocation) -> str:
    """The steps and the allocation as tables, and the answer in plain words."""
    return "\n".join([f"{name}: {search_text(result)}", "", *text_table(*step_rows(result)), "",
                      *text_table(*allocation_rows(result)), "", answer_text(result),
                      cost_text(result)])


def allocation_dict(name: str, result: Allocation) -> dict:
    """The allocation as plain JSON types."""
    return {"scenario": name, "pool": result.pool, "batch": result.batch,
            "budget": result.budget, "subdistricts": result.subdistricts, "start": result.start,
            "passed": result.passed, "replications": result.replications,
            "elapsed_s": round(result.elapsed_s, 3),
            "steps": [asdict(step) for step in result.steps]}


def allocation_json(name: str, result: Allocation) -> str:
    """The allocation as one JSON object."""
    return dumps(allocation_dict(name, result))


def allocation_of(found: dict) -> Allocation:
    """The allocation `allocation_dict` wrote (KeyError or TypeError when it is not one)."""
    return Allocation(found["pool"], found["subdistricts"], found["start"], found["batch"],
                      found["budget"], [Step(**step) for step in found["steps"]],
                      found["elapsed_s"])
