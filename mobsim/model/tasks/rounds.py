"""The rounds after the SimPy run: publicity reaching households and supply delivery.

Publicity (`[tasks.publicity]`): a community messages its households when its first post is
staffed; a household in the community's messaging group (`message_reach`) reads it after
`read_min`; every household is also reached by the door notice the verification round
leaves. Supply (`[tasks.supply]`): the households that cannot go out (`share`) get a delivery
round per micro-grid, walked by the post's helpers from the later of the post's activation
and the goods' arrival (`ready_min`), door by door as the verification round (the kernel).
"""

from __future__ import annotations

import numpy as np

from mobsim.kernels.canvass import canvass
from mobsim.model.canvass import Households, door_arguments
from mobsim.scenario.params import Parameters


def household_microgrid(homes: Households) -> np.ndarray:
    """Micro-grid row of each household."""
    return np.repeat(np.arange(len(homes.microgrid_offsets) - 1),
                     np.diff(homes.microgrid_offsets))


def first_activation_min(activated_min: np.ndarray, community_of_microgrid: np.ndarray,
                         n_communities: int) -> np.ndarray:
    """Minute of each community's first activated post (inf: none)."""
    first = np.full(n_communities, np.inf)
    np.minimum.at(first, community_of_microgrid, np.nan_to_num(activated_min, nan=np.inf))
    return first


def publicity_reached_min(homes: Households, params: Parameters, activated_min: np.ndarray,
                          community_of_microgrid: np.ndarray, verified_min: np.ndarray) -> np.ndarray:
    """Minute each household learned the order's policy (NaN: not within the horizon)."""
    community = community_of_microgrid[household_microgrid(homes)]
    sent = first_activation_min(activated_min, community_of_microgrid,
                                int(community_of_microgrid.max(initial=-1)) + 1)[community]
    streams = params.streams
    in_group = streams.uniform("tasks", "publicity.group", homes.count) < params.number(
        "tasks.publicity.message_reach")
    read = sent + streams.sample("tasks", "publicity.read", params.duration(
        "tasks.publicity.read_min"), homes.count)
    reached = np.minimum(np.where(in_group, read, np.inf),
                         np.nan_to_num(verified_min, nan=np.inf))
    return np.where(reached < params.horizon_min, reached, np.nan)


def needs_supply(homes: Households, params: Parameters) -> np.ndarray:
    """Bool per household: it cannot go out and needs deliveries."""
    return params.streams.uniform("tasks", "supply.needs", homes.count) < params.number(
        "tasks.supply.share")


def supplied_min(homes: Households, params: Parameters, activated_min: np.ndarray,
                 needs: np.ndarray) -> np.ndarray:
    """Minute each household needing supply got its delivery (NaN: not, or not needing it)."""
    ready_min = params.once("tasks.supply.ready_min")
    start_min = np.maximum(np.nan_to_num(activated_min, nan=np.inf), ready_min)
    order = np.flatnonzero(needs)
    per_post = np.bincount(household_microgrid(homes)[order],
                           minlength=len(homes.microgrid_offsets) - 1)
    result = canvass(np.concatenate([[0], np.cumsum(per_post)]), order, homes.compound_type,
                     start_min, horizon_min=params.horizon_min,
                     **door_arguments(params, "tasks.supply"))
    return result.completion_min
