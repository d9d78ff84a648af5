"""What holds the district back: last-post holders, late posts, the unstaffed tail, the settings
that differ from the baseline, and the map that shows them."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_fixtures import parse_page, write_fake_run

import mobsim
from mobsim.reports.run_page import write_report
from mobsim.reports.story import settings_differences
from mobsim.results.stats import order_statistic, subdistrict_sizes
from mobsim.results.tail import community_bottlenecks, unstaffed_band
from mobsim.scenario import load_scenario

INF = math.inf


def _microgrids(times_by_replication: list[list[float]], communities: list[int]) -> pd.DataFrame:
    rows = [{"replication": r, "microgrid_id": i, "community_id": communities[i],
             "subdistrict_id": communities[i] // 2, "activated_min": t}
            for r, times in enumerate(times_by_replication) for i, t in enumerate(times)]
    return pd.DataFrame(rows)


def test_last_post_holders_and_late_posts_by_hand() -> None:
    # communities: micro-grids 0,1 in community 0; 2 in community 1; 3 in community 2
    mg = _microgrids([[10, 200, 50, 60],      # last: mg 1 (community 0); late: mg 1
                      [10, 20, 300, 300],     # tie at 300, one post each: the lowest id, mg 2
                      [INF, 20, 30, INF]],    # tie at never, one post each: mg 0; late: 0, 3
                     [0, 0, 1, 2])
    table = community_bottlenecks(mg, 180.0)
    assert table.loc[0, "last_post_replications"] == 2
    assert table.loc[1, "last_post_replications"] == 1
    assert table.loc[2, "last_post_replications"] == 0
    assert table["last_post_replications"].sum() == 3  # one holder per replication
    assert table.loc[0, "late_per_replication"] == pytest.approx(2 / 3)
    assert table.loc[2, "late_per_replication"] == pytest.approx(2 / 3)
    assert table.loc[1, "late_per_replication"] == pytest.approx(1 / 3)
    assert table.loc[0, "never_per_replication"] == pytest.approx(1 / 3)
    assert list(table.index) == [0, 1, 2]


@pytest.fixture(scope="module")
def fake_run(tmp_path_factory) -> Path:
    return write_fake_run(tmp_path_factory.mktemp("tail") / "run", replications=12,
                          never_share=0.05)


def test_unstaffed_band_counts_posts_not_yet_on_post(fake_run: Path) -> None:
    loaded = mobsim.load(fake_run)
    mg = loaded.microgrids
    band = unstaffed_band(loaded.curves, subdistrict_sizes(mg)["microgrids"])
    for minute in (30, 90, 150, 400):
        per_replication = [(rows["activated_min"] > minute).sum()
                           for _, rows in mg.groupby("replication")]
        assert band.loc[minute, "median"] == order_statistic(np.array(per_replication, float), 0.5)
        assert band.loc[minute, "upper"] == order_statistic(np.array(per_replication, float), 0.95)


def test_report_names_the_communities_holding_the_last_posts(fake_run: Path, tmp_path: Path) -> None:
    page = parse_page(write_report(fake_run, tmp_path / "r.html").read_text())
    table = community_bottlenecks(mobsim.load(fake_run).microgrids, 180.0)
    listed = [int(key.split("-")[1]) for key in page.values
              if key.startswith("bottleneck-") and key.endswith("-last")]
    assert listed and listed == list(table.index[:len(listed)])
    for community in listed:
        assert int(page.values[f"bottleneck-{community}-last"]) == table.loc[community, "last_post_replications"]
        assert float(page.values[f"bottleneck-{community}-late"]) == pytest.approx(
            table.loc[community, "late_per_replication"])
        assert f"community {chr(ord('A') + community)}" in page.text
    text = page.text
    assert text.index("What holds the district back") < text.index("Mobilization curve")


def test_map_marks_every_community_sized_by_its_late_posts(fake_run: Path, tmp_path: Path) -> None:
    page = parse_page(write_report(fake_run, tmp_path / "r.html").read_text())
    table = community_bottlenecks(mobsim.load(fake_run).microgrids, 180.0)
    markers = {int(k.removeprefix("map-community-")): float(v) for k, v in page.values.items()
               if k.startswith("map-community-")}
    assert sorted(markers) == sorted(mobsim.load(fake_run).communities["community_id"])
    for community, late in markers.items():
        assert late == pytest.approx(table["late_per_replication"].get(community, 0.0))


def test_settings_that_differ_from_the_baseline() -> None:
    assert settings_differences(load_scenario(None).to_json_dict()) == []
    night = load_scenario(None, ["alert.start=02:00", "cadres.count=6000"]).to_json_dict()
    assert settings_differences(night) == [("alert.start", '"02:00"', '"14:00"'),
                                           ("cadres.count", "6000", "3241")]
