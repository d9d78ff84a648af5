"""`cadres.at_once` above `cadres.count`: said at load in one line naming the key (a warning:
the run goes on with every cadre on duty), as the key's comment in the baseline says."""

from __future__ import annotations

import warnings
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobsim.cli import main
from mobsim.errors import ScenarioWarning
from mobsim.scenario import load_scenario

ABOVE = r"cadres\.at_once: 5000 is more than cadres\.count \(3241\); all 3241 cadres are on duty"


def test_a_stated_at_once_above_the_count_is_said_at_load() -> None:
    with pytest.warns(ScenarioWarning, match=rf"^--set: {ABOVE}"):
        load_scenario(None, ["cadres.at_once=5000"])
    with pytest.warns(ScenarioWarning, match=ABOVE):
        load_scenario().with_({"cadres.at_once": 5000})


def test_a_file_stating_both_is_named(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("[cadres]\ncount = 100\nat_once = 150\n", encoding="utf-8")
    with pytest.warns(ScenarioWarning, match=r"mine\.toml: cadres\.at_once: 150 is more than "
                                             r"cadres\.count \(100\); all 100 cadres"):
        load_scenario(path)


def test_a_count_lowered_under_the_inherited_at_once_has_every_cadre_on_duty_quietly() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        fewer = load_scenario(None, ["cadres.count=1000"])
        fewer.with_({"alert.start": "02:00"})  # changing something else says nothing again
        load_scenario(None, ["cadres.at_once=5000", "cadres.count=6000"])


def test_the_command_line_says_it_in_one_line_and_goes_on() -> None:
    result = CliRunner().invoke(main, ["validate", "xindu-baseline", "--set",
                                       "cadres.at_once=5000"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: --set: cadres.at_once: 5000 is more than cadres.count (3241); all 3241 "
        "cadres are on duty at once"]


def test_the_key_s_comment_says_so() -> None:
    baseline = (resources.files("mobsim.scenario.builtin") / "xindu-baseline.toml").read_text()
    line = next(line for line in baseline.splitlines() if line.startswith("at_once ="))
    assert "At most cadres.count" in line and "warning" in line
