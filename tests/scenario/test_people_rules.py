"""The rules of the keys of people over the horizon and how the order travels, on the baseline."""

import pytest

from mobsim.errors import InputError
from mobsim.scenario.files import load_scenario


@pytest.mark.parametrize("override, says", [
    ("broadcast.district.channels=['phone']", "broadcast.district.channels: expected distinct names from messaging, sms"),
    ("broadcast.communities.channels=['sms', 'sms']", "broadcast.communities.channels: expected distinct"),
    ("broadcast.communities.to=['subdistricts']", "broadcast.communities.to: expected distinct names from gridworkers, members"),
    ("broadcast.subdistricts.to=['cadres']", "broadcast.subdistricts.to: expected distinct names from communities, gridworkers, members"),
    ("presence.wake_start='25:00'", "presence.wake_start: expected a clock time"),
    ("chase.success=1.5", "chase.success"),
    ("duty_officers.units=1", "duty_officers.units: expected true or false"),
])
def test_a_bad_value_is_one_line_naming_the_key(override: str, says: str) -> None:
    with pytest.raises(InputError) as raised:
        load_scenario(None, [override])
    assert says in str(raised.value) and "\n" not in str(raised.value).strip()


def test_the_district_may_push_to_cadres() -> None:
    chosen = load_scenario(None, ["broadcast.district.channels=['sms']",
                                  "broadcast.district.to=['members', 'cadres']"])
    assert chosen.get("broadcast.district.to") == ["members", "cadres"]
