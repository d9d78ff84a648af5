"""`mobsim check --until-decided`: batches equal one run, and the command stops where it decides."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from cli_fixtures import write_scenario
from click.testing import CliRunner
from model_fixtures import deterministic

from mobsim.cli import main
from mobsim.results.sequential import plan_looks
from mobsim.runner import run
from mobsim.runner.sequential import check_with_summaries, replication_summaries, summary_job
from mobsim.scenario import load_scenario

FIXED = (*deterministic(), "escalation.follow_up_min=600.0")


@pytest.fixture(scope="module")
def fixed_scenario(tmp_path_factory) -> Path:
    return write_scenario(tmp_path_factory.mktemp("sequential"), *FIXED)


def test_batches_give_the_rows_of_one_run(tmp_path: Path) -> None:
    """Replications 0–2 then 3–5 are replications 0–5 of `run` with the same seed."""
    scenario = load_scenario(write_scenario(tmp_path))
    job = summary_job(scenario, seed=4)
    batches = pd.concat([replication_summaries(job, range(0, 3), 1),
                         replication_summaries(job, range(3, 6), 1)], ignore_index=True)
    whole = run(scenario, 6, 4, write=False).replications
    pd.testing.assert_frame_equal(batches, whole)


def _check(*args: str):
    return CliRunner().invoke(main, ["check", *args, "-j", "1", "--quiet"])


def test_until_decided_stops_at_the_first_look_that_shows_the_target(fixed_scenario: Path) -> None:
    plan = plan_looks(100, 0.95, 0.95)
    result = _check(str(fixed_scenario), "--until-decided", "--max-replications", "100", "--json")
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.output)
    assert verdict["verdict"] == "PASS" and verdict["replications"] == plan.first_pass
    assert verdict["sequential"]["looks"] == list(plan.looks)
    assert verdict["sequential"]["first_pass_look"] == plan.first_pass
    assert verdict["confidence"] == pytest.approx(plan.pass_confidence)


def test_until_decided_fails_at_the_first_look_when_nothing_is_in_time(fixed_scenario: Path) -> None:
    """Every replication late: a FAIL after the first look's two replications, not 59."""
    plan = plan_looks(100, 0.95, 0.95)
    result = _check(str(fixed_scenario), "--until-decided", "--max-replications", "100",
                    "--target-minutes", "1", "--json")
    assert result.exit_code == 1, result.output
    verdict = json.loads(result.output)
    assert (verdict["verdict"], verdict["replications"], verdict["within_target"]) == ("FAIL", 2, 0)
    assert verdict["sequential"]["look"] == 1 and plan.looks[0] == 2
    assert verdict["confidence"] == pytest.approx(plan.fail_confidence)
    text = _check(str(fixed_scenario), "--until-decided", "--max-replications", "100",
                  "--target-minutes", "1")
    assert f"sequential check: FAIL at look 1 of {len(plan.looks)} after 2 replications" in \
        text.output


def test_a_maximum_below_fifty_nine_decides_only_a_fail(fixed_scenario: Path) -> None:
    late = _check(str(fixed_scenario), "--until-decided", "--max-replications", "20",
                  "--target-minutes", "1")
    assert late.exit_code == 1 and "no look can show a PASS" in late.output
    in_time = _check(str(fixed_scenario), "--until-decided", "--max-replications", "20", "--json")
    assert in_time.exit_code == 3, in_time.output
    answer = json.loads(in_time.output)
    assert answer["replications"] == 20 and answer["within_target"] == 20
    assert answer["sequential"]["first_pass_look"] is None


def test_without_early_fails_a_check_runs_to_the_first_look_that_could_pass(
        fixed_scenario: Path) -> None:
    """What `plan --allocate` asks: its steps also choose where to add, from their rows."""
    late = load_scenario(fixed_scenario, ["target.minutes=1.0"])
    early = check_with_summaries(late, 1, 100, 1)
    later = check_with_summaries(late, 1, 100, 1, early_fail=False)
    assert (early[1].verdict, early[1].replications, len(early[2])) == ("FAIL", 2, 2)
    first_pass = plan_looks(100, 0.95, 0.95).first_pass
    assert (later[1].verdict, later[1].replications, len(later[2])) == ("FAIL", first_pass,
                                                                         first_pass)


def test_until_decided_refuses_n_and_too_small_a_maximum(fixed_scenario: Path) -> None:
    assert _check(str(fixed_scenario), "--until-decided", "-n", "10").exit_code == 2
    small = _check(str(fixed_scenario), "--until-decided", "--max-replications", "1")
    assert small.exit_code == 2 and "give at least 2 (a FAIL) or 59 (a PASS)" in small.stderr


def test_until_decided_bounds_the_able_to_act_minute_when_asked(fixed_scenario: Path) -> None:
    """Every post of the fixed scenario is staffed in time (the district check passes), but its
    tasks are not all staffed by the target: the act measure decides the exit code, a FAIL at
    the first look, where the district time, every replication in time, is not yet shown."""
    result = _check(str(fixed_scenario), "--until-decided", "--max-replications", "100",
                    "--measure", "act", "--json")
    assert result.exit_code == 1, result.output
    verdict = json.loads(result.output)
    assert verdict["measure"] == "act" and verdict["verdict"] == verdict["act"]["verdict"] == "FAIL"
    assert verdict["replications"] == verdict["act"]["replications"] == 2
    assert (verdict["district_verdict"], verdict["within_target"]) == ("UNDECIDED", 2)
    assert verdict["act"]["within_target"] == 0
