"""A district of any size: the generator at `scale` S keeps Xindu's proportions in one district."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from mobsim.cli import main
from mobsim.codes import COMMUNITY_KINDS, SUBDISTRICT_KINDS
from mobsim.district import District
from mobsim.district.check import check_district
from mobsim.district.generate import RADIUS_KM, generate_xindu

SCALE = 3
XINDU = {"subdistricts": 9, "streets": 7, "towns": 2, "urban": 105, "villages": 79,
         "general_grids": 1_270, "microgrids": 10_161, "households": 508_050, "units": 61}
"""The brief's Xindu figures (section 2)."""


@pytest.fixture(scope="module")
def scaled() -> District:
    return generate_xindu(members=12_518 * SCALE, cadres=3_241 * SCALE, scanners=400 * SCALE,
                          scale=SCALE)


def test_every_level_is_scale_times_xindu(scaled: District) -> None:
    kinds = scaled.subdistricts["kind"]
    assert scaled.rows("subdistricts") == XINDU["subdistricts"] * SCALE
    assert np.sum(kinds == SUBDISTRICT_KINDS.index("street")) == XINDU["streets"] * SCALE
    assert np.sum(kinds == SUBDISTRICT_KINDS.index("town")) == XINDU["towns"] * SCALE
    community_kind = scaled.communities["kind"]
    assert np.sum(community_kind == COMMUNITY_KINDS.index("urban")) == XINDU["urban"] * SCALE
    assert np.sum(community_kind == COMMUNITY_KINDS.index("village")) == XINDU["villages"] * SCALE
    assert scaled.rows("general_grids") == XINDU["general_grids"] * SCALE
    assert scaled.rows("microgrids") == XINDU["microgrids"] * SCALE
    assert scaled.microgrids["households"].sum() == XINDU["households"] * SCALE
    assert scaled.rows("units") == XINDU["units"] * SCALE


def test_grid_sizes_and_staff_per_microgrid_stay_xindu_s(scaled: District) -> None:
    assert scaled.general_grids["households"].min() >= 300
    assert scaled.general_grids["households"].max() <= 500
    households = scaled.microgrids["households"]
    assert households.min() >= 40 and households.max() <= 60
    per_microgrid = np.bincount(scaled.members["microgrid_id"], minlength=len(households))
    assert per_microgrid.min() >= 1
    paired = np.bincount(scaled.pairings["unit_id"], minlength=scaled.rows("units"))
    assert paired.min() == 3 and paired.max() == 4  # 184 communities over 61 units, as in Xindu


def test_one_district_disc_of_scale_times_the_area_core_in_the_middle(scaled: District) -> None:
    radius_km = RADIUS_KM * math.sqrt(SCALE)
    mg_radius = np.hypot(scaled.microgrids["x_km"], scaled.microgrids["y_km"])
    assert mg_radius.max() <= radius_km + 1e-9
    assert mg_radius.max() > RADIUS_KM * 1.2  # spread over the larger disc, not Xindu's
    sub = scaled.subdistricts
    sub_radius = np.hypot(sub["x_km"], sub["y_km"])
    town = sub["kind"] == SUBDISTRICT_KINDS.index("town")
    core = np.char.startswith(sub["name"].astype(str), "Xindu ")
    assert sub_radius[core].max() < sub_radius[~core].min()
    assert sub_radius[town].min() > sub_radius[~town].mean()
    assert check_district(scaled) == []


def test_scale_1_is_the_xindu_district_unchanged() -> None:
    plain, scaled_once = generate_xindu(), generate_xindu(scale=1)
    for name, table in plain.tables().items():
        for column, values in table.items():
            assert np.array_equal(values, scaled_once.tables()[name][column]), (name, column)


@pytest.mark.parametrize("scale", [0, 99])
def test_a_scale_out_of_range_is_an_input_error(scale: int) -> None:
    result = CliRunner().invoke(main, ["generate", "--scale", str(scale), "-o", "unused"])
    assert result.exit_code == 2 and "scale" in result.stderr


def test_cli_generate_scale_writes_a_district_that_validates(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["generate", "--scale", "2", "-o", str(tmp_path / "d2")])
    assert result.exit_code == 0, result.output
    sets = result.stdout.splitlines()[-1].removeprefix("run it with: ").split()
    assert sets[:2] == ["--set", f"district.path='{tmp_path / 'd2'}'"]
    assert f"members.count={12_518 * 2}" in sets and f"scanners.count={400 * 2}" in sets
    args = [s.replace("'", '"') for s in sets]
    validated = CliRunner().invoke(main, ["validate", "xindu-baseline", *args])
    assert validated.exit_code == 0, validated.stderr


def test_city_and_scale_exclude_each_other() -> None:
    result = CliRunner().invoke(main, ["generate", "--city", "--scale", "2", "-o", "unused"])
    assert result.exit_code == 2 and "--city is --scale 20" in result.stderr
