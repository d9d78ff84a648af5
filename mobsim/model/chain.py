"""The command chain: which level relays the order to which, and who its people are.

District command → sub-district commands → community heads → grid workers (one per general
grid) → micro-grid members; and, on their own chain, each paired work unit → its cadres.
Each link's channels, phone lines and processing delay are the scenario's
`cascade.<sender>.*` keys; a command post or grid worker who has not confirmed
`escalation.follow_up_min` after the relay is given the order in person
(`escalation.in_person_min` later); the people of a receiving level are in a presence state drawn
from `<population>.presence.<period>` that changes with the clock (presence.Timeline), members'
by the compound type of their micro-grid (`canvass.home_factor.<type>`). Command posts with
`duty_officers.<level>` keep an officer awake; a level may also broadcast to the levels
below it (mobsim.model.broadcast); silent members are chased at the door (`chase.*`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobsim.codes import COMPOUND_TYPES
from mobsim.model.broadcast import link_broadcasts
from mobsim.model.cascade import Cascade, FollowUp, Level
from mobsim.model.contact import draw_contact
from mobsim.model.geometry import Geometry
from mobsim.model.presence import Timeline, draw_states, draw_timeline, take_note_min
from mobsim.scenario.params import Parameters

LEVELS: dict[str, str] = {
    "district": "district", "subdistricts": "subdistrict", "communities": "community",
    "gridworkers": "gridworker", "members": "member", "units": "unit", "cadres": "cadre"}
"""Cascade levels (scenario names) and the entity each is made of (trace names)."""

LINKS: tuple[tuple[str, str, str], ...] = (
    ("district", "subdistricts", "commanders"),
    ("subdistricts", "communities", "commanders"),
    ("communities", "gridworkers", "gridworkers"),
    ("gridworkers", "members", "members"),
    ("units", "cadres", "cadres"),
)
"""(sender level, receiving level, population whose presence shares the receivers follow)."""


@dataclass(frozen=True)
class Chain:
    """The levels of the cascade, the presence state of each receiving level's people, and
    each sender's processing delay before it relays (the reserve pools it alerts hear then)."""

    levels: dict[str, Level]
    states: dict[str, np.ndarray]
    timelines: dict[str, Timeline]
    processing_min: dict[str, np.ndarray]


def parents(geo: Geometry) -> dict[str, np.ndarray]:
    """Row of each receiver's sender in the level above."""
    return {
        "subdistricts": np.zeros(len(geo.ids["subdistrict"]), dtype=np.int64),
        "communities": geo.subdistrict_of_community,
        "gridworkers": geo.community_of_grid,
        "members": geo.grid_of_microgrid[geo.microgrid_of_member],
        "cadres": geo.unit_of_cadre,
    }


FOLLOWED_UP: tuple[str, ...] = ("subdistricts", "communities", "gridworkers")
"""Receiving levels whose sender follows up an unconfirmed order in person (command posts and
full-time grid workers; part-time members and cadres are not chased one by one)."""

DUTY_OFFICES: tuple[str, ...] = ("subdistricts", "communities", "units")
"""Levels that are offices and may keep an officer on duty (`duty_officers.<level>`)."""

CHASED: tuple[str, ...] = ("members",)
"""Receiving levels whose silent people are chased at the door after the phone fails (by a
building head in the relay, or by their grid worker: mobsim.model.chase)."""


def _follow_up(params: Parameters, receiver: str, size: int) -> FollowUp | None:
    if receiver not in FOLLOWED_UP:
        return None
    in_person = params.streams.sample("escalation", f"{receiver}.in_person",
                                      params.duration("escalation.in_person_min"), size)
    return FollowUp(params.once("escalation.follow_up_min"), in_person)


def _timeline(params: Parameters, geo: Geometry, period: str, population: str, level: str,
              n: int) -> Timeline:
    """Presence over the horizon of the `n` people of a level."""
    factor = None
    if level == "members":
        factors = np.array([params.number(f"canvass.home_factor.{t}") for t in COMPOUND_TYPES])
        factor = factors[geo.compound_of_microgrid[geo.microgrid_of_member]]
    states = draw_states(params, population, period, level, n, factor)
    duty = level in DUTY_OFFICES and params.flag(f"duty_officers.{level}")
    return draw_timeline(params, population, level, states, params.horizon_min, duty)


def build_chain(params: Parameters, cascade: Cascade, geo: Geometry, period: str) -> Chain:
    """Create the levels, link each sender to its receivers, and give the roots the order."""
    parent = parents(geo)
    sizes = {"district": 1, **{level: len(rows) for level, rows in parent.items()},
             "units": len(geo.unit_xy[0])}
    levels = {name: Level.empty(entity, sizes[name]) for name, entity in LEVELS.items()}
    timelines = {"units": _timeline(params, geo, period, "commanders", "units", sizes["units"])}
    streams = params.streams
    processing = {}
    by_building_head = params.text("chase.by") == "building_head"
    for sender, receiver, population in LINKS:
        timeline = _timeline(params, geo, period, population, receiver, sizes[receiver])
        timelines[receiver] = timeline
        contact = draw_contact(params, receiver, timeline.states,
                               params.channels(f"cascade.{sender}.channels"),
                               params.count(f"cascade.{sender}.callers"), timeline,
                               chased=receiver in CHASED and by_building_head)
        processing[sender] = streams.sample("cascade", f"{sender}.processing",
                                            params.duration(f"cascade.{sender}.processing_min"),
                                            sizes[sender])
        cascade.link(levels[sender], levels[receiver], parent[receiver], contact,
                     processing[sender], _follow_up(params, receiver, sizes[receiver]))
    link_broadcasts(params, cascade, levels, timelines, parent, processing)
    cascade.start(levels["district"], np.zeros(1))
    order_min = streams.sample("cascade", "units.order", params.duration("cascade.units.order_min"),
                               sizes["units"])
    cascade.start(levels["units"], take_note_min(params, "units", order_min, timelines["units"]))
    states = {level: timeline.states for level, timeline in timelines.items()}
    return Chain(levels, states, timelines, processing)
