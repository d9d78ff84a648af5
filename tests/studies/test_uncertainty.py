"""`mobsim check --parameter-uncertainty`: priors drawn per replication, the rest held."""

from __future__ import annotations

import json
from pathlib import Path

from cli_fixtures import write_scenario
from click.testing import CliRunner
from model_fixtures import deterministic

from mobsim.cli import main
from mobsim.runner import run
from mobsim.scenario import load_scenario
from mobsim.studies.sensitivity.uncertainty import ONCE_KEYS, parameter_uncertainty

PRIOR = 'sensitivity.ranges=[{key = "channels.phone.answer.home", beta = [2.0, 2.0]}]'


def test_baseline_priors_become_distributions_the_scenario_accepts() -> None:
    scenario = load_scenario()
    found = parameter_uncertainty(scenario)
    drawn = scenario.with_(found.changes)
    assert drawn.get("members.availability.day") == {"dist": "beta", "a": 79.0, "b": 21.0}
    assert set(ONCE_KEYS) <= set(found.drawn) and "cadres.speed_kmh" in found.held
    assert not set(found.drawn) & set(found.held)


def test_a_prior_makes_alike_replications_differ(tmp_path: Path) -> None:
    """Every delay fixed: replications are alike, until the answer probability is drawn per one."""
    path = write_scenario(tmp_path, *deterministic(), "escalation.follow_up_min=600.0", PRIOR)
    fixed = run(load_scenario(path), 6, 1, write=False).replications["t_full_min"]
    assert fixed.nunique() == 1
    drawn = load_scenario(path).with_(parameter_uncertainty(load_scenario(path)).changes)
    varied = run(drawn, 6, 1, write=False).replications["t_full_min"]
    assert varied.nunique() > 1


def test_check_says_which_mode_it_ran(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, *deterministic(), "escalation.follow_up_min=600.0", PRIOR)
    args = ["check", str(path), "-n", "3", "-j", "1", "--quiet", "--parameter-uncertainty"]
    text = CliRunner().invoke(main, args)
    assert "parameter uncertainty: 1 placeholder drawn" in text.output
    found = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)
    assert found["parameter_uncertainty"]["drawn"] == ["channels.phone.answer.home"]
