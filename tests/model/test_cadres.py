"""Sinking-down report: cadres ride from their unit to the paired community."""

import numpy as np
from model_fixtures import scenario, small_district

from mobsim.model import simulate
from mobsim.model.cadres import SinkingDown, cadre_report_min
from mobsim.model.cascade import Cascade
from mobsim.model.event_loop import EventLoop
from mobsim.model.geometry import geometry
from mobsim.model.trace import Trace
from mobsim.model.turnout import read_travel
from mobsim.random import Streams
from mobsim.scenario.params import Parameters


def test_report_time_is_preparation_plus_the_ride_from_the_unit() -> None:
    district = small_district(units=2, cadres=2)  # units sit 1 km north of their community
    params = Parameters(scenario("cadres.prepare_min.work=3.0", "cadres.speed_kmh=30.0",
                                 "travel.detour_factor=1.5"), Streams(1, 0))
    geo = geometry(district)
    states = np.array([1, 1, 3, 1], np.int8)
    got = cadre_report_min(params, read_travel(params), geo, states, np.array([True, True, False, True]))
    assert got[[0, 1, 3]].tolist() == [3.0 + 1.5 / 30.0 * 60] * 3 and np.isinf(got[2])


def test_reporting_cadres_are_handed_on_when_they_arrive() -> None:
    env = EventLoop()
    handed = []
    sinking = SinkingDown(Cascade(env, 720.0, Trace(False)), np.array([5.0, np.inf]),
                          lambda cadre: handed.append((env.now, cadre)))
    sinking.on_acknowledged(0)
    sinking.on_acknowledged(1)
    env.run()
    assert handed == [(5.0, 0)] and sinking.reported_min[0] == 5.0 and np.isinf(sinking.reported_min[1])


def test_a_cadre_available_only_later_sets_out_then() -> None:
    """Availability changes with the clock: a cadre who has the order at minute 10 but is
    available only from minute 240 (the evening's draw) reports 240 + 5, not 10 + 5."""
    env = EventLoop()
    handed = []
    sinking = SinkingDown(Cascade(env, 720.0, Trace(False)), np.array([5.0, 5.0, 5.0]),
                          lambda cadre: handed.append((env.now, cadre)),
                          np.array([0.0, 240.0, np.inf]))

    def acknowledge():
        yield env.timeout(10.0)
        for cadre in range(3):
            sinking.on_acknowledged(cadre)

    env.process(acknowledge())
    env.run()
    assert handed == [(15.0, 0), (245.0, 1)] and np.isinf(sinking.reported_min[2])


def test_cadres_unavailable_by_day_report_when_the_evening_begins() -> None:
    """Through the engine: order Tuesday 14:00, evening from 18:00 (minute 240); no cadre is
    available by day, every one in the evening: nobody reports before minute 240."""
    district = small_district(units=2, cadres=4)
    r = simulate(district, scenario("alert.start='14:00'", "alert.weekday='tue'",
                                    "cadres.availability.day=0.0", "cadres.availability.evening=1.0",
                                    "cadres.presence.day={home = 1.0, work = 0.0, asleep = 0.0, away = 0.0}",
                                    "cadres.at_once=100"), 3, 0)
    reported = r.cadre_reported_min[~np.isnan(r.cadre_reported_min)]
    assert len(reported) > 0 and reported.min() >= 240.0
