"""One run's replications as a job, and the local executor that runs them in processes."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable, Iterator

import numpy as np
import pyarrow as pa

from mobsim.codes import CHANNELS, PRESENCE_STATES
from mobsim.district.tables import District
from mobsim.model import simulate
from mobsim.model.action import household_reached_min
from mobsim.model.round_plan import warm_up
from mobsim.model.scan import ScanPlan, scan_plan, simulate_scan
from mobsim.model.tasks.outcome import task_work
from mobsim.random import Streams
from mobsim.results.rows import Layout, replication_tables, scan_tables
from mobsim.results.schemas import per_replication_schemas
from mobsim.results.task_rows import act_row, with_tasks
from mobsim.runner.pool import WorkerPool, district_parts
from mobsim.runner.scan_state import TaskLayout, task_layout
from mobsim.scenario.files import Scenario
from mobsim.scenario.params import Parameters, Settings

Tables = dict[str, pa.Table]


@dataclass(frozen=True)
class ReplicationJob:
    """Everything a worker needs to run replications of one scenario; the district and its
    layout are its shared parts, which an executor sends to a worker once (mobsim.runner.pool)."""

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

    def shared(self) -> dict[str, object]:
        """The district and its layout, named by the district's digest."""
        return district_parts(self.district, layout=self.layout)

    def load_kernels(self) -> None:
        """Compile or load the Numba kernels a replication calls, on problems too small to cost.

        Run in the parent before a pool forks, every worker starts with them loaded instead of
        each loading them from the cache on its first replication.
        """
        warm_up()
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


def default_jobs() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_local(job: ReplicationJob, replications: Iterable[int], jobs: int) -> Iterator[tuple[int, Tables]]:
    """Yield (replication, tables) as they finish, in this process or a pool of `jobs` started
    for this call alone (mobsim.runner.pool.WorkerPool keeps one for many calls)."""
    with WorkerPool(jobs) as pool:
        yield from pool(job, replications, jobs)


@contextmanager
def pool_for(executor: Any, workers: int) -> Iterator[Any]:
    """The executor a whole study runs on: the default `run_local` (a pool per run) becomes one
    pool of `workers` kept for the block; any other executor is kept as it is."""
    if executor is not run_local:
        yield executor
        return
    with WorkerPool(workers) as pool:
        yield pool
