"""docs/calibration.md's walk-through, run as written on the Xindu district in an empty folder:
every command of its ```sh blocks, and every line its ```text blocks show, printed as shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from doc_fixtures import commands, invoke

pytestmark = pytest.mark.examples

DOC = Path(__file__).resolve().parents[1] / "docs" / "calibration.md"


def _steps() -> list[tuple[str, list[str]]]:
    """(command, lines it must print) for each ```sh block of the walk-through section."""
    section = DOC.read_text(encoding="utf-8").split("## Try it", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(sh|text)\n(.*?)```", section, flags=re.S)
    steps = []
    for (kind, body), (next_kind, shown) in zip(blocks, [*blocks[1:], ("", "")]):
        if kind == "sh":
            [command] = commands(body)
            steps.append((command, shown.splitlines() if next_kind == "text" else []))
    return steps


STEPS = _steps()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("walkthrough")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(work)
        yield work


def test_the_walkthrough_generates_fits_and_checks() -> None:
    assert [command.split()[1] for command, _ in STEPS] == ["generate", "calibrate", "check"]


@pytest.mark.parametrize("command, shown", STEPS, ids=[c for c, _ in STEPS])
def test_each_command_prints_what_the_doc_shows(folder: Path, command: str,
                                                shown: list[str]) -> None:
    result = invoke(command)
    assert result.exit_code in (0, 1), result.output  # check: FAIL is exit 1
    printed = result.stdout.splitlines()
    for line in shown:
        assert line in printed, (line, result.stdout)
    if command.startswith("mobsim calibrate"):
        assert (folder / "drill-fitted.toml").is_file()
        assert (folder / "drill-fitted-validation.html").is_file()
