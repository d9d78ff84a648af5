"""Every sub-district, community and work-unit id in a run folder joins to the district's name,
and the report shows the names."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from cli_fixtures import write_scenario
from report_fixtures import write_fake_run

import mobsim
from mobsim.district import load_district
from mobsim.reports.names import names
from mobsim.reports.run_page import write_report
from mobsim.runner import run
from mobsim.scenario import load_scenario


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("names")
    scenario = load_scenario(write_scenario(folder))
    out = run(scenario, 2, seed=4, out=folder / "run", jobs=1).path
    return out, load_district(scenario)


@pytest.mark.parametrize("output,name_table,key", [
    ("microgrids", "communities", "community_id"), ("microgrids", "subdistricts", "subdistrict_id"),
    ("cadres", "communities", "community_id"), ("cadres", "units", "unit_id"),
    ("curves", "subdistricts", "subdistrict_id"), ("communities", "subdistricts", "subdistrict_id")])
def test_every_id_joins_to_the_district_name(setup, output: str, name_table: str, key: str) -> None:
    out, district = setup
    loaded = mobsim.load(out)
    joined = loaded.table(output).merge(loaded.table(name_table)[[key, "name"]], on=key,
                                        how="left", suffixes=("_own", ""))
    assert joined["name"].notna().all() and len(joined) == len(loaded.table(output))
    source = district.table(name_table)
    expected = dict(zip(source[key].tolist(), source["name"].tolist()))
    assert (joined["name"] == joined[key].map(expected)).all()


def test_duckdb_joins_names_too(setup) -> None:
    out, district = setup
    rows = duckdb.sql(f"SELECT DISTINCT s.name FROM '{out}/microgrids.parquet' m JOIN "
                      f"'{out}/subdistricts.parquet' s USING (subdistrict_id)").fetchall()
    assert sorted(r[0] for r in rows) == sorted(district.subdistricts["name"].tolist())


def test_names_fall_back_to_labels_without_a_name_table(tmp_path: Path) -> None:
    loaded = mobsim.load(write_fake_run(tmp_path / "run"))
    assert names(loaded, "subdistricts", [0, 2]) == {0: "sub-district 0", 2: "sub-district 2"}
    assert names(loaded, "communities", [1]) == {1: "community B"}


def test_the_report_shows_subdistrict_names(setup, tmp_path: Path) -> None:
    out, district = setup
    html = write_report(out, tmp_path / "r.html").read_text()
    for name in district.subdistricts["name"].tolist():
        assert f"<td>{name}</td>" in html
    assert "sub-district 0<" not in html


def test_run_prints_the_communities_holding_the_last_post_by_name(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mobsim.cli import main
    from mobsim.results.tail import community_bottlenecks

    scenario = write_scenario(tmp_path)
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(scenario), "-n", "3", "-j", "1", "--quiet",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    line = next(l for l in result.stdout.splitlines() if l.startswith("last post held by: "))
    loaded = mobsim.load(out)
    worst = community_bottlenecks(loaded.microgrids, 180.0).iloc[0]
    name = loaded.communities.set_index("community_id").loc[worst.name, "name"]
    assert line.startswith(f"last post held by: {name} (")
    assert f"{int(worst['last_post_replications'])} of 3" in line
