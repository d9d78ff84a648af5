"""One pool for a whole command: many runs on it give what separate runs give, it starts once
per district, and a job travels to the workers without its district."""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest
from cli_fixtures import write_scenario

from mobsim.district import load_district
from mobsim.results.rows import layout
from mobsim.runner import run
from mobsim.runner.local import ReplicationJob
from mobsim.runner.many import summaries
from mobsim.runner.pool import WorkerPool, pack, unpack
from mobsim.scenario import load_scenario
from mobsim.studies.calibration.targets import Target, Targets, loss

SEED, REPLICATIONS = 3, 3


@pytest.fixture(scope="module")
def scenario_path(tmp_path_factory) -> Path:
    return write_scenario(tmp_path_factory.mktemp("pool"), "alert.horizon_min=240")


def _alone(scenario, replications: int = REPLICATIONS) -> pd.DataFrame:
    """The replications table of the scenario's own run in this process."""
    return run(scenario, replications, SEED, write=False, jobs=1).replications


def test_runs_of_one_district_share_one_pool_and_give_their_own_rows(scenario_path: Path) -> None:
    night = load_scenario(scenario_path, ['alert.start="02:00"'])
    day = load_scenario(scenario_path, ['alert.start="14:00"'])
    with WorkerPool(2) as pool:
        found = [run(s, REPLICATIONS, SEED, write=False, jobs=2, executor=pool).replications
                 for s in (night, day, night)]
        assert pool.pools_started == 1
    for scenario, rows in zip((night, day, night), found):
        pd.testing.assert_frame_equal(rows, _alone(scenario))


def test_another_district_starts_a_pool_holding_it(scenario_path: Path) -> None:
    fewer = load_scenario(scenario_path, ["cadres.count=2"])
    every = load_scenario(scenario_path)
    assert load_district(fewer).digest != load_district(every).digest
    with WorkerPool(2) as pool:
        found = [run(s, REPLICATIONS, SEED, write=False, jobs=2, executor=pool).replications
                 for s in (every, fewer)]
        assert pool.pools_started == 2
    pd.testing.assert_frame_equal(found[1], _alone(fewer))


def test_a_job_travels_without_its_district(scenario_path: Path) -> None:
    scenario = load_scenario(None, ["alert.horizon_min=240"])  # Xindu: a district of megabytes
    district = load_district(scenario)
    job = ReplicationJob(scenario, district, layout(district), SEED, False, summary_only=True)
    payload, parts = pack(job)
    assert set(parts) == {district.digest, f"{district.digest}/layout"}
    whole = len(pickle.dumps(job))
    assert len(payload) < whole / 50, (len(payload), whole)
    held = {token: pickle.loads(pickle.dumps(part)) for token, part in parts.items()}
    travelled = unpack(payload, held)
    assert travelled.district is held[district.digest]
    assert travelled.layout is held[f"{district.digest}/layout"]
    assert travelled.scenario.digest == scenario.digest and travelled.seed == SEED


def test_many_scenarios_in_one_stream_give_each_its_own_run(scenario_path: Path) -> None:
    scenarios = [load_scenario(scenario_path, [f"cascade.district.processing_min={m}"])
                 for m in (0.0, 30.0, 60.0)]
    with WorkerPool(2) as pool:
        found = summaries(scenarios, REPLICATIONS, SEED, 2, pool)
        assert pool.pools_started == 1
    for scenario, rows in zip(scenarios, found):
        pd.testing.assert_frame_equal(rows, _alone(scenario))


def test_an_interrupted_stream_ends_the_workers_and_the_next_call_starts_anew(
        scenario_path: Path) -> None:
    scenario = load_scenario(scenario_path)

    def stop_at_first(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with WorkerPool(2) as pool:
        with pytest.raises(KeyboardInterrupt):
            run(scenario, 4, SEED, write=False, jobs=2, executor=pool, progress=stop_at_first)
        rows = run(scenario, REPLICATIONS, SEED, write=False, jobs=2, executor=pool).replications
        assert pool.pools_started == 2
    pd.testing.assert_frame_equal(rows, _alone(scenario))


def test_a_calibration_trial_on_the_pool_has_the_loss_of_one_process(scenario_path: Path) -> None:
    scenario = load_scenario(scenario_path)
    targets = Targets("t", (Target("share_members_acknowledged", 30.0, 0.5),
                            Target("last_microgrid_activated_min", 0.0, 90.0)),
                      {}, trials=1, replications=4, seed=SEED)
    district = load_district(scenario)
    alone = loss(scenario, district, targets)
    with WorkerPool(2) as pool:
        assert [loss(scenario, district, targets, pool, 2) for _ in range(2)] == [alone, alone]
        assert pool.pools_started == 1
