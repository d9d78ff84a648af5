"""Testing sites: households reached by publicity come, queue and are swabbed at the stations.

Each community's households are split among its sites in contiguous blocks of the household
order (a site serves the micro-grids near it). A household reached by publicity comes with
probability `tasks.testing.turnout` after `tasks.testing.come_min`; a site opens when its
minimum staff is on hand (mobsim.model.tasks.staffing) and serves first come first served at
`tasks.testing.stations` stations, `tasks.testing.swab_min` a household: the M/M/c queue of
Erlang C when arrivals are Poisson (tests/model/tasks/test_swab_queue.py). A family is swabbed
together, so the share of households tested is the share of residents tested.
"""

from __future__ import annotations

import numpy as np

from mobsim.codes import TASKS
from mobsim.kernels.swab_queue import serve_sites
from mobsim.model.canvass import Households
from mobsim.model.tasks.rounds import household_microgrid
from mobsim.scenario.params import Parameters


def site_of_household(homes: Households, community_of_microgrid: np.ndarray,
                      site_community: np.ndarray) -> np.ndarray:
    """Row (among the sites) of the site each household goes to; -1 if its community has none."""
    community = community_of_microgrid[household_microgrid(homes)]
    n = max(int(community.max(initial=-1)), int(site_community.max(initial=-1))) + 1
    sites = np.bincount(site_community, minlength=n)
    first_site = np.cumsum(sites) - sites
    # Households of a community are contiguous in the numbering only micro-grid by micro-grid:
    # rank each within its community in household order.
    order = np.argsort(community, kind="stable")
    size = np.bincount(community, minlength=n)
    rank = np.empty(homes.count, dtype=np.int64)
    rank[order] = np.arange(homes.count) - np.repeat(np.cumsum(size) - size, size)
    local = (rank * sites[community]) // np.maximum(size[community], 1)
    return np.where(sites[community] > 0, first_site[community] + local, -1)


def tested_min(homes: Households, params: Parameters, task_units: np.ndarray,
               community_of_microgrid: np.ndarray, reached_min: np.ndarray) -> np.ndarray:
    """Minute each household finished its swab (NaN: not within the horizon)."""
    sites = task_units[task_units["task"] == TASKS.index("testing")]
    site = site_of_household(homes, community_of_microgrid, sites["community"].astype(np.int64))
    streams = params.streams
    comes = streams.uniform("tasks", "testing.turnout", homes.count) < params.number(
        "tasks.testing.turnout")
    arrival = reached_min + streams.sample("tasks", "testing.come",
                                           params.duration("tasks.testing.come_min"), homes.count)
    swab = streams.sample("tasks", "testing.swab", params.duration("tasks.testing.swab_min"),
                          homes.count)
    queued = np.flatnonzero(comes & (site >= 0) & (arrival < params.horizon_min))
    # By site, then by arrival: two sorts, much faster than a lexsort of float keys.
    queued = queued[np.argsort(arrival[queued])]
    queued = queued[np.argsort(site[queued], kind="stable")]
    offsets = np.searchsorted(site[queued], np.arange(len(sites) + 1))
    start = serve_sites(offsets, arrival[queued], swab[queued], sites["stations"],
                        sites["able_min"])
    done = np.full(homes.count, np.nan)
    finish = start + swab[queued]
    done[queued] = np.where(finish < params.horizon_min, finish, np.nan)
    return done
