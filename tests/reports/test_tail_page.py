"""The report's "why the last posts were late" table on a real small run: the reserve deficit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from cli_fixtures import write_scenario
from report_fixtures import parse_page

from mobsim.reports.run_page import write_report
from mobsim.runner import run
from mobsim.scenario import load_scenario


def test_each_listed_community_shows_its_mean_reserve_deficit(tmp_path: Path) -> None:
    """Half the members unavailable: posts go without a member, and reserves fill some."""
    path = write_scenario(tmp_path, "members.availability.day=0.5")
    out = tmp_path / "run"
    run(load_scenario(path), 4, 1, out=out, jobs=1)
    page = parse_page(write_report(out).read_text("utf-8"))
    rows = pd.read_parquet(out / "bottlenecks.parquet")
    mean = rows.groupby("community_id")["reserve_deficit"].mean()
    shown = {int(key.removeprefix("deficit-")): float(value) for key, value in page.values.items()
             if key.startswith("deficit-")}
    assert shown and all(value == pytest.approx(mean[c]) for c, value in shown.items())
    assert (rows["posts_without_member"] > 0).any()
    replications = pd.read_parquet(out / "replications.parquet")
    assert (rows[rows["holds_last"]].set_index("replication")["community_id"]
            == replications.set_index("replication")["last_community_id"]).all()
    grids = pd.read_parquet(out / "microgrids.parquet")
    for last in replications.itertuples():
        own = grids[grids["replication"] == last.replication].set_index("microgrid_id")
        assert own.loc[last.last_microgrid_id, "activated_min"] == own["activated_min"].max()
