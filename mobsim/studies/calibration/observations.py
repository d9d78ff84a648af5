"""From a drill log to the durations each scenario distribution explains (docs/calibration.md).

- processing delays (`cascade.<level>.processing_min`): a sender relays when its first child
  is notified, so processing = earliest notification among its children − its acknowledgement;
  censored at the window's end when no child was notified in time;
- messaging read delays (`channels.messaging.read_min.<state>`) and reach
  (`channels.messaging.reach`), from members and cadres, who are never chased in person:
  read delay = acknowledgement − the sender's relay when the person acknowledged on messaging,
  censored at the acknowledgement on another channel or at the window's end otherwise; a
  person the group message never reached never reads it (the shared probability);
- members' preparation (`members.prepare_min.<state>`) and availability
  (`members.availability.<period>`): setting out − acknowledgement where the log has setting
  out (every state but away); otherwise, for members at home or asleep, arrival −
  acknowledgement − the travel the base scenario gives for the route home → post and the
  minutes inside the compound; censored at the window's end; an unavailable member never sets
  out (the shared probability);
- travel from work (`travel.from_work_min`): arrival − setting out − the minutes inside the
  compound of members at work, over the base's village factor for posts in villages; censored
  at the window's end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mobsim.codes import CHANNELS
from mobsim.district import District
from mobsim.errors import InputError
from mobsim.model.compounds import inside_compound_min
from mobsim.model.geometry import geometry
from mobsim.model.turnout import distance_km, read_travel
from mobsim.scenario import Scenario
from mobsim.scenario.params import Settings
from mobsim.studies.calibration.censored import FAMILY_PARAMS, Durations
from mobsim.studies.calibration.drill_log import DrillLog

MIN_EXACT = 10
"""Exact observations a distribution needs before it is fitted (fewer: the base value stays)."""

FLOOR_MIN = 0.01
"""A duration the log gives as 0 (or less, by the base travel) counts as this: a log's minutes
cannot be finer, and the distributions fitted have no mass at 0."""

POOLED = "*"
"""State name of a group fitted over every state (the log records no states)."""

NOT_INFORMED: tuple[str, ...] = (
    "channels.phone.* (answer probabilities and reach need the call attempts, not in the log)",
    "channels.sms.* (the log does not separate delivery from reading)",
    "cascade.units.* and cadres.prepare_min (work units are not in the log)",
    "cascade.district.processing_min (one observation)",
    "travel.detour_factor, walk_max_km, village_factor (speeds and from_work_min need set_out_min)",
    "members.prepare_min.work and travel.from_work_min without set_out_min (arrival mixes them)",
    "*.presence.* (who was where is a count, not a delay: set it from the log's state column)",
    "escalation.* and cadres.* settings",
)
"""What a drill log does not inform: these keep the base scenario's values."""

_SENDER: dict[str, tuple[str, str]] = {
    "subdistrict": ("district", "cascade.district"),
    "community": ("subdistrict", "cascade.subdistricts"),
    "gridworker": ("community", "cascade.communities"),
    "member": ("gridworker", "cascade.gridworkers"),
    "cadre": ("unit", "cascade.units"),
}
"""Per role: the role of its sender and the sender's cascade table."""


@dataclass(frozen=True)
class Problem:
    """One joint fit: groups named by scenario key, and the key of their shared probability."""

    groups: dict[str, Durations]
    probability_key: str | None


def drill_period(scenario: Scenario) -> str:
    """The presence period of the scenario's order (the drill's, once its order is set)."""
    return Settings(scenario).order_period()


def problems(log: DrillLog, district: District, scenario: Scenario) -> list[Problem]:
    """Every fit the log informs; `scenario` is the base with the drill's order time set."""
    rows = log.rows.assign(sender=log.rows["role"].map(lambda r: _SENDER[r][0]),
                           sender_id=_sender_ids(log, district))
    rows["relay_min"] = rows.groupby(["sender", "sender_id"])["notified_min"].transform("min")
    found = [_processing(log, rows, scenario), _reading(rows, scenario),
             _preparing(log, rows, district, scenario), _from_work(log, rows, district, scenario)]
    return [p for p in found if p.groups]


def _family(scenario: Scenario, key: str) -> str:
    family = scenario.dist(key.replace(f".{POOLED}", ".home")).family
    return family if family in FAMILY_PARAMS else "lognormal"


def _sender_ids(log: DrillLog, district: District) -> np.ndarray:
    """Each row's sender id in its sender's table (the district command is 0)."""
    rows = log.rows
    out = np.zeros(len(rows), dtype=np.int64)
    lookups = {"community": ("communities", "community_id", "subdistrict_id"),
               "gridworker": ("general_grids", "general_grid_id", "community_id"),
               "member": ("microgrids", "microgrid_id", "general_grid_id"),
               "cadre": ("cadres", "cadre_id", "unit_id")}
    for role, (table_name, key, parent) in lookups.items():
        mask = (rows["role"] == role).to_numpy()
        table = district.table(table_name)
        own = rows["post_id"] if role == "member" else rows["person_id"]
        out[mask] = table[parent][np.searchsorted(table[key], own.to_numpy()[mask])]
    return out


def _senders(rows: pd.DataFrame, role: str) -> pd.DataFrame:
    """The rows of a sending role; the district command, not in a log, has the order at 0."""
    if role == "district":
        return pd.DataFrame({"person_id": [0], "acknowledged_min": [0.0]})
    return rows[rows["role"] == role]


def _processing(log: DrillLog, rows: pd.DataFrame, scenario: Scenario) -> Problem:
    groups = {}
    for child, (sender, table) in _SENDER.items():
        children = rows[rows["role"] == child]
        if sender == "unit" or children.empty:
            continue  # work units are not in a drill log
        senders = _senders(rows, sender)
        senders = senders[senders["person_id"].isin(children["sender_id"])]
        _check_relay_after_acknowledgement(log, children, senders, sender)
        relay = senders["person_id"].map(children.groupby("sender_id")["relay_min"].first()).to_numpy()
        ack = senders["acknowledged_min"].to_numpy()
        heard = ~np.isnan(ack)
        exact, censored = heard & ~np.isnan(relay), heard & np.isnan(relay)
        key = f"{table}.processing_min"
        durations = Durations(_family(scenario, key),
                              np.maximum(relay[exact] - ack[exact], FLOOR_MIN),
                              log.window_min - ack[censored])
        if len(durations.exact) >= MIN_EXACT:
            groups[key] = durations
    return Problem(groups, None)


def _check_relay_after_acknowledgement(log: DrillLog, children: pd.DataFrame,
                                       senders: pd.DataFrame, sender: str) -> None:
    """A child is notified only after its sender (when the log holds the sender) acknowledged."""
    acks = senders.set_index("person_id")["acknowledged_min"]
    logged = children["sender_id"].isin(acks.index)
    ack = children["sender_id"].map(acks)
    notified = children["notified_min"]
    bad = logged & notified.notna() & ~(notified >= ack)
    if bad.any():
        i = int(bad.idxmax())
        when = f"acknowledged at {ack[i]:g}" if np.isfinite(ack[i]) else "never acknowledged"
        raise InputError(f"{log.label}: row {i + 1}: notified_min {notified[i]:g}, but its sender "
                         f"({sender} {children['sender_id'][i]}) {when}: times out of order")


def _by_state(people: pd.DataFrame, minutes: np.ndarray, exact: np.ndarray, prefix: str,
              scenario: Scenario) -> dict[str, Durations]:
    """Groups `<prefix>.<state>` of the people's durations (one pooled group without states)."""
    states = people["state"].to_numpy()
    names = [s for s in dict.fromkeys(states) if s] if (states != "").any() else [POOLED]
    groups = {}
    for state in names:
        mine = states == state if state != POOLED else np.ones(len(states), bool)
        # A censoring time of 0 or less tells nothing (1 − p·F(0) = 1).
        later = mine & ~exact & (minutes > 0)
        key = f"{prefix}.{state}"
        durations = Durations(_family(scenario, key), np.maximum(minutes[mine & exact], FLOOR_MIN),
                              minutes[later])
        if len(durations.exact) >= MIN_EXACT:
            groups[key] = durations
    return groups


def _reading(rows: pd.DataFrame, scenario: Scenario) -> Problem:
    settings = Settings(scenario)
    roles = [r for r in ("member", "cadre")
             if CHANNELS.index("messaging") in settings.channels(f"{_SENDER[r][1]}.channels")]
    people = rows[rows["role"].isin(roles) & rows["relay_min"].notna()]
    # Without the channel, an acknowledgement is neither a reading nor a censoring of one.
    people = people[people["acknowledged_min"].isna() | (people["channel"] != "")]
    minutes = (people["acknowledged_min"].fillna(people["window_min"]) - people["relay_min"]).to_numpy()
    exact = (people["channel"] == "messaging").to_numpy()
    return Problem(_by_state(people, minutes, exact, "channels.messaging.read_min", scenario),
                   "channels.messaging.reach")


def route_km(members: pd.DataFrame, district: District,
             scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """(route from home to post in km, that trip's village factor) per member, by the base's travel."""
    geo = geometry(district)
    travel = read_travel(Settings(scenario))
    post = district.position("microgrids", members["post_id"].to_numpy())
    person = district.position("members", members["person_id"].to_numpy())
    straight_km = distance_km(geo.home_xy[0][person], geo.home_xy[1][person],
                              geo.microgrid_xy[0][post], geo.microgrid_xy[1][post])
    factor = travel.to_posts(np.ones(len(post)), geo.village_microgrid[post])
    return straight_km * travel.detour_factor, factor


def inside_min(members: pd.DataFrame, district: District, scenario: Scenario) -> np.ndarray:
    """Minutes inside the compound on each member's trip to the post (docs/model.md section 11)."""
    post = district.position("microgrids", members["post_id"].to_numpy())
    return inside_compound_min(Settings(scenario), geometry(district).compound_of_microgrid[post])


def _trip_min(members: pd.DataFrame, district: District,
              scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """(minutes the base scenario gives from home to post, that trip's village factor) per member."""
    travel = read_travel(Settings(scenario))
    km, factor = route_km(members, district, scenario)
    return travel.local_min(km / travel.detour_factor) * factor, factor


def _preparing(log: DrillLog, rows: pd.DataFrame, district: District,
               scenario: Scenario) -> Problem:
    members = rows[(rows["role"] == "member") & rows["acknowledged_min"].notna()]
    availability = f"members.availability.{drill_period(scenario)}"
    ack = members["acknowledged_min"]
    if members["set_out_min"].notna().any():
        # Setting out is logged: preparation is seen directly, in every state but away.
        members = members[(members["state"] != "away")
                          & (members["set_out_min"].notna() | members["arrived_min"].isna())]
        minutes = (members["set_out_min"].fillna(log.window_min) - ack[members.index]).to_numpy()
        exact = members["set_out_min"].notna().to_numpy()
    else:
        # Arrival less the base scenario's travel, for those who walk or ride from home.
        members = members[members["state"].isin(("home", "asleep"))]
        minutes = (members["arrived_min"].fillna(log.window_min) - ack[members.index]).to_numpy()
        minutes = (minutes - _trip_min(members, district, scenario)[0]
                   - inside_min(members, district, scenario))
        exact = members["arrived_min"].notna().to_numpy()
    if members.empty:
        return Problem({}, None)
    return Problem(_by_state(members, minutes, exact, "members.prepare_min", scenario), availability)


def _from_work(log: DrillLog, rows: pd.DataFrame, district: District,
               scenario: Scenario) -> Problem:
    members = rows[(rows["role"] == "member") & (rows["state"] == "work")
                   & rows["set_out_min"].notna()]
    if members.empty:
        return Problem({}, None)
    minutes = (members["arrived_min"].fillna(log.window_min) - members["set_out_min"]).to_numpy()
    # The model lengthens every ride to a village post by travel.village_factor, then adds the
    # minutes inside the compound.
    minutes = (minutes - inside_min(members, district, scenario)) / _trip_min(members, district, scenario)[1]
    exact = members["arrived_min"].notna().to_numpy()
    key = "travel.from_work_min"
    durations = Durations(_family(scenario, key), np.maximum(minutes[exact], FLOOR_MIN),
                          minutes[~exact & (minutes > 0)])
    return Problem({key: durations} if len(durations.exact) >= MIN_EXACT else {}, None)
