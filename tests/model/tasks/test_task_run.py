"""The tasks through the real engine and the replication tables: hand-computed staffing, summary."""

from __future__ import annotations

import numpy as np
from model_fixtures import deterministic, scenario, small_district

from mobsim.codes import TASKS
from mobsim.model import simulate
from mobsim.results.rows import layout
from mobsim.runner.local import ReplicationJob

CADRES_PER_UNIT = 4


def job(*overrides: str) -> ReplicationJob:
    """Four communities, each paired with one unit of CADRES_PER_UNIT cadres; no gaps open."""
    district = small_district(subdistricts=2, communities=2, grids=1, microgrids=3, units=4,
                              cadres=CADRES_PER_UNIT)
    loaded = scenario(*deterministic(), "tasks.priority=['checkpoints', 'testing']",
                      "tasks.checkpoints.per_1000_households.commercial_housing=10.0",
                      "tasks.checkpoints.staff=1", "tasks.testing.min_staff=1",
                      "tasks.testing.residents_per_site=100000.0", *overrides)
    return ReplicationJob(loaded, district, layout(district), seed=3, trace=False)


def test_each_checkpoint_and_site_acts_at_the_arrival_that_completes_it() -> None:
    run = job()
    result = simulate(run.district, run.scenario, run.seed, 0)
    units = result.task_units
    community_of_cadre = run.district.cadres["community_id"]
    for community in range(4):
        reports = np.sort(result.cadre_reported_min[community_of_cadre == community])
        mine = units[units["community"] == community]
        checkpoints = mine[mine["task"] == TASKS.index("checkpoints")]
        site = mine[mine["task"] == TASKS.index("testing")]
        # 150 households at 10 gates per 1,000: two checkpoints of one person, then one site.
        assert len(checkpoints) == 2 and len(site) == 1
        assert checkpoints["able_min"].tolist() == reports[:2].tolist()
        assert site["able_min"].tolist() == [reports[2]]
        assert site["idle_at_target"][0] == np.count_nonzero(
            reports <= run.settings.target.minutes) - 3


def test_the_summary_gives_the_latest_task_and_the_tasks_table_every_community_and_task() -> None:
    tables = job().run(0)
    tasks = tables["tasks"].to_pandas()
    summary = tables["replications"].to_pylist()[0]
    assert len(tasks) == 4 * len(TASKS)
    latest = tasks.loc[tasks["able_min"].idxmax()]
    assert summary["t_act_min"] == latest["able_min"]
    assert summary["act_limited_by"] == latest["task"]
    for column in ("share_informed_at_target", "share_tested_at_target",
                   "share_supplied_at_target", "checkpoints_kept_at_target"):
        assert 0.0 <= summary[column] <= 1.0
    curves = tables["task_curves"].to_pandas()
    assert set(curves["task"]) == set(TASKS)
    # Curves never fall, and at the target they give the summary's shares.
    for task, curve in curves.groupby("task", observed=True):
        assert (np.diff(curve["share_done"]) >= 0).all(), task
    target = int(job().settings.target.minutes)
    at_target = curves[curves["minute"] == target].set_index("task")["share_done"]
    assert at_target["testing"] == summary["share_tested_at_target"]
    assert at_target["verification"] == summary["share_households_reached_at_target"]


def test_a_task_nobody_can_staff_leaves_the_district_unable_to_act() -> None:
    """Checkpoints needing more people than every cadre and member: never able to act (the
    site, served first, opens)."""
    tables = job(f"tasks.checkpoints.staff={CADRES_PER_UNIT + 10}",
                 "tasks.priority=['testing', 'checkpoints']").run(0)
    summary = tables["replications"].to_pylist()[0]
    assert summary["t_act_min"] == float("inf")
    assert summary["act_limited_by"] == "checkpoints"
    assert summary["checkpoints_kept_at_target"] == 0.0


def test_community_staff_staff_the_tasks_when_no_cadre_is_on_duty() -> None:
    """No cadre on duty, three community staff per community (a reserve pool at home in the
    community): they alone can take the two checkpoints and the site, so every unit can act,
    each with its one person at the target."""
    run = job("cadres.at_once=0", "pools.community_staff.teams=1",
              "pools.community_staff.team_size=3", "pools.community_staff.report_min=7.0")
    result = simulate(run.district, run.scenario, run.seed, 0)
    units = result.task_units
    assert np.isnan(result.cadre_reported_min).all()
    assert np.isfinite(units["able_min"]).all()
    assert (units["staff_at_target"] == 1).all()
