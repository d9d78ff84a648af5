"""Tail attribution on hand-made tables: the last post, its cause, the community table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mobsim.results.tail import attribute, bottlenecks, last_posts

NAN = math.nan


def _microgrids(times: dict[int, list[float]], by: dict[int, list[str]]) -> pd.DataFrame:
    """Four micro-grids in communities 0, 0, 1, 1 (sub-districts 0, 0, 1, 1), per replication."""
    rows = []
    for rep, activated in times.items():
        for mg, (t, who) in enumerate(zip(activated, by[rep])):
            rows.append({"replication": rep, "microgrid_id": mg, "community_id": mg // 2,
                         "subdistrict_id": mg // 2, "activated_min": t, "activated_by": who})
    return pd.DataFrame(rows)


def _members(rows: list[tuple[int, int, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["replication", "microgrid_id", "notified_min",
                                       "acknowledged_min", "arrived_min"])


def _cadres(rows: list[tuple[int, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["replication", "microgrid_id", "dispatched_min",
                                       "arrived_min"])


MEMBER = ["member"] * 4


def test_the_last_post_is_the_latest_and_never_is_latest_of_all() -> None:
    grids = _microgrids({0: [10.0, 50.0, 30.0, 20.0], 1: [10.0, NAN, 90.0, NAN]},
                        {0: MEMBER, 1: ["member", "none", "member", "none"]})
    last = last_posts(grids).set_index("replication")
    assert last.loc[0, "microgrid_id"] == 1 and last.loc[0, "last_min"] == 50.0
    assert last.loc[1, "microgrid_id"] == 1 and math.isinf(last.loc[1, "last_min"])  # lowest id


def test_a_member_s_cause_is_the_part_most_beyond_the_replication_median() -> None:
    """Notified 10, 10, 10, 40: the last post's alert came 30 min after the median's."""
    grids = _microgrids({0: [20.0, 20.0, 20.0, 50.0], 1: [20.0, 20.0, 20.0, 60.0]},
                        {0: MEMBER, 1: MEMBER})
    members = _members([(0, 0, 10, 12, 20), (0, 1, 10, 12, 20), (0, 2, 10, 12, 20),
                        (0, 3, 40, 42, 50),
                        # replication 1: the last member acknowledged 40 min after notice
                        (1, 0, 10, 12, 20), (1, 1, 10, 12, 20), (1, 2, 10, 12, 20),
                        (1, 3, 10, 52, 60)])
    found = attribute(grids, members, _cadres([])).set_index("replication")
    assert found.loc[0, "cause"] == "alert late"
    assert found.loc[1, "cause"] == "member slow to acknowledge"


def test_reserves_and_never() -> None:
    grids = _microgrids({0: [20.0, 20.0, 20.0, 120.0], 1: [20.0, 20.0, 20.0, NAN],
                         2: [20.0, 20.0, 20.0, NAN]},
                        {0: ["member", "member", "cadre", "cadre"],
                         1: ["member"] * 3 + ["none"], 2: ["member"] * 3 + ["none"]})
    members = _members([(r, m, 10, 12, 20) for r in range(3) for m in range(2)])
    # replication 0: both cadres dispatched at 10; the last one's trip is 110 min against 10
    cadres = _cadres([(0, 2, 10.0, 20.0), (0, 3, 10.0, 120.0), (1, 3, 100.0, NAN)])
    found = attribute(grids, members, cadres).set_index("replication")
    assert found.loc[0, "cause"] == "reserve trip long"
    assert found.loc[1, "cause"] == "never staffed, reserve too late"
    assert found.loc[2, "cause"] == "never staffed, no reserve sent"


def test_community_table_counts_last_and_late_shares() -> None:
    grids = _microgrids({0: [10.0, 50.0, 30.0, 20.0], 1: [10.0, 20.0, 200.0, 30.0],
                         2: [10.0, 190.0, 30.0, 20.0], 3: [10.0, 20.0, 30.0, 40.0]},
                        {r: MEMBER for r in range(4)})
    members = _members([(r, m, 5, 6, t) for r in range(4) for m, t in
                        enumerate(grids[grids.replication == r]["activated_min"])])
    attributed = attribute(grids, members, _cadres([]))
    table = bottlenecks(grids, attributed, target_min=180.0)
    # last posts: community 0 in replications 0 and 2, community 1 in 1 and 3
    assert table.loc[0, "p_last"] == pytest.approx(2 / 4) == table.loc[1, "p_last"]
    # after 180 min: community 1 in replication 1, community 0 in replication 2
    assert table.loc[0, "p_late"] == pytest.approx(1 / 4) == table.loc[1, "p_late"]
    assert set(table.index) == {0, 1} and np.all(table["causes"] != "")
