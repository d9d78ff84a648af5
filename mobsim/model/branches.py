"""Temporary party branches: a community command that calls gaps early and dispatches often.

`branches.count` communities have a temporary party branch (the source article formed 180
for 184 communities; which ones is a seeded draw, a placeholder). A branch takes over its
community's roll-call and dispatch: `branches.roll_call_min` after the community head
acknowledged the order, every post of the community still without staff becomes a gap; and
every `branches.dispatch_interval_min` it places the reserves waiting in its community on the
community's gaps (the dispatcher's community step), between the district's rounds.
"""

from __future__ import annotations

import numpy as np
import simpy

from mobsim.model.cascade import Cascade, Level
from mobsim.model.dispatcher import Dispatcher
from mobsim.model.geometry import Geometry
from mobsim.model.posts import Posts
from mobsim.model.reserves import groups
from mobsim.scenario.params import Parameters


def branch_communities(params: Parameters, n_communities: int) -> np.ndarray:
    """Rows of the communities with a branch: the `branches.count` of a seeded draw, sorted.

    Each community draws one uniform and the lowest have a branch, so a larger count keeps
    every branch of a smaller one (common random numbers).
    """
    u = params.streams.uniform("dispatch", "branches.communities", n_communities)
    count = min(params.count("branches.count"), n_communities)
    return np.sort(np.argsort(u, kind="stable")[:count])


class Branches:
    """The branches' early roll-calls and their dispatch rounds."""

    def __init__(self, params: Parameters, cascade: Cascade, posts: Posts, geo: Geometry,
                 dispatcher: Dispatcher) -> None:
        self.cascade = cascade
        self.posts = posts
        n_communities = len(geo.community_xy[0])
        self.communities = branch_communities(params, n_communities)
        self.has_branch = np.isin(np.arange(n_communities), self.communities)
        self.microgrids = groups(np.arange(len(geo.community_of_microgrid)),
                                 geo.community_of_microgrid, n_communities)
        self.roll_call_min = params.number("branches.roll_call_min")
        self.dispatcher = dispatcher
        self.interval_min = params.number("branches.dispatch_interval_min")

    def start(self, communities: Level) -> None:
        """Listen for the community heads' acknowledgements and begin the dispatch rounds."""
        if len(self.communities) == 0:
            return
        communities.listeners.append(self._acknowledged)
        self.dispatcher.every(self.interval_min, self.dispatcher.community_rounds(self.has_branch))

    def _acknowledged(self, community: int) -> None:
        if self.has_branch[community]:
            self.cascade.at(self.roll_call_min, community, self._roll_call)

    def _roll_call(self, event: simpy.Event) -> None:
        self.posts.open_gaps(self.microgrids[event.value], self.cascade.env.now)
