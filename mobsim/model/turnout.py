"""Report to post: preparation plus travel, from where each person is when the order comes.

Those at home or asleep go from home to the post by route (`travel.detour_factor` times the
straight line), walking at `travel.walk_speed_mps` up to `travel.walk_max_km` and riding at
`travel.ride_speed_kmh` beyond; those at work take `travel.from_work_min`; those away do not
report. Travel to a post in a village community takes `travel.village_factor` times longer.
Presence changes with the clock (mobsim.model.presence.Timeline): a member leaves once they
have the order and are available, whichever is later, and from home if by then their working
period has ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import simpy

from mobsim.codes import PRESENCE_STATES
from mobsim.model.cascade import Cascade
from mobsim.model.posts import Posts
from mobsim.model.presence import Timeline
from mobsim.scenario.params import Parameters, Settings

HOME, WORK, ASLEEP, AWAY = (PRESENCE_STATES.index(s) for s in ("home", "work", "asleep", "away"))


@dataclass(frozen=True)
class Travel:
    """Speeds and factors of travel to posts."""

    walk_speed_kmh: float
    detour_factor: float
    walk_max_km: float
    ride_speed_kmh: float
    village_factor: float

    def local_min(self, distance_km: np.ndarray) -> np.ndarray:
        """Minutes to walk (or ride, when far) a straight-line distance."""
        route_km = np.asarray(distance_km) * self.detour_factor
        speed_kmh = np.where(route_km <= self.walk_max_km, self.walk_speed_kmh, self.ride_speed_kmh)
        return route_km / speed_kmh * 60.0

    def drive_min(self, distance_km: np.ndarray, speed_kmh: float) -> np.ndarray:
        """Minutes to ride a straight-line distance at `speed_kmh` along the route."""
        return np.asarray(distance_km) * self.detour_factor / speed_kmh * 60.0

    def to_posts(self, minutes: np.ndarray, village: np.ndarray,
                 inside_min: np.ndarray | float = 0.0) -> np.ndarray:
        """Travel minutes to posts, lengthened where the post is in a village, then the minutes
        inside the post's compound (mobsim.model.compounds)."""
        return np.where(village, minutes * self.village_factor, minutes) + inside_min


def read_travel(settings: Settings) -> Travel:
    """The travel settings of the scenario."""
    return Travel(
        walk_speed_kmh=settings.number("travel.walk_speed_mps") * 3.6,
        detour_factor=settings.number("travel.detour_factor"),
        walk_max_km=settings.number("travel.walk_max_km"),
        ride_speed_kmh=settings.number("travel.ride_speed_kmh"),
        village_factor=settings.number("travel.village_factor"),
    )


def distance_km(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray) -> np.ndarray:
    """Straight-line distance between points in km."""
    return np.hypot(np.asarray(x1) - x0, np.asarray(y1) - y0)


def prepare_min(params: Parameters, population: str, states: np.ndarray) -> np.ndarray:
    """Minutes from acknowledging to leaving (`<population>.prepare_min.<state>`); inf when away."""
    n = len(states)
    draws = [params.streams.sample("report", f"{population}.prepare.{PRESENCE_STATES[s]}",
                                   params.duration(f"{population}.prepare_min.{PRESENCE_STATES[s]}"), n)
             for s in (HOME, WORK, ASLEEP)]
    draws.append(np.full(n, np.inf))
    return np.choose(states, draws)


def _trips_min(params: Parameters, travel: Travel, local_km: np.ndarray,
               village: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(from home, from work) minutes of travel to each member's post."""
    from_work = params.streams.sample("report", "members.from_work",
                                      params.duration("travel.from_work_min"), len(local_km))
    return (travel.to_posts(travel.local_min(local_km), village),
            travel.to_posts(from_work, village))


@dataclass(frozen=True)
class Departure:
    """Per member: from when they can go, how long they prepare, their trips from home and
    from work, and until when they are at work (-inf: not at work)."""

    available_min: np.ndarray
    prepare_min: np.ndarray
    from_home_min: np.ndarray
    from_work_min: np.ndarray
    at_work_until_min: np.ndarray

    @classmethod
    def fixed(cls, report_min: np.ndarray) -> "Departure":
        """Members who, having the order, are on post `report_min` later (inf: never)."""
        n = len(report_min)
        never = np.where(np.isinf(report_min), np.inf, 0.0)
        return cls(never, np.where(np.isinf(report_min), 0.0, report_min), np.zeros(n),
                   np.zeros(n), np.full(n, -np.inf))

    @cached_property
    def _rows(self) -> tuple[list[float], ...]:
        # Python lists: report_min reads single values, which NumPy scalars make several times slower.
        return (self.available_min.tolist(), self.prepare_min.tolist(),
                self.at_work_until_min.tolist(), self.from_work_min.tolist(),
                self.from_home_min.tolist())

    def available_from(self, member: int) -> float:
        """The minute from which the member can go to post (inf: never within the horizon)."""
        return self._rows[0][member]

    def report_min(self, member: int, now_min: float) -> float:
        """Minutes from `now_min` (the member has the order) to the member on post; inf: never."""
        available, prepare, at_work_until, from_work, from_home = self._rows
        leave = max(now_min, available[member]) + prepare[member]
        if leave == np.inf:
            return np.inf
        trip = from_work[member] if leave < at_work_until[member] else from_home[member]
        return float(leave + trip - now_min)


def member_departure(params: Parameters, travel: Travel, timeline: Timeline,
                     local_km: np.ndarray, village: np.ndarray,
                     inside_min: np.ndarray | float = 0.0) -> Departure:
    """The departures of members whose presence over the horizon is `timeline`; every trip
    ends with `inside_min` inside the post's compound."""
    from_home, from_work = (trip + inside_min for trip in _trips_min(params, travel, local_km, village))
    at_work_until = np.where(timeline.states == WORK, timeline.home_min, -np.inf)
    return Departure(timeline.available_min, prepare_min(params, "members", timeline.states),
                     from_home, from_work, at_work_until)


class MemberReports:
    """Sends each member who acknowledges and reports to their post, and records the arrival."""

    def __init__(self, cascade: Cascade, posts: Posts, microgrid_of_member: np.ndarray,
                 departure: Departure | np.ndarray, trusted_eta_min: float) -> None:
        self.cascade = cascade
        self.posts = posts
        self.departure = (departure if isinstance(departure, Departure)
                          else Departure.fixed(departure))
        self.trusted_eta_min = trusted_eta_min
        n = len(microgrid_of_member)
        # The command counts a member as coming only if they will be on post soon enough.
        self._post = microgrid_of_member.tolist()  # read once per acknowledgement and arrival
        self.announced = [False] * n
        self.arrived_min = np.full(n, np.inf)
        self._members_of, self._is_member = _members_by_post(microgrid_of_member,
                                                             len(posts.on_post))

    def still_called(self, notified_min: np.ndarray, microgrids: np.ndarray) -> np.ndarray:
        """Members of each of `microgrids` whose first call or message is still to come, now."""
        rows = self._members_of[microgrids]
        notified = notified_min[rows]
        waiting = (notified > self.cascade.env.now) & (notified < np.inf) & self._is_member[microgrids]
        return np.count_nonzero(waiting, axis=1)

    def on_acknowledged(self, member: int) -> None:
        """A member has the order: they set out if they can now; one who cannot says so, and
        sets out, saying when they will arrive, at the minute they become available (nobody
        knows that minute before it comes)."""
        now = self.cascade.env.now
        available_min = self.departure.available_from(member)
        if available_min <= now:
            self._set_out(member, now)
        elif available_min < np.inf:
            self.cascade.at(available_min - now, member, self._available)

    def _available(self, event: simpy.Event) -> None:
        self._set_out(event.value, self.cascade.env.now)

    def _set_out(self, member: int, now: float) -> None:
        """The member leaves for post and announces their arrival."""
        report_min = self.departure.report_min(member, now)
        if report_min < np.inf:
            announced = report_min <= self.trusted_eta_min
            self.announced[member] = announced
            if announced:
                self.posts.expect(self._post[member], now + report_min)
            else:
                self.posts.expect_late(self._post[member], now + report_min)
            self.cascade.at(report_min, member, self._arrive)

    def _arrive(self, event: simpy.Event) -> None:
        member = event.value
        now = self.cascade.env.now
        self.arrived_min[member] = now
        self.cascade.trace.record(now, "member", member, "arrived")
        self.posts.arrive(self._post[member], "member", now, announced=self.announced[member])


def _members_by_post(microgrid_of_member: np.ndarray, n_posts: int) -> tuple[np.ndarray, np.ndarray]:
    """Each post's member rows, one post per row padded to the largest post (a post has a
    handful), and which entries are members: a question about a few posts reads a few values."""
    counts = np.bincount(microgrid_of_member, minlength=n_posts)
    order = np.argsort(microgrid_of_member, kind="stable")
    place = np.arange(len(order)) - np.repeat(np.cumsum(counts) - counts, counts)
    rows = np.zeros((n_posts, int(counts.max(initial=0))), dtype=np.int64)
    rows[microgrid_of_member[order], place] = order
    return rows, np.arange(rows.shape[1]) < counts[:, None]
