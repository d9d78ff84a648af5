"""The command line and what counts as mobilized: `check --definition`, the run summary's
verdicts side by side, bad definitions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_fixtures import write_scenario
from model_fixtures import deterministic
from test_cli import assert_one_error_line, invoke

import mobsim

FIXED = (*deterministic(), "escalation.follow_up_min=600.0")
"""A tiny district's day with every duration fixed: every replication alike."""


@pytest.fixture(scope="module")
def fixed_scenario(tmp_path_factory) -> Path:
    return write_scenario(tmp_path_factory.mktemp("definitions"), *FIXED, microgrids=5)


def _check(scenario: Path, *args: str) -> tuple[int, dict]:
    result = invoke("check", str(scenario), "-n", "3", "-j", "1", "--quiet", "--json", *args)
    return result.exit_code, json.loads(result.output)


def test_check_definition_overrides_the_scenario_s(fixed_scenario: Path) -> None:
    """Every replication alike: a target between the minute half the posts are staffed and
    the last post's is missed by every post (FAIL) and met by half of them in all 3 runs
    (UNDECIDED: 3 of 3 cannot show a 95th percentile)."""
    code, every = _check(fixed_scenario)
    _, half = _check(fixed_scenario, "--definition", "posts:0.5")
    assert every["definition"] == {"over": "posts", "share": 1.0, "label": "all posts"}
    assert half["definition"] == {"over": "posts", "share": 0.5, "label": "50% of posts"}
    assert half["empirical_quantile_min"] < every["empirical_quantile_min"]
    between = (half["empirical_quantile_min"] + every["empirical_quantile_min"]) / 2
    code, every = _check(fixed_scenario, "--target-minutes", str(between))
    assert (code, every["verdict"], every["within_target"]) == (1, "FAIL", 0)
    code, half = _check(fixed_scenario, "--target-minutes", str(between),
                        "--definition", "posts:0.5")
    assert (code, half["verdict"], half["within_target"]) == (3, "UNDECIDED", 3)
    _, same = _check(fixed_scenario, "--definition", "communities")
    assert same["empirical_quantile_min"] == _check(fixed_scenario)[1]["empirical_quantile_min"]


def test_the_sequential_check_uses_the_definition(fixed_scenario: Path) -> None:
    """Between half the posts' minute and the last post's: every post is shown missed, half of
    them shown met (every replication alike; the median at 60% confidence decides within six)."""
    _, every = _check(fixed_scenario)
    _, half = _check(fixed_scenario, "--definition", "posts:0.5")
    between = str((half["empirical_quantile_min"] + every["empirical_quantile_min"]) / 2)
    for definition, code, verdict in (("all", 1, "FAIL"), ("posts:0.5", 0, "PASS")):
        result = invoke("check", str(fixed_scenario), "--until-decided", "--max-replications",
                        "6", "-j", "1", "--quiet", "--json", "--target-minutes", between,
                        "--quantile", "0.5", "--confidence", "0.6", "--definition", definition)
        answer = json.loads(result.output)
        assert (result.exit_code, answer["verdict"]) == (code, verdict)
        assert answer["sequential"]["verdict"] == verdict


def test_the_scenario_s_definition_is_what_check_bounds(tmp_path: Path) -> None:
    """`target.definition` and `target.share` in the file, and `--definition all` over them."""
    scenario = write_scenario(tmp_path, *FIXED, 'target.definition="communities"',
                              "target.share=0.5", microgrids=5)
    _, own = _check(scenario)
    _, every = _check(scenario, "--definition", "all")
    assert own["definition"]["label"] == "every community at 50%"
    assert every["definition"]["label"] == "all posts"
    assert own["empirical_quantile_min"] < every["empirical_quantile_min"]


def test_run_prints_the_verdict_under_each_definition(fixed_scenario: Path,
                                                      tmp_path: Path) -> None:
    result = invoke("run", str(fixed_scenario), "-n", "2", "-j", "1", "--quiet", "-o",
                    str(tmp_path / "run"), "--set", "target.share=0.8")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    head = lines.index("verdict at 180 min under each definition of mobilized (* the scenario's):")
    labels = ["all posts", "99.9% of posts", "99% of posts", "every community at 95%",
              "80% of posts"]
    table = mobsim.definition_verdicts(mobsim.load(tmp_path / "run"))
    assert list(table["label"]) == labels
    for line, (_, row) in zip(lines[head + 2:head + 7], table.iterrows()):
        assert line.split()[0] == ("*" if row["own"] else row["label"].split()[0])
        assert row["label"] in line and row["verdict"] in line
    assert any(line.startswith("target 180 min (80% of posts): UNDECIDED") for line in lines)


@pytest.mark.parametrize("args, fragments", [
    (["--definition", "wards:0.9"], ["--definition wards:0.9", "posts, communities, subdistricts"]),
    (["--definition", "posts:0"], ["--definition posts:0", "above 0 and at most 1", "'0'"]),
    (["--definition", "posts:1.01"], ["--definition posts:1.01", "at most 1"]),
    (["--definition", "communities:most"], ["communities:most", "'most'"]),
    (["--definition", "all:0.9"], ["--definition all:0.9", "expected all"]),
    (["--set", "target.share=0"], ["target.share", "above 0 and at most 1, got 0"]),
    (["--set", "target.definition='wards'"], ["target.definition", "posts, communities"]),
])
def test_a_bad_definition_exits_2_with_one_line(args: list[str], fragments: list[str]) -> None:
    assert_one_error_line(invoke("check", "--quiet", *args), *fragments)
