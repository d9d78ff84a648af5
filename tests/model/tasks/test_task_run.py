"""The tasks through the real engine and the replication tables: hand-computed staffing, summary."""

from __future__ import annotations

import numpy as np
from model_fixtures import deterministic, scenario, small_district

from mobsim.codes import TASKS
from mobsim.model import simulate
from mobsim.results.rows import layout
from mobsim.runner.local import ReplicationJob

CADRES = 6
SETUP_MIN = 7.0


def job(*overrides: str) -> ReplicationJob:
    """Two communities of one micro-grid of 50 households 0.3 km apart, one sub-district; one
    unit of CADRES cadres paired with community 0, none with community 1; no gaps open. Each
    community has two gates (compounds of 25 households) and one designated site, each needing
    one person; the site sets up in SETUP_MIN."""
    district = small_district(subdistricts=1, communities=2, grids=1, microgrids=1, units=1,
                              cadres=CADRES)
    loaded = scenario(*deterministic(), "tasks.priority=['checkpoints', 'testing']",
                      "tasks.checkpoints.households_per_compound.commercial_housing=25.0",
                      "tasks.checkpoints.staff=1", "tasks.testing.min_staff=1",
                      "tasks.testing.support_staff=0", "tasks.testing.residents_per_site=100000.0",
                      f"tasks.testing.designated_setup_min={SETUP_MIN}", *overrides)
    return ReplicationJob(loaded, district, layout(district), seed=3, trace=False)


def test_each_unit_is_staffed_at_the_round_after_the_report_that_completes_it_plus_the_ride() -> None:
    """Community 0's cadres fill its own units first (no ride: every unit and the office stand
    at its one micro-grid), then ride to community 1's, in the order gates, then the site."""
    run = job()
    result = simulate(run.district, run.scenario, run.seed, 0)
    units = result.task_units
    interval = run.settings.number("tasks.dispatch_interval_min")
    reports = np.sort(result.cadre_reported_min)
    assert np.isfinite(reports).all() and (reports % interval > 0).all()
    sent = (np.floor(reports / interval) + 1) * interval  # the next round after each report
    detour = run.settings.number("travel.detour_factor")
    ride = 0.3 * detour / run.settings.number("cadres.speed_kmh") * 60.0
    order = [(0, "checkpoints"), (0, "checkpoints"), (0, "testing"),
             (1, "checkpoints"), (1, "checkpoints"), (1, "testing")]
    for k, (community, task) in enumerate(order):
        mine = units[(units["community"] == community) & (units["task"] == TASKS.index(task))]
        assert np.isclose(sent[k] + ride * community, mine["staffed_min"]).any(), (k, mine)
    site = units[units["task"] == TASKS.index("testing")]
    assert np.allclose(site["able_min"], site["staffed_min"] + SETUP_MIN)
    gates = units[units["task"] == TASKS.index("checkpoints")]
    assert (gates["able_min"] == gates["staffed_min"]).all()


def test_the_summary_gives_the_latest_task_and_the_tasks_table_every_community_and_task() -> None:
    tables = job().run(0)
    tasks = tables["tasks"].to_pandas()
    summary = tables["replications"].to_pylist()[0]
    assert len(tasks) == 2 * len(TASKS)
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
    # Every site and gate has its row; the summary's share acting and people short add them up.
    units = tables["task_units"].to_pandas()
    assert len(units) == 6 and sorted(units["unit"]) == [0, 0, 0, 0, 1, 1]
    assert summary["share_units_acting_at_target"] == units["acting_at_target"].mean()
    counted = tasks["task"].isin(["verification", "testing", "checkpoints"])
    assert summary["people_short_at_target"] == tasks.loc[counted, "short_at_target"].sum()
    counted = tasks[tasks["task"].isin(["testing", "checkpoints"])]
    assert counted["units"].sum() == len(units)
    assert counted["units_acting_at_target"].sum() == units["acting_at_target"].sum()


def test_a_task_nobody_can_staff_leaves_the_district_unable_to_act() -> None:
    """Checkpoints needing more people than every cadre and member: never able to act (the
    site, served first, opens)."""
    tables = job(f"tasks.checkpoints.staff={CADRES + 10}",
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


def test_a_kind_left_out_of_the_tasks_staffs_none() -> None:
    """Cadres and grid workers left out (`tasks.staffed_by.<kind> = false`), and the members
    keep their posts: no unit acts, and each is short its one person at the target."""
    tables = job("tasks.staffed_by.cadre=false", "tasks.staffed_by.grid_worker=false").run(0)
    units = tables["task_units"].to_pandas()
    assert not np.isfinite(units["staffed_min"]).any()
    assert (units["short_at_target"] == 1).all()
    assert tables["replications"].to_pylist()[0]["share_units_acting_at_target"] == 0.0


def test_a_grid_worker_staffs_the_tasks_once_every_post_of_the_grid_is_held() -> None:
    """No cadre on duty: the grid workers, idle from their escalation (every post is held by
    its member by then), are the only ones free, one per community, for the community's first
    gate."""
    run = job("cadres.at_once=0")
    result = simulate(run.district, run.scenario, run.seed, 0)
    escalated = run.settings.number("escalation.after_min")
    units = result.task_units
    staffed = units[np.isfinite(units["staffed_min"])]
    assert len(staffed) == 2 and (staffed["task"] == TASKS.index("checkpoints")).all()
    assert (staffed["staffed_min"] > escalated).all()
