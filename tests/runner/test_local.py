"""Tests of the replication job and the local executor."""

import pytest

from mobsim.district import load_district
from mobsim.results.rows import layout
from mobsim.runner.local import ReplicationJob, run_local
from mobsim.scenario.files import load_scenario
from mobsim.scenario.params import Settings


@pytest.fixture(scope="module")
def job() -> ReplicationJob:
    scenario = load_scenario(None, ["alert.horizon_min=240"])
    district = load_district(Settings(scenario).district_source)
    return ReplicationJob(scenario, district, layout(district), seed=4, trace=False)


def test_every_replication_comes_back_once_with_every_table(job: ReplicationJob) -> None:
    results = dict(run_local(job, [3, 0, 1], jobs=2))
    assert sorted(results) == [0, 1, 3]
    for rep, tables in results.items():
        assert set(tables) == set(job.schemas)
        assert set(tables["replications"].column("replication").to_pylist()) == {rep}


def test_a_pool_gives_what_one_process_gives(job: ReplicationJob) -> None:
    serial = dict(run_local(job, [0, 1], jobs=1))
    pooled = dict(run_local(job, [0, 1], jobs=2))
    for rep in (0, 1):
        for name in job.schemas:
            assert serial[rep][name].equals(pooled[rep][name]), (rep, name)


def test_a_summary_only_job_sends_back_the_summary_row_alone(job: ReplicationJob) -> None:
    from dataclasses import replace

    full = job.run(2)
    summary = replace(job, summary_only=True).run(2)
    assert list(summary) == ["replications"]
    assert summary["replications"].equals(full["replications"])
