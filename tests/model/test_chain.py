"""The command chain: who relays to whom."""

import numpy as np
from model_fixtures import scenario, small_district

from mobsim.model.cascade import Cascade
from mobsim.model.chain import LEVELS, build_chain, parents
from mobsim.model.event_loop import EventLoop
from mobsim.model.geometry import geometry
from mobsim.model.trace import Trace
from mobsim.random import Streams
from mobsim.scenario.params import Parameters


def test_each_receiver_hears_from_its_own_sender() -> None:
    district = small_district(subdistricts=2, communities=2, grids=2, microgrids=2, members=2,
                              units=3, cadres=2)
    parent = parents(geometry(district))
    assert parent["subdistricts"].tolist() == [0, 0]
    assert parent["communities"].tolist() == [0, 0, 1, 1]
    assert parent["gridworkers"].tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert parent["members"].tolist() == np.repeat(np.arange(8), 4).tolist()
    assert parent["cadres"].tolist() == [0, 0, 1, 1, 2, 2]


def test_the_chain_has_every_level_and_states_for_every_receiver() -> None:
    district = small_district(units=2, cadres=3)
    params = Parameters(scenario(), Streams(1, 0))
    cascade = Cascade(EventLoop(), 720.0, Trace(False))
    chain = build_chain(params, cascade, geometry(district), "day")
    assert set(chain.levels) == set(LEVELS)
    assert len(chain.levels["members"].acknowledged_min) == len(district.members["member_id"])
    assert set(chain.states) == {"subdistricts", "communities", "gridworkers", "members", "cadres",
                                 "units"}
    assert len(chain.states["cadres"]) == 6
