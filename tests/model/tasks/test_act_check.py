"""`mobsim check --measure act` and the able-to-act lines of `mobsim run`."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_fixtures import write_scenario
from click.testing import CliRunner

from mobsim.cli import main
from mobsim.errors import InputError
from mobsim.results.bound import FAIL, PASS
from mobsim.results.check import check_run
from mobsim.scenario.params import Target

TARGET = Target(minutes=180.0, quantile=0.95, confidence=0.95, households_share=0.0)
N = 59  # the fewest replications that can show a 95th percentile at 95% (1 − 0.95^59 ≥ 0.95)


def replications(t_act_min: np.ndarray, limited_by: list[str]) -> pd.DataFrame:
    n = len(t_act_min)
    return pd.DataFrame({"t_full_min": np.full(n, 100.0), "t_act_min": t_act_min,
                         "act_limited_by": limited_by})


def test_all_59_able_in_time_passes_and_the_district_measure_is_unchanged() -> None:
    reps = replications(np.full(N, 170.0), ["testing"] * N)
    verdict = check_run(reps, TARGET, measure="act")
    assert verdict.verdict == PASS and verdict.act.within_target == N
    assert dict(verdict.act_limited_by) == {"testing": N}
    late = replications(np.full(N, np.inf), ["checkpoints"] * N)
    assert check_run(late, TARGET, measure="act").verdict == FAIL
    # The district time alone decides the default measure.
    assert check_run(late, TARGET).verdict == PASS


def test_one_late_replication_of_59_is_not_enough_to_pass() -> None:
    t_act = np.full(N, 170.0)
    t_act[0] = 200.0
    verdict = check_run(replications(t_act, ["supply"] * N), TARGET, measure="act")
    # 58 of 59 within: P(Bin(59, 0.95) ≤ 57) < 0.95, so no order statistic shows the bound.
    assert verdict.verdict != PASS and verdict.act.within_target == N - 1


def test_a_run_made_before_the_tasks_cannot_be_checked_for_acting() -> None:
    with pytest.raises(InputError, match="t_act_min"):
        check_run(pd.DataFrame({"t_full_min": [100.0]}), TARGET, measure="act")


def test_cli_check_measure_act_and_run_print_both(tmp_path) -> None:
    scenario = write_scenario(tmp_path, subdistricts=1, communities=2, grids=1, microgrids=2,
                              units=2, cadres=4)
    result = CliRunner().invoke(main, ["check", str(scenario), "-n", "2", "--seed", "1", "-j",
                                       "1", "--quiet", "--measure", "act", "--json"])
    assert result.exit_code in (0, 1, 3), result.output
    out = json.loads(result.output)
    assert out["measure"] == "act" and out["verdict"] == out["act"]["verdict"]
    assert sum(out["act"]["limited_by"].values()) == 2
    run = CliRunner().invoke(main, ["run", str(scenario), "-n", "2", "--seed", "1", "-j", "1",
                                    "--quiet", "-o", str(tmp_path / "run")])
    assert run.exit_code == 0, run.output
    assert "able to act" in run.output and "target 180 min" in run.output
    assert (tmp_path / "run" / "tasks.parquet").is_file()
