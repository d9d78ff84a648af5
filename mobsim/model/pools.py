"""The reserve pools besides the cadres: community staff, the emergency team, party teams.

Each pool is a `[pools.<name>]` table of the scenario (names in codes.POOLS):
- `teams` teams of `team_size` people for each `per` unit (a community, a sub-district or the
  district), spread over the unit's `home` places (community offices, sub-district offices,
  the district centre) by need: in proportion to the places' micro-grids or households
  (`spread`), seat by seat (Sainte-Laguë's divisors: the next team goes to the place with
  the greatest weight / (2 × teams so far + 1), the lower row on a tie), so a pool with one
  more team keeps every earlier team where it was; or as an explicit table of teams per
  sub-district or per community (`teams_by_subdistrict`, `teams_by_community`);
- the pool waits at home and may fill the gaps of its `scope` (its home community, its
  sub-district or anywhere); it rides to posts at `speed_kmh`;
- its people are alerted like everyone else: when the `alerted_by` level above their home
  relays the order (their community head, sub-district command or the district, after its
  processing delay), it calls them out on `channels` with `callers` lines (mobsim.model.
  cascade, contact): they read and answer in the presence state of the population named by
  `like`, asleep until woken or their wake-up, and `night_on_duty_share` of them keep an
  officer's night duty (awake, reading at once, answering the first call);
- having the order, a person available sets out at once, one unavailable when they become
  available (mobsim.model.presence.Timeline); they prepare as `like` does and take
  `report_min` to reach home, where they wait for the dispatcher.
Person j of team g is row j × (the pool's teams) + g, and draws from the streams of member j
(`pools.<name>.member<j>`, one value per team in team order), teams ordered team 0 of every
unit, then team 1, and so on: a pool with more teams, or larger teams, keeps every other
person's draws (common random numbers). With an explicit table, place p's people draw from
its own streams (`pools.<name>.<subdistrict|community><p>.member<j>`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np
import simpy

from mobsim.codes import CHANNELS, POOL_ALERTS, POOL_LEVELS, POOLS, PRESENCE_STATES
from mobsim.errors import InputError
from mobsim.model.cascade import Cascade, Level
from mobsim.model.chain import Chain
from mobsim.model.contact import Contact, draw_contact
from mobsim.model.geometry import Geometry
from mobsim.model.presence import AWAY, Timeline, draw_states, draw_timeline
from mobsim.model.reserves import Reserves, subdistrict_centres
from mobsim.scenario.params import Parameters, Settings

COMMUNITY, SUBDISTRICT, DISTRICT = range(len(POOL_LEVELS))


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
    spread: str
    teams_by_subdistrict: tuple[int, ...]
    teams_by_community: tuple[int, ...]
    channels: tuple[int, ...]
    callers: int
    night_on_duty_share: float

    @classmethod
    def of(cls, settings: Settings, name: str) -> Pool:
        """The scenario's `[pools.<name>]`."""
        key = f"pools.{name}."
        return cls(name, settings.count(key + "teams"), settings.count(key + "team_size"),
                   *(POOL_LEVELS.index(settings.text(key + level)) for level in ("per", "home", "scope")),
                   POOL_ALERTS.index(settings.text(key + "alerted_by")),
                   settings.text(key + "like"), settings.number(key + "speed_kmh"),
                   settings.text(key + "spread"),
                   tuple(int(n) for n in settings.value(key + "teams_by_subdistrict")),
                   tuple(int(n) for n in settings.value(key + "teams_by_community")),
                   settings.channels(key + "channels"), settings.count(key + "callers"),
                   settings.number(key + "night_on_duty_share"))

    @property
    def table(self) -> tuple[int, ...]:
        """The explicit teams per place, if any."""
        return self.teams_by_subdistrict or self.teams_by_community


@dataclass(frozen=True)
class Places:
    """A pool's people: where each waits and which cascade row alerts them, and the streams
    they draw from (name and how many people in a row draw from each, rows in order)."""

    community: np.ndarray
    subdistrict: np.ndarray
    xy: np.ndarray
    alert_row: np.ndarray
    blocks: tuple[tuple[str, int], ...]


def seats(weights: np.ndarray, count: int) -> np.ndarray:
    """The place of each of `count` seats, given one at a time by Sainte-Laguë's divisors: a
    seat goes to the place with the greatest weight / (2 × seats so far + 1), the lower row on
    a tie. The first k seats are the same whatever `count` (house monotone)."""
    held = np.zeros(len(weights), dtype=np.int64)
    out = np.empty(count, dtype=np.int64)
    for seat in range(count):
        out[seat] = int(np.argmax(weights / (2 * held + 1)))
        held[out[seat]] += 1
    return out


def _home_places(geo: Geometry, level: int) -> tuple[np.ndarray, ...]:
    """Home community, home sub-district (-1 when wider) and place (km) of each place of `level`."""
    sub = geo.subdistrict_of_community
    cx, cy = geo.community_xy
    if level == COMMUNITY:
        return np.arange(len(cx)), sub, np.column_stack([cx, cy])
    sx, sy = subdistrict_centres(geo)
    if level == SUBDISTRICT:
        return np.full(len(sx), -1), np.arange(len(sx)), np.column_stack([sx, sy])
    # The district centre: a placeholder at the mean place of the community offices.
    return np.full(1, -1), np.full(1, -1), np.array([[cx.mean(), cy.mean()]])


def _need(geo: Geometry, level: int, spread: str) -> np.ndarray:
    """Each place of `level`'s weight: the micro-grids or households it holds."""
    weight = (np.ones(len(geo.community_of_microgrid)) if spread == "microgrids"
              else geo.households_of_microgrid.astype(np.float64))
    community = geo.community_of_microgrid
    if level == COMMUNITY:
        return np.bincount(community, weight, len(geo.community_xy[0]))
    if level == SUBDISTRICT:
        sub = geo.subdistrict_of_community[community]
        return np.bincount(sub, weight, int(geo.subdistrict_of_community.max()) + 1)
    return np.array([weight.sum()])


def _unit_of_place(geo: Geometry, home: int, per: int, n_places: int) -> np.ndarray:
    """The `per` unit each place of the `home` level lies in."""
    if per == DISTRICT:
        return np.zeros(n_places, dtype=np.int64)
    if per == home:
        return np.arange(n_places)
    return geo.subdistrict_of_community  # communities within sub-districts


def _team_places(pool: Pool, geo: Geometry, n_places: int) -> np.ndarray:
    """The place of each team, team 0 of every unit first, then team 1, and so on."""
    unit = _unit_of_place(geo, pool.home, pool.per, n_places)
    weight = _need(geo, pool.home, pool.spread)
    by_unit = [np.flatnonzero(unit == u) for u in range(int(unit.max(initial=-1)) + 1)]
    placed = [places[seats(weight[places], pool.teams)] if len(places) else np.zeros(0, np.int64)
              for places in by_unit]
    return np.array([team for t in range(pool.teams) for team_places in placed
                     for team in team_places[t:t + 1]], dtype=np.int64)


def home_teams(pool: Pool, geo: Geometry) -> np.ndarray:
    """The teams at each of the pool's home places (its table, or the spread by need)."""
    n_places = len(_home_places(geo, pool.home)[0])
    if pool.table:
        return np.array(pool.table, dtype=np.int64)
    return np.bincount(_team_places(pool, geo, n_places), minlength=n_places)


def place_people(pool: Pool, geo: Geometry) -> Places:
    """Where each person of the pool waits, in row order (see the module docstring)."""
    community, subdistrict, xy = _home_places(geo, pool.home)
    if pool.table:
        person_place, blocks = _by_table(pool, len(community))
    else:
        team_place = _team_places(pool, geo, len(community))
        person_place = np.tile(team_place, pool.team_size)
        blocks = tuple((f"pools.{pool.name}.member{j}", len(team_place))
                       for j in range(pool.team_size))
    home_sub = np.where(subdistrict >= 0, subdistrict, 0)[person_place]
    alert_row = (np.maximum(community[person_place], 0), home_sub,
                 np.zeros(len(person_place), dtype=np.int64))[pool.alerted_by]
    return Places(community[person_place], subdistrict[person_place], xy[person_place],
                  alert_row, blocks)


def check_team_counts(pool: str, key: str, counts: tuple[int, ...] | list[int],
                      n_places: int, places: str) -> None:
    """InputError unless an explicit table has one count per place of the district."""
    if len(counts) != n_places:
        raise InputError(f"pools.{pool}.{key}: {len(counts)} counts for the district's "
                         f"{n_places} {places} (one per {places[:-1]}, in table order)")


def _by_table(pool: Pool, n_places: int) -> tuple[np.ndarray, tuple[tuple[str, int], ...]]:
    """The place of each person, place by place, and their streams (an explicit table)."""
    level = "subdistrict" if pool.teams_by_subdistrict else "community"
    check_team_counts(pool.name, f"teams_by_{level}", pool.table, n_places,
                      "sub-districts" if level == "subdistrict" else "communities")
    place = np.repeat(np.arange(n_places), np.array(pool.table, dtype=np.int64) * pool.team_size)
    blocks = tuple((f"pools.{pool.name}.{level}{p}.member{j}", teams)
                   for p, teams in enumerate(pool.table) if teams for j in range(pool.team_size))
    return place, blocks


class Pools:
    """Every pool's people as reserves, and their call-up: alerted through the cascade, they
    report home and wait."""

    def __init__(self, params: Parameters, geo: Geometry, period: str) -> None:
        self.params, self.period = params, period
        self.pools = [Pool.of(params, name) for name in POOLS]
        self.places = [place_people(pool, geo) for pool in self.pools]
        self.sizes = {pool.name: len(places.community) for pool, places in zip(self.pools, self.places)}
        self.reserves = Reserves.join([
            Reserves.of(pool.name, places.community, places.subdistrict, pool.scope,
                        pool.speed_kmh, places.xy) for pool, places in zip(self.pools, self.places)])
        self.first = np.cumsum([0, *self.sizes.values()])
        self.reported_min = np.full(int(self.first[-1]), np.inf)

    def call_up(self, cascade: Cascade, chain: Chain, wait: Callable[[int], None]) -> None:
        """Link each pool to the level that alerts it; `wait(row)` when a person is home."""
        self.cascade, self.wait = cascade, wait
        self.prepare_report: list[np.ndarray] = []
        self.available: list[np.ndarray] = []
        for index, (pool, places) in enumerate(zip(self.pools, self.places)):
            timeline, contact, delay = self._draw(pool, places)
            self.available.append(timeline.available_min)
            self.prepare_report.append(delay)
            if len(places.community) == 0:
                continue
            level = Level.empty(pool.name, len(places.community))
            level.listeners.append(partial(self._acknowledged, index))
            sender = POOL_ALERTS[pool.alerted_by]
            cascade.link(chain.levels[sender], level, places.alert_row, contact,
                         chain.processing_min[sender])

    def _draw(self, pool: Pool, places: Places) -> tuple[Timeline, Contact, np.ndarray]:
        """Per person: where they are over the horizon, how the call-out reaches them, and
        the minutes from setting out to waiting at home (inf for those away)."""
        params = self.params
        timelines, contacts, delays = [], [], []
        channels = pool.channels or (CHANNELS.index("messaging"),)
        for stream, n in places.blocks:
            states = draw_states(params, pool.like, self.period, stream, n)
            duty = ((self.period == "night") & (states != AWAY)
                    & (params.streams.uniform("presence", f"{stream}.on_duty", n)
                       < pool.night_on_duty_share))
            timeline = draw_timeline(params, pool.like, stream, states, params.horizon_min, duty)
            timelines.append(timeline)
            contacts.append(draw_contact(params, stream, timeline.states, channels,
                                         pool.callers, timeline))
            prepare = [params.streams.sample("report", f"{stream}.prepare.{state}",
                                             params.duration(f"{pool.like}.prepare_min.{state}"), n)
                       for state in PRESENCE_STATES[:AWAY]]
            prepare.append(np.full(n, np.inf))
            way = params.streams.sample("report", f"{stream}.report",
                                        params.duration(f"pools.{pool.name}.report_min"), n)
            delays.append(np.choose(timeline.states, prepare) + way)
        if not timelines:
            empty = np.zeros(0)
            return (Timeline(np.zeros(0, np.int8), empty, empty, np.zeros(0, bool)),
                    draw_contact(params, f"pools.{pool.name}", np.zeros(0, np.int8), channels,
                                 pool.callers), empty)
        return (Timeline(*(np.concatenate([getattr(t, f) for t in timelines])
                           for f in ("states", "home_min", "available_min", "duty"))),
                Contact.join(contacts), np.concatenate(delays))

    def _acknowledged(self, index: int, person: int) -> None:
        """A person has the order: they set out once available, and are home after preparing
        and their way there."""
        now = self.cascade.env.now
        leave_min = max(self.available[index][person], now)
        if leave_min < np.inf:
            delay = leave_min - now + self.prepare_report[index][person]
            self.cascade.at(delay, self.first[index] + person, self._reported)

    def _reported(self, event: simpy.Event) -> None:
        row = event.value
        self.reported_min[row] = self.cascade.env.now
        self.wait(int(row))
