"""Scenario files on small district folders, for the command-line and robustness tests."""

from __future__ import annotations

from pathlib import Path

from mobsim.district import write_district
from model_fixtures import small_district


def write_scenario(folder: Path, *settings: str, **shape: int) -> Path:
    """Write a small district (`shape`: model_fixtures.small_district) and a scenario file on it.

    The file takes every member and cadre of the district and no scanner; `settings` are extra
    lines "dotted.key = TOML value" (the form of --set). Returns the scenario file.
    """
    district = small_district(**shape)
    write_district(district, folder / "district")
    lines = ['district.path = "district"', f"members.count = {district.rows('members')}",
             f"cadres.count = {district.rows('cadres')}", "scanners.count = 0",
             *(setting.replace("=", " = ", 1) for setting in settings)]
    path = folder / "scenario.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
