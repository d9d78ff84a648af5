"""Consistency checks: each class of bad table gives one clear line naming file, row and column;
a sound district with a community no cadre reports to, one warning line naming it."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from mobsim.cli import main
from mobsim.district import TABLE_NAMES, District, Table, write_district
from mobsim.district.check import (
    MAX_HOUSEHOLDS,
    SHOWN_ROWS,
    check_district,
    check_tables,
    pairing_warnings,
)
from mobsim.district.generate import generate_xindu

FILES = {name: f"district/{name}.parquet" for name in TABLE_NAMES}


@pytest.fixture(scope="module")
def xindu() -> District:
    return generate_xindu(members=10_200, cadres=300, scanners=20)


@pytest.fixture()
def tables(xindu: District) -> dict[str, Table]:
    """A fresh copy of the generated tables, to break."""
    return {name: {c: v.copy() for c, v in table.items()} for name, table in xindu.tables().items()}


def test_a_generated_district_has_no_problems(xindu: District) -> None:
    assert check_district(xindu) == []


def test_broken_reference(tables: dict[str, Table]) -> None:
    tables["microgrids"]["general_grid_id"][17] = 9999
    assert check_tables(tables, FILES) == [
        "district/microgrids.parquet row 17, column general_grid_id: "
        "general grid 9999 does not exist"]


def test_duplicate_id(tables: dict[str, Table]) -> None:
    tables["members"]["member_id"][40] = 3
    assert check_tables(tables, FILES) == [
        "district/members.parquet row 40, column member_id: duplicate id 3 (first at row 3)"]


def test_duplicate_pairing(tables: dict[str, Table]) -> None:
    pairings = tables["pairings"]
    for column in ("unit_id", "community_id"):
        pairings[column][5] = pairings[column][4]
    unit, community = pairings["unit_id"][4], pairings["community_id"][4]
    problems = check_tables(tables, FILES)
    assert problems == [f"district/pairings.parquet row 5: unit {unit} paired with community "
                        f"{community} again (first at row 4)"]


def test_negative_count(tables: dict[str, Table]) -> None:
    tables["general_grids"]["households"][2] = -400
    assert check_tables(tables, FILES) == [
        "district/general_grids.parquet row 2, column households: negative count -400"]


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_location_not_finite(tables: dict[str, Table], value: float) -> None:
    tables["members"]["home_y_km"][8] = value
    assert check_tables(tables, FILES) == [
        f"district/members.parquet row 8, column home_y_km: {value} is not a finite number"]


def test_empty_required_table(tables: dict[str, Table]) -> None:
    tables["general_grids"] = {c: v[:0] for c, v in tables["general_grids"].items()}
    problems = check_tables(tables, FILES)
    assert problems[0] == ("district/general_grids.parquet: no rows; a district needs at least "
                           "one general grid")


def test_staff_tables_may_be_empty(tables: dict[str, Table]) -> None:
    for name in ("members", "cadres", "scanners"):
        tables[name] = {c: v[:0] for c, v in tables[name].items()}
    tables["units"]["cadres"][:] = 0
    assert check_tables(tables, FILES) == []


def test_microgrid_in_another_community_than_its_general_grid(tables: dict[str, Table]) -> None:
    mg = tables["microgrids"]
    mg["community_id"][0] = 183
    problems = check_tables(tables, FILES)
    assert problems[0] == (f"district/microgrids.parquet row 0, column community_id: community 183 "
                           f"differs from community {mg['community_id'][1]} of its general grid 0")


def test_general_grid_households_must_be_its_microgrids_sum(tables: dict[str, Table]) -> None:
    tables["microgrids"]["households"][0] += 1
    held = tables["general_grids"]["households"][0] + 1
    assert check_tables(tables, FILES) == [
        f"district/general_grids.parquet row 0, column households: "
        f"{held - 1} households, but its micro-grids in district/microgrids.parquet hold {held}"]


def test_more_households_than_a_run_holds_is_refused_with_the_limit(
        tables: dict[str, Table]) -> None:
    # Issue #19: a micro-grid of two billion households, its general grid agreeing.
    mg, grids = tables["microgrids"], tables["general_grids"]
    row = 5
    grid_row = int(np.flatnonzero(grids["general_grid_id"] == mg["general_grid_id"][row])[0])
    grids["households"][grid_row] += 2_000_000_000 - mg["households"][row]
    mg["households"][row] = 2_000_000_000
    total = int(mg["households"].astype(np.int64).sum())
    assert total > MAX_HOUSEHOLDS
    assert check_tables(tables, FILES) == [
        f"district/microgrids.parquet, column households: {total:,} households in all "
        f"(row {row} alone holds 2,000,000,000); a run holds at most {MAX_HOUSEHOLDS:,}"]


def test_households_up_to_the_limit_pass(tables: dict[str, Table]) -> None:
    mg, grids = tables["microgrids"], tables["general_grids"]
    spare = MAX_HOUSEHOLDS - int(mg["households"].astype(np.int64).sum())
    grid_row = int(np.flatnonzero(grids["general_grid_id"] == mg["general_grid_id"][0])[0])
    mg["households"][0] += spare
    grids["households"][grid_row] += spare
    assert check_tables(tables, FILES) == []


def test_unit_cadre_count_must_match_the_cadres_table(tables: dict[str, Table]) -> None:
    unit = int(tables["cadres"]["unit_id"][0])
    tables["units"]["cadres"][unit] += 2
    listed = tables["units"]["cadres"][unit] - 2
    assert check_tables(tables, FILES) == [
        f"district/units.parquet row {unit}, column cadres: {listed + 2} cadres, "
        f"but district/cadres.parquet lists {listed}"]


def test_cadre_must_report_to_a_community_paired_with_its_unit(tables: dict[str, Table]) -> None:
    cadres, pairings = tables["cadres"], tables["pairings"]
    unit = cadres["unit_id"][0]
    paired = pairings["community_id"][pairings["unit_id"] == unit]
    unpaired = np.setdiff1d(np.arange(184), paired)[0]
    cadres["community_id"][0] = unpaired
    assert check_tables(tables, FILES) == [
        f"district/cadres.parquet row 0, column community_id: community {unpaired} is not "
        f"paired with unit {unit} in district/pairings.parquet"]


def test_consistency_waits_for_sound_references(tables: dict[str, Table]) -> None:
    tables["microgrids"]["general_grid_id"][3] = -5
    tables["microgrids"]["households"][4] += 1
    assert len(check_tables(tables, FILES)) == 1


def test_many_bad_rows_are_listed_then_counted(tables: dict[str, Table]) -> None:
    tables["scanners"]["community_id"][:] = 500
    problems = check_tables(tables, FILES)
    assert len(problems) == SHOWN_ROWS + 1
    assert problems[-1] == ("district/scanners.parquet, column community_id: "
                            f"{20 - SHOWN_ROWS} more rows like row 0")


def test_every_problem_is_one_line(tables: dict[str, Table]) -> None:
    tables["microgrids"]["x_km"][:] = np.nan
    tables["cadres"]["unit_id"][:] = 99
    tables["communities"]["community_id"][1] = 0
    problems = check_tables(tables, FILES)
    assert len(problems) > 3 and all("\n" not in line for line in problems)


def test_check_district_names_the_folder(tables: dict[str, Table]) -> None:
    tables["scanners"]["community_id"][2] = -1
    assert check_district(District(**tables), folder="mine") == [
        "mine/scanners.parquet row 2, column community_id: community -1 does not exist"]


def _without_cadres(tables: dict[str, Table], community: int, unpair: bool) -> None:
    """Drop the cadres reporting to `community` (and its pairings when `unpair`): still sound."""
    cadres, pairings = tables["cadres"], tables["pairings"]
    kept = cadres["community_id"] != community
    tables["cadres"] = {column: values[kept] for column, values in cadres.items()}
    tables["units"]["cadres"] = np.bincount(tables["cadres"]["unit_id"],
                                            minlength=len(tables["units"]["unit_id"])).astype(np.int32)
    if unpair:
        kept = pairings["community_id"] != community
        tables["pairings"] = {column: values[kept] for column, values in pairings.items()}


def test_a_generated_district_pairs_every_community(tables: dict[str, Table]) -> None:
    assert pairing_warnings(tables, FILES) == []


def test_a_community_paired_with_no_unit_is_one_warning(tables: dict[str, Table]) -> None:
    _without_cadres(tables, 42, unpair=True)
    assert check_tables(tables, FILES) == []
    name = tables["communities"]["name"][42]
    assert pairing_warnings(tables, FILES) == [
        f"district/communities.parquet row 42: community 42 ({name}) has no paired cadres: "
        "no unit is paired with it in district/pairings.parquet"]


def test_a_paired_community_no_cadre_reports_to_is_one_warning(tables: dict[str, Table]) -> None:
    pairings = tables["pairings"]
    unit = int(pairings["unit_id"][pairings["community_id"] == 7][0])
    _without_cadres(tables, 7, unpair=False)
    assert check_tables(tables, FILES) == []
    name = tables["communities"]["name"][7]
    assert pairing_warnings(tables, FILES) == [
        f"district/communities.parquet row 7: community 7 ({name}) has no paired cadres: "
        f"district/cadres.parquet lists none for it from its paired unit {unit}"]


def test_a_district_without_cadres_is_one_warning(tables: dict[str, Table]) -> None:
    for community in range(184):
        _without_cadres(tables, community, unpair=False)
    assert check_tables(tables, FILES) == []
    assert pairing_warnings(tables, FILES) == [
        "district/cadres.parquet: no rows; none of the 184 communities has paired cadres"]


def test_many_unpaired_communities_are_listed_then_counted(tables: dict[str, Table]) -> None:
    for community in range(30):
        _without_cadres(tables, community, unpair=True)
    warnings = pairing_warnings(tables, FILES)
    assert len(warnings) == SHOWN_ROWS + 1
    assert warnings[-1] == f"district/communities.parquet: {30 - SHOWN_ROWS} more rows like row 0"


def _validate(folder: Path, district: District):
    counts = [f"--set={name}.count={district.rows(name)}" for name in ("members", "cadres")]
    return CliRunner().invoke(main, ["validate", "xindu-baseline", f"--set=district.path='{folder}'",
                                     *counts, "--set=scanners.count=0"])


def test_validate_warns_of_a_user_community_without_paired_cadres_in_one_line(
        tables: dict[str, Table], tmp_path: Path) -> None:
    """A warning, not an error: exit 0, the run would go on (docs/model.md 11)."""
    _without_cadres(tables, 42, unpair=True)
    district = District(**tables)
    write_district(district, tmp_path)
    result = _validate(tmp_path, district)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: {tmp_path / 'communities.parquet'} row 42: community 42 "
        f"({tables['communities']['name'][42]}) has no paired cadres: no unit is paired with it "
        f"in {tmp_path / 'pairings.parquet'}"]
    assert result.stdout == "xindu-baseline: ok, with the warnings above\n"


def test_validate_says_ok_for_a_user_district_pairing_every_community(
        xindu: District, tmp_path: Path) -> None:
    write_district(xindu, tmp_path)
    result = _validate(tmp_path, xindu)
    assert (result.exit_code, result.stderr, result.stdout) == (0, "", "xindu-baseline: ok\n")


def test_validate_warns_when_the_generator_has_too_few_cadres() -> None:
    result = CliRunner().invoke(main, ["validate", "xindu-baseline", "--set", "cadres.count=100"])
    assert result.exit_code == 0
    assert result.stderr == ("warning: cadres.count: 100 cadres leave 84 of the 184 communities of "
                             "the generated district without paired cadres; 184 or more give every "
                             "community at least one\n")
