"""The run lifecycle: build the district, run replications, collect rows, write the run folder."""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from mobsim import __version__
from mobsim.collect import Layout, layout, replication_tables
from mobsim.district import District, load_district
from mobsim.errors import InputError
from mobsim.model import CHANNELS, PRESENCE_STATES, simulate
from mobsim.outputs import OUTPUT_SCHEMAS, PER_REPLICATION, TableWriter, with_metadata
from mobsim.scenario import Scenario
from mobsim.tables import COMMUNITY_KINDS, category_array

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class RunResult:
    """What a finished run leaves: its folder and the per-replication summary table."""

    out_dir: Path | None
    replications: pd.DataFrame
    elapsed_s: float


@dataclass(frozen=True)
class _Job:
    """Everything a worker process needs to run replications of one scenario."""

    scenario: Scenario
    district: District
    layout: Layout
    seed: int
    trace: bool

    def run(self, replication: int) -> dict[str, pa.Table]:
        """Simulate one replication and return its output rows."""
        result = simulate(self.district, self.scenario, self.seed, replication, self.trace)
        return replication_tables(
            result, self.layout, replication, self.seed,
            target_min=float(self.scenario.get("target.minutes")),
            horizon_min=float(self.scenario.get("alert.horizon_min")),
            states=PRESENCE_STATES, channels=CHANNELS)


_WORKER_JOB: _Job | None = None


def _init_worker(job: _Job) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job


def _run_in_worker(replication: int) -> dict[str, pa.Table]:
    assert _WORKER_JOB is not None
    return _WORKER_JOB.run(replication)


def default_jobs() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _results(job: _Job, replications: range, jobs: int) -> Iterator[dict[str, pa.Table]]:
    """Yield each replication's tables in replication order, whatever the number of jobs."""
    if jobs <= 1 or len(replications) <= 1:
        yield from map(job.run, replications)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(job,)) as pool:
        yield from pool.map(_run_in_worker, replications, chunksize=1)


def default_out_dir(scenario: Scenario) -> Path:
    """`runs/<scenario name>/` under the current folder."""
    return Path("runs") / scenario.name


def table_metadata(scenario: Scenario, seed: int) -> dict[str, str]:
    """Key-value metadata stamped on every Parquet file of a run."""
    return {"mobsim_version": __version__, "scenario": scenario.name,
            "scenario_digest": scenario.digest, "seed": str(seed)}


def _claim_out_dir(out: Path, scenario: Scenario, seed: int, force: bool) -> None:
    """Create the run folder; refuse to overwrite a different run without `force`."""
    manifest = out / "manifest.json"
    if manifest.is_file() and not force:
        try:
            earlier = json.loads(manifest.read_text())
        except json.JSONDecodeError:
            earlier = {}
        if (earlier.get("scenario_digest"), earlier.get("seed")) != (scenario.digest, seed):
            raise InputError(f"{out}: already holds a different run (scenario "
                             f"{earlier.get('scenario')!r}, seed {earlier.get('seed')}); "
                             "use --force to overwrite it or -o to choose another folder")
    out.mkdir(parents=True, exist_ok=True)


def run(scenario: Scenario, replications: int = 1, seed: int = 1, out_dir: Path | None = None,
        jobs: int = 1, trace: bool = False, progress: ProgressFn | None = None,
        write: bool = True, force: bool = False) -> RunResult:
    """Run `replications` of `scenario`, write the run folder unless `write` is off, return its summary."""
    started = time.perf_counter()
    district = load_district(scenario)
    job = _Job(scenario, district, layout(district), seed, trace)
    out = out_dir if out_dir is not None else default_out_dir(scenario)
    names = (list(PER_REPLICATION) + (["events"] if trace else [])) if write else []
    meta = table_metadata(scenario, seed)
    if write:
        _claim_out_dir(out, scenario, seed, force)
        _write_communities(out, district, meta)
    writers = {n: TableWriter(out, n, with_metadata(OUTPUT_SCHEMAS[n], meta)) for n in names}
    summaries = []
    try:
        for done, tables in enumerate(_results(job, range(replications), jobs), start=1):
            for name, writer in writers.items():
                writer.write(tables[name])
            summaries.append(tables["replications"])
            if progress is not None:
                progress(done, replications)
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    for writer in writers.values():
        writer.commit()
    elapsed = time.perf_counter() - started
    if write:
        _write_manifest(out, scenario, seed, replications, elapsed, names)
    return RunResult(out if write else None, pa.concat_tables(summaries).to_pandas(), elapsed)


def _write_communities(out: Path, district: District, meta: dict[str, str]) -> None:
    """Write the community table the report maps (locations, sub-district, kind)."""
    c = district.communities
    table = pa.table({"community_id": c["community_id"], "subdistrict_id": c["subdistrict_id"],
                      "kind": category_array(c["kind"], COMMUNITY_KINDS),
                      "x_km": c["x_km"], "y_km": c["y_km"]})
    with TableWriter(out, "communities", with_metadata(OUTPUT_SCHEMAS["communities"], meta)) as w:
        w.write(table)


def _write_manifest(out: Path, scenario: Scenario, seed: int, replications: int,
                    elapsed_s: float, tables: list[str]) -> None:
    manifest = {
        "mobsim_version": __version__,
        "scenario": scenario.name,
        "scenario_digest": scenario.digest,
        "scenario_data": scenario.to_json_dict(),
        "seed": seed,
        "replications": replications,
        "tables": [f"{n}.parquet" for n in ["communities", *tables]],
        "run_time_s": round(elapsed_s, 3),
        "numpy_version": np.__version__,
    }
    _write_atomic(out / "scenario.toml", scenario.to_toml())
    _write_atomic(out / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(text)
    os.replace(tmp, path)
