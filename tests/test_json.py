"""One JSON encoding for every --json (docs/outputs.md, "JSON"): never and unbounded as "inf",
undefined as null, strict JSON; bad input as a JSON error object; a sweep's records named by
their varied values."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from cli_fixtures import write_scenario
from click.testing import CliRunner
from model_fixtures import without_pools

from mobsim.cli import main
from mobsim.results.jsonable import dumps, plain

NEVER = ("alert.horizon_min=200", "escalation.after_min=600.0", "escalation.sweep_min=650.0",
         "members.availability.day=0.7", *without_pools())
"""A small district where some post is never staffed in every replication."""


def _strict(text: str):
    """Parse JSON refusing NaN and Infinity, which are not JSON."""
    def refuse(token: str):
        raise AssertionError(f"not JSON: {token}")
    return json.loads(text, parse_constant=refuse)


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def never_scenario(tmp_path_factory) -> Path:
    return write_scenario(tmp_path_factory.mktemp("json"), *NEVER)


def test_plain_encodes_never_as_inf_and_undefined_as_null() -> None:
    assert plain({"a": math.inf, "b": -math.inf, "c": math.nan, "d": [1.5, None]}) == \
        {"a": "inf", "b": "-inf", "c": None, "d": [1.5, None]}
    assert _strict(dumps({"t": math.inf})) == {"t": "inf"}


def test_check_and_compare_write_never_alike(never_scenario: Path, tmp_path: Path) -> None:
    check = _invoke("check", str(never_scenario), "-n", "4", "-j", "1", "--quiet", "--json")
    assert check.exit_code in (1, 3), check.output
    verdict = _strict(check.stdout)
    assert verdict["empirical_quantile_min"] == "inf"
    assert verdict["upper_bound_min"] == "inf"  # 4 runs: no order statistic bounds the 95th
    runs = []
    for seed in ("1", "2"):
        out = tmp_path / f"run-{seed}"
        ran = _invoke("run", str(never_scenario), "-n", "4", "-j", "1", "--seed", seed,
                      "--quiet", "-o", str(out))
        assert ran.exit_code == 0, ran.output
        runs.append(str(out))
    records = _strict(_invoke("compare", *runs, "--json").stdout)
    assert [r["median_min"] for r in records] == ["inf", "inf"]
    assert records[0]["share_diff"] is None  # the reference's own difference: undefined


@pytest.mark.parametrize("command", ["check", "compare", "sweep"])
def test_bad_input_with_json_prints_a_json_error_too(command: str, tmp_path: Path) -> None:
    args = {"check": ["check", "--set", "alert.start='25:00'", "--json"],
            "compare": ["compare", str(tmp_path / "nothing-here"), str(tmp_path), "--json"],
            "sweep": ["sweep", "--vary", "alert.stat=02:00", "-o", str(tmp_path / "s"), "--json"]}
    result = _invoke(*args[command])
    assert result.exit_code == 2
    error = _strict(result.stdout)
    assert error["exit_code"] == 2
    assert error["error"] == result.stderr.strip().removeprefix("error: ")
    assert len(result.stderr.splitlines()) == 1


def test_a_usage_error_with_json_prints_a_json_error_too() -> None:
    result = _invoke("check", "--quantile", "2", "--json")
    assert result.exit_code == 2
    assert "--quantile" in _strict(result.stdout)["error"]


def test_compare_on_a_sweep_names_each_variant_by_its_values(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, *without_pools())
    out = tmp_path / "sweep"
    swept = _invoke("sweep", str(scenario), "--vary", "alert.start=02:00,14:00", "--vary",
                    "escalation.after_min=10.0,20.0", "-n", "2", "-j", "1", "--quiet",
                    "-o", str(out), "--json")
    assert swept.exit_code == 0, swept.output
    records = _strict(_invoke("compare", str(out), "--json").stdout)
    assert [(r["variant"], r["alert.start"], r["escalation.after_min"]) for r in records] == [
        (0, "02:00", 10.0), (1, "02:00", 20.0), (2, "14:00", 10.0), (3, "14:00", 20.0)]
    assert [r["run"] for r in records] == [str(out / f"variant={k}") for k in range(4)]
    text = _invoke("compare", str(out)).stdout
    assert "alert.start" in text and "escalation.after_min" in text
