"""Interrupted runs: killed or stopped with Ctrl-C, a run folder resumes to the same bytes.

Real `mobsim run` subprocesses are stopped mid-run (SIGKILL, SIGINT) once `.parts/` holds
finished replications; the folder is then resumed and compared, Parquet file by Parquet file,
with an uninterrupted run of the same command.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from interruptions import (
    REPLICATIONS,
    SEED,
    WAIT_S,
    finished_parts,
    parquet_bytes,
    run_args,
    start_and_wait_for_parts,
)

from mobsim.cli import main
from mobsim.results.schemas import PER_REPLICATION
from mobsim.runner import run
from mobsim.runner.local import run_local
from mobsim.scenario.files import load_scenario


def test_a_killed_run_resumes_to_the_bytes_of_an_uninterrupted_one(scenario: Path,
                                                                  uninterrupted: Path) -> None:
    out = scenario.parent / "killed"
    process = start_and_wait_for_parts(scenario, out, 2)
    process.send_signal(signal.SIGKILL)
    process.wait(WAIT_S)
    kept = finished_parts(out)
    assert 2 <= len(kept) < REPLICATIONS and not (out / "manifest.json").exists()

    another_seed = CliRunner().invoke(main, ["run", str(scenario), "-n", str(REPLICATIONS),
                                             "--seed", str(SEED + 1), "-j", "1", "--quiet",
                                             "-o", str(out), "--resume"])
    assert another_seed.exit_code == 2
    assert another_seed.stderr.startswith(f"error: {out}: --resume found parts of a different run")
    assert len(another_seed.stderr.splitlines()) == 1
    assert finished_parts(out) == kept

    resumed = CliRunner().invoke(main, run_args(scenario, out, "--resume"))
    assert resumed.exit_code == 0, resumed.output
    assert not (out / ".parts").exists()
    expected = parquet_bytes(uninterrupted)
    assert {"microgrids.parquet", "replications.parquet"} <= set(expected)
    assert parquet_bytes(out) == expected


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_keeps_whole_replications_and_says_so(scenario: Path, uninterrupted: Path,
                                                     jobs: str) -> None:
    out = scenario.parent / f"stopped-{jobs}"
    process = start_and_wait_for_parts(scenario, out, 1, "-j", jobs)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=WAIT_S)
    assert process.returncode == 130, stderr
    kept = finished_parts(out)
    assert stderr.strip().splitlines()[-1] == (
        f"interrupted: kept {len(kept)} of {REPLICATIONS} finished replications in {out}/; "
        "run the same command with --resume to finish")
    assert "Traceback" not in stderr
    stray = [p for p in out.rglob("*.partial") if ".parts" not in p.relative_to(out).parts]
    assert stray == [] and list(out.glob("*.parquet")) == []
    tables = set(PER_REPLICATION)
    for part in kept:  # every kept part holds every table, each file whole
        assert {f.stem for f in part.glob("*.parquet")} == tables
        assert all(pq.read_table(part / f"{name}.parquet").num_rows > 0 for name in tables)

    asked: list[int] = []

    def recording(job, replications, workers):
        asked.extend(replications)
        return run_local(job, replications, workers)

    run(load_scenario(scenario), REPLICATIONS, SEED, out, jobs=1, resume=True, executor=recording)
    assert sorted(asked) == sorted(set(range(REPLICATIONS)) - {int(p.name[1:]) for p in kept})
    assert parquet_bytes(out) == parquet_bytes(uninterrupted)


def test_a_folder_holding_another_run_is_not_overwritten_without_force(scenario: Path,
                                                                       uninterrupted: Path) -> None:
    before = parquet_bytes(uninterrupted)
    other = ["run", str(scenario), "-n", "1", "--seed", "9", "-j", "1", "--quiet",
             "-o", str(uninterrupted)]
    refused = CliRunner().invoke(main, other)
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"error: {uninterrupted}: already holds a different run")
    assert "use --force" in refused.stderr and len(refused.stderr.splitlines()) == 1
    assert parquet_bytes(uninterrupted) == before


def test_a_finished_run_grows_to_the_bytes_of_an_uninterrupted_larger_one(
        scenario: Path, uninterrupted: Path) -> None:
    out = scenario.parent / "grown"
    smaller = ["run", str(scenario), "--seed", str(SEED), "-j", "1", "--quiet", "-o", str(out)]
    assert CliRunner().invoke(main, [*smaller, "-n", "5"]).exit_code == 0

    refused = CliRunner().invoke(main, [*smaller, "-n", str(REPLICATIONS)])
    assert refused.exit_code == 2 and len(refused.stderr.splitlines()) == 1
    assert refused.stderr.startswith(f"error: {out}: holds 5 replications of this run; add "
                                     f"--resume to run replications 5–{REPLICATIONS - 1}")
    asked: list[int] = []

    def recording(job, replications, workers):
        asked.extend(replications)
        return run_local(job, replications, workers)

    grown = run(load_scenario(scenario), REPLICATIONS, SEED, out, jobs=1, resume=True,
                executor=recording)
    assert asked == list(range(5, REPLICATIONS))
    assert grown.manifest["replications"] == REPLICATIONS and not (out / ".parts").exists()
    assert parquet_bytes(out) == parquet_bytes(uninterrupted)

    asked.clear()  # --resume on a finished run of as many: nothing to run, nothing rewritten
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    run(load_scenario(scenario), REPLICATIONS, SEED, out, jobs=1, resume=True, executor=recording)
    assert asked == [] and {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before

    shrink = CliRunner().invoke(main, [*smaller, "-n", "3", "--resume"])
    assert shrink.exit_code == 2
    assert f"holds {REPLICATIONS} replications of this run, more than the 3 asked" in shrink.stderr
    assert parquet_bytes(out) == parquet_bytes(uninterrupted)
