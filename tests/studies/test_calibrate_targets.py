"""Aggregate targets: Optuna recovers the parameters that produced synthetic summary figures."""

from __future__ import annotations

import numpy as np
import pytest
from cli_fixtures import write_scenario
from click.testing import CliRunner

from mobsim.cli import main
from mobsim.district import load_district
from mobsim.model import simulate
from mobsim.scenario import load_scenario
from mobsim.studies.calibration.targets import MEASURES

SHAPE = {"subdistricts": 2, "communities": 2, "grids": 3, "microgrids": 5, "members": 2}
"""120 members: a run takes a tenth of a second, so a search of 30 trials x 4 runs takes seconds."""

TRUTH = {"members.availability.day": 0.6, "cascade.gridworkers.processing_min": 12.0}
RANGES = {"members.availability.day": (0.3, 0.95), "cascade.gridworkers.processing_min": (1.0, 30.0)}
FIGURES = (("share_members_arrived", 120.0), ("share_members_acknowledged", 30.0),
           ("share_members_acknowledged", 45.0), ("share_members_acknowledged", 60.0))


def _targets_file(folder, scenario_path) -> tuple:
    """Targets made by TRUTH: means over 16 replications of a seed the search does not use."""
    scenario = load_scenario(scenario_path, [f"{k}={v!r}" for k, v in TRUTH.items()])
    district = load_district(scenario)
    results = [simulate(district, scenario, 99, r) for r in range(16)]
    lines = ["trials = 30", "replications = 4", "seed = 1", "", "[parameters]"]
    lines += [f'"{key}" = [{low}, {high}]' for key, (low, high) in RANGES.items()]
    for measure, minutes in FIGURES:
        value = float(np.mean([MEASURES[measure][1](r, minutes, 720.0) for r in results]))
        lines += ["", "[[targets]]", f'measure = "{measure}"', f"minutes = {minutes}",
                  f"value = {value!r}"]
    path = folder / "targets.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_optuna_recovers_the_parameters_behind_the_targets(tmp_path) -> None:
    scenario_path = write_scenario(tmp_path, **SHAPE)
    targets = _targets_file(tmp_path, scenario_path)
    out = tmp_path / "fitted.toml"
    result = CliRunner().invoke(main, ["calibrate", "--targets", str(targets), "--scenario",
                                       str(scenario_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "30 trials x 4 replications (common random numbers) = 120 runs" in result.stdout
    fitted = load_scenario(out)
    for key, truth in TRUTH.items():
        low, high = RANGES[key]
        # Tolerance: a tenth of the searched range (the targets carry Monte Carlo noise of 16
        # replications, the search sees 4 of another seed).
        assert abs(fitted.get(key) - truth) <= (high - low) / 10, (key, fitted.get(key))
    assert fitted.get("members.availability.night") == load_scenario(scenario_path).get(
        "members.availability.night")


@pytest.mark.parametrize("text, fragment", [
    ('[parameters]\n"members.availability.day" = [0.3, 0.9]\n[[targets]]\nmeasure = "speed"\n'
     "value = 1\n", "targets[0].measure: expected one of"),
    ('[parameters]\n"members.availability.day" = [0.9, 0.3]\n[[targets]]\n'
     'measure = "share_members_arrived"\nminutes = 60\nvalue = 0.5\n', "low (0.9) must be below"),
    ('[parameters]\n"members.availability.day" = [0.3, 0.9]\n', "expected at least one [[targets]]"),
    ('[parameters]\n"members.nothing" = [0.3, 0.9]\n[[targets]]\n'
     'measure = "share_members_arrived"\nminutes = 60\nvalue = 0.5\n', "members.nothing"),
])
def test_a_bad_targets_file_exits_2_with_one_line_and_writes_nothing(tmp_path, text, fragment) -> None:
    scenario_path = write_scenario(tmp_path, **SHAPE)
    targets = tmp_path / "targets.toml"
    targets.write_text(text, encoding="utf-8")
    out = tmp_path / "fitted.toml"
    result = CliRunner().invoke(main, ["calibrate", "--targets", str(targets), "--scenario",
                                       str(scenario_path), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1 and fragment in result.stderr, result.stderr
    assert not out.exists()


def test_a_drill_log_and_targets_together_are_refused(tmp_path) -> None:
    result = CliRunner().invoke(main, ["calibrate", "drill.csv", "--targets", "t.toml",
                                       "-o", str(tmp_path / "f.toml")])
    assert result.exit_code == 2 and "either a DRILL_LOG or --targets" in result.stderr
