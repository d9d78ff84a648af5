"""The run lifecycle: build the district, run replications, collect rows, write the run folder."""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from mobsim import __version__, folders
from mobsim.collect import layout
from mobsim.district import District, load_district
from mobsim.errors import InputError
from mobsim.job import ReplicationJob, Tables, run_local
from mobsim.outputs import OUTPUT_SCHEMAS, TableWriter, with_metadata
from mobsim.scenario import Scenario
from mobsim.staging import Staging
from mobsim.tables import COMMUNITY_KINDS, SUBDISTRICT_KINDS, category_array

ProgressFn = Callable[[int, int], None]
Executor = Callable[[ReplicationJob, Iterable[int], int], Iterator[tuple[int, Tables]]]


@dataclass(frozen=True)
class RunResult:
    """What a finished run leaves: its folder (None when nothing was written) and its summary."""

    out_dir: Path | None
    replications: pd.DataFrame
    elapsed_s: float


class RunInterrupted(Exception):
    """A run stopped by Ctrl-C; finished replications are kept for --resume."""

    def __init__(self, out_dir: Path, kept: int, total: int) -> None:
        super().__init__(f"interrupted: kept {kept} of {total} finished replications in {out_dir}/; "
                         f"run the same command with --resume to finish")
        self.out_dir, self.kept, self.total = out_dir, kept, total


def default_out_dir(scenario: Scenario) -> Path:
    """`runs/<scenario name>/` under the current folder."""
    return Path("runs") / scenario.name


def table_metadata(scenario: Scenario, seed: int) -> dict[str, str]:
    """Key-value metadata stamped on every Parquet file of a run."""
    return {"mobsim_version": __version__, "scenario": scenario.name,
            "scenario_digest": scenario.digest, "seed": str(seed)}


def _identity(scenario: Scenario, seed: int, replications: int, trace: bool) -> dict:
    return {"scenario": scenario.name, "scenario_digest": scenario.digest, "seed": seed,
            "replications": replications, "trace": trace}


def _earlier_run(out: Path) -> tuple[str, dict] | None:
    """What the folder holds already: a finished run's manifest or an interrupted run's marker."""
    for kind, path in (("run", out / "manifest.json"), ("interrupted run", Staging(out).marker)):
        if path.is_file():
            try:
                return kind, json.loads(path.read_text())
            except json.JSONDecodeError:
                return kind, {}
    return None


def _claim_out_dir(out: Path, identity: dict, force: bool, resume: bool) -> None:
    """Create the run folder; refuse to overwrite a different run, finished or not, without `force`.

    With `resume`, an interrupted run is the staging's to judge (it names what differs).
    A folder holding a sweep or files mobsim did not write is refused too (`folders.claim`).
    """
    folders.claim(out, folders.RUN, force)
    earlier = _earlier_run(out)
    if earlier is not None and not force and not (resume and earlier[0] == "interrupted run"):
        kind, held = earlier
        if {k: held.get(k) for k in identity} != identity:
            raise InputError(f"{out}: already holds a different {kind} (scenario "
                             f"{held.get('scenario')!r}, seed {held.get('seed')}); "
                             "use --force to overwrite it or -o to choose another folder")
    out.mkdir(parents=True, exist_ok=True)


def run(scenario: Scenario, replications: int = 1, seed: int = 1, out_dir: Path | None = None,
        jobs: int = 1, trace: bool = False, progress: ProgressFn | None = None,
        write: bool = True, force: bool = False, resume: bool = False,
        executor: Executor = run_local) -> RunResult:
    """Run `replications` of `scenario`, write the run folder unless `write` is off, return its summary."""
    started = time.perf_counter()
    district = load_district(scenario)
    job = ReplicationJob(scenario, district, layout(district), seed, trace, summary_only=not write)
    if not write:
        schema = job.schemas["replications"]
        rows = {rep: tables["replications"].cast(schema)
                for rep, tables in executor(job, range(replications), jobs)}
        summary = pa.concat_tables([rows[rep] for rep in sorted(rows)])
        return RunResult(None, summary.to_pandas(), time.perf_counter() - started)
    out = out_dir if out_dir is not None else default_out_dir(scenario)
    identity = _identity(scenario, seed, replications, trace)
    _claim_out_dir(out, identity, force, resume)
    meta = table_metadata(scenario, seed)
    schemas = {name: with_metadata(schema, meta) for name, schema in job.schemas.items()}
    staging = Staging(out)
    staging.begin(identity, resume)
    try:
        _stage_missing(job, staging, replications, jobs, schemas, progress, executor, out)
    except InputError:
        # Bad input found while running: leave no trace of a run that kept nothing.
        if not staging.done():
            staging.discard()
            with contextlib.suppress(OSError):
                out.rmdir()
        raise
    staging.merge(out, replications, schemas)
    _write_district_names(out, district, meta)
    elapsed = time.perf_counter() - started
    _write_manifest(out, scenario, identity, elapsed, [*NAME_TABLES, *schemas])
    summary = pd.read_parquet(out / "replications.parquet")
    return RunResult(out, summary, elapsed)


def _stage_missing(job: ReplicationJob, staging: Staging, replications: int, jobs: int,
                   schemas: dict[str, pa.Schema], progress: ProgressFn | None,
                   executor: Executor, out: Path) -> None:
    """Run every replication not yet staged, keeping each as it finishes."""
    done = staging.done()
    todo = [r for r in range(replications) if r not in done]
    try:
        for replication, tables in executor(job, todo, jobs):
            staging.put(replication, tables, schemas)
            done.add(replication)
            if progress is not None:
                progress(len(done), replications)
    except KeyboardInterrupt:
        raise RunInterrupted(out, len(done), replications) from None


NAME_TABLES: tuple[str, ...] = ("communities", "subdistricts", "units")
"""District tables copied into every run folder, so that every id in the outputs joins to a name."""


def _write_district_names(out: Path, district: District, meta: dict[str, str]) -> None:
    """Write the communities (with the locations the report maps), sub-districts and work units
    with their names, so that an output's community, sub-district or unit id joins to a name."""
    c, s, u = district.communities, district.subdistricts, district.units
    # sizes weight the sub-districts' curves into district curves (scan mode has no microgrids table)
    position = district.position("subdistricts", district.microgrid_subdistrict())
    sizes = np.bincount(position, minlength=len(s["subdistrict_id"]))
    homes = np.bincount(position, district.microgrids["households"], len(s["subdistrict_id"]))
    tables = {
        "communities": {"community_id": c["community_id"], "subdistrict_id": c["subdistrict_id"],
                        "kind": category_array(c["kind"], COMMUNITY_KINDS),
                        "x_km": c["x_km"], "y_km": c["y_km"], "name": c["name"]},
        "subdistricts": {"subdistrict_id": s["subdistrict_id"], "name": s["name"],
                         "kind": category_array(s["kind"], SUBDISTRICT_KINDS),
                         "microgrids": sizes.astype(np.int32), "households": homes.astype(np.int64)},
        "units": {"unit_id": u["unit_id"], "name": u["name"]},
    }
    for name in NAME_TABLES:
        with TableWriter(out, name, with_metadata(OUTPUT_SCHEMAS[name], meta)) as writer:
            writer.write(pa.table(tables[name]))


def _write_manifest(out: Path, scenario: Scenario, identity: dict, elapsed_s: float,
                    tables: list[str]) -> None:
    manifest = {
        "mobsim_version": __version__,
        **identity,
        "scenario_data": scenario.to_json_dict(),
        "tables": [f"{n}.parquet" for n in tables],
        "run_time_s": round(elapsed_s, 3),
        "numpy_version": np.__version__,
    }
    _write_atomic(out / "scenario.toml", scenario.to_toml())
    _write_atomic(out / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(text)
    os.replace(tmp, path)
