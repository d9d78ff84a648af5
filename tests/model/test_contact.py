"""Contact draws and the channel arithmetic of one relay."""

import numpy as np
from model_fixtures import scenario

from mobsim.codes import CHANNELS, PRESENCE_STATES
from mobsim.model.contact import MESSAGING, PHONE, SMS, draw_contact, reach
from mobsim.random import Streams
from mobsim.scenario.params import Parameters


def _params(*overrides: str) -> Parameters:
    return Parameters(scenario(*overrides), Streams(3, 0))


def test_each_person_reads_with_the_delay_of_their_own_state() -> None:
    per_state = [f"channels.messaging.read_min.{s}={i + 1}.0" for i, s in enumerate(PRESENCE_STATES)]
    states = np.array([0, 1, 2, 3, 2, 0], np.int8)
    contact = draw_contact(_params(*per_state, "channels.messaging.reach=1.0"), "members", states,
                           (MESSAGING,), 1)
    assert contact.read_min[MESSAGING].tolist() == (states + 1.0).tolist()
    acknowledged, channel, notified, _ = reach(contact, np.array([5, 1]), 10.0, 720.0)
    assert acknowledged.tolist() == [11.0, 12.0] and notified.tolist() == [10.0, 10.0]
    assert (channel == MESSAGING).all()


def test_an_unreached_person_is_neither_notified_nor_acknowledges() -> None:
    contact = draw_contact(_params("channels.messaging.reach=0.0"), "members",
                           np.zeros(4, np.int8), (MESSAGING,), 1)
    acknowledged, channel, notified, _ = reach(contact, np.arange(4), 0.0, 720.0)
    assert np.isinf(acknowledged).all() and np.isinf(notified).all() and (channel == 0).all()


def test_the_first_channel_to_reach_a_person_wins() -> None:
    overrides = ("channels.messaging.reach=1.0", "channels.sms.reach=1.0", "channels.phone.reach=1.0",
                 "channels.phone.answer.home=1.0", "channels.phone.call_min=3.0",
                 "channels.messaging.read_min.home=7.0", "channels.sms.delivery_min=1.0",
                 "channels.sms.read_min.home=2.0")
    contact = draw_contact(_params(*overrides), "members", np.zeros(4, np.int8), (PHONE, MESSAGING, SMS), 1)
    acknowledged, channel, notified, _ = reach(contact, np.arange(4), 0.0, 720.0)
    # calls end at 3, 6, 9, 12; SMS is read at 3 by all; the message at 7
    assert acknowledged.tolist() == [3.0, 3.0, 3.0, 3.0]
    assert [CHANNELS[c] for c in channel] == ["sms", "sms", "sms", "sms"]
    assert notified.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_phone_beats_a_slow_message_and_the_caller_skips_no_one() -> None:
    overrides = ("channels.messaging.reach=1.0", "channels.phone.reach=1.0",
                 "channels.phone.answer.home=1.0", "channels.phone.call_min=3.0",
                 "channels.messaging.read_min.home=7.0")
    contact = draw_contact(_params(*overrides), "members", np.zeros(3, np.int8), (MESSAGING, PHONE), 1)
    acknowledged, channel, _, _ = reach(contact, np.arange(3), 0.0, 720.0)
    assert acknowledged.tolist() == [3.0, 6.0, 7.0]
    assert [CHANNELS[c] for c in channel] == ["phone", "phone", "messaging"]


def test_unreachable_phones_never_answer() -> None:
    overrides = ("channels.phone.reach=0.0", "channels.phone.answer.home=1.0")
    contact = draw_contact(_params(*overrides), "members", np.zeros(50, np.int8), (PHONE,), 2)
    assert not contact.answered.any()
    assert contact.answered.shape == (50, 6)


def test_answer_probability_follows_the_state() -> None:
    """Share answered per attempt within 4 standard errors of the state's probability."""
    overrides = ("channels.phone.reach=1.0", "channels.phone.answer.home=0.9",
                 "channels.phone.answer.asleep=0.2")
    states = np.repeat(np.array([0, 2], np.int8), 5000)
    contact = draw_contact(_params(*overrides), "members", states, (PHONE,), 1)
    for state, p in ((0, 0.9), (2, 0.2)):
        share = contact.answered[states == state].mean()
        n = contact.answered[states == state].size
        assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / n)
