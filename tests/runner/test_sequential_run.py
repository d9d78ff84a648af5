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
from mobsim.runner.sequential import replication_summaries, summary_job
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
    assert verdict["verdict"] == "PASS" and verdict["replications"] == plan.looks[0]
    assert verdict["sequential"]["looks"] == list(plan.looks)
    assert verdict["confidence"] == pytest.approx(plan.look_confidence)


def test_until_decided_fails_at_once_when_nothing_is_in_time(fixed_scenario: Path) -> None:
    result = _check(str(fixed_scenario), "--until-decided", "--max-replications", "100",
                    "--target-minutes", "1")
    assert result.exit_code == 1, result.output
    looks = len(plan_looks(100, 0.95, 0.95).looks)
    assert f"sequential check: FAIL at look 1 of {looks} after" in result.output


def test_until_decided_refuses_n_and_too_small_a_maximum(fixed_scenario: Path) -> None:
    assert _check(str(fixed_scenario), "--until-decided", "-n", "10").exit_code == 2
    small = _check(str(fixed_scenario), "--until-decided", "--max-replications", "20")
    assert small.exit_code == 2 and "give at least 59" in small.stderr


def test_until_decided_bounds_the_able_to_act_minute_when_asked(fixed_scenario: Path) -> None:
    """Every post of the fixed scenario is staffed in time (the district check passes), but its
    tasks are not all staffed by the target: the act measure decides the exit code."""
    result = _check(str(fixed_scenario), "--until-decided", "--max-replications", "100",
                    "--measure", "act", "--json")
    assert result.exit_code == 1, result.output
    verdict = json.loads(result.output)
    assert verdict["measure"] == "act" and verdict["district_verdict"] == "PASS"
    assert verdict["verdict"] == verdict["act"]["verdict"] == "FAIL"
    assert verdict["replications"] in plan_looks(100, 0.95, 0.95).looks
    assert verdict["act"]["replications"] == verdict["replications"]
