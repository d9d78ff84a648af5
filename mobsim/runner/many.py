"""Replications of many scenarios as one stream: a study's design points run back to back on
the same workers, none waiting at the end of one point for the others to finish it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from mobsim.district import load_district
from mobsim.results.rows import layout
from mobsim.runner.lifecycle import Executor, ProgressFn
from mobsim.runner.local import ReplicationJob, Tables, run_local
from mobsim.runner.sequential import replication_summaries
from mobsim.scenario import Scenario
from mobsim.scenario.params import Settings


@dataclass(frozen=True)
class ManyJob:
    """Replications 0 … R−1 of each of several jobs as one job of R × jobs replications: its
    replication i is replication i mod R of job i div R. Jobs on one district share it (the
    executor sends it once)."""

    jobs: tuple[ReplicationJob, ...]
    replications: int

    def run(self, replication: int) -> Tables:
        """Replication `replication` mod R of job `replication` div R."""
        job, within = divmod(replication, self.replications)
        return self.jobs[job].run(within)

    def shared(self) -> dict[str, object]:
        """Every job's shared parts."""
        return {token: part for job in self.jobs for token, part in job.shared().items()}

    def load_kernels(self) -> None:
        """The kernels of the first job (every job calls the same)."""
        self.jobs[0].load_kernels()

    @property
    def schemas(self) -> dict[str, pa.Schema]:
        """The tables each replication returns."""
        return self.jobs[0].schemas


def summaries(scenarios: Sequence[Scenario], replications: int, seed: int, jobs: int,
              executor: Executor = run_local,
              progress: ProgressFn | None = None) -> list[pd.DataFrame]:
    """Each scenario's replications table (replications 0 … R−1 of `seed`, as `mobsim.run`
    with `write=False` gives it), all run as one stream; each district is built once.
    `progress(done, total)` counts the replications of all the scenarios."""
    districts: dict = {}
    built = []
    for scenario in scenarios:
        source = Settings(scenario).district_source
        if source not in districts:
            district = load_district(source)
            districts[source] = (district, layout(district))
        built.append(ReplicationJob(scenario, *districts[source], seed, False, summary_only=True))
    rows = replication_summaries(ManyJob(tuple(built), replications),
                                 range(len(built) * replications), jobs, executor, progress)
    return [rows.iloc[k * replications:(k + 1) * replications].reset_index(drop=True)
            for k in range(len(built))]
