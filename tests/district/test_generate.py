"""The synthetic Xindu district: calibration facts, references, seeds, common random numbers."""

import math
from pathlib import Path

import numpy as np
import pytest
from district_fixtures import assert_every_community_has_its_share, cadres_and_households

from mobsim.codes import (
    COMMUNITY_KINDS,
    COMPOUND_TYPES,
    MEMBER_ROLES,
    SUBDISTRICT_KINDS,
)
from mobsim.district.check import check_district
from mobsim.district.generate import LIVES_IN_MICROGRID, generate_xindu
from mobsim.district.places import SITES
from mobsim.district.tables import TABLE_NAMES, District
from mobsim.errors import InputError

URBAN, VILLAGE = COMMUNITY_KINDS.index("urban"), COMMUNITY_KINDS.index("village")
MODEL_DOC = Path(__file__).resolve().parents[2] / "docs" / "model.md"


@pytest.fixture(scope="module")
def xindu() -> District:
    return generate_xindu()


def _names(codes: np.ndarray, names: tuple[str, ...]) -> list[str]:
    return [names[c] for c in codes]


def test_nine_subdistricts_seven_streets_two_towns(xindu: District) -> None:
    sub = xindu.subdistricts
    kinds = dict(zip(sub["name"].tolist(), _names(sub["kind"], SUBDISTRICT_KINDS)))
    assert kinds == {"Xindu": "street", "Dafeng": "street", "Sanhe": "street", "Guihu": "street",
                     "Xinfan": "street", "Banzhuyuan": "street", "Shibantan": "street",
                     "Juntun": "town", "Qingliu": "town"}


def test_184_communities_105_urban_79_villages_in_every_subdistrict(xindu: District) -> None:
    com = xindu.communities
    assert len(com["community_id"]) == 184
    assert np.bincount(com["kind"]).tolist() == [105, 79]
    assert set(com["subdistrict_id"].tolist()) == set(xindu.subdistricts["subdistrict_id"].tolist())
    assert len(set(com["name"].tolist())) == 184


def test_general_grids_hold_300_to_500_households_and_their_microgrids(xindu: District) -> None:
    grids, mg = xindu.general_grids, xindu.microgrids
    assert grids["households"].min() >= 300 and grids["households"].max() <= 500
    held = np.bincount(mg["general_grid_id"], mg["households"], len(grids["general_grid_id"]))
    assert np.array_equal(held, grids["households"])


def test_10161_microgrids_of_40_to_60_households_508050_in_all(xindu: District) -> None:
    mg = xindu.microgrids
    assert len(mg["microgrid_id"]) == 10_161
    assert mg["households"].min() >= 40 and mg["households"].max() <= 60
    assert int(mg["households"].sum()) == 10_161 * 50 == 508_050


def test_about_79_percent_of_households_urban(xindu: District) -> None:
    mg = xindu.microgrids
    urban = ~xindu.microgrid_is_village()
    share = mg["households"][urban].sum() / mg["households"].sum()
    # 1,003 of 1,270 general grids are urban (79.0%); the ±1 micro-grid and ±50 household
    # deviations of a grid give the share a standard deviation of about 0.13 points over
    # seeds, so half a point is about 4 standard deviations.
    assert abs(share - 0.79) < 0.005


def test_12518_members_at_least_one_in_every_microgrid(xindu: District) -> None:
    members = xindu.members
    assert len(members["member_id"]) == 12_518
    staffed = np.bincount(members["microgrid_id"], minlength=10_161)
    assert staffed.min() >= 1 and len(staffed) == 10_161
    assert set(members["role"].tolist()) == set(range(len(MEMBER_ROLES)))


def test_most_members_live_in_their_microgrid_the_rest_in_its_community(xindu: District) -> None:
    members, mg = xindu.members, xindu.microgrids
    row = xindu.position("microgrids", members["microgrid_id"])
    # each member lives in with the share of their micro-grid's compound type (independent draws)
    compound = mg["compound_type"][row]
    for code, name in enumerate(COMPOUND_TYPES):
        of_type = members["lives_in_microgrid"][compound == code]
        p = LIVES_IN_MICROGRID[name]
        se = math.sqrt(p * (1 - p) / len(of_type))
        assert abs(of_type.mean() - p) < 4 * se, name
    distance = np.hypot(members["home_x_km"] - mg["x_km"][row],
                        members["home_y_km"] - mg["y_km"][row])
    # homes are drawn 0.05 km (sd per axis) around a micro-grid: 0.3 km is six sd
    inside = members["lives_in_microgrid"]
    assert distance[inside].max() < 0.3
    assert np.median(distance[~inside]) > 0.3


def test_61_units_hold_3241_cadres_every_community_paired(xindu: District) -> None:
    units, cadres, pairings = xindu.units, xindu.cadres, xindu.pairings
    assert len(units["unit_id"]) == 61
    assert int(units["cadres"].sum()) == len(cadres["cadre_id"]) == 3_241
    assert np.array_equal(np.bincount(cadres["unit_id"], minlength=61), units["cadres"])
    assert set(pairings["community_id"].tolist()) == set(range(184))
    assert set(pairings["unit_id"].tolist()) == set(range(61))


def test_every_community_has_paired_cadres_by_its_households(xindu: District) -> None:
    """All 184 communities have cadres (精准下沉184个村(社区)), each within one of its share."""
    assert_every_community_has_its_share(xindu, 3_241)
    cadres, households = cadres_and_households(xindu)
    per_1000 = 1_000 * cadres / households
    mean = 1_000 * 3_241 / households.sum()
    # the band of docs/model.md 11: within one cadre of the share, 1,000 / h per 1,000 households
    assert np.all(np.abs(per_1000 - mean) < 1_000 / households)


def test_docs_quote_the_generated_cadres_by_community(xindu: District) -> None:
    cadres, households = cadres_and_households(xindu)
    per_1000 = 1_000 * cadres / households
    text = " ".join(MODEL_DOC.read_text(encoding="utf-8").split())
    assert (f"every community has {cadres.min()} to {cadres.max()} cadres and the minimum, median "
            f"and maximum of cadres per 1,000 households by community are {per_1000.min():.2f}, "
            f"{np.median(per_1000):.2f} and {per_1000.max():.2f}; units hold "
            f"{xindu.units['cadres'].min()} to {xindu.units['cadres'].max()} cadres") in text


def test_fewer_cadres_than_communities_go_to_the_largest(xindu: District) -> None:
    few = generate_xindu(cadres=100)
    _, households = cadres_and_households(xindu)
    served = np.isin(xindu.communities["community_id"], few.cadres["community_id"])
    assert served.sum() == 100 and np.unique(few.cadres["community_id"]).size == 100
    assert households[served].min() >= households[~served].max()


def test_400_scanners(xindu: District) -> None:
    assert len(xindu.scanners["scanner_id"]) == 400


def test_all_seven_compound_types_where_they_belong(xindu: District) -> None:
    mg = xindu.microgrids
    village = xindu.microgrid_is_village()
    in_villages = set(_names(np.unique(mg["compound_type"][village]), COMPOUND_TYPES))
    in_urban = set(_names(np.unique(mg["compound_type"][~village]), COMPOUND_TYPES))
    assert in_villages == {"rural_settlement", "self_built_resettlement"}
    assert in_urban == {"commercial_housing", "work_unit_compound", "old_compound",
                        "affordable_housing", "demolition_resettlement"}


def test_everything_lies_in_the_disc_of_its_subdistrict_s_area(xindu: District) -> None:
    sub = xindu.subdistricts
    radius = np.array([math.sqrt(site.area_km2 / math.pi) for site in SITES])
    com_sub = xindu.position("subdistricts", xindu.communities["subdistrict_id"])
    mg_sub = xindu.position("subdistricts", xindu.microgrid_subdistrict())
    member_sub = mg_sub[xindu.position("microgrids", xindu.members["microgrid_id"])]
    for name, x, y, of in (("communities", "x_km", "y_km", com_sub),
                           ("microgrids", "x_km", "y_km", mg_sub),
                           ("members", "home_x_km", "home_y_km", member_sub)):
        table = xindu.table(name)
        away = np.hypot(table[x] - sub["x_km"][of], table[y] - sub["y_km"][of])
        assert np.all(away <= radius[of] + 1e-9), name


def test_urban_communities_gather_nearer_the_seat_than_villages(xindu: District) -> None:
    com, sub = xindu.communities, xindu.subdistricts
    of = xindu.position("subdistricts", com["subdistrict_id"])
    away = np.hypot(com["x_km"] - sub["x_km"][of], com["y_km"] - sub["y_km"][of])
    assert np.median(away[com["kind"] == URBAN]) < np.median(away[com["kind"] == VILLAGE])


def test_ids_are_dense_and_every_reference_resolves(xindu: District) -> None:
    assert check_district(xindu) == []
    for name in TABLE_NAMES:
        table = xindu.table(name)
        first = next(iter(table.values()))
        if name != "pairings":
            assert np.array_equal(first, np.arange(len(first))), name


def test_same_seed_same_district_other_seed_other_district(xindu: District) -> None:
    assert generate_xindu(seed=2020).equals(xindu)
    other = generate_xindu(seed=2021)
    assert not np.array_equal(other.microgrids["households"], xindu.microgrids["households"])
    assert not np.array_equal(other.members["microgrid_id"], xindu.members["microgrid_id"])


def _same(a: District, b: District, names: list[str]) -> None:
    for name in names:
        assert all(np.array_equal(a.table(name)[c], b.table(name)[c]) for c in a.table(name)), name


def test_changing_members_changes_only_the_members_table(xindu: District) -> None:
    more = generate_xindu(members=13_000)
    _same(xindu, more, [n for n in TABLE_NAMES if n != "members"])
    assert len(more.members["member_id"]) == 13_000


def test_changing_cadres_leaves_all_but_cadre_counts_unchanged(xindu: District) -> None:
    more = generate_xindu(cadres=5_000)
    _same(xindu, more, [n for n in TABLE_NAMES if n not in ("cadres", "units")])
    for column in ("unit_id", "name", "x_km", "y_km"):
        assert np.array_equal(more.units[column], xindu.units[column])
    assert int(more.units["cadres"].sum()) == len(more.cadres["cadre_id"]) == 5_000
    # more cadres keep every cadre of fewer: same id, unit and community
    for column in ("cadre_id", "unit_id", "community_id"):
        assert np.array_equal(more.cadres[column][:3_241], xindu.cadres[column])
    assert np.all(more.units["cadres"] >= xindu.units["cadres"])


def test_changing_scanners_changes_only_the_scanners_table(xindu: District) -> None:
    fewer = generate_xindu(scanners=120)
    _same(xindu, fewer, [n for n in TABLE_NAMES if n != "scanners"])
    assert len(fewer.scanners["scanner_id"]) == 120


def test_edge_counts_work() -> None:
    district = generate_xindu(members=10_161, cadres=0, scanners=0)
    assert np.array_equal(district.members["microgrid_id"], np.arange(10_161))
    assert district.rows("cadres") == 0 and district.units["cadres"].sum() == 0
    assert district.rows("scanners") == 0
    assert check_district(district) == []


def test_fewer_members_than_microgrids_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"members.count: 10160 members cannot staff the 10161"):
        generate_xindu(members=10_160)


@pytest.mark.parametrize(("argument", "value", "key"), [
    ("cadres", -1, "cadres.count"), ("scanners", 2.5, "scanners.count"),
    ("members", "12518", "members.count"), ("seed", True, "district.seed"),
])
def test_counts_and_seed_must_be_whole_numbers(argument: str, value: object, key: str) -> None:
    with pytest.raises(InputError, match=rf"^{key}: expected a whole number ≥ 0, got "):
        generate_xindu(**{argument: value})
