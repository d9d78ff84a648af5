"""Direct broadcast: a level sends the order to every level below it at once.

A community's messaging group reaches every member of the community; a district SMS push
reaches every member and cadre. `broadcast.<level>.channels` names the channels (messaging,
sms; empty: none) and `broadcast.<level>.to` the levels below that receive it. Each
sender broadcasts when it relays (after its processing delay), to all people of those levels
under it; a receiver acknowledges on whatever reaches them first, broadcast or their own
sender's relay (mobsim.model.cascade).
"""

from __future__ import annotations

import numpy as np

from mobsim.codes import CHAIN_LEVELS
from mobsim.model.cascade import Cascade, Level
from mobsim.model.contact import draw_contact
from mobsim.model.presence import Timeline
from mobsim.scenario.params import Parameters


def ancestors(parent: dict[str, np.ndarray], sender: str, receiver: str) -> np.ndarray:
    """Row of each receiver's ancestor at the sender's level (the sender above the receiver)."""
    if receiver == "cadres" or sender == "district":
        return np.zeros(len(parent[receiver]), dtype=np.int64)
    rows = parent[receiver]
    for level in reversed(CHAIN_LEVELS[CHAIN_LEVELS.index(sender) + 1:CHAIN_LEVELS.index(receiver)]):
        rows = parent[level][rows]
    return rows


def link_broadcasts(params: Parameters, cascade: Cascade, levels: dict[str, Level],
                    timelines: dict[str, Timeline], parent: dict[str, np.ndarray],
                    processing: dict[str, np.ndarray]) -> None:
    """Link every sender that broadcasts to the levels it broadcasts to."""
    for sender in CHAIN_LEVELS[:-1]:
        channels = params.channels(f"broadcast.{sender}.channels")
        if not channels:
            continue
        for receiver in params.texts(f"broadcast.{sender}.to"):
            timeline = timelines[receiver]
            contact = draw_contact(params, f"{receiver}.broadcast.{sender}", timeline.states,
                                   channels, 1, timeline)
            cascade.link(levels[sender], levels[receiver], ancestors(parent, sender, receiver),
                         contact, processing[sender])
