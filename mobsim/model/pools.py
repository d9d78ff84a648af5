"""The reserve pools besides the cadres: community staff, the emergency team, party teams.

Each pool is a `[pools.<name>]` table of the scenario (names in codes.POOLS):
- `teams` teams of `team_size` people for each `per` unit (a community, a sub-district or
  the district); a unit's teams are spread over its `home` places (community offices,
  sub-district offices, the district centre) in row order, team t at place t mod places;
- the pool waits at home and may fill the gaps of its `scope` (its home community, its
  sub-district or anywhere): the dispatcher serves the home community first, then wider;
- a person is alerted when the `alerted_by` level of the cascade above their home relays
  the order (their community head, sub-district command or the district, after its
  `cascade.<level>.processing_min`);
- they are in the presence state, availability and preparation of the population named by
  `like` (`<like>.presence.<period>`, `<like>.availability.<period>`,
  `<like>.prepare_min.<state>`), then take `report_min` to reach home and wait there; they
  ride to posts at `speed_kmh`. Availability changes with the clock as everyone's does
  (mobsim.model.presence.available_from_min): someone unavailable when alerted sets out
  when a later period's draw makes them available.
Person j of team g is row j × (all teams) + g, so a larger `team_size` adds people and keeps
every other person's draws (common random numbers).
With `teams_by_subdistrict` set (home "subdistrict" only) sub-district s's office has the s-th
count of teams instead; its people draw from streams of their own sub-district, person j of its
team k at k × team_size + j, so a team added to one sub-district changes no one else's draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np
import simpy

from mobsim.codes import POOL_ALERTS, POOL_LEVELS, POOLS, PRESENCE_STATES
from mobsim.errors import InputError
from mobsim.model.cascade import Cascade
from mobsim.model.chain import Chain
from mobsim.model.geometry import Geometry
from mobsim.model.presence import available_from_min, draw_states
from mobsim.model.reserves import Groups, Reserves, groups, subdistrict_centres
from mobsim.scenario.params import Parameters, Settings

AWAY = PRESENCE_STATES.index("away")


@dataclass(frozen=True)
class Pool:
    """One pool's settings (`pools.<name>.*`)."""

    name: str
    teams: int
    team_size: int
    per: int
    home: int
    scope: int
    alerted_by: int
    like: str
    speed_kmh: float
    teams_by_subdistrict: tuple[int, ...] = ()

    @classmethod
    def of(cls, settings: Settings, name: str) -> Pool:
        """The scenario's `[pools.<name>]`."""
        key = f"pools.{name}."
        return cls(name, settings.count(key + "teams"), settings.count(key + "team_size"),
                   *(POOL_LEVELS.index(settings.text(key + level)) for level in ("per", "home", "scope")),
                   POOL_ALERTS.index(settings.text(key + "alerted_by")),
                   settings.text(key + "like"), settings.number(key + "speed_kmh"),
                   tuple(int(n) for n in settings.value(key + "teams_by_subdistrict")))


@dataclass(frozen=True)
class Places:
    """A pool's people: where each waits and which cascade row alerts them."""

    community: np.ndarray
    subdistrict: np.ndarray
    xy: np.ndarray
    alert_row: np.ndarray
    draw_groups: tuple[tuple[str, int], ...]
    """Stream names (`pools.<name>` or a sub-district's) and how many people in a row draw from each."""


def _home_places(geo: Geometry, level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Home community, home sub-district (-1 when wider) and place (km) of each place of `level`."""
    sub = geo.subdistrict_of_community
    cx, cy = geo.community_xy
    if level == 0:
        return np.arange(len(cx)), sub, np.column_stack([cx, cy])
    sx, sy = subdistrict_centres(geo)
    if level == 1:
        return np.full(len(sx), -1), np.arange(len(sx)), np.column_stack([sx, sy])
    # The district centre: a placeholder at the mean place of the community offices.
    return np.full(1, -1), np.full(1, -1), np.array([[cx.mean(), cy.mean()]])


def _unit_of_place(geo: Geometry, home: int, per: int) -> np.ndarray:
    """The `per` unit each place of the `home` level lies in."""
    if per == 2:
        return np.zeros(len(_home_places(geo, home)[0]), dtype=np.int64)
    if per == home:
        return np.arange(len(_home_places(geo, home)[0]))
    return geo.subdistrict_of_community  # communities within sub-districts


def place_people(pool: Pool, geo: Geometry) -> Places:
    """Where each person of the pool waits, in row order (see the module docstring)."""
    community, subdistrict, xy = _home_places(geo, pool.home)
    if pool.teams_by_subdistrict:
        person_place, draw_groups = _by_subdistrict(pool, len(community))
    else:
        n_units = (len(geo.community_xy[0]), int(geo.subdistrict_of_community.max(initial=-1)) + 1, 1)[pool.per]
        places_of_unit = groups(np.arange(len(community)), _unit_of_place(geo, pool.home, pool.per), n_units)
        team_place = np.array([places[t % len(places)] for places in places_of_unit if len(places)
                               for t in range(pool.teams)], dtype=np.int64)
        person_place = np.tile(team_place, pool.team_size)
        draw_groups = ((f"pools.{pool.name}", len(person_place)),)
    home_sub = np.where(subdistrict >= 0, subdistrict, 0)[person_place]
    alert_row = (np.maximum(community[person_place], 0), home_sub,
                 np.zeros(len(person_place), dtype=np.int64))[pool.alerted_by]
    return Places(community[person_place], subdistrict[person_place], xy[person_place], alert_row,
                  draw_groups)


def check_team_counts(pool: str, counts: tuple[int, ...] | list[int], n_subdistricts: int) -> None:
    """InputError unless `teams_by_subdistrict` has one count per sub-district of the district."""
    if len(counts) != n_subdistricts:
        raise InputError(f"pools.{pool}.teams_by_subdistrict: {len(counts)} counts for the "
                         f"district's {n_subdistricts} sub-districts (one per sub-district, in table order)")


def _by_subdistrict(pool: Pool, n_subdistricts: int) -> tuple[np.ndarray, tuple[tuple[str, int], ...]]:
    """The sub-district office of each person, sub-district by sub-district, and their streams."""
    check_team_counts(pool.name, pool.teams_by_subdistrict, n_subdistricts)
    people = np.array(pool.teams_by_subdistrict, dtype=np.int64) * pool.team_size
    return (np.repeat(np.arange(n_subdistricts), people),
            tuple((f"pools.{pool.name}.subdistrict{s}", int(n)) for s, n in enumerate(people)))


def report_min(params: Parameters, pool: Pool, period: str,
               draw_groups: tuple[tuple[str, int], ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per person: (minute since the order from which they are available, inf: never within
    the horizon; minutes from setting out to waiting at home, inf for those away)."""
    parts = [_group_report_min(params, pool, period, stream, n) for stream, n in draw_groups]
    if not parts:
        return np.zeros(0), np.zeros(0)
    return np.concatenate([a for a, _ in parts]), np.concatenate([r for _, r in parts])


def _group_report_min(params: Parameters, pool: Pool, period: str, stream: str,
                      n: int) -> tuple[np.ndarray, np.ndarray]:
    """`report_min` of `n` people drawing from the streams named `stream`."""
    states = draw_states(params, pool.like, period, stream, n)
    available_min = available_from_min(params, pool.like, states, params.horizon_min, stream)
    prepare = [params.streams.sample("report", f"{stream}.prepare.{state}",
                                     params.duration(f"{pool.like}.prepare_min.{state}"), n)
               for state in PRESENCE_STATES[:AWAY]]
    prepare.append(np.full(n, np.inf))
    way = params.streams.sample("report", f"{stream}.report",
                                params.duration(f"pools.{pool.name}.report_min"), n)
    return available_min, np.choose(states, prepare) + way


class Pools:
    """Every pool's people as reserves, and their call-up: alerted, they report home and wait."""

    def __init__(self, params: Parameters, geo: Geometry, period: str) -> None:
        parts, available, delays, alerts, self.sizes = [], [], [], [], {}
        for name in POOLS:
            pool = Pool.of(params, name)
            places = place_people(pool, geo)
            n = len(places.community)
            self.sizes[name] = n
            parts.append(Reserves.of(name, places.community, places.subdistrict, pool.scope,
                                     pool.speed_kmh, places.xy))
            available_min, delay_min = report_min(params, pool, period, places.draw_groups)
            available.append(available_min)
            delays.append(delay_min)
            alerts.append((POOL_ALERTS[pool.alerted_by], places.alert_row))
        self.reserves = Reserves.join(parts)
        self.available_min = np.concatenate(available)
        self.report_min = np.concatenate(delays)
        self.alerts = alerts
        self.reported_min = np.full(len(self.report_min), np.inf)

    def call_up(self, cascade: Cascade, chain: Chain, wait: Callable[[int], None]) -> None:
        """Alert each pool when its level relays the order (acknowledged, then processed);
        `wait(row)` when a person is home."""
        self.cascade, self.wait = cascade, wait
        start = 0
        for level, alert_row in self.alerts:
            rows = slice(start, start + len(alert_row))
            local = np.flatnonzero(self.available_min[rows] + self.report_min[rows] < np.inf)
            if len(local):
                people = groups(start + local, alert_row[local], len(chain.levels[level].acknowledged_min))
                chain.levels[level].listeners.append(
                    partial(self._relayed, people, chain.processing_min[level]))
            start += len(alert_row)

    def _relayed(self, people: Groups, processing_min: np.ndarray, sender: int) -> None:
        # They set out once alerted and available, whichever is later.
        rows = people[sender]
        leave_min = np.maximum(processing_min[sender], self.available_min[rows] - self.cascade.env.now)
        delays_min = leave_min + self.report_min[rows]
        for person, delay_min in zip(rows.tolist(), delays_min.tolist()):
            self.cascade.at(delay_min, person, self._reported)

    def _reported(self, event: simpy.Event) -> None:
        person = event.value
        self.reported_min[person] = self.cascade.env.now
        self.wait(person)
