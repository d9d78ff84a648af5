"""`mobsim plan --allocate`: the greedy allocation of the emergency team, where the answer is
known by construction.

A deterministic day on three sub-districts of one community, one grid of three posts each
(posts 3k..3k+2 in sub-district k). The members of sub-district 1's three posts live 1000 km
away: those posts are gaps at the roll-call, and only an emergency team waiting at
sub-district 1's office (scope: its sub-district) can fill them; every other post has its
member in time and no other reserve exists. So every team added must go to sub-district 1,
and it takes three teams: with a batch of 2, the third step (4 teams) is the first to pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from model_fixtures import deterministic, scenario, small_district

from mobsim.cli import main
from mobsim.district import write_district
from mobsim.errors import InputError
from mobsim.results.bound import PASS
from mobsim.scenario import load_scenario
from mobsim.scenario.params import Settings
from mobsim.studies.allocate import allocate, start_teams

POOL = "pools.emergency_team"
GAPS = [3, 4, 5]  # sub-district 1's posts
BATCH = 2
MAX_REPLICATIONS = 12


@pytest.fixture(scope="module")
def gaps_scenario(tmp_path_factory) -> Path:
    """The scenario file on the district whose sub-district 1 has only gaps."""
    folder = tmp_path_factory.mktemp("allocate")
    district = small_district(subdistricts=3, communities=1, grids=1, microgrids=3, members=1,
                              units=1, cadres=0)
    district.members["home_y_km"][GAPS] = 1000.0
    write_district(district, folder / "district")
    lines = [*deterministic(), 'district.path="district"',
             f"members.count={district.rows('members')}", "cadres.count=0", "scanners.count=0",
             "travel.detour_factor=1.0", "escalation.sweep_min=58.0", "escalation.after_min=700.0",
             # a cheap target: the median at 90% confidence needs 4 replications, all in time
             "target.quantile=0.5", "target.confidence=0.9", "target.minutes=120.0",
             f"{POOL}.per='district'", f"{POOL}.home='subdistrict'", f"{POOL}.scope='subdistrict'",
             f"{POOL}.like='cadres'", f"{POOL}.report_min=5.0", f"{POOL}.speed_kmh=12.0"]
    settings = dict(line.split("=", 1) for line in lines)  # a key given later replaces
    path = folder / "scenario.toml"
    path.write_text("".join(f"{key} = {value}\n" for key, value in settings.items()),
                    encoding="utf-8")
    return path


def test_every_team_added_goes_to_the_sub_district_of_the_gaps(gaps_scenario) -> None:
    result = allocate(load_scenario(gaps_scenario), POOL, BATCH, 10, 1, MAX_REPLICATIONS, 1)
    assert result.start == [0, 0, 0]  # the scenario leaves the pool out (teams = 0)
    assert [step.added for step in result.steps] == [[0, 0, 0], [0, 2, 0], [0, 4, 0]]
    assert [step.verdict == PASS for step in result.steps] == [False, False, True]
    # while it fails, every replication's last post is one of sub-district 1's gaps
    assert all(step.last_posts == [0, step.replications, 0] for step in result.steps[:-1])


def test_the_last_step_adds_what_the_budget_leaves(gaps_scenario) -> None:
    result = allocate(load_scenario(gaps_scenario), POOL, BATCH, 3, 1, MAX_REPLICATIONS, 1)
    assert [step.added for step in result.steps] == [[0, 0, 0], [0, 2, 0], [0, 3, 0]]
    assert result.passed  # three teams are enough for the three gaps


def test_a_budget_too_small_ends_the_search_without_a_pass(gaps_scenario) -> None:
    result = allocate(load_scenario(gaps_scenario), POOL, BATCH, 1, 1, MAX_REPLICATIONS, 1)
    assert [step.added for step in result.steps] == [[0, 0, 0], [0, 1, 0]]
    assert not result.passed


def test_the_start_is_the_spread_of_teams_by_need_or_the_scenario_s_list() -> None:
    # 7 teams over 3 offices with as many micro-grids each: seat by seat, the lower row on
    # ties: 0, 1, 2, 0, 1, 2, 0
    three, two = small_district(subdistricts=3), small_district(subdistricts=2)
    assert start_teams(Settings(scenario(f"{POOL}.teams=7")), "emergency_team", three) == [3, 2, 2]
    listed = scenario(f"{POOL}.teams_by_subdistrict=[0, 5, 1]")
    assert start_teams(Settings(listed), "emergency_team", three) == [0, 5, 1]
    with pytest.raises(InputError, match="3 counts for the district's 2 sub-districts"):
        start_teams(Settings(listed), "emergency_team", two)


def test_the_cli_prints_the_allocation_as_json(gaps_scenario) -> None:
    out = CliRunner().invoke(main, ["plan", str(gaps_scenario), "--allocate", POOL, "--add",
                                    str(BATCH), "--max-replications", str(MAX_REPLICATIONS),
                                    "-j", "1", "--json"])
    assert out.exit_code == 0, out.output
    found = json.loads(out.output)
    assert found["passed"] and found["steps"][-1]["added"] == [0, 4, 0]


@pytest.mark.parametrize("args, message", [
    (["--allocate", "pools.commando_team"], 'needs pools.commando_team.home = "subdistrict"'),
    (["--allocate", "cadres.count"], "expected pools.<name>"),
    (["--allocate", POOL, "--set", f"{POOL}.teams_by_subdistrict=[1, 1]"],
     "2 counts for the district's 3 sub-districts"),
    (["--allocate", POOL, "--set", "pools.volunteer_team.teams_by_subdistrict=[1]"],
     'needs pools.volunteer_team.home = "subdistrict"'),
])
def test_bad_allocations_exit_2_with_one_line(gaps_scenario, args: list[str], message: str) -> None:
    out = CliRunner().invoke(main, ["plan", str(gaps_scenario), *args, "-j", "1"])
    assert out.exit_code == 2 and message in out.output
    assert len(out.output.strip().splitlines()) == 1


def test_lever_and_allocate_together_are_a_usage_error(gaps_scenario) -> None:
    out = CliRunner().invoke(main, ["plan", str(gaps_scenario), "--allocate", POOL,
                                    "--lever", "cadres.count=0..5"])
    assert out.exit_code == 2 and "not both" in out.output


def test_cli_allocation_folder_and_its_report_page(gaps_scenario, tmp_path: Path) -> None:
    from report_fixtures import parse_page

    out = tmp_path / "allocation"
    done = CliRunner().invoke(main, ["plan", str(gaps_scenario), "--allocate", POOL, "--add",
                                     str(BATCH), "--max-replications", str(MAX_REPLICATIONS),
                                     "-j", "1", "-o", str(out)])
    assert done.exit_code == 0, done.output
    found = json.loads((out / "allocation.json").read_text())
    assert CliRunner().invoke(main, ["report", str(out)]).exit_code == 0
    page = parse_page((out / "report.html").read_text("utf-8"))
    # teams table: row k is sub-district k - 1; columns: name, at start, added, teams
    assert [int(page.values[f"teams-{k}-2"]) for k in (1, 2, 3)] == found["steps"][-1]["added"]
    assert [page.values[f"step-{k}-2"] for k in range(1, len(found["steps"]) + 1)] == [
        step["verdict"] for step in found["steps"]]


def test_an_allocation_folder_without_its_json_is_refused(tmp_path: Path) -> None:
    from mobsim.studies.allocation_folder import read_allocation

    (tmp_path / "allocation.json").write_text('{"pool": "pools.emergency_team"}')
    (tmp_path / "scenario.toml").write_text("")
    with pytest.raises(InputError, match="allocation.json: unreadable allocation"):
        read_allocation(tmp_path)
