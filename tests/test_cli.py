"""The command line: version, help with examples, a light --help, exit codes and messages."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cli_fixtures import write_scenario
from click.testing import CliRunner
from model_fixtures import deterministic

from mobsim import __version__
from mobsim.cli import main
from mobsim.results.bound import BoundCheck
from mobsim.results.check import ACT_SPREAD_COLUMNS

FIXED = (*deterministic(), "escalation.follow_up_min=600.0")
"""A tiny district's day with every duration fixed: all replications alike, well within 3 hours."""


def invoke(*args: str):
    """Run `mobsim ARGS` in this process; stdout and stderr are kept apart."""
    return CliRunner().invoke(main, list(args))


def assert_one_error_line(result, *fragments: str) -> None:
    """Exit 2, stderr one line "error: ..." holding every fragment, no traceback anywhere."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert all(fragment in lines[0] for fragment in fragments), lines[0]
    assert "Traceback" not in result.output + result.stderr


@pytest.fixture(scope="module")
def fixed_scenario(tmp_path_factory) -> Path:
    return write_scenario(tmp_path_factory.mktemp("cli"), *FIXED)


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"mobsim, version {__version__}"


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_s_help_shows_an_example_of_itself(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    example = result.output[result.output.index("Example"):]
    assert f"mobsim {command}" in example


def test_main_help_shows_examples_and_lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert all(f"  {command} " in result.output for command in main.commands)


def test_help_loads_no_numba_and_no_kernel() -> None:
    """Help must be instant: in a fresh interpreter no --help imports numba or a kernel."""
    probe = textwrap.dedent("""
        import sys
        from click.testing import CliRunner
        from mobsim.cli import main
        for args in [["--help"], *[[name, "--help"] for name in main.commands]]:
            assert CliRunner().invoke(main, args).exit_code == 0, args
        heavy = ("numba.", "mobsim.kernels")
        print(sorted(m for m in sys.modules if m == "numba" or m.startswith(heavy)))
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_check_exits_0_when_the_bound_is_shown(fixed_scenario: Path) -> None:
    """59 replications all within 180 min show the 95th percentile ≤ 180 min at 95%."""
    result = invoke("check", str(fixed_scenario), "-n", "59", "-j", "1", "--quiet")
    assert result.exit_code == 0, result.output
    assert "verdict: PASS — 59 of 59 runs were in time" in result.output
    assert "Clopper–Pearson" not in result.output
    verbose = invoke("check", str(fixed_scenario), "-n", "59", "-j", "1", "--quiet", "-v")
    assert "within target: 59 of 59" in verbose.output and "Clopper–Pearson" in verbose.output


def test_check_exits_1_when_the_target_cannot_be_met(fixed_scenario: Path) -> None:
    """A 1-minute target: the processing delays alone exceed it."""
    result = invoke("check", str(fixed_scenario), "-n", "3", "-j", "1", "--quiet",
                    "--target-minutes", "1")
    assert result.exit_code == 1, result.output
    assert "verdict: FAIL — 0 of 3 runs were in time" in result.output


def test_check_exits_3_when_too_few_replications_decide_nothing(fixed_scenario: Path) -> None:
    """3 of 3 in time show nothing at 95/95: 1 - 0.95^3 < 0.95, and 0.95 is within the bounds."""
    result = invoke("check", str(fixed_scenario), "-n", "3", "-j", "1", "--quiet")
    assert result.exit_code == 3, result.output
    assert "verdict: UNDECIDED — 3 of 3 runs were in time" in result.output
    assert "about 56 more runs would decide it" in result.output


def test_check_json_is_one_object_with_the_documented_keys(fixed_scenario: Path) -> None:
    """The district check's fields at top level; the households check, when asked, under its key;
    the able-to-act check always under "act", and the measure the verdict is about."""
    bound_fields = {f.name for f in dataclasses.fields(BoundCheck)}
    result = invoke("check", str(fixed_scenario), "-n", "3", "-j", "1", "--quiet", "--json",
                    "--seed", "5", "--target-minutes", "1")
    assert result.exit_code == 1
    verdict = json.loads(result.output)  # one object and nothing else
    assert set(verdict) == {"scenario", "seed", "district_passed", "district_verdict",
                            "act", "measure", "definition", *bound_fields}
    assert set(verdict["act"]) == {"limited_by", *bound_fields, *ACT_SPREAD_COLUMNS}
    assert verdict["measure"] == "district"
    assert verdict["definition"] == {"over": "posts", "share": 1.0, "label": "all posts"}
    assert (verdict["scenario"], verdict["seed"], verdict["replications"]) == ("scenario", 5, 3)
    assert verdict["passed"] is verdict["district_passed"] is False
    assert verdict["target_min"] == 1.0

    result = invoke("check", str(fixed_scenario), "-n", "3", "-j", "1", "--quiet", "--json",
                    "--set", "target.households_share=0.5")
    verdict = json.loads(result.output)
    assert set(verdict) == {"scenario", "seed", "district_passed", "district_verdict",
                            "households", "act", "measure", "definition", *bound_fields}
    assert set(verdict["households"]) == {"share", *bound_fields}
    assert verdict["households"]["share"] == 0.5
    assert result.exit_code == {"PASS": 0, "FAIL": 1, "UNDECIDED": 3}[verdict["verdict"]]
    assert verdict["passed"] is (verdict["district_passed"] and verdict["households"]["passed"])


def test_check_exits_2_on_a_malformed_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[alert]\nstart = 02:00\n")
    assert_one_error_line(invoke("check", str(broken), "-n", "1", "--quiet"),
                          f"{broken}:2:", 'clock times need quotes: "02:00"')


@pytest.mark.parametrize("args, fragments", [
    (["run", "no-such-scenario.toml", "--quiet"],
     ["no-such-scenario.toml", "no such scenario file"]),
    (["run", "--set", "alert.horizon=60", "--quiet"], ["alert.horizon", "unknown key"]),
    (["run", "--set", "members.availability.day=1.5", "--quiet"], ["members.availability.day"]),
    (["check", "--set", "cadres.count=-1", "--quiet"], ["cadres.count"]),
    (["generate", "--set", "members.count=10", "-o", "unused"], ["members.count"]),
    (["report", "no-such-run"], ["no-such-run"]),
])
def test_bad_input_exits_2_with_one_line_naming_it(args: list[str], fragments: list[str]) -> None:
    assert_one_error_line(invoke(*args), *fragments)


def test_validate_lists_every_problem_one_per_line(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, "alert.start = '25:00'", "cascade.district.callers = 0",
                              "members.availability.day = 2.0")
    result = invoke("validate", str(scenario))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert sorted(line.split(": ")[1] for line in lines) == [
        "alert.start", "cascade.district.callers", "members.availability.day"]
    assert all(line.startswith(f"{scenario}: ") for line in lines)


def test_validate_finds_what_run_would_refuse_in_a_scan_campaign(tmp_path: Path) -> None:
    """A scan campaign on a district without scanners: both commands exit 2 with the same line."""
    scenario = write_scenario(tmp_path, "mode='scan'")
    validated = invoke("validate", str(scenario))
    ran = invoke("run", str(scenario), "-n", "1", "-j", "1", "--quiet", "-o", str(tmp_path / "run"))
    assert validated.exit_code == ran.exit_code == 2
    assert validated.stderr.splitlines() == [ran.stderr.removeprefix("error: ").rstrip("\n")]
    assert "no building scanners" in validated.stderr


def test_validate_says_ok_for_a_sound_scenario(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, *FIXED, units=4)  # a unit for each of the 4 communities
    result = invoke("validate", str(scenario))
    assert (result.exit_code, result.output) == (0, f"{scenario}: ok\n")


def test_usage_mistakes_are_click_s_exit_2() -> None:
    for args in (["run", "--no-such-option"], ["run", "-n", "0"], ["compare", "only-one"]):
        result = invoke(*args)
        assert result.exit_code == 2 and "Traceback" not in result.output + result.stderr
