"""The relay kernel by hand: ties keep the earlier channel, what reached a child before stays."""

import numpy as np
from mobsim.kernels.relay import deliver, reach

from mobsim.codes import CHANNELS

MESSAGING, SMS, PHONE, DOOR = (CHANNELS.index(c) for c in ("messaging", "sms", "phone", "door"))


def _reach(messages: list[int], read_min: dict[int, float], prior_min: list[float],
           home_min: float = np.inf, read_home_min: float = 0.0):
    """Two children reached by every message channel of `messages` at minute 10, no phone."""
    n, channels = len(prior_min), len(CHANNELS)
    reading = np.zeros((channels, n))
    for channel, minutes in read_min.items():
        reading[channel] = minutes
    no_attempts = np.zeros((n, 0))
    return reach(np.arange(n), 10.0, 720.0, np.array(prior_min), np.array(messages),
                 np.ones((channels, n), dtype=bool), np.zeros((channels, n)), reading,
                 np.full((channels, n), read_home_min), np.full(n, home_min), False, PHONE, 1,
                 no_attempts.astype(bool), no_attempts.astype(bool), np.zeros(n), no_attempts,
                 no_attempts, DOOR, np.full(n, np.inf))


def test_a_tie_between_two_messages_keeps_the_one_sent_first() -> None:
    for first, second in ((MESSAGING, SMS), (SMS, MESSAGING)):
        acknowledged, channel, notified, _ = _reach([first, second], {MESSAGING: 5.0, SMS: 5.0},
                                                 [np.inf, np.inf])
        assert acknowledged.tolist() == [15.0, 15.0] and channel.tolist() == [first, first]
        assert notified.tolist() == [10.0, 10.0]


def test_what_reached_a_child_before_is_never_made_later() -> None:
    acknowledged, channel, _, _ = _reach([MESSAGING], {MESSAGING: 5.0}, [12.0, 30.0])
    assert acknowledged.tolist() == [12.0, 15.0] and channel.tolist() == [0, MESSAGING]


def test_a_message_waiting_is_read_once_the_child_is_home() -> None:
    # read 300 min after delivery asleep; home (awake) at 60, then 2 min to read it
    acknowledged, _, _, _ = _reach([MESSAGING], {MESSAGING: 300.0}, [np.inf], home_min=60.0,
                                read_home_min=2.0)
    assert acknowledged.tolist() == [62.0]


def test_deliver_keeps_first_notifications_sooner_acknowledgements_and_the_follow_up() -> None:
    # relay at 10, follow-up 15 min later (25), in person 5 min after that (30)
    children = np.array([2, 0, 1])
    notified_min = np.array([10.0, 10.0, 40.0])
    level_notified = np.array([np.inf, 5.0, 12.0])  # by child: 0, 1, 2
    level_due = np.array([np.inf, 15.0, 20.0])
    level_channel = np.zeros(3, dtype=np.int8)
    first, kids, due_min = deliver(children, 10.0, 100.0, np.array([12.0, 60.0, 18.0]),
                                   np.array([SMS, MESSAGING, SMS], dtype=np.int8), notified_min,
                                   level_notified, level_due, level_channel, 15.0,
                                   np.full(3, 5.0))
    # child 2 first notified at 10 (not 12), acknowledges at 12 (not 20); child 0 first
    # notified at 10, acknowledges by the follow-up at 30 (not 60); child 1 was notified (5) and
    # is due (15) earlier than this relay's 40 and 18: nothing changes
    assert first.tolist() == [True, True, False]
    assert level_notified.tolist() == [10.0, 5.0, 10.0]
    assert kids.tolist() == [2, 0] and due_min.tolist() == [12.0, 30.0]
    assert level_due.tolist() == [30.0, 15.0, 12.0]
    assert level_channel.tolist() == [MESSAGING, 0, SMS]
