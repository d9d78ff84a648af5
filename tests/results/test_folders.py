"""A folder holds one kind of thing: run and sweep refuse a folder holding the other kind or
files mobsim did not write (exit 2, naming what is there) unless --force."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_fixtures import write_scenario
from click.testing import CliRunner
from report_fixtures import write_fake_run, write_fake_sweep

from mobsim.cli import main
from mobsim.results import folders


@pytest.fixture()
def scenario(tmp_path: Path) -> Path:
    return write_scenario(tmp_path / "in")


def _run(scenario: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["run", str(scenario), "-n", "1", "-j", "1", "--quiet",
                                     "-o", str(out), *extra])


def _sweep(scenario: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["sweep", str(scenario), "--vary", "cadres.count=0,1", "-n",
                                     "1", "-j", "1", "--quiet", "-o", str(out), *extra])


def test_contents_sorts_runs_sweeps_and_other_files(tmp_path: Path) -> None:
    sweep = write_fake_sweep(tmp_path / "sweep")
    (sweep / "notes.txt").write_text("mine")
    held = folders.contents(sweep)
    assert held.run == [] and held.other == ["notes.txt"]
    assert held.sweep == ["variant=0/", "variant=1/", "variant=2/", "variants.parquet"]
    held = folders.contents(write_fake_run(tmp_path / "run"))
    assert "manifest.json" in held.run and "microgrids.parquet" in held.run
    assert held.sweep == [] and held.other == []


def test_run_into_a_sweep_folder_exits_2_saying_so(scenario: Path, tmp_path: Path) -> None:
    out = write_fake_sweep(tmp_path / "sweep")
    result = _run(scenario, out)
    assert result.exit_code == 2
    assert "holds a sweep (variant=0/, variant=1/, variant=2/, … (4 in all)), not a run" in result.stderr
    assert not (out / "manifest.json").exists()


def test_sweep_into_a_run_folder_exits_2_saying_so(scenario: Path, tmp_path: Path) -> None:
    out = write_fake_run(tmp_path / "run")
    result = _sweep(scenario, out)
    assert result.exit_code == 2 and "holds a run (" in result.stderr and "not a sweep" in result.stderr
    assert not (out / "variant=0").exists()


@pytest.mark.parametrize("command", [_run, _sweep])
def test_either_into_a_folder_of_other_files_exits_2_naming_them(command, scenario: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "budget.xlsx").write_text("x")
    result = command(scenario, out)
    assert result.exit_code == 2 and "mobsim did not write (budget.xlsx)" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["budget.xlsx"]


def test_force_replaces_the_other_kind_and_keeps_other_files(scenario: Path, tmp_path: Path) -> None:
    out = write_fake_sweep(tmp_path / "sweep")
    (out / "budget.xlsx").write_text("x")
    result = _run(scenario, out, "--force")
    assert result.exit_code == 0, result.stderr
    held = folders.contents(out)
    assert held.sweep == [] and held.other == ["budget.xlsx"] and "manifest.json" in held.run


def test_a_run_folder_takes_the_same_run_again(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert _run(scenario, out).exit_code == 0
    assert _run(scenario, out).exit_code == 0
