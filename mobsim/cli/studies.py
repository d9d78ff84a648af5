"""Commands of studies that take many runs: calibrate, sensitivity, plan."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import click

from mobsim.cli.options import (
    JOBS_OPTION,
    QUIET_OPTION,
    SCENARIO_ARG,
    SEED_OPTION,
    SET_OPTION,
    ExecutorChoice,
    examples,
    executor_options,
    replications_option,
)


@click.command(epilog=examples(
    "mobsim calibrate drill.csv --scenario xindu-night -o drill-fitted.toml",
    "mobsim calibrate --targets targets.toml -o targets-fitted.toml"))
@click.argument("drill_log", type=click.Path(path_type=Path), required=False)
@click.option("--targets", "targets", type=click.Path(path_type=Path), default=None,
              help="Fit to aggregate targets (a TOML file) by simulation instead of a drill log.")
@click.option("--scenario", "base", default=None,
              help="Base scenario whose district the drill ran in [default: the Xindu baseline].")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="Fitted scenario file to write (it extends the base).")
@click.option("--confidence", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.95, show_default=True, help="Confidence of the fitted values' intervals.")
@replications_option(10)
@SEED_OPTION
@JOBS_OPTION
@executor_options
def calibrate(drill_log: Path | None, targets: Path | None, base: str | None, out: Path,
              confidence: float, replications: int, seed: int, jobs: int | None,
              executor: ExecutorChoice) -> None:
    """Fit the scenario's delays and probabilities to a drill log, then simulate the drill with
    the fitted scenario and compare; or fit named parameters to aggregate targets
    (docs/calibration.md). -n and --seed are those of the comparison; every simulation of the
    command runs on one pool of -j workers (or one Dask client)."""
    from mobsim.runner.local import default_jobs
    from mobsim.studies.calibration import command

    if (drill_log is None) == (targets is None):
        raise click.UsageError("give either a DRILL_LOG or --targets FILE")
    workers = jobs or default_jobs()
    if targets is not None:
        with executor.open(workers) as run_on:
            fit = command.calibrate_targets(targets, base, out, run_on, workers)
        click.echo(command.format_target_fit(fit))
        click.echo(f"wrote {out}")
        return
    from mobsim.reports.calibration_page import write_validation_page
    from mobsim.studies.calibration.validation import format_validation

    calibration = command.calibrate_drill(drill_log, base, out, confidence)
    click.echo(command.format_fits(calibration, confidence))
    click.echo(f"wrote {out}")
    with executor.open(workers) as run_on:
        validation = command.validate_fitted(calibration, out, replications, seed, run_on,
                                             workers)
    write_validation_page(calibration, validation, out, confidence)
    click.echo(format_validation(validation, calibration.log.window_min))
    click.echo("wrote " + " and ".join(map(str, command.validation_files(out))))


@click.command(epilog=examples("mobsim sensitivity --method morris --size 4 -n 20 --parameters "
                              "cadres.speed_kmh,escalation.after_min --ends-top 1 -o runs/sensitivity"))
@SCENARIO_ARG
@click.option("--method", type=click.Choice(["morris", "sobol"]), default="morris",
              show_default=True, help="Morris screening (μ*, σ) or Sobol indices (S1, ST).")
@click.option("--parameters", "keys", metavar="KEY[,KEY...]", default="",
              help="Keys to vary [default: every key with a range in sensitivity.ranges that "
                   "can move the district time].")
@click.option("--size", type=click.IntRange(min=1), default=None,
              help="Morris trajectories [default 4] or Sobol base samples, a power of 2 "
                   "[default 16]; the design has size × (parameters + 1) or + 2 points.")
@replications_option(20)
@SEED_OPTION
@JOBS_OPTION
@click.option("--ends-top", type=click.IntRange(min=0), default=5, show_default=True,
              help="Run this many top parameters alone at the ends of their ranges for the verdict.")
@click.option("--ends-replications", type=click.IntRange(min=1), default=59, show_default=True,
              help="Replications of each end run (59 can show 95/95).")
@click.option("--json", "as_json", is_flag=True, help="Print the indices as one JSON object.")
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Also write the analysis to this folder (for `mobsim report DIR`: the "
                   "ranking and the tornado chart).")
@QUIET_OPTION
@executor_options
@SET_OPTION
def sensitivity(scenario: str | None, method: str, keys: str, size: int | None,
                replications: int, seed: int, jobs: int | None, ends_top: int,
                ends_replications: int, as_json: bool, out_dir: Path | None, quiet: bool,
                executor: ExecutorChoice, overrides: tuple[str, ...]) -> None:
    """Rank the placeholders by their effect on the district time and the share on post."""
    from mobsim.reports.progress import progress_bar
    from mobsim.runner.local import default_jobs
    from mobsim.scenario import load_scenario
    from mobsim.studies.sensitivity.analysis import Settings, analyse
    from mobsim.studies.sensitivity.text import format_sensitivity, sensitivity_json

    workers = jobs or default_jobs()
    settings = Settings(method, size or (4 if method == "morris" else 16), replications, seed,
                        workers, ends_top, ends_replications)
    chosen = [key.strip() for key in keys.split(",") if key.strip()]
    loaded = load_scenario(scenario, overrides)
    if out_dir is not None:
        from mobsim.studies.sensitivity.folder import check_writable, write_folder
        check_writable(out_dir)
    with executor.open(workers) as run_on, progress_bar(enabled=not quiet) as progress:
        result = analyse(loaded, chosen, settings, run_on, progress)
    name = str(scenario or "xindu-baseline")
    click.echo(sensitivity_json(name, result) if as_json else format_sensitivity(name, result))
    if out_dir is not None:
        write_folder(out_dir, loaded, result)
        if not as_json:
            click.echo(f"wrote {out_dir} (mobsim report {out_dir}: the tornado chart)")


@click.command(epilog=examples(
    "mobsim plan --lever cadres.at_once=1000..3241 --max-replications 200",
    "mobsim plan --lever escalation.grid_worker_covers=0..3 --lever "
    "cadres.at_once=1000..3241/250 -o plans/covers-cadres",
    "mobsim plan --measure act --lever pools.volunteer_team.team_size=8..40"))
@SCENARIO_ARG
@click.option("--lever", "levers", multiple=True, metavar="KEY[=MIN..MAX[/STEP]]",
              help="Numeric key to search, assumed to help the more there is of it [range "
                   "default: its sensitivity.ranges entry]; repeatable: levers are lowered in "
                   "the order given, the first saved most.")
@click.option("--max-replications", type=click.IntRange(min=1), default=200, show_default=True,
              help="Last look of each probe's sequential check.")
@click.option("--measure", type=click.Choice(["district", "act"]), default="district",
              show_default=True,
              help="What the verdict bounds: the district time (every post staffed) or the "
                   "minute every community can act on every wartime task (t_act_min).")
@click.option("--allocate", "pool", metavar="pools.<name>", default=None,
              help="Instead of --lever: add the pool's teams, --add at a time, to the "
                   "sub-district holding the last post most often, until PASS (pool home: "
                   "subdistrict; lever pools.<name>.teams_by_subdistrict).")
@click.option("--add", "teams_per_step", type=click.IntRange(min=1), default=1, show_default=True,
              help="Teams --allocate adds per step.")
@click.option("--budget", type=click.IntRange(min=0), default=None,
              help="Most teams --allocate adds in all [default: 20 × --add].")
@click.option("--step", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Resolution of the answer for a lever without /STEP [default: 1 for a "
                   "whole-number key, else 1/64 of the range].")
@SEED_OPTION
@JOBS_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the plan as one JSON object.")
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Also write the plan to this folder (plan.json, or allocation.json with "
                   "--allocate; `mobsim report DIR`).")
@QUIET_OPTION
@executor_options
@SET_OPTION
def plan(scenario: str | None, levers: tuple[str, ...], max_replications: int, measure: str,
         pool: str | None, teams_per_step: int, budget: int | None,
         step: float | None, seed: int, jobs: int | None, as_json: bool, out_dir: Path | None,
         quiet: bool, executor: ExecutorChoice, overrides: tuple[str, ...]) -> None:
    """The least values of the levers for which the verdict is PASS, or a greedy allocation of
    a pool's teams over the sub-districts (exit 1 if none passes)."""
    from mobsim.reports.progress import progress_bar
    from mobsim.runner.local import default_jobs
    from mobsim.scenario import load_scenario
    from mobsim.studies.plan import format_plan, plan_json
    from mobsim.studies.plan import plan as search
    from mobsim.studies.plan_folder import check_writable, write_plan

    workers = jobs or default_jobs()
    if (pool is None) == (not levers):
        raise click.UsageError("give --lever (one or more) or --allocate, not both")
    if pool is not None:
        if measure != "district":
            raise click.UsageError("--measure act: not with --allocate (it follows the last posts)")
        _allocate(scenario, overrides, pool, teams_per_step, budget, max_replications, seed, workers,
                  as_json, out_dir, executor, quiet)
        return
    if out_dir is not None:
        check_writable(out_dir)
    loaded = load_scenario(scenario, overrides)
    with executor.open(workers) as run_on, progress_bar(enabled=not quiet) as progress:
        result = search(loaded, levers, seed, max_replications, workers, run_on, step or 0.0,
                        progress, measure)
    name = str(scenario or "xindu-baseline")
    _answer(plan_json(name, result) if as_json else format_plan(name, result), out_dir,
            lambda: write_plan(out_dir, loaded, name, result), "plan", as_json,
            result.answer is not None)


def _allocate(scenario: str | None, overrides: tuple[str, ...], pool: str, batch: int,
              budget: int | None, max_replications: int, seed: int, workers: int,
              as_json: bool, out_dir: Path | None, executor: ExecutorChoice, quiet: bool) -> None:
    """`plan --allocate`: the greedy allocation, printed, and written to `out_dir` if given."""
    from mobsim.reports.progress import progress_bar
    from mobsim.scenario import load_scenario
    from mobsim.studies.allocate import allocate, allocation_json, format_allocation
    from mobsim.studies.allocation_folder import check_writable, write_allocation

    if out_dir is not None:
        check_writable(out_dir)
    loaded = load_scenario(scenario, overrides)
    with executor.open(workers) as run_on, progress_bar(enabled=not quiet) as progress:
        result = allocate(loaded, pool, batch, 20 * batch if budget is None else budget, seed,
                          max_replications, workers, run_on, progress)
    name = str(scenario or "xindu-baseline")
    _answer(allocation_json(name, result) if as_json else format_allocation(name, result),
            out_dir, lambda: write_allocation(out_dir, loaded, name, result), "allocation",
            as_json, result.passed)


def _answer(text: str, out_dir: Path | None, write: Callable[[], None], page: str,
            as_json: bool, passed: bool) -> None:
    """Print a study's answer, write its folder when asked, exit 0 if it passes, else 1."""
    click.echo(text)
    if out_dir is not None:
        write()
        if not as_json:
            click.echo(f"wrote {out_dir} (mobsim report {out_dir}: the {page} page)")
    sys.exit(0 if passed else 1)
