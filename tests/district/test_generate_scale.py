"""A district of any size: the generator at `scale` S keeps Xindu's proportions in one district."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from district_fixtures import assert_every_community_has_its_share

from mobsim.cli import main
from mobsim.codes import COMMUNITY_KINDS, SUBDISTRICT_KINDS
from mobsim.district import District
from mobsim.district.check import check_district
from mobsim.district.generate import generate_xindu
from mobsim.district.places import SITES, site_xy_km, tile_offsets_km

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
    assert paired.min() >= 2 and paired.max() <= 4  # 184 communities over 61 units, as in Xindu


@pytest.mark.parametrize("scale", [2, SCALE])
def test_every_community_has_paired_cadres_by_its_households(scale: int,
                                                              scaled: District) -> None:
    district = scaled if scale == SCALE else generate_xindu(
        members=12_518 * scale, cadres=3_241 * scale, scanners=0, scale=scale)
    assert_every_community_has_its_share(district, 3_241 * scale)


def test_copies_of_the_real_layout_in_tiles_that_do_not_overlap(scaled: District) -> None:
    sub = scaled.subdistricts
    offsets = tile_offsets_km(SCALE)
    assert np.array_equal(offsets[0], [0.0, 0.0])  # the first copy is Xindu itself
    # rows go sub-district by sub-district, copy by copy: row 9·0 + k is Xindu street, copy k
    for s, site in enumerate(SITES):
        x_km, y_km = site_xy_km(site)
        for copy in range(SCALE):
            row = s * SCALE + copy
            assert sub["name"][row] == f"{site.name} {copy + 1}"
            assert math.isclose(sub["x_km"][row], x_km + offsets[copy][0], abs_tol=1e-9)
            assert math.isclose(sub["y_km"][row], y_km + offsets[copy][1], abs_tol=1e-9)
    # every micro-grid lies in its copy's tile: nearer its own copy's seat than any other copy's
    mg_sub = scaled.position("subdistricts", scaled.microgrid_subdistrict())
    copy_of_mg = mg_sub % SCALE
    seat = np.column_stack([sub["x_km"], sub["y_km"]])[mg_sub]
    shift = seat - offsets[copy_of_mg]  # the Xindu seat of the micro-grid's sub-district
    xy = np.column_stack([scaled.microgrids["x_km"], scaled.microgrids["y_km"]])
    for other in range(SCALE):
        to_other = np.hypot(*(xy - (shift + offsets[other])).T)
        to_own = np.hypot(*(xy - seat).T)
        assert np.all(to_own[copy_of_mg != other] < to_other[copy_of_mg != other])
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
