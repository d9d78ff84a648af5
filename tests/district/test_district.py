"""The District model: construction guards, id positions, derived columns, equality."""

import numpy as np
import pyarrow as pa
import pytest

from mobsim.codes import COMMUNITY_KINDS
from mobsim.district.schemas import DISTRICT_SCHEMAS
from mobsim.district.tables import TABLE_NAMES, District


def _ids(*values: int) -> np.ndarray:
    return np.array(values, np.int32)


def _tiny() -> District:
    """Two sub-districts, three communities, sparse ids; empty staff tables."""
    def empty(name: str) -> dict[str, np.ndarray]:
        def dtype(field: pa.Field) -> object:
            if pa.types.is_dictionary(field.type):
                return np.int8
            return str if field.name == "name" else field.type.to_pandas_dtype()
        return {field.name: np.empty(0, dtype(field)) for field in DISTRICT_SCHEMAS[name]}
    tables = {name: empty(name) for name in TABLE_NAMES}
    tables["subdistricts"] = {"subdistrict_id": _ids(3, 8), "name": np.array(["A", "B"]),
                              "kind": np.array([0, 1], np.int8), "x_km": np.zeros(2),
                              "y_km": np.zeros(2)}
    tables["communities"] = {"community_id": _ids(10, 20, 30), "subdistrict_id": _ids(8, 3, 8),
                             "name": np.array(["c10", "c20", "c30"]),
                             "kind": np.array([1, 0, 0], np.int8), "x_km": np.zeros(3),
                             "y_km": np.zeros(3)}
    tables["microgrids"] = {"microgrid_id": _ids(5, 6, 9, 40), "general_grid_id": _ids(0, 0, 1, 1),
                            "community_id": _ids(20, 20, 10, 30),
                            "compound_type": np.zeros(4, np.int8),
                            "households": _ids(50, 50, 50, 50), "x_km": np.zeros(4),
                            "y_km": np.zeros(4)}
    return District(**tables)


def test_position_finds_rows_of_sparse_ids_in_any_shape() -> None:
    district = _tiny()
    assert district.position("microgrids", [40, 5, 9]).tolist() == [3, 0, 2]
    assert district.position("communities", np.array([[30, 10]])).tolist() == [[2, 0]]
    assert int(district.position("subdistricts", 8)) == 1


@pytest.mark.parametrize("ids", [[5, 7], [41], [-1]])
def test_position_names_an_id_that_is_not_there(ids: list[int]) -> None:
    with pytest.raises(KeyError, match=f"microgrids: no row with id {ids[-1]}"):
        _tiny().position("microgrids", ids)


def test_position_refuses_the_pairings_relation() -> None:
    with pytest.raises(KeyError, match="no id column"):
        _tiny().position("pairings", [0])


def test_microgrid_subdistrict_and_village_go_through_the_community() -> None:
    district = _tiny()
    assert district.microgrid_subdistrict().tolist() == [3, 3, 8, 8]
    village = COMMUNITY_KINDS.index("village")
    assert village == 1
    assert district.microgrid_is_village().tolist() == [False, False, True, False]


def test_rows_and_tables_follow_the_schema_order() -> None:
    district = _tiny()
    assert list(district.tables()) == list(TABLE_NAMES) == list(DISTRICT_SCHEMAS)
    assert district.rows("microgrids") == 4 and district.rows("members") == 0
    with pytest.raises(KeyError, match="no district table 'grids'"):
        district.table("grids")


def test_construction_refuses_wrong_columns_and_ragged_tables() -> None:
    tables = _tiny().tables()
    renamed = {**tables, "scanners": {"scanner": np.empty(0), "community_id": np.empty(0)}}
    with pytest.raises(ValueError, match=r"District.scanners: columns \['scanner'"):
        District(**renamed)
    ragged = {**tables, "pairings": {"unit_id": _ids(1, 2), "community_id": _ids(10)}}
    with pytest.raises(ValueError, match="District.pairings: columns of different lengths"):
        District(**ragged)


def test_equals_compares_every_column() -> None:
    a, b = _tiny(), _tiny()
    assert a.equals(b)
    b.microgrids["households"][2] = 49
    assert not a.equals(b)
    c = _tiny()
    c.microgrids["households"] = c.microgrids["households"].astype(np.int64)
    assert not a.equals(c)

