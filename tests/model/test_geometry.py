"""The district as the model sees it: rows through sparse ids."""

import numpy as np
from model_fixtures import small_district

from mobsim.district.schemas import PRIMARY_KEYS
from mobsim.district.tables import District
from mobsim.model.geometry import geometry

REFERENCES = {"subdistrict_id": "subdistricts", "community_id": "communities",
              "general_grid_id": "general_grids", "microgrid_id": "microgrids",
              "member_id": "members", "unit_id": "units", "cadre_id": "cadres"}


def _sparse(district: District) -> District:
    """The same district with every id multiplied by 10 and shifted by 3."""
    tables = {}
    for name, table in district.tables().items():
        tables[name] = {c: (v * 10 + 3).astype(v.dtype) if c in REFERENCES else v for c, v in table.items()}
    return District(**tables)


def test_rows_are_found_through_ids_whatever_their_values() -> None:
    dense = small_district(units=3, cadres=2, village=True)
    a, b = geometry(dense), geometry(_sparse(dense))
    for field in ("subdistrict_of_community", "community_of_grid", "grid_of_microgrid",
                  "community_of_microgrid", "microgrid_of_member", "unit_of_cadre", "community_of_cadre"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    assert b.ids["microgrid"][0] == 3 and b.ids["member"][1] == 13
    assert a.village_microgrid.all()
    assert PRIMARY_KEYS["microgrids"] == "microgrid_id"


def test_compound_types_of_the_posts_come_in_row_order() -> None:
    district = small_district(microgrids=7)
    district.microgrids["compound_type"][:] = np.arange(district.rows("microgrids")) % 7
    assert np.array_equal(geometry(_sparse(district)).compound_of_microgrid,
                          district.microgrids["compound_type"])
