"""Cascade mechanics: roots, processing, relays, listeners, the horizon."""

import numpy as np

from mobsim.codes import CHANNELS
from mobsim.model.cascade import Cascade, FollowUp, Level
from mobsim.model.contact import MESSAGING, Contact
from mobsim.model.event_loop import EventLoop
from mobsim.model.trace import Trace


def _messaging(read_min: list[float]) -> Contact:
    """Children reached by message only, each reading it `read_min` after the relay."""
    n = len(read_min)
    reached, reading = np.zeros((len(CHANNELS), n), dtype=bool), np.zeros((len(CHANNELS), n))
    reached[MESSAGING], reading[MESSAGING] = True, read_min
    no_attempts = np.zeros((n, 0))
    return Contact(np.array([MESSAGING]), 1, reached, np.zeros_like(reading), reading,
                   reading, no_attempts.astype(bool), no_attempts.astype(bool), np.zeros(n),
                   no_attempts, no_attempts, np.full(n, np.inf), np.full(n, np.inf))


def _two_levels(horizon_min: float = 100.0):
    env = EventLoop()
    cascade = Cascade(env, horizon_min, Trace(True))
    top, bottom = Level.empty("community", 2), Level.empty("gridworker", 3)
    cascade.link(top, bottom, np.array([1, 0, 1]), _messaging([1.0, 2.0, 30.0]), np.array([4.0, 8.0]))
    return env, cascade, top, bottom


def test_a_sender_relays_after_processing_and_children_read() -> None:
    env, cascade, top, bottom = _two_levels()
    heard = []
    bottom.listeners.append(lambda i: heard.append((env.now, i)))
    cascade.start(top, np.array([0.0, 10.0]))
    env.run()
    assert top.acknowledged_min.tolist() == [0.0, 10.0]
    # child 1 hears from sender 0 (relays at 4); children 0 and 2 from sender 1 (relays at 18)
    assert bottom.notified_min.tolist() == [18.0, 4.0, 18.0]
    assert bottom.acknowledged_min.tolist() == [19.0, 6.0, 48.0]
    assert heard == [(6.0, 1), (19.0, 0), (48.0, 2)]
    assert (bottom.channel == MESSAGING).all()


def test_nothing_is_scheduled_at_or_after_the_horizon() -> None:
    env, cascade, top, bottom = _two_levels(horizon_min=40.0)
    cascade.start(top, np.array([0.0, 10.0]))
    env.run()
    assert np.isinf(bottom.acknowledged_min[2]) and bottom.acknowledged_min[0] == 19.0
    assert env.now < 40.0


def test_acknowledgements_are_traced_with_the_entity_of_the_level() -> None:
    env, cascade, top, bottom = _two_levels()
    cascade.start(top, np.array([0.0, 10.0]))
    env.run()
    ids = {"community": np.array([7, 8]), "gridworker": np.array([70, 71, 72])}
    table = cascade.trace.table(ids, 100.0)
    assert len(table) == 2 * 2 + 2 * 3
    acknowledged = table[table["event"] == 1]
    assert acknowledged["entity_id"].tolist() == [7, 71, 8, 70, 72]


def test_an_unconfirmed_receiver_is_given_the_order_in_person() -> None:
    env = EventLoop()
    cascade = Cascade(env, 200.0, Trace(False))
    top, bottom = Level.empty("community", 1), Level.empty("gridworker", 3)
    # reads at 1, 50 and never; follow-up 15 min after the relay, in person 10/20/30 min later
    never = np.inf
    cascade.link(top, bottom, np.zeros(3, dtype=np.int64), _messaging([1.0, 50.0, never]),
                 np.array([4.0]), FollowUp(15.0, np.array([10.0, 20.0, 30.0])))
    cascade.start(top, np.array([0.0]))
    env.run()
    # relay at 4: child 0 read in time; child 1 read at 54 > in person at 4+15+20 = 39;
    # child 2 never reads and is reached in person at 4+15+30 = 49
    assert bottom.acknowledged_min.tolist() == [5.0, 39.0, 49.0]


def test_a_channel_sooner_than_the_visit_still_counts() -> None:
    env = EventLoop()
    cascade = Cascade(env, 200.0, Trace(False))
    top, bottom = Level.empty("community", 1), Level.empty("gridworker", 1)
    cascade.link(top, bottom, np.zeros(1, dtype=np.int64), _messaging([20.0]), np.array([0.0]),
                 FollowUp(15.0, np.array([30.0])))
    cascade.start(top, np.array([0.0]))
    env.run()
    assert bottom.acknowledged_min.tolist() == [20.0]
    assert bottom.channel.tolist() == [MESSAGING]
