"""The relay kernel by hand: ties keep the earlier channel, what reached a child before stays."""

import numpy as np
from mobsim.kernels.relay import reach

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
        acknowledged, channel, notified = _reach([first, second], {MESSAGING: 5.0, SMS: 5.0},
                                                 [np.inf, np.inf])
        assert acknowledged.tolist() == [15.0, 15.0] and channel.tolist() == [first, first]
        assert notified.tolist() == [10.0, 10.0]


def test_what_reached_a_child_before_is_never_made_later() -> None:
    acknowledged, channel, _ = _reach([MESSAGING], {MESSAGING: 5.0}, [12.0, 30.0])
    assert acknowledged.tolist() == [12.0, 15.0] and channel.tolist() == [0, MESSAGING]


def test_a_message_waiting_is_read_once_the_child_is_home() -> None:
    # read 300 min after delivery asleep; home (awake) at 60, then 2 min to read it
    acknowledged, _, _ = _reach([MESSAGING], {MESSAGING: 300.0}, [np.inf], home_min=60.0,
                                read_home_min=2.0)
    assert acknowledged.tolist() == [62.0]
