"""Every example of `mobsim --help` and of each command's `--help` runs as written, in order, in
one empty folder (on a small district: doc_fixtures), so that no example goes stale: each ends
with a verdict's exit code (0, 1 or 3), never bad input (2) or a traceback."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from doc_fixtures import commands, invoke, small_generator

from mobsim.cli import main

pytestmark = pytest.mark.examples

ROOT = Path(__file__).resolve().parents[1]


def _examples() -> list[str]:
    """Every example command: the main help's, then each command's in the group's order."""
    texts = [invoke("mobsim --help").stdout]
    texts += [invoke(f"mobsim {name} --help").stdout for name in main.commands]
    return [line for text in texts for line in commands(text[text.index("Example"):])]


EXAMPLES = _examples()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The empty folder the examples run in, in order, on the small district; with the
    targets file the calibrate example names (docs/calibration.md's)."""
    work = tmp_path_factory.mktemp("examples")
    docs = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")
    targets = re.search(r"```toml\n(trials = .*?)```", docs, flags=re.S)[1]
    (work / "targets.toml").write_text(targets, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        small_generator(patch, tmp_path_factory.mktemp("district"))
        before = Path.cwd()
        os.chdir(work)
        try:
            yield work
        finally:
            os.chdir(before)


def test_the_examples_use_the_current_levers() -> None:
    assert len(EXAMPLES) >= 20
    assert not [e for e in EXAMPLES if "cadres.count" in e]


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_example_runs_as_written(folder: Path, example: str) -> None:
    result = invoke(example)
    assert result.exit_code in (0, 1, 3), (example, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "error:" not in result.stderr
