"""Faults an operator meets: SIGTERM, a full disk, an output folder that cannot be written.

Real `mobsim` subprocesses are stopped or starved as `kill`, systemd or `ulimit -f` would;
each fault must end in one line on stderr, a documented exit code, no process left behind and
a folder that `--resume` completes to the bytes of an uninterrupted run.
"""

from __future__ import annotations

import errno
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cli_fixtures import write_scenario
from click.testing import CliRunner
from interruptions import (
    REPLICATIONS,
    SHAPE,
    WAIT_S,
    finished_parts,
    parquet_bytes,
    run_args,
    start_and_wait_for_parts,
)

import mobsim.results.store
from mobsim.cli import main
from mobsim.district.check import MAX_HOUSEHOLDS
from mobsim.results.schemas import per_replication_schemas

SIGTERM_EXIT = 128 + signal.SIGTERM
FILE_LIMIT_BYTES = 100 * 1024
"""`ulimit -f 100`: a replication's parts fit, the merged members table does not."""


def stray_files(out: Path) -> list[Path]:
    """Half-written files outside the parts (the parts' own are dropped on failure too)."""
    return [p for p in out.rglob("*.partial")]


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def live(processes: list[psutil.Process]) -> list[int]:
    """Pids of `processes` still running a while after their parent ended (a safety net)."""
    deadline = time.monotonic() + WAIT_S
    while any(map(_running, processes)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p.pid for p in processes if _running(p)]


def terminate(process: subprocess.Popen) -> tuple[list[psutil.Process], str]:
    """SIGTERM the process as `kill` does; return its descendants of that moment and its stderr."""
    children = psutil.Process(process.pid).children(recursive=True)
    process.terminate()
    _, stderr = process.communicate(timeout=WAIT_S)
    return children, stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_stops_a_run_like_ctrl_c_and_leaves_no_worker(scenario: Path, uninterrupted: Path,
                                                              jobs: str) -> None:
    out = scenario.parent / f"terminated-{jobs}"
    process = start_and_wait_for_parts(scenario, out, 1, "-j", jobs)
    children, stderr = terminate(process)
    assert process.returncode == SIGTERM_EXIT, stderr
    assert len(children) == (2 if jobs == "2" else 0)
    assert live(children) == []
    kept = finished_parts(out)
    assert stderr.strip().splitlines() == [
        f"interrupted: kept {len(kept)} of {REPLICATIONS} finished replications in {out}/; "
        "run the same command with --resume to finish"]
    assert stray_files(out) == [] and list(out.glob("*.parquet")) == []

    resumed = CliRunner().invoke(main, run_args(scenario, out, "--resume"))
    assert resumed.exit_code == 0, resumed.output
    assert parquet_bytes(out) == parquet_bytes(uninterrupted)


def _start(scenario: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mobsim.cli", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=scenario.parent)


def _wait_for(condition, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert process.poll() is None, f"ended before {what}: {process.communicate()}"
        assert time.monotonic() < deadline, f"no {what}"
        time.sleep(0.02)


def test_sigterm_stops_a_check_and_its_workers(scenario: Path) -> None:
    process = _start(scenario, "check", str(scenario), "-n", "200", "-j", "2", "--quiet")
    me = psutil.Process(process.pid)
    _wait_for(lambda: len(me.children()) == 2, process, "two workers")
    time.sleep(0.5)  # the workers hold replications now
    children, stderr = terminate(process)
    assert process.returncode == SIGTERM_EXIT, stderr
    assert stderr.strip().splitlines() == ["interrupted: no verdict (a check keeps no replications)"]
    assert live(children) == []


def test_sigterm_stops_a_sweep_which_resumes(scenario: Path) -> None:
    out = scenario.parent / "sweep-terminated"
    args = ["sweep", str(scenario), "--vary", "cadres.count=0,1", "-n", str(REPLICATIONS),
            "-j", "2", "--quiet", "-o", str(out)]
    process = _start(scenario, *args)
    _wait_for(lambda: len(finished_parts(out / "variant=0")) >= 1, process, "a finished part")
    children, stderr = terminate(process)
    assert process.returncode == SIGTERM_EXIT, stderr
    assert stderr.strip().splitlines()[-1].startswith("interrupted: kept ")
    assert live(children) == []
    resumed = CliRunner().invoke(main, [*args, "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert (out / "variants.parquet").is_file()


@pytest.mark.slow  # starting a local cluster takes ten seconds or more
def test_sigterm_stops_a_run_on_a_dask_local_cluster(scenario: Path, uninterrupted: Path) -> None:
    out = scenario.parent / "terminated-dask"
    process = start_and_wait_for_parts(scenario, out, 1, "-j", "2", "--executor", "dask")
    children, stderr = terminate(process)
    assert process.returncode == SIGTERM_EXIT, stderr
    assert len(children) >= 2  # the cluster's worker processes (and their helpers)
    assert live(children) == []
    kept = finished_parts(out)
    assert stderr.strip().splitlines()[-1] == (
        f"interrupted: kept {len(kept)} of {REPLICATIONS} finished replications in {out}/; "
        "run the same command with --resume to finish")
    resumed = CliRunner().invoke(main, run_args(scenario, out, "--resume"))
    assert resumed.exit_code == 0, resumed.output
    assert parquet_bytes(out) == parquet_bytes(uninterrupted)


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT_BYTES, FILE_LIMIT_BYTES))


def test_a_file_size_limit_is_one_line_and_resume_finishes(scenario: Path,
                                                           uninterrupted: Path) -> None:
    out = scenario.parent / "full"
    starved = subprocess.run([sys.executable, "-m", "mobsim.cli", *run_args(scenario, out)],
                             capture_output=True, text=True, preexec_fn=_limit_file_size)
    assert starved.returncode == 2, starved.stderr
    assert starved.stderr.splitlines() == [
        f"error: {out}/: could not write the run's tables (File too large); kept {REPLICATIONS} "
        f"of {REPLICATIONS} finished replications: make space and run the same command with "
        "--resume to continue"]
    assert stray_files(out) == [] and not (out / "manifest.json").exists()
    for table in out.glob("*.parquet"):  # a table left in place is whole
        assert pq.read_table(table).num_rows > 0
    resumed = CliRunner().invoke(main, run_args(scenario, out, "--resume"))
    assert resumed.exit_code == 0, resumed.output
    assert parquet_bytes(out) == parquet_bytes(uninterrupted)


def test_a_full_disk_mid_run_keeps_the_finished_replications(
        scenario: Path, uninterrupted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = scenario.parent / "no-space"
    written: list[Path] = []
    real_write = mobsim.results.store.pq.write_table

    def write_until_full(table, path, **options) -> None:
        # One replication's tables, then part of the next.
        if len(written) >= len(per_replication_schemas("wartime", trace=False)) + 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path)
        real_write(table, path, **options)

    monkeypatch.setattr(mobsim.results.store.pq, "write_table", write_until_full)
    full = CliRunner().invoke(main, run_args(scenario, out))
    assert full.exit_code == 2
    assert full.stderr.splitlines() == [
        f"error: {out}/: could not write replication 1 (No space left on device); kept 1 of "
        f"{REPLICATIONS} finished replications: make space and run the same command with "
        "--resume to continue"]
    assert [p.name for p in finished_parts(out)] == ["r000000"]
    assert stray_files(out) == [] and list(out.glob("*.parquet")) == []
    monkeypatch.undo()
    resumed = CliRunner().invoke(main, run_args(scenario, out, "--resume"))
    assert resumed.exit_code == 0, resumed.output
    assert parquet_bytes(out) == parquet_bytes(uninterrupted)


def _without_root_override() -> list[str]:
    """A prefix that makes root obey file modes (as any other user does), else nothing."""
    if os.geteuid() != 0:
        return []
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]


@pytest.mark.parametrize("place, problem", [
    ("read-only/run", "cannot write there (Permission denied: {out}); choose another -o"),
    ("read-only", "cannot write there (Permission denied: {out}/.mobsim-probe-PID); "
                  "choose another -o"),
    ("a-file", "exists and is not a folder; choose another -o"),
    ("a-file/run", "cannot write there (Not a directory: {out}); choose another -o"),
])
def test_an_output_folder_that_cannot_be_written_is_refused_before_running(
        scenario: Path, tmp_path: Path, place: str, problem: str) -> None:
    (tmp_path / "read-only").mkdir(mode=0o555)
    (tmp_path / "a-file").write_text("not a folder")
    out = tmp_path / place
    command = [*_without_root_override(), sys.executable, "-m", "mobsim.cli",
               *run_args(scenario, out)]
    refused = subprocess.run(command, capture_output=True, text=True)
    assert refused.returncode == 2, refused.stderr
    expected = f"error: {out}: {problem.format(out=out)}"
    line, = refused.stderr.splitlines()
    assert line.split("-probe-")[0] == expected.split("-probe-")[0]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a-file", "read-only"]


def test_a_district_too_large_to_run_fails_validation_and_run_before_allocating(
        tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, **SHAPE)
    grids_file = tmp_path / "district" / "general_grids.parquet"
    microgrids_file = tmp_path / "district" / "microgrids.parquet"
    microgrids = pq.read_table(microgrids_file).to_pandas()
    grids = pq.read_table(grids_file).to_pandas()
    extra = 2_000_000_000 - int(microgrids.loc[0, "households"])
    microgrids.loc[0, "households"] = 2_000_000_000
    grids.loc[grids.general_grid_id == microgrids.loc[0, "general_grid_id"], "households"] += extra
    for frame, file in ((microgrids, microgrids_file), (grids, grids_file)):
        pq.write_table(pa.Table.from_pandas(frame, pq.read_schema(file)), file)
    for command in (["validate", str(scenario)], run_args(scenario, tmp_path / "run")):
        refused = CliRunner().invoke(main, command)
        assert refused.exit_code == 2, refused.output
        line, = refused.stderr.splitlines()
        assert f"a run holds at most {MAX_HOUSEHOLDS:,}" in line and str(microgrids_file) in line
    assert not (tmp_path / "run").exists()


def test_a_full_disk_at_the_manifest_leaves_no_partial_file(
        scenario: Path, uninterrupted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = scenario.parent / "no-space-manifest"
    real_write_text = Path.write_text

    def write_until_full(path: Path, text: str, *args, **kwargs) -> int:
        if path.name == ".manifest.json.partial":
            real_write_text(path, text[:10])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write_text(path, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_until_full)
    full = CliRunner().invoke(main, run_args(scenario, out))
    assert full.exit_code == 2
    assert full.stderr.startswith(f"error: {out}/: could not write the run's tables "
                                  "(No space left on device)")
    assert stray_files(out) == [] and not (out / "manifest.json").exists()
    monkeypatch.undo()
    resumed = CliRunner().invoke(main, run_args(scenario, out, "--resume"))
    assert resumed.exit_code == 0, resumed.output
    assert parquet_bytes(out) == parquet_bytes(uninterrupted)


@pytest.mark.parametrize("command", ["sensitivity", "plan"])
def test_sigterm_stops_a_study_and_its_workers(scenario: Path, command: str) -> None:
    """sensitivity and plan keep no replications: SIGTERM ends them and their workers, in one line."""
    study = (["--parameters", "cadres.speed_kmh", "--size", "1", "-n", "200", "--quiet"]
             if command == "sensitivity" else ["--lever", "cadres.count=0..6", "--max-replications", "400"])
    process = _start(scenario, command, str(scenario), *study, "-j", "2")
    me = psutil.Process(process.pid)
    _wait_for(lambda: len(me.children()) == 2, process, "two workers")
    time.sleep(0.5)  # the workers hold replications now
    children, stderr = terminate(process)
    assert process.returncode == SIGTERM_EXIT, stderr
    assert stderr.strip().splitlines() == [f"interrupted: mobsim {command} stopped before its answer"]
    assert live(children) == []
