"""The run lifecycle: build the district, run replications, collect rows, write the run folder."""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import pyarrow as pa

from mobsim import __version__
from mobsim.codes import COMMUNITY_KINDS, SUBDISTRICT_KINDS
from mobsim.district import District, district_problems, district_warnings, load_district
from mobsim.district.schemas import category_array
from mobsim.errors import InputError, RunInterrupted
from mobsim.model.scan import scan_plan
from mobsim.results import folders
from mobsim.results.folders import prepare_folder, write_failed
from mobsim.results.rows import layout
from mobsim.results.run import Run, load_run
from mobsim.results.schemas import OUTPUT_SCHEMAS, TableWriter, with_metadata
from mobsim.results.store import Staging
from mobsim.runner.local import ReplicationJob, run_local
from mobsim.runner.pool import Job
from mobsim.runner.stopping import exit_code
from mobsim.scenario.files import Scenario, load_scenario, validate_scenario
from mobsim.scenario.params import Settings
from mobsim.scenario.ranges import parameters

ProgressFn = Callable[[int, int], None]
"""progress(done, total): replications done of a run (mobsim.reports.progress draws it)."""


def within(progress: Callable[..., None] | None, before: int, total: int,
           *label: str) -> ProgressFn | None:
    """A run's progress reported as progress through a larger whole (a sweep, a study, a
    probe) of `total` replications, `before` of them done already; `label` names the stage."""
    if progress is None:
        return None
    return lambda done, _total: progress(before + done, total, *label)

Executor = Callable[[Job, Iterable[int], int], Iterator[tuple[int, Any]]]
"""executor(job, replications, jobs): (replication, job.run(replication)) as they finish: the
local pool (`run_local`: a pool per call; `mobsim.runner.pool.WorkerPool`: one kept for many
calls) or a Dask client (`mobsim.runner.cluster.DaskExecutor`)."""


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


def _claim_out_dir(out: Path, identity: dict, force: bool, resume: bool) -> int:
    """Create the run folder; refuse to overwrite a different run, finished or not, without `force`.

    With `resume`, an interrupted run is the staging's to judge (it names what differs), and a
    finished run of the same scenario, seed and trace with fewer replications grows: returns
    how many it holds (0 when there is nothing to keep). A folder holding a sweep or files
    mobsim did not write is refused too (`folders.claim`).
    """
    folders.claim(out, folders.RUN, force)
    earlier = _earlier_run(out)
    if earlier is None or force or (resume and earlier[0] == "interrupted run"):
        prepare_folder(out)
        return 0
    kind, held = earlier
    if {k: held.get(k) for k in identity} == identity:
        prepare_folder(out)
        return identity["replications"] if resume else 0
    same = {k: held.get(k) for k in identity if k != "replications"} == \
        {k: v for k, v in identity.items() if k != "replications"}
    hint = "use --force to overwrite it or -o to choose another folder"
    if not same:
        raise InputError(f"{out}: already holds a different {kind} (scenario "
                         f"{held.get('scenario')!r}, seed {held.get('seed')}"
                         f"{', traced' if held.get('trace') else ''}); {hint}")
    had, asked = int(held.get("replications") or 0), identity["replications"]
    if kind == "interrupted run":  # without --resume: its finished parts are kept by --resume
        raise InputError(f"{out}: holds an interrupted run of this scenario and seed ({had} "
                         f"replications asked); add --resume to keep its finished replications "
                         f"and run to {asked}, or {hint}")
    if asked < had:
        raise InputError(f"{out}: holds {had} replications of this run, more than the {asked} "
                         f"asked; give -n {had} or more (with --resume to add to them), or "
                         f"{hint}")
    if not resume:
        raise InputError(f"{out}: holds {had} replications of this run; add --resume to run "
                         f"replications {had}–{asked - 1} and keep the {had}, or {hint}")
    prepare_folder(out)
    return had


def run(scenario: Scenario, replications: int = 1, seed: int = 1,
        out: str | os.PathLike[str] | None = None,
        jobs: int = 1, trace: bool = False, progress: ProgressFn | None = None,
        write: bool = True, force: bool = False, resume: bool = False,
        executor: Executor = run_local) -> Run:
    """Run `replications` of `scenario`; write the run folder unless `write` is off."""
    started = time.perf_counter()
    district = load_district(Settings(scenario).district_source)
    job = ReplicationJob(scenario, district, layout(district), seed, trace, summary_only=not write)
    if not write:
        schema = job.schemas["replications"]
        rows = {}
        with closing_stream(executor(job, range(replications), jobs)) as finished:
            for rep, tables in finished:
                rows[rep] = tables["replications"].cast(schema)
                if progress is not None:
                    progress(len(rows), replications)
        summary = pa.concat_tables([rows[rep] for rep in sorted(rows)])
        manifest = {**_identity(scenario, seed, replications, trace),
                    "scenario_data": scenario.to_json_dict(),
                    "run_time_s": round(time.perf_counter() - started, 3)}
        return Run(None, manifest, {"replications": summary.to_pandas()})
    out = Path(out) if out is not None else default_out_dir(scenario)
    identity = _identity(scenario, seed, replications, trace)
    kept = _claim_out_dir(out, identity, force, resume)
    if kept == replications:  # --resume on a finished run: nothing left to run
        return load_run(out)
    meta = table_metadata(scenario, seed)
    schemas = {name: with_metadata(schema, meta) for name, schema in job.schemas.items()}
    staging = Staging(out)
    try:
        staging.begin(identity, resume)
        staging.restage(out, range(kept), schemas)  # a finished run that grows
    except OSError as err:
        raise write_failed(out, "its list of finished replications", err, 0, replications) from None
    try:
        _stage_missing(job, staging, replications, jobs, schemas, progress, executor, out)
    except InputError:
        # Bad input found while running, or a full disk: leave no trace of a run that kept nothing.
        if not staging.done():
            staging.discard()
            with contextlib.suppress(OSError):
                out.rmdir()
        raise
    try:
        summary = staging.merge(out, replications, schemas)
        _write_district_names(out, district, meta)
        manifest = _write_manifest(out, scenario, identity, time.perf_counter() - started,
                                   [*NAME_TABLES, *schemas])
        staging.discard()
    except OSError as err:
        raise write_failed(out, "the run's tables", err, replications, replications) from None
    return Run(out, manifest, {"replications": summary.to_pandas()})


def _stage_missing(job: ReplicationJob, staging: Staging, replications: int, jobs: int,
                   schemas: dict[str, pa.Schema], progress: ProgressFn | None,
                   executor: Executor, out: Path) -> None:
    """Run every replication not yet staged, keeping each as it finishes."""
    done = staging.done()
    todo = [r for r in range(replications) if r not in done]
    try:
        with closing_stream(executor(job, todo, jobs)) as finished:
            for replication, tables in finished:
                try:
                    staging.put(replication, tables, schemas)
                except OSError as err:
                    raise write_failed(out, f"replication {replication}", err, len(done),
                                       replications) from None
                done.add(replication)
                if progress is not None:
                    progress(len(done), replications)
    except KeyboardInterrupt as stop:
        raise RunInterrupted(out, len(done), replications, exit_code(stop)) from None


@contextlib.contextmanager
def closing_stream(finished: Iterator[tuple[int, Any]]) -> Iterator[Iterator[tuple[int, Any]]]:
    """Close an executor's stream on the way out, so its workers end now, not when collected."""
    try:
        yield finished
    finally:
        close = getattr(finished, "close", None)
        if close is not None:
            close()


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
                        "x_km": c["x_km"], "y_km": c["y_km"], "name": c["name"],
                        "lon_deg": c["lon_deg"], "lat_deg": c["lat_deg"]},
        "subdistricts": {"subdistrict_id": s["subdistrict_id"], "name": s["name"],
                         "kind": category_array(s["kind"], SUBDISTRICT_KINDS),
                         "microgrids": sizes.astype(np.int32), "households": homes.astype(np.int64)},
        "units": {"unit_id": u["unit_id"], "name": u["name"]},
    }
    for name in NAME_TABLES:
        with TableWriter(out, name, with_metadata(OUTPUT_SCHEMAS[name], meta)) as writer:
            writer.write(pa.table(tables[name]))


def _write_manifest(out: Path, scenario: Scenario, identity: dict, elapsed_s: float,
                    tables: list[str]) -> dict:
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
    return manifest


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    try:
        tmp.write_text(text)
    except OSError:
        tmp.unlink(missing_ok=True)  # a full disk: leave no partial file behind
        raise
    os.replace(tmp, path)


def validate(source: str | os.PathLike[str] | None,
             overrides: Iterable[str] = ()) -> list[str]:
    """One line per problem of a scenario, its overrides and its district; empty if valid."""
    overrides = tuple(overrides)
    found = validate_scenario(source, overrides)
    if found:
        return found
    scenario = load_scenario(source, overrides)
    settings = Settings(scenario)
    return (district_problems(settings.district_source) or _campaign_problems(settings)
            or _range_problems(scenario))


def validation_warnings(source: str | os.PathLike[str] | None,
                        overrides: Iterable[str] = ()) -> list[str]:
    """One line per warning about a valid scenario's district: sound, but unlike the article's
    (a community no cadre reports to); `validate` first."""
    scenario = load_scenario(source, tuple(overrides))
    return district_warnings(Settings(scenario).district_source)


def _range_problems(scenario: Scenario) -> list[str]:
    """A bad entry of sensitivity.ranges, as `mobsim sensitivity` and `plan` would meet it."""
    try:
        parameters(scenario)
    except InputError as err:
        return [str(err)]
    return []


def _campaign_problems(settings: Settings) -> list[str]:
    """What a scan campaign needs of its district (scanners to route), as a run checks it."""
    if settings.mode != "scan":
        return []
    try:
        scan_plan(load_district(settings.district_source), settings)
    except InputError as err:
        return [str(err)]
    return []
