"""Wartime sinking-down report: cadres who have the order go to their paired community and wait.

Only `cadres.at_once` of them are on duty in the first hours (a seeded draw, `on_roster`).
A cadre on duty reports once available (`cadres.availability.<period>`, drawn again at each
period change within the horizon, docs/model.md 7.10) and never while away; they prepare (`cadres.prepare_min.<state>`) and ride from their work unit to the paired
community at `cadres.speed_kmh` along the route (`travel.detour_factor`). Where a cadre
lives is not in the district tables, so every cadre sets out from the unit.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import simpy

from mobsim.model.cascade import Cascade
from mobsim.model.geometry import Geometry
from mobsim.model.turnout import Travel, distance_km, prepare_min
from mobsim.scenario.params import Parameters


def on_roster(params: Parameters, n: int) -> np.ndarray:
    """Whether each cadre is among the `cadres.at_once` on duty in the first hours.

    The article's 3,241 are person-times over the whole campaign, not heads at once. Each
    cadre draws one uniform and the lowest are on the roster, so a larger number keeps
    everyone of a smaller one (common random numbers).
    """
    u = params.streams.uniform("cadres", "roster", n)
    chosen = np.zeros(n, dtype=bool)
    chosen[np.argsort(u, kind="stable")[:params.count("cadres.at_once")]] = True
    return chosen


def cadre_report_min(params: Parameters, travel: Travel, geo: Geometry, states: np.ndarray,
                     available: np.ndarray) -> np.ndarray:
    """Minutes from setting about it to reaching the paired community; inf for those who do
    not report (`available` false: off the roster, or never available)."""
    ux, uy = geo.unit_xy
    cx, cy = geo.community_xy
    unit, community = geo.unit_of_cadre, geo.community_of_cadre
    ride = travel.drive_min(distance_km(ux[unit], uy[unit], cx[community], cy[community]),
                            params.number("cadres.speed_kmh"))
    return np.where(available, prepare_min(params, "cadres", states) + ride, np.inf)


class SinkingDown:
    """Schedules each cadre's arrival at the paired community once they acknowledge and are
    available (availability changes with the clock: mobsim.model.presence.Timeline)."""

    def __init__(self, cascade: Cascade, report_min: np.ndarray,
                 on_reported: Callable[[int], None], available_min: np.ndarray | None = None) -> None:
        self.cascade = cascade
        self.report_min = report_min
        self.on_reported = on_reported
        self.available_min = np.zeros(len(report_min)) if available_min is None else available_min
        self.reported_min = np.full(len(report_min), np.inf)

    def on_acknowledged(self, cadre: int) -> None:
        """A cadre has the order: they set out once available, if they report at all."""
        if self.report_min[cadre] < np.inf and self.available_min[cadre] < np.inf:
            wait_min = max(self.available_min[cadre] - self.cascade.env.now, 0.0)
            self.cascade.at(wait_min + self.report_min[cadre], cadre, self._reported)

    def _reported(self, event: simpy.Event) -> None:
        cadre = event.value
        now = self.cascade.env.now
        self.reported_min[cadre] = now
        self.cascade.trace.record(now, "cadre", cadre, "reported")
        self.on_reported(cadre)
