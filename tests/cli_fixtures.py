"""Scenario files on small district folders, for the command-line and robustness tests."""

from __future__ import annotations

from pathlib import Path

from model_fixtures import small_district

from mobsim.district import write_district


def write_scenario(folder: Path, *settings: str, **shape: int) -> Path:
    """Write a small district (`shape`: model_fixtures.small_district) and a scenario file on it.

    The file takes every member and cadre of the district and no scanner; `settings` are
    "dotted.key=TOML value" lines (the form of --set), a key given there replacing these.
    Returns the scenario file.
    """
    district = small_district(**shape)
    write_district(district, folder / "district")
    lines = {"district.path": '"district"', "members.count": str(district.rows("members")),
             "cadres.count": str(district.rows("cadres")), "scanners.count": "0"}
    for setting in settings:
        key, _, value = setting.partition("=")
        lines[key.strip()] = value.strip()
    path = folder / "scenario.toml"
    path.write_text("".join(f"{key} = {value}\n" for key, value in lines.items()), encoding="utf-8")
    return path
