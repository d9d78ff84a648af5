"""Command-line interface: thin wrappers over the Python API."""

from __future__ import annotations

import functools
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterator, TypeVar

import click
from click.core import ParameterSource

from mobsim import __version__
from mobsim.errors import InputError, RunInterrupted

if TYPE_CHECKING:
    from mobsim.runner import Executor

F = TypeVar("F", bound=Callable)

SCENARIO_ARG = click.argument("scenario", required=False)
SET_OPTION = click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                          help="Override a scenario key (value parsed as TOML); repeatable.")
SEED_OPTION = click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True,
                           help="Seed of the run; replication r draws from its own stream of it.")
JOBS_OPTION = click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                           help="Worker processes [default: all cores].")
QUIET_OPTION = click.option("--quiet", is_flag=True, help="No progress bar.")


def replications_option(default: int) -> Callable[[F], F]:
    """The -n/--replications option with the command's default."""
    return click.option("-n", "--replications", type=click.IntRange(min=1), default=default,
                        show_default=True, help="Number of Monte Carlo replications.")


class BadInput(click.ClickException):
    """Bad input: one line on stderr, exit code 2, never a traceback."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class Interrupted(click.ClickException):
    """A run stopped by Ctrl-C or SIGTERM: what was kept; exit code 130 or 143, as for the signal."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), err=True)


class _Commands(click.Group):
    """The command group: every command's bad input and interruption end the same way."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as err:
            raise BadInput(str(err)) from None
        except RunInterrupted as stop:
            raise Interrupted(str(stop), stop.exit_code) from None


@dataclass(frozen=True)
class _ExecutorChoice:
    """Where a command runs its replications: the --executor, --scheduler and --batch options."""

    name: str
    scheduler: str | None
    batch: int | None

    @contextmanager
    def open(self, jobs: int) -> Iterator[Executor]:
        """The chosen executor; a Dask cluster started for it lives for the block."""
        if self.name == "local":
            from mobsim.runner.local import run_local
            yield run_local
            return
        from mobsim.runner.cluster import dask_session
        with dask_session(self.scheduler, jobs, self.batch) as executor:
            yield executor


def _executor_options(func: F) -> F:
    """Add --executor, --scheduler and --batch; the command receives them as one `executor`."""
    @click.option("--executor", "executor_name", type=click.Choice(["local", "dask"]),
                  default="local", show_default=True,
                  help="Run replications in a pool of local processes or on a Dask cluster.")
    @click.option("--scheduler", metavar="tcp://HOST:PORT", envvar="MOBSIM_DASK_SCHEDULER",
                  help="Running Dask scheduler to use with --executor dask [default: "
                       "$MOBSIM_DASK_SCHEDULER, else a local cluster of --jobs workers].")
    @click.option("--batch", type=click.IntRange(min=1), default=None,
                  help="Replications per Dask task [default: about 4 tasks per worker, at most 16].")
    @functools.wraps(func)
    def wrapper(*args, executor_name: str, scheduler: str | None, batch: int | None, **kwargs):
        context = click.get_current_context()
        given = [f"--{name}" for name in ("scheduler", "batch")
                 if context.get_parameter_source(name) is ParameterSource.COMMANDLINE]
        if executor_name == "local" and given:
            raise click.UsageError(f"{' and '.join(given)}: only with --executor dask")
        return func(*args, executor=_ExecutorChoice(executor_name, scheduler, batch), **kwargs)
    return wrapper  # type: ignore[return-value]


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mobsim")
def main() -> None:
    """mobsim: simulate a district's switch from peacetime to wartime mobilization.

    SCENARIO is a scenario TOML file or a built-in name; omitted, the built-in Xindu
    baseline is used. Bad input exits with code 2 and one line saying what is wrong.
    Ctrl-C exits with 130 and SIGTERM with 143, keeping finished replications for --resume.

    \b
    Examples:
      mobsim run                                   # the Xindu baseline, one replication
      mobsim run scenarios/xindu-night.toml -n 20 --set cadres.count=4000
      mobsim check -n 59                           # is the 95th percentile within 3 hours?
      mobsim sweep --vary cadres.count=3241,6000 -n 20 -o runs/cadres
      mobsim compare runs/xindu-baseline runs/xindu-night
      mobsim report runs/xindu-baseline            # one HTML file with the plots
      mobsim validate scenarios/xindu-weekend.toml
      mobsim generate -o district/                 # the district tables as Parquet
    """


@main.command(epilog="Example:  mobsim generate scenarios/xindu-baseline.toml -o district/\n\n"
                     "          mobsim generate --city -o city/")
@SCENARIO_ARG
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder to write the district tables to.")
@click.option("--scale", type=click.IntRange(min=1), default=None,
              help="One district this many times Xindu: sub-districts, communities, grids, "
                   "members, cadres and scanners alike, in their proportions.")
@click.option("--city", is_flag=True, help="The city preset: --scale 20 (about 10 M households).")
@SET_OPTION
def generate(scenario: str | None, out_dir: Path, scale: int | None, city: bool,
             overrides: tuple[str, ...]) -> None:
    """Write the scenario's district tables (one Parquet file per table)."""
    import mobsim
    from mobsim.district import load_district, write_district
    from mobsim.district.generate import CITY_SCALE
    from mobsim.district.io import scaled_district
    from mobsim.scenario.params import Settings

    if city and scale is not None:
        raise click.UsageError("--city is --scale 20: give one of them")
    loaded = mobsim.Scenario.load(scenario, overrides)
    scale = CITY_SCALE if city else scale
    district = (load_district(loaded) if scale is None
                else scaled_district(Settings(loaded).district_source, scale))
    write_district(district, out_dir)
    counts = {name: district.rows(name) for name in ("members", "cadres", "scanners")}
    click.echo(f"wrote {district.rows('microgrids'):,} micro-grids, "
               f"{counts['members']:,} members, {counts['cadres']:,} cadres to {out_dir}/")
    if scale is not None:
        sets = " ".join(f"--set {name}.count={count}" for name, count in counts.items())
        click.echo(f"run it with: --set district.path='{out_dir}' {sets}")


@main.command(epilog="Example:  mobsim validate scenarios/xindu-night.toml --set alert.start=03:00")
@click.argument("scenario")
@SET_OPTION
def validate(scenario: str, overrides: tuple[str, ...]) -> None:
    """Check a scenario and the district it names: exit 0, or 2 with one line per problem."""
    from mobsim.runner import validate as problems

    found = problems(scenario, overrides)
    for line in found:
        click.echo(line, err=True)
    if found:
        sys.exit(2)
    click.echo(f"{scenario}: ok")


@main.command(epilog="Example:  mobsim run scenarios/xindu-night.toml -n 20 --seed 7 -o runs/night")
@SCENARIO_ARG
@replications_option(1)
@SEED_OPTION
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Run folder [default: runs/<scenario name>/].")
@JOBS_OPTION
@click.option("--force", is_flag=True, help="Overwrite a folder that holds a different run or a sweep; write beside other files.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run in the same folder, keeping finished replications.")
@click.option("--trace", is_flag=True, help="Also write events.parquet (every event of the run).")
@QUIET_OPTION
@_executor_options
@SET_OPTION
def run(scenario: str | None, replications: int, seed: int, out_dir: Path | None,
        jobs: int | None, force: bool, resume: bool, trace: bool, quiet: bool,
        executor: _ExecutorChoice, overrides: tuple[str, ...]) -> None:
    """Simulate the scenario (wartime switch or scan campaign) and write the run folder."""
    import mobsim
    from mobsim.reports.names import last_post_line
    from mobsim.reports.progress import progress_bar
    from mobsim.reports.summary import format_summary
    from mobsim.runner.local import default_jobs
    from mobsim.runner.stopping import sigterm_stops
    from mobsim.scenario.params import Settings

    loaded = mobsim.Scenario.load(scenario, overrides)
    workers = jobs or default_jobs()
    with sigterm_stops(), executor.open(workers) as run_on, \
            progress_bar(enabled=not quiet) as progress:
        result = mobsim.run(loaded, replications, seed, out_dir, workers, trace, progress,
                            force=force, resume=resume, executor=run_on)
    click.echo(format_summary(loaded.name, result.replications, result.target))
    if Settings(loaded).mode == "wartime":
        click.echo(last_post_line(result, result.target.minutes))
    click.echo(f"wrote {result.path}/ in {result.elapsed_s:.1f} s")


@main.command(epilog="Example:  mobsim check scenarios/xindu-night.toml -n 59 --json")
@SCENARIO_ARG
@replications_option(59)
@SEED_OPTION
@JOBS_OPTION
@click.option("--target-minutes", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Target M in minutes [default: the scenario's target.minutes].")
@click.option("--quantile", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=None,
              help="Quantile Q of the district time [default: target.quantile].")
@click.option("--confidence", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=None, help="Confidence C [default: target.confidence].")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as one JSON object.")
@QUIET_OPTION
@_executor_options
@SET_OPTION
def check(scenario: str | None, replications: int, seed: int, jobs: int | None,
          target_minutes: float | None, quantile: float | None, confidence: float | None,
          as_json: bool, quiet: bool, executor: _ExecutorChoice, overrides: tuple[str, ...]) -> None:
    """Exit 0 if the Q-quantile of the district time is shown ≤ M at confidence C, else 1.

    With `target.households_share` set in the scenario, the share of replications that reach
    that share of households by M is checked the same way, and both must be shown.
    """
    import json

    import mobsim
    from mobsim.reports.progress import progress_bar
    from mobsim.reports.summary import format_verdict
    from mobsim.results.check import require_wartime
    from mobsim.runner.local import default_jobs
    from mobsim.runner.stopping import exit_code, sigterm_stops

    target = {"target.minutes": target_minutes, "target.quantile": quantile,
              "target.confidence": confidence}
    loaded = mobsim.Scenario.load(scenario, overrides).with_(
        {key: value for key, value in target.items() if value is not None})
    require_wartime(loaded, "check")
    workers = jobs or default_jobs()
    try:
        with sigterm_stops(), executor.open(workers) as run_on, \
                progress_bar(enabled=not quiet) as progress:
            result = mobsim.run(loaded, replications, seed, None, workers, progress=progress,
                                write=False, executor=run_on)
    except KeyboardInterrupt as stop:
        click.echo("interrupted: no verdict (a check keeps no replications)", err=True)
        sys.exit(exit_code(stop))
    verdict = result.check()
    if as_json:
        click.echo(json.dumps({"scenario": loaded.name, "seed": seed, **verdict.to_dict()}))
    else:
        click.echo(format_verdict(loaded.name, verdict))
    sys.exit(0 if verdict.passed else 1)


@main.command(epilog="Example:  mobsim report runs/xindu-baseline -o xindu.html")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="HTML file to write [default: RUN_DIR/report.html].")
def report(run_dir: Path, out: Path | None) -> None:
    """Write one self-contained HTML report (plots embedded) of a run or sweep folder."""
    import mobsim

    click.echo(f"wrote {mobsim.report(run_dir, out)}")


@main.command(epilog="Example:  mobsim sweep --vary alert.start=02:00,14:00 "
                     "--vary cadres.count=0,3241 -n 20 --seed 7 -o runs/what-if")
@SCENARIO_ARG
@click.option("--vary", "vary", multiple=True, required=True, metavar="KEY=V1,V2,...",
              help="Values of a scenario key to try (each parsed like --set); repeatable: every "
                   "combination runs, the last --vary varying fastest. Values split at commas "
                   "outside [...], {...} and quotes.")
@replications_option(1)
@SEED_OPTION
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Sweep folder: DIR/variant=K/ run folders and DIR/variants.parquet.")
@JOBS_OPTION
@click.option("--force", is_flag=True, help="Overwrite a folder that holds a different sweep or a run; write beside other files.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted sweep in the same folder, keeping finished variants.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the table as JSON records (never and unbounded as \"inf\").")
@QUIET_OPTION
@_executor_options
@SET_OPTION
def sweep(scenario: str | None, vary: tuple[str, ...], replications: int, seed: int,
          out_dir: Path, jobs: int | None, force: bool, resume: bool, as_json: bool, quiet: bool,
          executor: _ExecutorChoice, overrides: tuple[str, ...]) -> None:
    """Run every combination of the varied values with the same seeds and compare them."""
    import mobsim
    from mobsim.reports.comparison import comparison_json, format_sweep
    from mobsim.reports.progress import progress_bar
    from mobsim.runner.local import default_jobs
    from mobsim.runner.stopping import sigterm_stops
    from mobsim.sweeps import comparison, parse_vary

    varied = parse_vary(vary)
    loaded = mobsim.Scenario.load(scenario, overrides)
    workers = jobs or default_jobs()
    with sigterm_stops(), executor.open(workers) as run_on, \
            progress_bar(enabled=not quiet) as progress:
        result = mobsim.sweep(loaded, varied, replications, seed, out_dir, workers, progress,
                              force, resume, executor=run_on)
    table = comparison(result)
    if as_json:
        click.echo(comparison_json(table))
        return
    click.echo(format_sweep(result, table))
    click.echo(f"wrote {result.path}/ in {result.elapsed_s:.1f} s")


@main.command(epilog="Example:  mobsim compare runs/xindu-baseline runs/xindu-night --json")
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print the table as JSON records (never and unbounded as \"inf\").")
def compare(run_dirs: tuple[Path, ...], as_json: bool) -> None:
    """Compare run folders with the first: paired by seed where the seeds match."""
    import mobsim
    from mobsim.reports.comparison import (
        comparison_json,
        format_comparison,
        format_scan_comparison,
    )
    from mobsim.results.run import is_sweep

    if len(run_dirs) < 2 and not is_sweep(run_dirs[0]):
        raise click.UsageError("give at least two run folders (the reference first) or a "
                               "sweep folder")
    table = mobsim.compare(run_dirs)
    if as_json:
        click.echo(comparison_json(table))
        return
    scan = "mode" in table.columns
    formatter = format_scan_comparison if scan else format_comparison
    click.echo(formatter(table, ["run"], f"comparison of {len(table)} runs",
                         f"the first run ({table['run'].iloc[0]})"))


@main.command(epilog="Examples:\n\n\b\n  mobsim calibrate drill.csv --scenario scenarios/xindu-night.toml "
                     "-o scenarios/drill-fitted.toml\n  mobsim calibrate --targets targets.toml "
                     "-o scenarios/targets-fitted.toml")
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
def calibrate(drill_log: Path | None, targets: Path | None, base: str | None, out: Path,
              confidence: float, replications: int, seed: int) -> None:
    """Fit the scenario's delays and probabilities to a drill log, then simulate the drill with
    the fitted scenario and compare; or fit named parameters to aggregate targets
    (docs/calibration.md). -n and --seed are those of the comparison."""
    from mobsim.studies.calibration import command

    if (drill_log is None) == (targets is None):
        raise click.UsageError("give either a DRILL_LOG or --targets FILE")
    if targets is not None:
        click.echo(command.format_target_fit(command.calibrate_targets(targets, base, out)))
        click.echo(f"wrote {out}")
        return
    from mobsim.studies.calibration.validation import format_validation

    calibration = command.calibrate_drill(drill_log, base, out, confidence)
    click.echo(command.format_fits(calibration, confidence))
    click.echo(f"wrote {out}")
    validation = command.validate_fitted(calibration, out, replications, seed, confidence)
    click.echo(format_validation(validation, calibration.log.window_min))
    click.echo("wrote " + " and ".join(map(str, command.validation_files(out))))

if __name__ == "__main__":
    main()
