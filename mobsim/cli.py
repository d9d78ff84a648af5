"""Command-line interface: thin wrappers over the Python API."""

from __future__ import annotations

import functools
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, TypeVar

import click
from click.core import ParameterSource

from mobsim import __version__
from mobsim.errors import InputError

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
VERBOSE_OPTION = click.option("-v", "--verbose", is_flag=True,
                              help="Also print the statistics behind the verdict (order "
                                   "statistic, Clopper–Pearson bounds).")


def replications_option(default: int) -> Callable[[F], F]:
    """The -n/--replications option with the command's default."""
    return click.option("-n", "--replications", type=click.IntRange(min=1), default=default,
                        show_default=True, help="Number of Monte Carlo replications.")


def _input_errors_exit_2(func: F) -> F:
    """Turn an InputError into one line on stderr and exit code 2, never a traceback."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InputError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(2)
    return wrapper  # type: ignore[return-value]


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
            from mobsim.job import run_local
            yield run_local
            return
        from mobsim.dask_executor import dask_session
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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mobsim")
def main() -> None:
    """mobsim: simulate a district's switch from peacetime to wartime mobilization.

    SCENARIO is a scenario TOML file or a built-in name; omitted, the built-in Xindu
    baseline is used. Bad input exits with code 2 and one line saying what is wrong.

    \b
    Examples:
      mobsim run                                   # the Xindu baseline, 59 replications
      mobsim run scenarios/xindu-night.toml -n 20 --set cadres.count=4000
      mobsim check -n 59                           # is the 95th percentile within 3 hours?
      mobsim check --until-decided                 # run batches until PASS or FAIL
      mobsim sensitivity --size 4 -n 20            # which placeholders the answer hangs on
      mobsim plan --lever cadres.count=3241..6000 --step 250   # least cadres that pass
      mobsim sweep --vary cadres.count=3241,6000 -n 20 -o runs/cadres
      mobsim compare runs/xindu-baseline runs/xindu-night
      mobsim report runs/xindu-baseline            # one HTML file with the plots
      mobsim validate scenarios/xindu-weekend.toml
      mobsim generate -o district/                 # the district tables as Parquet
    """


@main.command(epilog="Example:  mobsim generate scenarios/xindu-baseline.toml -o district/")
@SCENARIO_ARG
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder to write the district tables to.")
@SET_OPTION
@_input_errors_exit_2
def generate(scenario: str | None, out_dir: Path, overrides: tuple[str, ...]) -> None:
    """Write the scenario's district tables (one Parquet file per table)."""
    from mobsim.district import load_district, write_district
    from mobsim.scenario import load_scenario

    district = load_district(load_scenario(scenario, overrides))
    write_district(district, out_dir)
    click.echo(f"wrote {len(district.microgrids['microgrid_id']):,} micro-grids, "
               f"{len(district.members['member_id']):,} members, "
               f"{len(district.cadres['cadre_id']):,} cadres to {out_dir}/")


@main.command(epilog="Example:  mobsim validate scenarios/xindu-night.toml --set alert.start=03:00")
@click.argument("scenario")
@SET_OPTION
def validate(scenario: str, overrides: tuple[str, ...]) -> None:
    """Check a scenario and the district it names: exit 0, or 2 with one line per problem."""
    from mobsim.validate import problems

    found = problems(scenario, overrides)
    for line in found:
        click.echo(line, err=True)
    if found:
        sys.exit(2)
    click.echo(f"{scenario}: ok")


@main.command(epilog="Example:  mobsim run scenarios/xindu-night.toml -n 20 --seed 7 -o runs/night")
@SCENARIO_ARG
@replications_option(59)
@SEED_OPTION
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Run folder [default: runs/<scenario name>/].")
@JOBS_OPTION
@click.option("--force", is_flag=True, help="Overwrite a folder that holds a different run.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run in the same folder, keeping finished replications.")
@click.option("--trace", is_flag=True, help="Also write events.parquet (every event of the run).")
@QUIET_OPTION
@VERBOSE_OPTION
@_executor_options
@SET_OPTION
@_input_errors_exit_2
def run(scenario: str | None, replications: int, seed: int, out_dir: Path | None,
        jobs: int | None, force: bool, resume: bool, trace: bool, quiet: bool, verbose: bool,
        executor: _ExecutorChoice, overrides: tuple[str, ...]) -> None:
    """Simulate the scenario (wartime switch or scan campaign) and write the run folder.

    The default 59 replications are the fewest that can show a 95th percentile within the
    target at 95% confidence (1 − 0.95^59 ≥ 0.95).
    """
    from mobsim.job import default_jobs
    from mobsim.progress import progress_bar
    from mobsim.runner import RunInterrupted, run as run_scenario
    from mobsim.scenario import load_scenario
    from mobsim.summary import format_summary

    loaded = load_scenario(scenario, overrides)
    workers = jobs or default_jobs()
    try:
        with executor.open(workers) as run_on, progress_bar(enabled=not quiet) as progress:
            result = run_scenario(loaded, replications, seed, out_dir, workers, trace, progress,
                                  force=force, resume=resume, executor=run_on)
    except RunInterrupted as stop:
        click.echo(str(stop), err=True)
        sys.exit(130)
    click.echo(format_summary(loaded.name, result.replications,
                              float(loaded.get("target.minutes")),
                              float(loaded.get("target.quantile")),
                              float(loaded.get("target.households_share")),
                              float(loaded.get("target.confidence")), verbose))
    click.echo(f"wrote {result.out_dir}/ in {result.elapsed_s:.1f} s")


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
@click.option("--until-decided", is_flag=True,
              help="Instead of -n, run batches until PASS or FAIL, the error rate held at "
                   "1 − C over all looks (Bonferroni split; see mobsim.sequential).")
@click.option("--max-replications", type=click.IntRange(min=1), default=1000, show_default=True,
              help="With --until-decided: the last look; UNDECIDED if even it decides nothing.")
@click.option("--parameter-uncertainty", is_flag=True,
              help="Each replication draws the placeholders the model draws once per "
                   "replication from their sensitivity.ranges priors (probabilities, timers).")
@QUIET_OPTION
@VERBOSE_OPTION
@_executor_options
@SET_OPTION
@_input_errors_exit_2
def check(scenario: str | None, replications: int, seed: int, jobs: int | None,
          target_minutes: float | None, quantile: float | None, confidence: float | None,
          as_json: bool, until_decided: bool, max_replications: int,
          parameter_uncertainty: bool, quiet: bool, verbose: bool,
          executor: _ExecutorChoice, overrides: tuple[str, ...]) -> None:
    """Exit 0 PASS (Q-quantile of the district time shown ≤ M at confidence C), 1 FAIL (shown
    not), 3 UNDECIDED (too few replications to show either; the text says about how many more).

    With `target.households_share` set in the scenario, the share of replications that reach
    that share of households by M is checked the same way: PASS needs both shown, FAIL either.
    """
    import json

    from mobsim.checking import check_run, require_wartime
    from mobsim.job import default_jobs
    from mobsim.progress import progress_bar
    from mobsim.runner import run as run_scenario
    from mobsim.scenario import load_scenario
    from mobsim.summary import format_verdict

    target = {"target.minutes": target_minutes, "target.quantile": quantile,
              "target.confidence": confidence}
    overrides += tuple(f"{key}={value!r}" for key, value in target.items() if value is not None)
    context = click.get_current_context()
    if until_decided and context.get_parameter_source("replications") is ParameterSource.COMMANDLINE:
        raise click.UsageError("-n: not with --until-decided (give --max-replications)")
    loaded = load_scenario(scenario, overrides)
    require_wartime(loaded, "check")
    uncertainty = None
    if parameter_uncertainty:
        from mobsim.sensitivity.uncertainty import parameter_uncertainty as priors
        uncertainty = priors(loaded)
        loaded = load_scenario(scenario, overrides + uncertainty.overrides)
    workers = jobs or default_jobs()
    sequential = None
    with executor.open(workers) as run_on, progress_bar(enabled=not quiet) as progress:
        if until_decided:
            from mobsim.sequential_run import check_until_decided
            verdict, sequential = check_until_decided(loaded, seed, max_replications, workers,
                                                      run_on, progress)
        else:
            result = run_scenario(loaded, replications, seed, None, workers, progress=progress,
                                  write=False, executor=run_on)
            verdict = check_run(result.replications, loaded)
    if as_json:
        extra = {} if sequential is None else {"sequential": sequential.to_dict()}
        if uncertainty is not None:
            extra["parameter_uncertainty"] = {"drawn": list(uncertainty.drawn),
                                              "held": list(uncertainty.held)}
        click.echo(json.dumps({"scenario": loaded.name, "seed": seed, **verdict.to_dict(),
                               **extra}))
    else:
        click.echo(format_verdict(loaded.name, verdict, verbose))
        if uncertainty is not None:
            click.echo(uncertainty.describe())
        if sequential is not None:
            from mobsim.sequential import describe
            click.echo(describe(sequential))
    sys.exit(verdict.exit_code)


@main.command(epilog="Example:  mobsim report runs/xindu-baseline -o xindu.html")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="HTML file to write [default: RUN_DIR/report.html].")
@_input_errors_exit_2
def report(run_dir: Path, out: Path | None) -> None:
    """Write one self-contained HTML report (plots embedded) of a run or sweep folder."""
    from mobsim.report import write_report

    click.echo(f"wrote {write_report(run_dir, out)}")


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
@click.option("--force", is_flag=True, help="Overwrite a folder that holds a different sweep.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted sweep in the same folder, keeping finished variants.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the table as JSON records (never and unbounded as \"inf\").")
@QUIET_OPTION
@_executor_options
@SET_OPTION
@_input_errors_exit_2
def sweep(scenario: str | None, vary: tuple[str, ...], replications: int, seed: int,
          out_dir: Path, jobs: int | None, force: bool, resume: bool, as_json: bool, quiet: bool,
          executor: _ExecutorChoice, overrides: tuple[str, ...]) -> None:
    """Run every combination of the varied values with the same seeds and compare them."""
    from mobsim.comparison_table import comparison_json
    from mobsim.job import default_jobs
    from mobsim.progress import progress_bar
    from mobsim.runner import RunInterrupted
    from mobsim.sweep import format_sweep, parse_vary, sweep as run_sweep

    varied = parse_vary(vary)
    workers = jobs or default_jobs()
    try:
        with executor.open(workers) as run_on, progress_bar(enabled=not quiet) as progress:
            result = run_sweep(scenario, varied, replications, seed, out_dir, workers, overrides,
                               progress, force, resume, executor=run_on)
    except RunInterrupted as stop:
        click.echo(str(stop), err=True)
        sys.exit(130)
    if as_json:
        click.echo(comparison_json(result.table))
        return
    click.echo(format_sweep(result))
    click.echo(f"wrote {result.out_dir}/ in {result.elapsed_s:.1f} s")


@main.command(epilog="Example:  mobsim compare runs/xindu-baseline runs/xindu-night --json")
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print the table as JSON records (never and unbounded as \"inf\").")
@_input_errors_exit_2
def compare(run_dirs: tuple[Path, ...], as_json: bool) -> None:
    """Compare run folders with the first: paired by seed where the seeds match."""
    from mobsim.compare import compare as compare_runs
    from mobsim.comparison_table import comparison_json, format_comparison

    if len(run_dirs) < 2:
        raise click.UsageError("give at least two run folders: the reference first")
    table = compare_runs(run_dirs)
    if as_json:
        click.echo(comparison_json(table))
        return
    click.echo(format_comparison(table, ["run"], f"comparison of {len(run_dirs)} runs",
                                 f"the first run ({run_dirs[0]})"))


@main.command(epilog="Example:  mobsim sensitivity --method morris --size 4 -n 20 "
                     "--parameters cadres.speed_kmh,escalation.after_min")
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
@QUIET_OPTION
@_executor_options
@SET_OPTION
@_input_errors_exit_2
def sensitivity(scenario: str | None, method: str, keys: str, size: int | None,
                replications: int, seed: int, jobs: int | None, ends_top: int,
                ends_replications: int, as_json: bool, quiet: bool, executor: _ExecutorChoice,
                overrides: tuple[str, ...]) -> None:
    """Rank the placeholders by their effect on the district time and the share on post."""
    from mobsim.job import default_jobs
    from mobsim.progress import progress_bar
    from mobsim.sensitivity.analysis import Settings, analyse
    from mobsim.sensitivity.text import format_sensitivity, sensitivity_json

    workers = jobs or default_jobs()
    settings = Settings(method, size or (4 if method == "morris" else 16), replications, seed,
                        workers, ends_top, ends_replications)
    chosen = [key.strip() for key in keys.split(",") if key.strip()]
    with executor.open(workers) as run_on, progress_bar(enabled=not quiet) as progress:
        result = analyse(scenario, overrides, chosen, settings, run_on, progress)
    name = str(scenario or "xindu-baseline")
    click.echo(sensitivity_json(name, result) if as_json else format_sensitivity(name, result))


@main.command(epilog="Example:  mobsim plan --lever cadres.count=0..6000 --max-replications 200")
@SCENARIO_ARG
@click.option("--lever", required=True, metavar="KEY[=MIN..MAX]",
              help="Numeric key to search, assumed to help the more there is of it [range "
                   "default: its sensitivity.ranges entry].")
@click.option("--max-replications", type=click.IntRange(min=1), default=200, show_default=True,
              help="Last look of each probe's sequential check.")
@click.option("--step", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Resolution of the answer [default: 1 for a whole-number key, else 1/64 "
                   "of the range].")
@SEED_OPTION
@JOBS_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the plan as one JSON object.")
@_executor_options
@SET_OPTION
@_input_errors_exit_2
def plan(scenario: str | None, lever: str, max_replications: int, step: float | None, seed: int,
         jobs: int | None, as_json: bool, executor: _ExecutorChoice,
         overrides: tuple[str, ...]) -> None:
    """The least value of a lever for which the verdict is PASS (exit 1 if none in range)."""
    from mobsim.job import default_jobs
    from mobsim.plan import format_plan, plan as search, plan_json

    workers = jobs or default_jobs()
    with executor.open(workers) as run_on:
        result = search(scenario, overrides, lever, seed, max_replications, workers, run_on,
                        step or 0.0)
    name = str(scenario or "xindu-baseline")
    click.echo(plan_json(name, result) if as_json else format_plan(name, result))
    sys.exit(0 if result.answer is not None else 1)


if __name__ == "__main__":
    main()
