"""`mobsim sources --rank`: the placeholders in a sensitivity folder's order, as a drill plan."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_fixtures import write_scenario
from click.testing import CliRunner

from mobsim.cli import main
from mobsim.scenario import load_scenario
from mobsim.scenario.ranges import parameters, select
from mobsim.studies.calibration.drill_plan import (
    Z95,
    drill_plan,
    measure_of,
    observations_needed,
    rests_on_summary,
)
from mobsim.studies.sensitivity.analysis import END_COLUMNS, SensitivityResult, Settings, analyse
from mobsim.studies.sensitivity.folder import write_folder

# design order; the ranking below puts them in another order
KEYS = ["escalation.handover_min", "members.availability.day", "cascade.gridworkers.processing_min",
        "members.presence.day.away", "channels.phone.retry_min"]
EFFECT_MIN = {"escalation.handover_min": 3.0, "members.availability.day": 20.0,
              "cascade.gridworkers.processing_min": 7.5, "members.presence.day.away": 11.0,
              "channels.phone.retry_min": 0.5}


def _folder(folder: Path) -> Path:
    """A sensitivity folder of the baseline whose indices rank KEYS by EFFECT_MIN."""
    scenario = load_scenario(None)
    chosen = select(parameters(scenario), KEYS, scenario)
    indices = {output: pd.DataFrame({"mu_star": [EFFECT_MIN[k] for k in KEYS],
                                     "mu_star_conf": 0.0, "mu": 0.0, "sigma": 0.0}, index=KEYS)
               for output in ("quantile_min", "share_on_post")}
    outputs = pd.DataFrame({"quantile_min": [180.0] * 6, "share_on_post": 1.0,
                            "within_target": 59, "replications": 59, "verdict": "FAIL"})
    result = SensitivityResult(Settings(size=1), chosen, np.zeros((6, len(KEYS))), outputs,
                               indices, pd.DataFrame(columns=END_COLUMNS), 1.0)
    write_folder(folder, scenario, result)
    return folder


def test_the_plan_names_the_placeholders_in_the_folders_order(tmp_path: Path) -> None:
    plan = drill_plan(_folder(tmp_path / "sensitivity"))
    # by effect: availability (sourced: left out), presence, processing, handover, retry
    assert [s.key for s in plan.steps] == ["members.presence.day.away",
                                           "cascade.gridworkers.processing_min",
                                           "escalation.handover_min", "channels.phone.retry_min"]
    assert [s.rank for s in plan.steps] == [2, 3, 4, 5]
    assert plan.sourced == [(1, "members.availability.day")]
    assert [s.effect_min for s in plan.steps] == [11.0, 7.5, 3.0, 0.5]


def test_observations_follow_the_stated_rules() -> None:
    scenario = load_scenario(None)
    ranged = {p.key: p for p in parameters(scenario)}
    # a share: p = 0.10 of a row, range 0.05 to 0.20, interval a quarter as wide
    share = observations_needed(measure_of("members.presence.day.away"),
                                ranged["members.presence.day.away"], scenario)
    assert share == math.ceil((2 * Z95) ** 2 * 0.10 * 0.90 / ((0.20 - 0.05) / 4) ** 2)
    # a lognormal time (mean 5, sd 3) with a factor range 0.5 to 2
    sigma = math.sqrt(math.log1p((3 / 5) ** 2))
    time = observations_needed(measure_of("cascade.gridworkers.processing_min"),
                               ranged["cascade.gridworkers.processing_min"], scenario)
    assert time == math.ceil((2 * Z95 * sigma / (math.log(4) / 4)) ** 2)
    # a rule of the command and a count need no sample from a drill
    assert measure_of("escalation.after_min").kind == "none"
    assert observations_needed(measure_of("cadres.at_once"), ranged["cadres.at_once"],
                               scenario) is None


def test_the_command_prints_the_plan_in_order_and_the_rule(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "sensitivity")
    done = CliRunner().invoke(main, ["sources", "--rank", str(folder), "--top", "3"])
    assert done.exit_code == 0, done.output
    at = [done.output.index(f". {key}  ") for key in ("members.presence.day.away",
                                                      "cascade.gridworkers.processing_min",
                                                      "escalation.handover_min")]
    assert at == sorted(at)
    assert ". channels.phone.retry_min" not in done.output
    assert "1 more ranked placeholders" in done.output
    assert "column state of the member rows" in done.output
    assert "observations needed" in done.output
    bad = CliRunner().invoke(main, ["sources", "--rank", str(tmp_path)])
    assert bad.exit_code == 2 and "neither a sensitivity folder" in bad.output


@pytest.fixture(scope="module")
def small_analysis(tmp_path_factory) -> tuple[Path, list[str]]:
    """A real, tiny sensitivity analysis of three placeholders on a small district."""
    folder = tmp_path_factory.mktemp("small")
    scenario = load_scenario(write_scenario(folder))
    keys = ["cascade.gridworkers.processing_min", "escalation.handover_min", "chase.after_min"]
    result = analyse(scenario, keys, Settings(size=2, replications=2, seed=5, jobs=1,
                                              ends_top=0))
    write_folder(folder / "sensitivity", scenario, result)
    return folder / "sensitivity", list(result.ranking().index)


def test_a_real_folder_is_named_in_its_own_order(small_analysis) -> None:
    folder, ranked = small_analysis
    done = CliRunner().invoke(main, ["sources", "--rank", str(folder)])
    assert done.exit_code == 0, done.output
    at = [done.output.index(f". {key}  ") for key in ranked]
    assert at == sorted(at)


def test_a_run_is_read_against_the_shipped_ranking_without_its_own_settings(tmp_path) -> None:
    found = rests_on_summary(load_scenario(None, ["cadres.at_once=3000"]))
    assert "cadres.at_once" not in found.top and len(found.top) == 3
    assert found.count < found.placeholders and not found.own
    assert rests_on_summary(load_scenario(None)).own


def test_the_count_leaves_out_what_the_scenario_sets_and_what_cannot_move_the_time() -> None:
    base = rests_on_summary(load_scenario(None)).count
    assert rests_on_summary(load_scenario(None, ["escalation.handover_min=10.0"])).count == base - 1
    # a door-to-door key, and the presence of another period than the order's, never counted
    assert rests_on_summary(load_scenario(None, ["action.revisit_gap_min=50.0"])).count == base
    night_row = "members.presence.night={home = 0.1, work = 0.0, asleep = 0.8, away = 0.1}"
    assert rests_on_summary(load_scenario(None, [night_row])).count == base


def test_the_run_summary_and_the_report_say_what_the_verdict_rests_on(tmp_path: Path) -> None:
    path = write_scenario(tmp_path)
    out = tmp_path / "run"
    done = CliRunner().invoke(main, ["run", str(path), "-n", "2", "-j", "1", "--quiet",
                                     "-o", str(out)])
    assert done.exit_code == 0, done.output
    found = rests_on_summary(load_scenario(path))
    assert (f"placeholders: the verdict rests on {found.count} (of the scenario's "
            f"{found.placeholders};") in done.output
    assert ", ".join(found.top) in done.output and f"mobsim sources --rank {out}" in done.output
    assert CliRunner().invoke(main, ["report", str(out)]).exit_code == 0
    page = (out / "report.html").read_text("utf-8")
    assert f"The verdict rests on {found.count} placeholders" in page
    assert all(f"<code>{key}</code>" in page for key in found.top)
    plan = CliRunner().invoke(main, ["sources", "--rank", str(out), "--top", "3"])
    at = [plan.output.index(f". {key}  ") for key in found.top]
    assert at == sorted(at)
