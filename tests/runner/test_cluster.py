"""Tests of the Dask executor: the same files as the local pool, on real clusters on loopback.

One cluster of separate processes (a scheduler and two single-threaded workers, started with
`python -m dask`) serves the module; one test lets the CLI start its own LocalCluster.
"""

import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import dask
import distributed
import pandas as pd
import pytest
from click.testing import CliRunner

from mobsim.cli import main
from mobsim.errors import InputError, RunInterrupted
from mobsim.results.store import Staging
from mobsim.runner import run
from mobsim.runner.cluster import (
    INSTALL_HINT,
    MAX_BATCH,
    batch_size,
    batches,
    dask_session,
)
from mobsim.scenario.files import load_scenario
from mobsim.sweeps import sweep

CHEAP = "alert.horizon_min=240"  # a shorter horizon: a replication takes about 0.5 s
REPLICATIONS = 6
SEED = 5
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10
WORKERS = 2


class ProcessCluster:
    """A Dask scheduler and workers, each its own process (group) on 127.0.0.1."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.scheduler_file = folder / "scheduler.json"
        self.processes: list[subprocess.Popen] = []
        self.killed: list[subprocess.Popen] = []
        self.workers: dict[str, subprocess.Popen] = {}
        self.client: distributed.Client | None = None
        self.address = ""

    def start_scheduler(self) -> None:
        """Start the scheduler and connect the cluster's own client to it."""
        # The idle and death timeouts end processes orphaned by a crashed test run.
        self._start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                    "--scheduler-file", str(self.scheduler_file), "--idle-timeout", "600")
        self._wait(self.scheduler_file.is_file, "the scheduler file")
        self.client = distributed.Client(scheduler_file=str(self.scheduler_file),
                                         timeout=START_TIMEOUT_S)
        self.address = self.client.scheduler.address

    def _start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")
        # Its own session: a Ctrl-C of the test run does not reach it, and killpg ends it whole.
        process = subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=self.folder,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.processes.append(process)
        return process

    def _wait(self, condition, what: str) -> None:
        """Poll `condition` until true; fail at once if a process died, or after the timeout."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while not condition():
            died = [p.args for p in self.processes if p.poll() is not None and p not in self.killed]
            if died or time.monotonic() > deadline:
                logs = {p.name: p.read_text()[-2000:] for p in self.folder.glob("*.log")}
                raise RuntimeError(f"waiting for {what}: died {died}; logs: {logs}")
            time.sleep(0.2)

    def registered(self) -> set[str]:
        """Names of the workers the scheduler knows now."""
        return {w["name"] for w in self.client.scheduler_info()["workers"].values()}

    def ensure_workers(self, count: int) -> None:
        """Start workers until `count` are alive, and wait until exactly those are registered."""
        self.workers = {n: p for n, p in self.workers.items() if p.poll() is None}
        while len(self.workers) < count:
            name = f"w{len(self.processes)}"
            self.workers[name] = self._start(
                name, "worker", "--scheduler-file", str(self.scheduler_file), "--name", name,
                "--nworkers", "1", "--nthreads", "1", "--no-nanny", "--no-dashboard",
                "--host", "127.0.0.1", "--death-timeout", "60")
        self._wait(lambda: self.registered() == set(self.workers), f"{count} registered workers")

    def kill_worker(self, name: str) -> None:
        """SIGKILL a worker, as if its machine died."""
        process = self.workers.pop(name)
        self.killed.append(process)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(STOP_TIMEOUT_S)

    def close(self) -> None:
        """Stop the client, the workers, then the scheduler (a worker reports to it as it stops)."""
        if self.client is not None:
            self.client.close()
        _stop(self.processes[1:])
        _stop(self.processes[:1])


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM the processes still alive, SIGKILL those that do not end in time."""
    alive = [p for p in processes if p.poll() is None]
    for process in alive:
        os.killpg(process.pid, signal.SIGTERM)
    for process in alive:
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(STOP_TIMEOUT_S)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessCluster]:
    started = ProcessCluster(tmp_path_factory.mktemp("dask-cluster"))
    try:
        started.start_scheduler()
        yield started
    finally:
        started.close()


@pytest.fixture
def scheduler(cluster: ProcessCluster) -> str:
    """The module cluster's address, with two live workers (a test may have killed one)."""
    cluster.ensure_workers(WORKERS)
    return cluster.address


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "run"
    run(load_scenario(None, [CHEAP]), REPLICATIONS, SEED, out, jobs=1)
    return out


def folder_contents(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path; manifests without their run time."""
    contents = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.name == "manifest.json":
            manifest = json.loads(data)
            manifest.pop("run_time_s")
            data = json.dumps(manifest).encode()
        contents[str(path.relative_to(folder))] = data
    return contents


def assert_same_files(actual: Path, expected: Path) -> None:
    got, want = folder_contents(actual), folder_contents(expected)
    assert sorted(got) == sorted(want)
    assert any(name.endswith(".parquet") for name in want)
    for name, data in want.items():
        assert got[name] == data, name


def test_batch_size_gives_about_four_tasks_per_thread_within_limits() -> None:
    assert batch_size(8, 2) == 1
    assert batch_size(40, 2) == 5
    assert batch_size(41, 2) == 6
    assert batch_size(200, 2) == MAX_BATCH
    assert batch_size(3, 0) == 1


def test_batches_cover_every_replication_once_in_order() -> None:
    assert batches([4, 5, 6, 7, 8, 9, 10], 3) == [[4, 5, 6], [7, 8, 9], [10]]
    assert batches([2], 16) == [[2]]


def test_separate_process_cluster_writes_the_local_files_in_batches(
        scheduler: str, cluster: ProcessCluster, local_run: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    with dask_session(scheduler, 1, batch=4) as executor, \
            distributed.get_task_stream(cluster.client) as stream:
        run(load_scenario(None, [CHEAP]), REPLICATIONS, SEED, tmp_path / "run",
            progress=lambda done, total: seen.append((done, total)), executor=executor)
    assert_same_files(tmp_path / "run", local_run)
    assert seen == [(done, REPLICATIONS) for done in range(1, REPLICATIONS + 1)]
    tasks = [t for t in stream.data if "run_batch" in str(t["key"])]
    assert len(tasks) == math.ceil(REPLICATIONS / 4)
    assert {t["worker"] for t in tasks} <= set(cluster.client.nthreads())


def test_the_district_is_scattered_once_for_the_runs_of_a_session(
        scheduler: str, local_run: Path) -> None:
    """A study's runs on one client: the district goes to the workers once, each run's job
    travels without it, and every run gives the rows of a local run."""
    night, day = (load_scenario(None, [CHEAP, f'alert.start="{start}"'])
                  for start in ("02:00", "14:00"))
    scattered: list[object] = []
    with dask_session(scheduler, 1, batch=2) as executor:
        scatter = executor.client.scatter
        executor.client.scatter = lambda data, **kw: scattered.append(data) or scatter(data, **kw)
        found = [run(s, 4, SEED, write=False, executor=executor).replications
                 for s in (night, day, night)]
    assert len(scattered) == 1
    for scenario, rows in zip((night, day, night), found):
        pd.testing.assert_frame_equal(rows, run(scenario, 4, SEED, write=False).replications)


def test_a_killed_worker_batch_is_rerun_and_the_files_are_the_same(
        scheduler: str, cluster: ProcessCluster, local_run: Path, tmp_path: Path) -> None:
    killed: list[str] = []
    held: list[str] = []  # batches the scheduler had on the worker when it was killed

    def kill_a_busy_worker(done: int, total: int) -> None:
        if killed:
            return
        busy = [(address, tasks) for address, tasks in cluster.client.processing().items()
                if tasks]
        assert busy, "no batch in flight after the first replication arrived"
        address, tasks = busy[0]
        held.extend(str(task) for task in tasks)
        killed.append(address)
        cluster.kill_worker(cluster.client.scheduler_info()["workers"][address]["name"])

    with dask_session(scheduler, 1, batch=1) as executor, \
            distributed.get_task_stream(cluster.client) as stream:
        run(load_scenario(None, [CHEAP]), REPLICATIONS, SEED, tmp_path / "run",
            progress=kill_a_busy_worker, executor=executor)
    finished_on = {str(t["key"]): t["worker"] for t in stream.data if "run_batch" in str(t["key"])}
    assert len(killed) == 1 and killed[0] not in cluster.client.scheduler_info()["workers"]
    assert held and set(held) <= set(finished_on)
    # At least one batch the worker held died with it and finished on another worker.
    assert [key for key in held if finished_on[key] != killed[0]]
    assert_same_files(tmp_path / "run", local_run)


def test_an_interrupted_run_cancels_its_batches_and_resumes_to_the_same_files(
        scheduler: str, cluster: ProcessCluster, local_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    scenario = load_scenario(None, [CHEAP])

    def stop_after_two(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with dask_session(scheduler, 1, batch=1) as executor:
        with pytest.raises(RunInterrupted):
            run(scenario, REPLICATIONS, SEED, out, progress=stop_after_two, executor=executor)
        kept = Staging(out).done()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while any(cluster.client.processing().values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(cluster.client.processing().values())
        asked: list[int] = []

        def recording(job, replications, jobs):
            todo = list(replications)
            asked.extend(todo)
            return executor(job, todo, jobs)

        run(scenario, REPLICATIONS, SEED, out, resume=True, executor=recording)
    assert len(kept) == 2
    assert sorted(asked) == sorted(set(range(REPLICATIONS)) - kept)
    assert_same_files(out, local_run)


def test_cli_run_starts_a_local_cluster_of_jobs_workers(
        local_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOBSIM_DASK_SCHEDULER", raising=False)
    started: list[dict] = []
    real = distributed.LocalCluster

    def recording_cluster(**options):
        started.append(options)
        return real(**options)

    monkeypatch.setattr(distributed, "LocalCluster", recording_cluster)
    result = CliRunner().invoke(main, ["run", "-n", str(REPLICATIONS), "--seed", str(SEED),
                                       "--set", CHEAP, "-o", str(tmp_path / "run"), "--quiet",
                                       "--executor", "dask", "-j", "2"])
    assert result.exit_code == 0, result.output
    assert len(started) == 1
    assert started[0]["n_workers"] == 2 and started[0]["threads_per_worker"] == 1
    assert started[0]["processes"] is True and started[0]["host"] == "127.0.0.1"
    assert_same_files(tmp_path / "run", local_run)


def _no_local_cluster(**options) -> None:
    raise AssertionError("started a LocalCluster although a scheduler was named")


def test_cli_sweep_on_the_scheduler_from_the_environment_matches_a_local_sweep(
        scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(distributed, "LocalCluster", _no_local_cluster)
    monkeypatch.setenv("MOBSIM_DASK_SCHEDULER", scheduler)
    sweep(load_scenario(None, [CHEAP]), {"cadres.count": ["3241", "1000"]}, 2, SEED,
          tmp_path / "local")
    result = CliRunner().invoke(main, ["sweep", "--vary", "cadres.count=3241,1000", "-n", "2",
                                       "--seed", str(SEED), "--set", CHEAP, "-o",
                                       str(tmp_path / "dask"), "--quiet", "--executor", "dask"])
    assert result.exit_code == 0, result.output
    assert_same_files(tmp_path / "dask", tmp_path / "local")


def test_cli_check_on_a_named_scheduler_gives_the_local_verdict(
        scheduler: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(distributed, "LocalCluster", _no_local_cluster)
    args = ["check", "-n", "3", "--seed", str(SEED), "--set", CHEAP, "--quiet", "--json"]
    local = CliRunner().invoke(main, [*args, "-j", "1"])
    on_dask = CliRunner().invoke(main, [*args, "--executor", "dask", "--scheduler", scheduler])
    assert local.exit_code in (0, 1, 3), local.output
    assert (on_dask.exit_code, on_dask.stdout) == (local.exit_code, local.stdout)


def test_without_distributed_dask_executor_says_how_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    result = CliRunner().invoke(main, ["check", "-n", "1", "--quiet", "--executor", "dask"])
    assert result.exit_code == 2
    assert result.stderr == f"error: {INSTALL_HINT}\n"
    assert "pip install 'mobsim[dask]'" in INSTALL_HINT


def test_dask_options_are_refused_with_the_local_executor() -> None:
    result = CliRunner().invoke(main, ["run", "--scheduler", "tcp://127.0.0.1:8786", "--batch", "2"])
    assert result.exit_code == 2
    assert "--scheduler and --batch: only with --executor dask" in result.stderr


def test_an_unreachable_scheduler_is_a_one_line_input_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{closed_port}"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(InputError, match=f"Dask scheduler {address}: cannot connect") as err:
            with dask_session(address, 1):
                pass
    assert "\n" not in str(err.value)
