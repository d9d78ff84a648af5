"""What the docs show, run as written (README blocks, `--help` examples, the calibration
walk-through) on a small district: only the built-in generator is swapped, so the commands
and the code are those a reader types, and a test takes seconds instead of the minutes a
Xindu-sized district would."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from model_fixtures import small_district

from mobsim.cli import main
from mobsim.district import read_district, write_district

SHAPE = {"subdistricts": 3, "communities": 3, "grids": 3, "microgrids": 4, "members": 2}
"""108 micro-grids in 9 communities of 3 sub-districts: every table of a run has rows."""


def small_generator(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make the built-in generator give a small district (with its lon/lat, as read back)."""
    write_district(small_district(**SHAPE), folder)
    district = read_district(folder)
    monkeypatch.setattr("mobsim.district.io.generate_xindu", lambda **_: district)


def commands(text: str) -> list[str]:
    """The `mobsim ...` command lines of a text (after an "Example:" label too), comments
    after `#` dropped."""
    found = []
    for line in text.splitlines():
        line = re.sub(r"^Examples?:", "", line.strip()).strip()
        if line.startswith("mobsim "):
            found.append(re.sub(r"\s+#.*$", "", line).strip())
    return found


def invoke(command: str) -> Result:
    """Run one `mobsim ...` command line in this process."""
    return CliRunner().invoke(main, shlex.split(command)[1:])
