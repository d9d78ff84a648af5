"""Verification case 1 (brief section 5): a deterministic cascade gives the critical path exactly.

scenarios/deterministic-cascade.toml fixes every duration and relays by phone only, everyone
home and answering. On the Xindu district (10,161 micro-grids, irregular at every level) each
person then acknowledges at the sum, along their branch, of the processing delays and of the
phone queue: the j-th child of a sender with c lines is served ceil(j / c) call lengths after
the sender starts calling. A command post or grid worker still unreached F = follow_up_min
after that start is given the order in person P = in_person_min later: their delay is
min(queue, F + P) once the queue exceeds F. A micro-grid is activated by its first member on
post (prepare, then walk). The closed form below uses the scenario's numbers and the district
tables only. Tolerance: none. Every value is a whole or dyadic number of minutes, so the sums
are exact in floating point and the engine must match them to the last bit.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scenario_files import case_on_district, child_positions

from mobsim.codes import ACTIVATED_BY, CHANNELS, COMPOUND_TYPES
from mobsim.district.generate import generate_xindu
from mobsim.district.tables import District
from mobsim.model import simulate
from mobsim.scenario.files import Scenario

LATTICE_KM = 1.0 / 1024.0
"""Micro-grids are moved to this lattice (under a metre) so that home + 0.375 km is exact."""
HOME_NORTH_KM = 0.375
"""Every member lives this far north of the post: 5.0 minutes' walk at 4.5 km/h, exactly."""
FOLLOWED_UP = ("subdistricts", "communities", "gridworkers")
"""Receiving levels chased in person (command posts and grid workers; docs/model.md)."""


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


def parents(district: District) -> dict[str, np.ndarray]:
    """Row of each receiver's sender, by receiving level (the chain of command)."""
    mg, members = district.microgrids, district.members
    return {
        "subdistricts": np.zeros(district.rows("subdistricts"), dtype=np.int64),
        "communities": district.position("subdistricts", district.communities["subdistrict_id"]),
        "gridworkers": district.position("communities", district.general_grids["community_id"]),
        "members": district.position("general_grids", mg["general_grid_id"])[
            district.position("microgrids", members["microgrid_id"])],
        "cadres": district.position("units", district.cadres["unit_id"]),
    }


def relay_delay_min(scenario: Scenario, sender: str, receiver: str,
                    parent: np.ndarray) -> np.ndarray:
    """Minutes from the sender's acknowledgement to each child's: processing, queue, follow-up."""
    queue = np.ceil(child_positions(parent) / scenario.get(f"cascade.{sender}.callers")) \
        * scenario.get("channels.phone.call_min")
    if receiver in FOLLOWED_UP:
        follow_up = scenario.get("escalation.follow_up_min")
        in_person = follow_up + scenario.get("escalation.in_person_min")
        queue = np.where(queue > follow_up, np.minimum(queue, in_person), queue)
    return scenario.get(f"cascade.{sender}.processing_min") + queue


def walk_min(scenario: Scenario, district: District) -> np.ndarray:
    """Each member's trip to the post: HOME_NORTH_KM, lengthened to posts in villages, then
    the minutes inside the post's compound."""
    minutes = HOME_NORTH_KM * scenario.get("travel.detour_factor") / (
        scenario.get("travel.walk_speed_mps") * 3.6) * 60.0
    assert minutes == 5.0  # the district was built for this: the sums stay exact
    post = district.position("microgrids", district.members["microgrid_id"])
    village = district.microgrid_is_village()[post]
    inside = np.array([scenario.get(f"travel.inside_compound_min.{name}")
                       for name in COMPOUND_TYPES])[district.microgrids["compound_type"][post]]
    return np.where(village, minutes * scenario.get("travel.village_factor"), minutes) + inside


CHAIN = (("district", "subdistricts"), ("subdistricts", "communities"),
         ("communities", "gridworkers"), ("gridworkers", "members"))


def test_every_acknowledgement_and_activation_is_the_closed_form(case) -> None:
    district, scenario, result = case
    parent = parents(district)
    ack = {"district": np.zeros(1)}
    for sender, receiver in CHAIN:
        ack[receiver] = ack[sender][parent[receiver]] + relay_delay_min(
            scenario, sender, receiver, parent[receiver])
    on_post = ack["members"] + (scenario.get("members.prepare_min.home")
                                + walk_min(scenario, district))
    first_on_post = np.full(district.rows("microgrids"), np.inf)
    np.minimum.at(first_on_post, district.position("microgrids", district.members["microgrid_id"]),
                  on_post)

    assert np.array_equal(result.gridworker_alerted_min, ack["gridworkers"])
    assert np.array_equal(result.member_acknowledged_min, ack["members"])
    call = scenario.get("channels.phone.call_min")
    # a member is rung as the call begins
    assert np.array_equal(result.member_notified_min, ack["members"] - call)
    assert np.array_equal(result.member_arrived_min, on_post)
    assert np.array_equal(result.microgrid_activated_min, first_on_post)
    assert (result.microgrid_activated_by == ACTIVATED_BY.index("member")).all()
    assert (result.member_channel == CHANNELS.index("phone")).all()
    assert np.isnan(result.microgrid_gap_min).all()
    unit_ack = np.full(district.rows("units"), scenario.get("cascade.units.order_min"))
    assert np.array_equal(result.cadre_acknowledged_min, unit_ack[parent["cadres"]]
                          + relay_delay_min(scenario, "units", "cadres", parent["cadres"]))


def test_the_case_exercises_queues_follow_ups_and_villages(case) -> None:
    """Guard the case itself: its numbers must make every mechanism matter somewhere."""
    district, scenario, _ = case
    parent = parents(district)
    queue_lengths = [relay_delay_min(scenario, s, r, parent[r]).max()
                     - scenario.get(f"cascade.{s}.processing_min") for s, r in CHAIN]
    follow_up = scenario.get("escalation.follow_up_min")
    in_person = follow_up + scenario.get("escalation.in_person_min")
    assert max(queue_lengths[:3]) == in_person  # some command post was chased in person
    assert queue_lengths[3] > in_person         # members are not chased: their queue runs on
    assert district.microgrid_is_village().any() and not district.microgrid_is_village().all()


def test_the_last_activation_is_the_sum_along_the_critical_path(case) -> None:
    """Trace the last post back to the district command and add up its branch term by term."""
    district, scenario, result = case
    last_post = int(np.argmax(result.microgrid_activated_min))
    parent = parents(district)
    member = int(np.flatnonzero(district.members["microgrid_id"]
                                == district.microgrids["microgrid_id"][last_post])[0])
    rows = {"members": member}
    for sender, receiver in reversed(CHAIN[1:]):
        rows[sender] = int(parent[receiver][rows[receiver]])
    path = [float(relay_delay_min(scenario, s, r, parent[r])[rows[r]]) for s, r in CHAIN]
    path += [scenario.get("members.prepare_min.home"), float(walk_min(scenario, district)[member])]
    assert result.microgrid_activated_min[last_post] == math.fsum(path)
    assert np.nanmax(result.microgrid_activated_min) == math.fsum(path)
