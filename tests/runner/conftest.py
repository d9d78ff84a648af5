"""Fixtures of the interruption tests (test_resume, test_reliability): a small scenario and
the run folder of the command under test, never interrupted."""

from pathlib import Path

import pytest
from cli_fixtures import write_scenario
from click.testing import CliRunner
from interruptions import SHAPE, run_args

from mobsim.cli import main


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    return write_scenario(tmp_path_factory.mktemp("interrupted"), **SHAPE)


@pytest.fixture(scope="module")
def uninterrupted(scenario: Path) -> Path:
    """The run folder of the same command, never interrupted."""
    out = scenario.parent / "uninterrupted"
    result = CliRunner().invoke(main, run_args(scenario, out))
    assert result.exit_code == 0, result.output
    return out
