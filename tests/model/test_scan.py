"""Tests of the peacetime building-scan campaign: routes, windows, and scan-mode runs."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from canvass_fixtures import fixed_doors, scan_run, with_households, with_scanners
from model_fixtures import small_district

from mobsim.errors import InputError
from mobsim.model.canvass import households
from mobsim.model.scan import covering_community, scanner_routes
from mobsim.results.rows import layout
from mobsim.runner.local import ReplicationJob
from mobsim.scenario.files import load_scenario

DAY_MIN = 1440.0


def _four_communities():
    """Four communities of three micro-grids at x = 0, 1, 2.5, 3 km; scanners in 0, 0, 1, 3."""
    district = small_district(subdistricts=2, communities=2, grids=1, microgrids=3)
    district = with_households(district, [10, 10, 10, 5, 6, 7, 8, 9, 10, 4, 4, 4])
    communities = {**district.communities, "x_km": np.array([0.0, 1.0, 2.5, 3.0])}
    return with_scanners(replace(district, communities=communities), [0, 0, 1, 3])


def test_a_community_without_scanners_goes_to_the_nearest_that_has_some() -> None:
    assert covering_community(_four_communities()).tolist() == [0, 1, 3, 3]


def test_scanners_split_their_households_in_blocks_of_whole_microgrids() -> None:
    district = _four_communities()
    offsets, order = scanner_routes(district, households(district))
    # Community 0 (30 households, 2 scanners): micro-grid 0 to the first, 1 and 2 to the second.
    # Community 1 (18) to its scanner; community 3 (12) first, then orphan community 2 (27).
    assert offsets.tolist() == [0, 10, 30, 48, 87]
    microgrid_start = households(district).microgrid_offsets
    expected = np.concatenate([np.arange(microgrid_start[a], microgrid_start[b])
                               for a, b in ((0, 1), (1, 3), (3, 6), (9, 12), (6, 9))])
    assert np.array_equal(order, expected)


def test_a_district_without_scanners_is_an_input_error() -> None:
    district = small_district(subdistricts=1, communities=2, grids=1, microgrids=2)
    with pytest.raises(InputError, match="^scanners: the district has no building scanners"):
        covering_community(district)


def _campaign_row(windows: str, service_min: float, walk_min: float, start: str = "18:00",
                  weekday: str = "mon", horizon_days: int = 20) -> dict:
    """The replications row of one scan of a one-scanner community of 100 households."""
    district = with_scanners(small_district(subdistricts=1, communities=1, grids=1,
                                            microgrids=2), [0])
    scenario = load_scenario(None, ["mode='scan'", f"scan.windows=['{windows}']",
                                    f"alert.start='{start}'", f"alert.weekday='{weekday}'",
                                    f"scan.horizon_days={horizon_days}",
                                    *fixed_doors("scan", service_min, walk_min)])
    job = ReplicationJob(scenario, district, layout(district), seed=1, trace=False)
    tables = job.run(0)
    assert set(tables) == {"scan_curves", "replications"}
    return {"row": tables["replications"].to_pylist()[0],
            "curves": tables["scan_curves"].to_pydict()}


def test_always_open_windows_give_the_exact_day_of_completion() -> None:
    service, walk = 11.5, 3.0
    result = _campaign_row("mon-sun 00:00-24:00", service, walk, horizon_days=3)
    finish_min = 100 * service + 99 * walk
    assert result["row"]["days_to_full"] == finish_min / DAY_MIN
    done = service + (service + walk) * np.arange(100)
    assert result["row"]["days_to_95pct"] == done[94] / DAY_MIN
    assert result["curves"]["day"] == [0, 1, 2, 3]
    assert result["curves"]["share_households_verified"] == [
        0.0, np.count_nonzero(done <= DAY_MIN) / 100, 1.0, 1.0]
    assert result["row"]["share_verified_at_horizon"] == 1.0


def test_evening_windows_slow_the_campaign_by_the_exact_factor() -> None:
    service = 6.0  # 30 households fill a three-hour evening exactly
    always = _campaign_row("mon-sun 00:00-24:00", service, 0.0)["row"]["days_to_full"]
    evenings = _campaign_row("mon-sun 18:00-21:00", service, 0.0)["row"]["days_to_full"]
    assert always * DAY_MIN == 100 * service
    # Three full evenings of 30, then 10 households on the fourth evening.
    assert evenings * DAY_MIN == 3 * DAY_MIN + 10 * service


def test_weekend_windows_wait_for_saturday() -> None:
    row = _campaign_row("sat-sun 09:00-17:00", 6.0, 0.0, start="00:00")["row"]
    # 80 households on Saturday 09:00-17:00, the last 20 on Sunday from 09:00.
    assert row["days_to_full"] * DAY_MIN == 6 * DAY_MIN + 9 * 60 + 20 * 6.0


def test_a_scan_run_writes_the_same_files_with_one_or_two_processes(tmp_path: Path) -> None:
    one, two = scan_run(tmp_path, "one", 1), scan_run(tmp_path, "two", 2)
    manifest = json.loads((one / "manifest.json").read_text())
    assert manifest["tables"] == ["communities.parquet", "subdistricts.parquet", "units.parquet",
                                  "scan_curves.parquet", "replications.parquet"]
    for name in manifest["tables"]:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    replications = pq.read_table(one / "replications.parquet").to_pandas()
    assert replications["replication"].tolist() == [0, 1, 2]
    assert replications["days_to_95pct"].nunique() == 3
    assert pq.read_table(one / "scan_curves.parquet").schema.metadata[b"scenario"] == \
        b"xindu-building-scan"
