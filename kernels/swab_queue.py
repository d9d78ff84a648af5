"""First-come-first-served queues with c identical servers, one per site: the swab stations.

Customers of a site arrive in time order (`arrival_min`, sorted within each site) and bring
their own service time; a customer starts at the later of their arrival and the first moment
a server is free. Servers are free from the site's opening minute (`open_min`, inf = never
opens). This is the exact sample path of a G/G/c FCFS queue: with Poisson arrivals and
exponential service it is the M/M/c queue of Erlang C (mobsim.model.tasks.testing).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _serve_site(arrival_min, service_min, servers, open_min, start_min):
    free = np.full(servers, open_min)
    for i in range(arrival_min.size):
        first = 0
        for s in range(1, servers):
            if free[s] < free[first]:
                first = s
        start = max(arrival_min[i], free[first])
        start_min[i] = start
        free[first] = start + service_min[i]


@njit(cache=True)
def _serve_sites(site_offsets, arrival_min, service_min, servers, open_min, start_min):
    for site in range(site_offsets.size - 1):
        lo, hi = site_offsets[site], site_offsets[site + 1]
        if servers[site] < 1 or not open_min[site] < np.inf:
            start_min[lo:hi] = np.inf
            continue
        _serve_site(arrival_min[lo:hi], service_min[lo:hi], servers[site], open_min[site],
                    start_min[lo:hi])


def serve_sites(site_offsets: np.ndarray, arrival_min: np.ndarray, service_min: np.ndarray,
                servers: np.ndarray, open_min: np.ndarray) -> np.ndarray:
    """Service start of every customer; customers of site k are offsets[k]:offsets[k + 1].

    Arrivals must be sorted within each site; a site with no server or never open serves
    nobody (start inf).
    """
    start_min = np.empty(arrival_min.size)
    _serve_sites(np.asarray(site_offsets, np.int64), np.asarray(arrival_min, np.float64),
                 np.asarray(service_min, np.float64), np.asarray(servers, np.int64),
                 np.asarray(open_min, np.float64), start_min)
    return start_min
