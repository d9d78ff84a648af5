"""Verification case 1 (brief section 5): a deterministic cascade gives the critical path exactly.

scenarios/deterministic-cascade.toml fixes every duration and relays by phone only, everyone
home and answering. On the Xindu district (10,161 micro-grids, irregular at every level) each
person then acknowledges at the sum, along their branch, of the processing delays and of the
phone queue: the j-th child of a sender with c lines is served at ceil(j / c) call lengths
after the sender starts calling. A micro-grid is activated by its first member on post. The
closed form below is computed from the scenario's numbers and the district tables alone.
Tolerance: none; every value is a whole or dyadic number of minutes, so the sums are exact
in floating point and the engine must match them to the last bit.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from mobsim.district import District
from mobsim.generate import generate_xindu
from mobsim.model import ACTIVATED_BY, CHANNELS, simulate
from scenario_files import case_on_district, child_positions

LATTICE_KM = 1.0 / 1024.0
"""Micro-grids are moved to this lattice (under a metre) so that home + 0.375 km is exact."""
HOME_NORTH_KM = 0.375
"""Every member lives this far north of the post: 5.0 minutes' walk at 4.5 km/h, exactly."""


def xindu_with_exact_walks() -> District:
    """The Xindu district with every member living HOME_NORTH_KM due north of the post."""
    xindu = generate_xindu()
    mg = dict(xindu.microgrids)
    mg["x_km"] = np.round(mg["x_km"] / LATTICE_KM) * LATTICE_KM
    mg["y_km"] = np.round(mg["y_km"] / LATTICE_KM) * LATTICE_KM
    post = xindu.position("microgrids", xindu.members["microgrid_id"])
    members = {**xindu.members, "home_x_km": mg["x_km"][post],
               "home_y_km": mg["y_km"][post] + HOME_NORTH_KM}
    return replace(xindu, microgrids=mg, members=members)


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """(district, scenario, one replication) of the deterministic cascade on Xindu."""
    district = xindu_with_exact_walks()
    scenario = case_on_district("deterministic-cascade", district,
                                tmp_path_factory.mktemp("deterministic"))
    return district, scenario, simulate(district, scenario, seed=1, replication=0)


def served_min(start_min: np.ndarray, parent: np.ndarray, call_min: float,
               callers: int) -> np.ndarray:
    """When each child is acknowledged: its sender's start plus ceil(j / c) calls."""
    return start_min[parent] + np.ceil(child_positions(parent) / callers) * call_min


def test_every_acknowledgement_and_activation_is_the_closed_form(case) -> None:
    district, scenario, result = case
    call = scenario.get("channels.phone.call_min")
    lines = {level: scenario.get(f"cascade.{level}.callers")
             for level in ("district", "subdistricts", "communities", "gridworkers", "units")}
    delay = {level: scenario.get(f"cascade.{level}.processing_min") for level in lines}
    com, grids, mg, members = (district.communities, district.general_grids, district.microgrids,
                               district.members)
    sub_of_com = district.position("subdistricts", com["subdistrict_id"])
    com_of_grid = district.position("communities", grids["community_id"])
    grid_of_member = district.position("general_grids", mg["general_grid_id"])[
        district.position("microgrids", members["microgrid_id"])]

    district_ack = np.zeros(1)
    sub_ack = served_min(district_ack + delay["district"], np.zeros(district.rows("subdistricts"),
                         dtype=np.int64), call, lines["district"])
    com_ack = served_min(sub_ack + delay["subdistricts"], sub_of_com, call, lines["subdistricts"])
    grid_ack = served_min(com_ack + delay["communities"], com_of_grid, call, lines["communities"])
    member_ack = served_min(grid_ack + delay["gridworkers"], grid_of_member, call,
                            lines["gridworkers"])
    walk_min = HOME_NORTH_KM * scenario.get("travel.detour_factor") / (
        scenario.get("travel.walk_speed_mps") * 3.6) * 60.0
    assert walk_min == 5.0  # the district was built for this: the sums below stay exact
    village = district.microgrid_is_village()[district.position("microgrids",
                                                                 members["microgrid_id"])]
    walk_min = np.where(village, walk_min * scenario.get("travel.village_factor"), walk_min)
    on_post = member_ack + (scenario.get("members.prepare_min.home") + walk_min)
    first_on_post = np.full(district.rows("microgrids"), np.inf)
    np.minimum.at(first_on_post, district.position("microgrids", members["microgrid_id"]), on_post)

    assert np.array_equal(result.gridworker_alerted_min, grid_ack)
    assert np.array_equal(result.member_acknowledged_min, member_ack)
    assert np.array_equal(result.member_notified_min, member_ack - call)  # rung as the call begins
    assert np.array_equal(result.member_arrived_min, on_post)
    assert np.array_equal(result.microgrid_activated_min, first_on_post)
    assert (result.microgrid_activated_by == ACTIVATED_BY.index("member")).all()
    assert (result.member_channel == CHANNELS.index("phone")).all()
    assert np.isnan(result.microgrid_gap_min).all()

    cadres = district.cadres
    unit_start = np.full(district.rows("units"), scenario.get("cascade.units.order_min")
                         + delay["units"])
    assert np.array_equal(result.cadre_acknowledged_min,
                          served_min(unit_start, district.position("units", cadres["unit_id"]),
                                     call, lines["units"]))


def test_the_last_activation_is_the_sum_along_the_critical_path(case) -> None:
    """Trace the last post back to the district command and add up its branch by hand."""
    district, scenario, result = case
    last_post = int(np.argmax(result.microgrid_activated_min))
    mg, members = district.microgrids, district.members
    member = int(np.flatnonzero(members["microgrid_id"] == mg["microgrid_id"][last_post])[0])
    grid = int(district.position("general_grids", mg["general_grid_id"][last_post]))
    community = int(district.position("communities", district.general_grids["community_id"][grid]))
    sub = int(district.position("subdistricts", district.communities["subdistrict_id"][community]))

    def queue(level: str, parent_rows: np.ndarray, row: int) -> float:
        """ceil(j / c) calls for the row's place j in its sender's list."""
        j = child_positions(parent_rows)[row]
        return math.ceil(j / scenario.get(f"cascade.{level}.callers")) * scenario.get(
            "channels.phone.call_min")

    grid_of_member = district.position("general_grids", mg["general_grid_id"])[
        district.position("microgrids", members["microgrid_id"])]
    path = [
        scenario.get("cascade.district.processing_min"),
        queue("district", np.zeros(district.rows("subdistricts"), dtype=np.int64), sub),
        scenario.get("cascade.subdistricts.processing_min"),
        queue("subdistricts", district.position("subdistricts",
                                                district.communities["subdistrict_id"]), community),
        scenario.get("cascade.communities.processing_min"),
        queue("communities", district.position("communities",
                                               district.general_grids["community_id"]), grid),
        scenario.get("cascade.gridworkers.processing_min"),
        queue("gridworkers", grid_of_member, member),
        scenario.get("members.prepare_min.home"),
        # the walk: 0.375 km at 4.5 km/h, longer to a post in a village
        5.0 * (scenario.get("travel.village_factor") if district.microgrid_is_village()[last_post]
               else 1.0),
    ]
    assert result.microgrid_activated_min[last_post] == math.fsum(path)
    assert np.nanmax(result.microgrid_activated_min) == math.fsum(path)
