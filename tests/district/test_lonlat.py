"""Longitude and latitude columns: the projection, derived columns, folders without them."""

import math
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from model_fixtures import small_district

from mobsim.cli import main
from mobsim.district.io import check_folder, read_district, write_district
from mobsim.district.lonlat import LONLAT_COLUMNS, XINDU_ORIGIN_DEG, to_km, to_lonlat
from mobsim.errors import InputError

KM = st.floats(min_value=-60.0, max_value=60.0, allow_nan=False)


@given(KM, KM)
def test_km_to_lonlat_and_back_within_a_micrometre(x_km: float, y_km: float) -> None:
    lon, lat = to_lonlat(x_km, y_km)
    back_x, back_y = to_km(lon, lat)
    assert math.hypot(back_x - x_km, back_y - y_km) < 1e-9


@given(KM, KM)
def test_one_degree_of_latitude_is_111_km_and_longitude_shrinks_with_its_cosine(
        x_km: float, y_km: float) -> None:
    lon, lat = to_lonlat(x_km, y_km)
    km_per_deg = 6371.0088 * math.pi / 180  # mean Earth radius (IUGG)
    assert math.isclose(lat - XINDU_ORIGIN_DEG[1], y_km / km_per_deg, abs_tol=1e-12)
    cos_lat0 = math.cos(math.radians(XINDU_ORIGIN_DEG[1]))
    assert math.isclose(lon - XINDU_ORIGIN_DEG[0], x_km / (km_per_deg * cos_lat0), abs_tol=1e-12)


def test_a_district_built_without_lonlat_gets_them_from_its_km() -> None:
    district = small_district(spacing_km=2.0)
    for name, (x, y, lon, lat) in LONLAT_COLUMNS.items():
        table = district.table(name)
        expected_lon, expected_lat = to_lonlat(table[x], table[y])
        assert np.allclose(table[lon], expected_lon, rtol=0, atol=1e-12), name
        assert np.allclose(table[lat], expected_lat, rtol=0, atol=1e-12), name


def _drop_lonlat(folder: Path) -> None:
    for name, (*_, lon, lat) in LONLAT_COLUMNS.items():
        path = folder / f"{name}.parquet"
        pq.write_table(pq.read_table(path).drop_columns([lon, lat]), path)


def test_a_folder_without_lonlat_columns_loads_with_them_derived(tmp_path: Path) -> None:
    district = small_district(spacing_km=1.5)
    write_district(district, tmp_path)
    _drop_lonlat(tmp_path)
    assert check_folder(tmp_path) == []
    assert read_district(tmp_path).equals(district)


def test_a_latitude_out_of_range_is_one_line_naming_file_row_and_column(tmp_path: Path) -> None:
    district = small_district()
    district.communities["lat_deg"][1] = 91.0
    write_district(district, tmp_path)
    with pytest.raises(InputError) as err:
        read_district(tmp_path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{tmp_path / 'communities.parquet'} row 1, column lat_deg: 91.0")
    assert "-90 to 90" in message


def test_validate_accepts_an_old_folder_and_names_a_bad_longitude(tmp_path: Path) -> None:
    old, bad = tmp_path / "old", tmp_path / "bad"
    district = small_district()
    counts = [f"--set={name}.count={district.rows(name)}" for name in ("members", "cadres")]
    write_district(district, old)
    _drop_lonlat(old)
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", "xindu-baseline", f"--set=district.path='{old}'",
                              *counts, "--set=scanners.count=0"])
    assert ok.exit_code == 0, ok.output
    district.units["lon_deg"][0] = -200.0
    write_district(district, bad)
    failed = runner.invoke(main, ["validate", "xindu-baseline", f"--set=district.path='{bad}'",
                                  *counts, "--set=scanners.count=0"])
    assert failed.exit_code == 2
    assert failed.stderr.strip() == (f"{bad / 'units.parquet'} row 0, column lon_deg: -200.0 "
                                      "degrees is outside -180 to 180 (WGS84)")
