"""One run's replications as a job, and the local executor that runs them in processes."""

from __future__ import annotations

import os
import signal
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Iterator

import numpy as np
import pyarrow as pa

from mobsim.codes import CHANNELS, PRESENCE_STATES
from mobsim.district.tables import District
from mobsim.kernels.assignment import transport
from mobsim.model import simulate
from mobsim.model.action import household_reached_min
from mobsim.model.scan import ScanPlan, scan_plan, simulate_scan
from mobsim.model.tasks.outcome import task_work
from mobsim.random import Streams
from mobsim.results.rows import Layout, replication_tables, scan_tables
from mobsim.results.schemas import per_replication_schemas
from mobsim.results.task_rows import act_row, with_tasks
from mobsim.runner.scan_state import TaskLayout, task_layout
from mobsim.scenario.files import Scenario
from mobsim.scenario.params import Parameters, Settings

Tables = dict[str, pa.Table]


@dataclass(frozen=True)
class ReplicationJob:
    """Everything a worker needs to run replications of one scenario; pickled once per worker."""

    scenario: Scenario
    district: District
    layout: Layout
    seed: int
    trace: bool
    summary_only: bool = False

    @cached_property
    def settings(self) -> Settings:
        """The scenario's typed settings."""
        return Settings(self.scenario)

    @property
    def mode(self) -> str:
        """What the scenario simulates: "wartime" or "scan"."""
        return self.settings.mode

    def parameters(self, replication: int) -> Parameters:
        """The scenario as replication `replication` reads it."""
        return Parameters(self.scenario, Streams(self.seed, replication))

    @property
    def schemas(self) -> dict[str, pa.Schema]:
        """The tables `run` returns, with their schemas."""
        return per_replication_schemas(self.mode, self.trace)

    @cached_property
    def scan_plan(self) -> ScanPlan:
        """Households, scanner routes and windows of the scan campaign, built on first use."""
        return scan_plan(self.district, self.settings)

    def load_kernels(self) -> None:
        """Compile or load the Numba kernels a replication calls, on problems too small to cost.

        Run in the parent before a pool forks, every worker starts with them loaded instead of
        each loading them from the cache on its first replication.
        """
        transport(np.ones((1, 1)), np.ones(1, np.int64), np.ones(1, np.int64))
        if self.mode == "scan":
            return
        never = np.full(len(self.layout.microgrid_id), np.nan)
        household_reached_min(self.layout.homes, self.parameters(0), never)

    def run(self, replication: int) -> Tables:
        """Simulate one replication and return its output rows (only its summary row when
        `summary_only`, so a check sends no per-entity tables back from the workers)."""
        scan = self.mode == "scan"
        tables = self._run_scan(replication) if scan else self._run_wartime(replication)
        return {"replications": tables["replications"]} if self.summary_only else tables

    @cached_property
    def task_layout(self) -> TaskLayout:
        """What the tasks' work needs of the district and the scan, built on first use."""
        return task_layout(self.district, self.settings, self.seed, self.layout.homes)

    def _run_wartime(self, replication: int) -> Tables:
        result = simulate(self.district, self.scenario, self.seed, replication, self.trace)
        tasks = self.task_layout
        params = self.parameters(replication)
        work = task_work(self.layout.homes, params, result.microgrid_activated_min,
                         result.task_units, tasks.community_of_microgrid, tasks.verified)
        settings = self.settings
        target = settings.target
        tables = replication_tables(
            result, work.verified_min, self.layout, replication, self.seed,
            target_min=target.minutes, horizon_min=settings.horizon_min,
            states=PRESENCE_STATES, channels=CHANNELS, curves=not self.summary_only,
            definition=target.definition)
        # The goods' minute is the replication's one draw that the tasks' work also made.
        act_columns = act_row(result.microgrid_activated_min, result.task_units,
                              params.once("tasks.supply.ready_min"), self.layout.grouping,
                              target.definition, settings.horizon_min)
        return with_tasks(tables, work, result.task_units, tasks.community_ids, replication,
                          target.minutes, settings.horizon_min, act_columns,
                          curves=not self.summary_only)

    def _run_scan(self, replication: int) -> Tables:
        result = simulate_scan(self.scan_plan, self.parameters(replication))
        return scan_tables(result, self.scan_plan.homes, replication, self.seed,
                           self.settings.scan_days)


_WORKER_JOB: ReplicationJob | None = None


def _init_worker(job: ReplicationJob) -> None:
    global _WORKER_JOB
    # Ctrl-C and SIGTERM sent to the whole process group are the parent's to handle: it stops
    # the run, keeps what is finished and ends the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _WORKER_JOB = job


def _run_in_worker(replication: int) -> tuple[int, Tables]:
    assert _WORKER_JOB is not None, "worker started without its job"
    return replication, _WORKER_JOB.run(replication)


def default_jobs() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_local(job: ReplicationJob, replications: Iterable[int], jobs: int) -> Iterator[tuple[int, Tables]]:
    """Yield (replication, tables) as they finish, in this process or a pool of `jobs`.

    At most two replications per worker are in flight, so memory stays flat however many
    replications the run has.
    """
    pending_reps = list(replications)
    if jobs <= 1 or len(pending_reps) <= 1:
        for replication in pending_reps:
            yield replication, job.run(replication)
        return
    queue = iter(pending_reps)
    job.load_kernels()
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(job,)) as pool:
        in_flight: set[Future] = set()
        try:
            while True:
                while len(in_flight) < 2 * jobs and (rep := next(queue, None)) is not None:
                    in_flight.add(pool.submit(_run_in_worker, rep))
                if not in_flight:
                    return
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: f.result()[0]):
                    yield future.result()
        except (KeyboardInterrupt, GeneratorExit):
            _end_workers(pool)
            raise
        finally:
            for future in in_flight:
                future.cancel()


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's workers now: their replications in flight are lost either way.

    A shutdown alone waits for every running replication; Python has no public way to end
    the workers before 3.14 (`terminate_workers`), hence the pool's own process table.
    """
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.kill()
