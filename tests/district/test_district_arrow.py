"""Arrow conversion: exact schemas out; a user's columns read back with one line per bad cell."""

import numpy as np
import pyarrow as pa
import pytest

from mobsim.codes import COMPOUND_TYPES, MEMBER_ROLES
from mobsim.district.arrow import from_arrow, to_arrow
from mobsim.district.generate import generate_xindu
from mobsim.district.schemas import DISTRICT_SCHEMAS
from mobsim.district.tables import TABLE_NAMES, District

FILE = "district/microgrids.parquet"


@pytest.fixture(scope="module")
def xindu() -> District:
    return generate_xindu(members=10_161, cadres=10, scanners=5)


def _microgrids(**columns: list) -> pa.Table:
    """A two-row micro-grid table as a user might write it (int64, plain strings)."""
    base = {"microgrid_id": [1, 2], "general_grid_id": [0, 0], "community_id": [7, 7],
            "compound_type": ["old_compound", "rural_settlement"], "households": [50, 48],
            "x_km": [0.5, 1.0], "y_km": [2.0, -1.0]}
    return pa.table({**base, **columns})


def test_to_arrow_writes_the_exact_schemas(xindu: District) -> None:
    for name in TABLE_NAMES:
        assert to_arrow(name, xindu.table(name)).schema == DISTRICT_SCHEMAS[name], name


def test_category_dictionary_is_the_full_tuple_whatever_occurs(xindu: District) -> None:
    one_type = {**xindu.microgrids, "compound_type": np.zeros(10_161, np.int8)}
    column = to_arrow("microgrids", one_type).column("compound_type").chunk(0)
    assert column.dictionary.to_pylist() == list(COMPOUND_TYPES)


def test_round_trip_through_arrow(xindu: District) -> None:
    for name in TABLE_NAMES:
        table, problems = from_arrow(name, to_arrow(name, xindu.table(name)), FILE, text=False)
        assert problems == [], name
        assert all(np.array_equal(table[c], xindu.table(name)[c]) for c in table), name
        assert all(table[c].dtype.kind == xindu.table(name)[c].dtype.kind for c in table), name


def test_user_int64_and_plain_strings_are_accepted() -> None:
    table, problems = from_arrow("microgrids", _microgrids(), FILE, text=False)
    assert problems == []
    assert table["microgrid_id"].dtype == np.int32
    assert table["compound_type"].tolist() == [COMPOUND_TYPES.index("old_compound"),
                                               COMPOUND_TYPES.index("rural_settlement")]


def test_missing_column() -> None:
    problems = from_arrow("microgrids", _microgrids().drop(["households"]), FILE, text=False)[1]
    assert problems == [f"{FILE}, column households: missing column"]


def test_wrong_type() -> None:
    problems = from_arrow("microgrids", _microgrids(households=["50", "48"]), FILE, text=False)[1]
    assert problems == [f"{FILE}, column households: type string, expected whole numbers (int32)"]
    problems = from_arrow("microgrids", _microgrids(households=[50.0, 48.0]), FILE, text=False)[1]
    assert problems == [f"{FILE}, column households: type double, expected whole numbers (int32)"]


def test_unknown_category() -> None:
    problems = from_arrow("microgrids", _microgrids(compound_type=["old_compound", "villa"]),
                          FILE, text=False)[1]
    assert problems == [f"{FILE} row 1, column compound_type: unknown category 'villa'; "
                        f"expected one of {', '.join(COMPOUND_TYPES)}"]


def test_missing_value() -> None:
    problems = from_arrow("microgrids", _microgrids(x_km=[None, 1.0]), FILE, text=False)[1]
    assert problems == [f"{FILE} row 0, column x_km: missing value"]


def test_value_outside_int32() -> None:
    problems = from_arrow("microgrids", _microgrids(households=[50, 2**31]), FILE, text=False)[1]
    assert problems == [f"{FILE} row 1, column households: 2147483648 is outside the int32 range"]


def test_text_cells_are_parsed_with_their_row_named() -> None:
    members = pa.table({"member_id": ["1", "2", "x3"], "microgrid_id": ["0", "0", "1"],
                        "role": ["party_member", "social_worker", "retired_teacher"],
                        "lives_in_microgrid": ["true", "maybe", "false"],
                        "home_x_km": ["0.5", "1e-3", "nan"], "home_y_km": ["1", "2", None]})
    file = "district/members.csv"
    table, problems = from_arrow("members", members, file, text=True)
    assert problems == [
        f"{file} row 2, column member_id: 'x3' is not a whole number",
        f"{file} row 1, column lives_in_microgrid: 'maybe' is not true or false",
        f"{file} row 2, column home_y_km: missing value",
    ]
    assert table["role"].tolist() == [MEMBER_ROLES.index(r) for r in
                                      ("party_member", "social_worker", "retired_teacher")]
    assert table["home_x_km"][1] == 1e-3 and np.isnan(table["home_x_km"][2])
