"""`mobsim plan` on a small deterministic scenario, against a brute-force sweep of the lever.

Twelve micro-grids of one grid worker, every duration fixed: the more phone lines the grid
worker has, the sooner the last member is called. The sweep checks every value with a fixed
number of replications; the plan must find the same least value with fewer replications.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_fixtures import write_scenario
from click.testing import CliRunner
from model_fixtures import deterministic

from mobsim.cli import main
from mobsim.errors import InputError
from mobsim.results.bound import PASS
from mobsim.results.check import check_run
from mobsim.results.sequential import fewest_to_show
from mobsim.runner import run
from mobsim.scenario import load_scenario
from mobsim.scenario.params import Settings
from mobsim.studies.plan import parse_lever, plan

LEVER = "cascade.gridworkers.callers"
LOW, HIGH = 1, 12
# a cheap target: the median at 90% confidence needs 4 replications, all in time
TARGET = ("target.quantile=0.5", "target.confidence=0.9")
MAX_REPLICATIONS = 12
SWEEP_REPLICATIONS = 4


@pytest.fixture(scope="module")
def lines_scenario(tmp_path_factory) -> tuple[Path, list[str]]:
    """The scenario and a target between the times of 2 and of 12 phone lines."""
    path = write_scenario(tmp_path_factory.mktemp("plan"), *deterministic(), *TARGET,
                          "escalation.follow_up_min=600.0",
                          subdistricts=1, communities=1, grids=1, microgrids=12)
    times = [run(load_scenario(path, [f"{LEVER}={v}"]), 1, 1, write=False)
             .replications["t_full_min"].iloc[0] for v in (2, HIGH)]
    assert times[1] < times[0], "more lines must help in this scenario"
    return path, [f"target.minutes={(times[0] + times[1]) / 2}"]


def _brute_force(path: Path, overrides: list[str]) -> tuple[int | None, int]:
    """The least value passing with SWEEP_REPLICATIONS each, and the replications spent."""
    spent = 0
    for value in range(LOW, HIGH + 1):
        scenario = load_scenario(path, [*overrides, f"{LEVER}={value}"])
        spent += SWEEP_REPLICATIONS
        reps = run(scenario, SWEEP_REPLICATIONS, 1, write=False).replications
        if check_run(reps, Settings(scenario).target).verdict == PASS:
            return value, spent
    return None, spent


def test_plan_finds_the_sweep_s_answer_with_fewer_replications(lines_scenario) -> None:
    path, target = lines_scenario
    assert fewest_to_show(0.5, 0.9) == SWEEP_REPLICATIONS
    answer, _ = _brute_force(path, target)
    full_sweep = SWEEP_REPLICATIONS * (HIGH - LOW + 1)
    result = plan(load_scenario(path, target), [f"{LEVER}={LOW}..{HIGH}"], 1, MAX_REPLICATIONS,
                  1)
    assert answer is not None and result.answer == {LEVER: answer}
    assert result.replications < full_sweep
    passing = [p.values[LEVER] for p in result.probes if p.verdict == PASS]
    assert min(passing) == answer and all(p.values[LEVER] < answer for p in result.probes
                                          if p.verdict != PASS)


def test_every_probe_runs_on_one_pool_with_the_answer_of_one_process(lines_scenario) -> None:
    from mobsim.runner.pool import WorkerPool

    path, target = lines_scenario
    alone = plan(load_scenario(path, target), [f"{LEVER}={LOW}..{HIGH}"], 1, MAX_REPLICATIONS, 1)
    with WorkerPool(2) as pool:
        pooled = plan(load_scenario(path, target), [f"{LEVER}={LOW}..{HIGH}"], 1,
                      MAX_REPLICATIONS, 2, pool)
        assert pool.pools_started == 1 and len(pooled.probes) > 2
    assert pooled.answer == alone.answer and pooled.probes == alone.probes


def test_no_value_in_range_passing_says_so(lines_scenario) -> None:
    path, _ = lines_scenario
    result = plan(load_scenario(path, ["target.minutes=1.0"]), [f"{LEVER}={LOW}..{HIGH}"], 1,
                  MAX_REPLICATIONS, 1)
    assert result.answer is None and [p.values for p in result.probes] == [{LEVER: HIGH}]


def test_lever_range_comes_from_the_sensitivity_ranges() -> None:
    scenario = load_scenario()
    lever = parse_lever("escalation.after_min", scenario)
    ranged = next(e for e in scenario.get("sensitivity.ranges") if e["key"] == lever.key)
    assert (lever.low, lever.high, lever.integer) == (ranged["low"], ranged["high"], False)
    counted = parse_lever("cadres.count=0..6000", scenario)
    assert counted.integer and counted.step == 1.0


@pytest.mark.parametrize("text,fragment", [
    ("cadres.count=6000..0", "MIN must be below MAX"), ("cadres.count=1.5..3", "whole"),
    ("alert.weekday=1..2", "not a number"), ("cadres.count", "has no range"),
    ("cadres.count=0-5", "KEY=MIN..MAX"), ("no.such=1..2", "no such scenario key"),
    ("cadres.count=0..10/2.5", "whole"), ("cadres.count=0..10/0", "above 0"),
])
def test_a_bad_lever_is_one_input_error(text: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        parse_lever(text, load_scenario())


def test_cli_plan_prints_json_and_exits_by_the_answer(lines_scenario) -> None:
    path, target = lines_scenario
    args = ["plan", str(path), "--lever", f"{LEVER}={LOW}..{HIGH}", "-j", "1",
            "--max-replications", str(MAX_REPLICATIONS), "--set", target[0]]
    found = CliRunner().invoke(main, [*args, "--json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)["answer"] is not None
    none = CliRunner().invoke(main, [*args, "--set", "target.minutes=1.0"])
    assert none.exit_code == 1 and "no combination up to" in none.output


def test_a_step_keeps_every_probe_on_its_grid(lines_scenario) -> None:
    path, target = lines_scenario
    result = plan(load_scenario(path, target), [f"{LEVER}={LOW}..{HIGH}"], 1, MAX_REPLICATIONS, 1,
                  step=3)
    assert all((p.values[LEVER] - LOW) % 3 == 0 or p.values[LEVER] == HIGH
               for p in result.probes)
    answer, _ = _brute_force(path, target)
    # the answer on the grid is the least grid value at or above the exact answer
    grid = [v for v in range(LOW, HIGH + 1, 3)] + [HIGH]
    assert result.answer == {LEVER: min(v for v in grid if v >= answer)}
    stepped = plan(load_scenario(path, target), [f"{LEVER}={LOW}..{HIGH}/3"], 1,
                   MAX_REPLICATIONS, 1)
    assert stepped.probes == result.probes


INERT = "escalation.grid_worker_covers"  # no escalation within the horizon (follow-up at 600)


def test_two_levers_lower_the_first_to_the_sweep_s_answer_and_the_inert_one_to_its_low(
        lines_scenario) -> None:
    path, target = lines_scenario
    answer, _ = _brute_force(path, target)
    result = plan(load_scenario(path, target), [f"{LEVER}={LOW}..{HIGH}", f"{INERT}=0..3"], 1,
                  MAX_REPLICATIONS, 1)
    assert result.probes[0].values == {LEVER: HIGH, INERT: 3}
    assert result.answer == {LEVER: answer, INERT: 0}
    # the first lever is searched with the second at its highest; then the second, alone
    assert all(p.values[INERT] == 3 for p in result.probes if p.values[LEVER] != answer)
    full_grid = SWEEP_REPLICATIONS * (HIGH - LOW + 1) * 4
    assert result.replications < full_grid


def test_a_lever_given_twice_is_one_input_error() -> None:
    with pytest.raises(InputError, match="given twice"):
        plan(load_scenario(), ["cadres.count=0..10", "cadres.count=0..5"], 1, 10, 1)


def test_cli_plan_folder_and_its_report_page(lines_scenario, tmp_path: Path) -> None:
    from report_fixtures import parse_page

    path, target = lines_scenario
    out = tmp_path / "plan"
    args = ["plan", str(path), "--lever", f"{LEVER}={LOW}..{HIGH}", "--lever", f"{INERT}=0..3",
            "-j", "1", "--max-replications", str(MAX_REPLICATIONS), "--set", target[0],
            "-o", str(out)]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    found = json.loads((out / "plan.json").read_text())
    assert CliRunner().invoke(main, ["report", str(out)]).exit_code == 0
    page = parse_page((out / "report.html").read_text("utf-8"))
    assert float(page.values[f"answer-{LEVER}"]) == found["answer"][LEVER]
    assert float(page.values[f"answer-{INERT}"]) == found["answer"][INERT] == 0
    shown = [key for key in page.values if key.startswith("probe-") and key.endswith("-0")]
    assert len(shown) == len(found["probes"])
    assert [page.values[f"probe-{k}-2"] for k in range(1, len(shown) + 1)] == [
        p["verdict"] for p in found["probes"]]


STAFF_LEVER = "pools.community_staff.team_size"


def test_plan_measure_act_finds_the_least_staff_that_lets_every_community_act(tmp_path) -> None:
    """Two communities, no cadre on duty, grid workers out of the tasks: each community's
    office staff alone staff its one gate (one person) and its designated site (two, set up at
    once), so three staff a community are the least that act, found without a sweep."""
    path = write_scenario(tmp_path, *deterministic(), *TARGET, "cadres.at_once=0",
                          "pools.community_staff.teams=1", "pools.community_staff.report_min=7.0",
                          "tasks.staffed_by.grid_worker=false", "tasks.checkpoints.staff=1",
                          "tasks.checkpoints.households_per_compound.commercial_housing=1000.0",
                          "tasks.testing.min_staff=2", "tasks.testing.support_staff=0",
                          "tasks.testing.designated_setup_min=0.0", "target.minutes=60.0",
                          subdistricts=1, communities=2, grids=1, microgrids=2)
    result = plan(load_scenario(path), [f"{STAFF_LEVER}=1..6"], 1, MAX_REPLICATIONS, 1,
                  measure="act")
    assert result.measure == "act" and result.answer == {STAFF_LEVER: 3}
    assert all(p.verdict != PASS for p in result.probes if p.values[STAFF_LEVER] < 3)
    # the district time (every post staffed by its member) passes with any staff at all
    assert plan(load_scenario(path), [f"{STAFF_LEVER}=1..6"], 1, MAX_REPLICATIONS,
                1).answer == {STAFF_LEVER: 1}
    shown = CliRunner().invoke(main, ["plan", str(path), "--measure", "act", "--lever",
                                      f"{STAFF_LEVER}=1..6", "-j", "1", "--max-replications",
                                      str(MAX_REPLICATIONS), "--json"])
    assert shown.exit_code == 0, shown.output
    found = json.loads(shown.output)
    assert found["measure"] == "act" and found["answer"] == {STAFF_LEVER: 3}
