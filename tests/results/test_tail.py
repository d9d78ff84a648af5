"""Tail attribution on hand-made tables: the last post, its cause, the community table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from mobsim.results.schemas import OUTPUT_SCHEMAS
from mobsim.results.tail import attribute, bottlenecks, last_posts, reserve_deficit
from mobsim.results.tail_rows import tail_tables

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
    assert list(last["tied"]) == [1, 2]


def test_of_posts_never_staffed_the_community_holding_most_of_them_holds_the_last_post() -> None:
    """Never staffed: micro-grid 0 (community 0), 2 and 3 (community 1): community 1 holds
    the last post, at its lowest micro-grid; with one never, that one is last."""
    grids = _microgrids({0: [NAN, 10.0, NAN, NAN], 1: [NAN, 10.0, 20.0, 30.0]},
                        {0: ["none", "member", "none", "none"], 1: ["none", *MEMBER[:3]]})
    last = last_posts(grids).set_index("replication")
    assert last.loc[0, "microgrid_id"] == 2 and last.loc[0, "community_id"] == 1
    assert last.loc[0, "tied"] == 3
    assert last.loc[1, "microgrid_id"] == 0 and last.loc[1, "tied"] == 1


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


def test_a_last_post_a_pool_took_is_the_pool_s_even_when_a_cadre_was_on_the_way() -> None:
    # replication 0: a volunteer took the last post; a cadre had been sent there and came later
    grids = _microgrids({0: [20.0, 20.0, 20.0, 90.0], 1: [20.0, 20.0, 20.0, 95.0]},
                        {0: ["member"] * 3 + ["volunteer_team"],
                         1: ["member"] * 3 + ["emergency_team"]})
    members = _members([(r, m, 10, 12, 20) for r in range(2) for m in range(3)])
    found = attribute(grids, members, _cadres([(0, 3, 60.0, 100.0)])).set_index("replication")
    assert found["cause"].tolist() == ["covered by a reserve pool"] * 2


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


def _shifts(rows: list[tuple[int, str, int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["replication", "kind", "reserve_id", "microgrid_id",
                                       "arrived_min"])


def test_reserve_deficit_by_hand() -> None:
    """Target 60. Replication 0: community 0 lacks a member by then at micro-grid 1 (the member
    came at 90), community 1 at 2 (no member at all) and 3 (never came). Reserves by 60: cadre 3
    at 1; grid worker 7 at 2 and 3 (counted once); cadre 7 at 3 only at 70 (too late).
    Replication 1: every member in time, no reserve."""
    grids = _microgrids({0: [30.0, 45.0, 50.0, 70.0], 1: [20.0] * 4},
                        {0: MEMBER, 1: MEMBER})
    members = _members([(0, 0, 5, 6, 30.0), (0, 1, 5, 6, 90.0), (0, 3, NAN, NAN, NAN),
                        *((1, m, 5, 6, 20.0) for m in range(4))])
    shifts = _shifts([(0, "cadre", 3, 1, 45.0), (0, "grid_worker", 7, 2, 50.0),
                      (0, "grid_worker", 7, 3, 55.0), (0, "cadre", 7, 3, 70.0)])
    table = reserve_deficit(grids, members, shifts, 60.0).set_index(["replication",
                                                                     "community_id"])
    assert table.loc[(0, 0)].tolist() == [1, 1, 1 - 1]
    assert table.loc[(0, 1)].tolist() == [2, 1, 2 - 1]
    assert table.loc[(1, 0)].tolist() == [0, 0, 0] == table.loc[(1, 1)].tolist()


def test_a_replication_s_tail_rows_by_hand() -> None:
    """Micro-grid 3 (community 1) is last at 70, held by cadre 7 whose trip (50 min) is 12.5
    beyond the median trip (25, 50 → 37.5) while its dispatch (20) is the median's."""
    grids = _microgrids({0: [30.0, 45.0, 50.0, 70.0]},
                        {0: ["member", "cadre", "grid_worker", "cadre"]})
    members = _members([(0, 0, 5, 6, 30.0), (0, 1, 5, 6, 90.0), (0, 3, NAN, NAN, NAN)])
    cadres = _cadres([(0, 1, 20.0, 45.0), (0, 3, 20.0, 70.0)])
    shifts = _shifts([(0, "cadre", 3, 1, 45.0), (0, "grid_worker", 7, 2, 50.0),
                      (0, "cadre", 7, 3, 70.0)])
    tables = {name: pa.Table.from_pandas(frame, preserve_index=False) for name, frame in
              [("microgrids", grids), ("members", members), ("cadres", cadres),
               ("reserve_shifts", shifts), ("replications", pd.DataFrame({"replication": [0]}))]}
    found = tail_tables(tables, target_min=60.0)
    row = found["replications"].to_pylist()[0]
    assert (row["last_microgrid_id"], row["last_community_id"], row["last_subdistrict_id"]) == (
        3, 1, 1)
    assert row["last_cause"] == "reserve trip long"
    rows = found["bottlenecks"]
    assert rows.schema.equals(OUTPUT_SCHEMAS["bottlenecks"])
    by_community = rows.to_pandas().set_index("community_id")
    # community 0: nothing late, micro-grid 1 without a member by 60, cadre 3 there in time
    assert by_community.loc[0, ["late_posts", "posts_without_member", "reserves_in_time",
                                "reserve_deficit", "holds_last"]].tolist() == [0, 1, 1, 0, False]
    # community 1: micro-grid 3 late (70); 2 and 3 without a member; grid worker 7 in time
    assert by_community.loc[1, ["late_posts", "posts_without_member", "reserves_in_time",
                                "reserve_deficit", "holds_last"]].tolist() == [1, 2, 1, 1, True]
