"""Commands that make, check, compare and report runs: generate, validate, run, check, report, sweep, compare."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.core import ParameterSource

from mobsim.cli.options import (
    JOBS_OPTION,
    QUIET_OPTION,
    SCENARIO_ARG,
    SEED_OPTION,
    SET_OPTION,
    VERBOSE_OPTION,
    ExecutorChoice,
    examples,
    executor_options,
    replications_option,
)


@click.command(epilog=examples("mobsim generate xindu-baseline -o district/",
                              "mobsim generate --city -o city/",
                              "mobsim generate xindu-night --drill-log drill.csv --window 120"))
@SCENARIO_ARG
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder to write the district tables to.")
@click.option("--scale", type=click.IntRange(min=1), default=None,
              help="One district this many times Xindu: sub-districts, communities, grids, "
                   "members, cadres and scanners alike, in their proportions.")
@click.option("--city", is_flag=True, help="The city preset: --scale 20 (about 10 M households).")
@click.option("--drill-log", type=click.Path(path_type=Path), default=None,
              help="Write a drill log (CSV, docs/calibration.md) of one simulated order of the "
                   "scenario, to practise `mobsim calibrate` on.")
@click.option("--window", "window_min", type=click.FloatRange(min=0, min_open=True),
              default=None, help="The drill log's window in minutes [default: target.minutes].")
@SEED_OPTION
@SET_OPTION
def generate(scenario: str | None, out_dir: Path | None, scale: int | None, city: bool,
             drill_log: Path | None, window_min: float | None, seed: int,
             overrides: tuple[str, ...]) -> None:
    """Write the scenario's district tables (one Parquet file per table), or a drill log."""
    import mobsim
    from mobsim.district import load_district, write_district
    from mobsim.district.generate import CITY_SCALE
    from mobsim.district.io import scaled_district
    from mobsim.scenario.params import Settings

    if city and scale is not None:
        raise click.UsageError("--city is --scale 20: give one of them")
    if out_dir is None and drill_log is None:
        raise click.UsageError("give -o DIR (the district tables) or --drill-log FILE")
    loaded = mobsim.Scenario.load(scenario, overrides)
    if drill_log is not None:
        from mobsim.studies.calibration.synthetic import write_drill_log
        log = write_drill_log(loaded, drill_log, seed, window_min)
        click.echo(f"wrote {drill_log}: a drill of {loaded.name} ({log.order_weekday} "
                   f"{log.order_start}, {log.window_min:g}-minute window, seed {seed}), "
                   f"{len(log.rows):,} people")
    if out_dir is None:
        return
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


@click.command(epilog=examples("mobsim validate xindu-night --set alert.start=03:00"))
@click.argument("scenario")
@SET_OPTION
def validate(scenario: str, overrides: tuple[str, ...]) -> None:
    """Check a scenario and the district it names: exit 0, or 2 with one line per problem.

    A sound district unlike the article's (a community no cadre reports to) is valid: one
    "warning:" line each, and exit 0.
    """
    from mobsim.runner import validate as problems
    from mobsim.runner import validation_warnings

    found = problems(scenario, overrides)
    for line in found:
        click.echo(line, err=True)
    if found:
        sys.exit(2)
    warned = validation_warnings(scenario, overrides)
    for line in warned:
        click.echo(f"warning: {line}", err=True)
    click.echo(f"{scenario}: ok{', with the warnings above' if warned else ''}")


@click.command(epilog=examples("mobsim run xindu-night -n 20 --seed 7 -o runs/night"))
@SCENARIO_ARG
@replications_option(59)
@SEED_OPTION
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Run folder [default: runs/<scenario name>/].")
@JOBS_OPTION
@click.option("--force", is_flag=True, help="Overwrite a folder that holds a different run or a sweep; write beside other files.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run in the same folder, keeping finished "
                   "replications; or grow a finished run to -n replications.")
@click.option("--trace", is_flag=True, help="Also write events.parquet (every event of the run).")
@QUIET_OPTION
@VERBOSE_OPTION
@executor_options
@SET_OPTION
def run(scenario: str | None, replications: int, seed: int, out_dir: Path | None,
        jobs: int | None, force: bool, resume: bool, trace: bool, quiet: bool, verbose: bool,
        executor: ExecutorChoice, overrides: tuple[str, ...]) -> None:
    """Simulate the scenario (wartime switch or scan campaign) and write the run folder.

    The default 59 replications are the fewest that can show a 95th percentile within the
    target at 95% confidence (1 − 0.95^59 ≥ 0.95).
    """
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
    click.echo(format_summary(loaded.name, result.replications, result.target, verbose))
    if Settings(loaded).mode == "wartime":
        click.echo(last_post_line(result, result.target.minutes))
        from mobsim.reports.sources import rests_on_lines
        from mobsim.studies.calibration.drill_plan import rests_on_summary
        click.echo("\n".join(rests_on_lines(rests_on_summary(loaded), str(result.path))))
    click.echo(f"wrote {result.path}/ in {result.elapsed_s:.1f} s")


@click.command(epilog=examples("mobsim check xindu-night -n 59 --json"))
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
@click.option("--definition", default=None, metavar="all|OVER[:SHARE]",
              help="What counts as mobilized (and able to act) [default: the scenario's "
                   "target.definition and target.share]: all (every post), posts:0.99 (99% of "
                   "the district's posts), communities:0.95 (every community at 95% of its "
                   "posts), subdistricts:0.95.")
@click.option("--measure", type=click.Choice(["district", "act"]), default="district",
              show_default=True,
              help="What to bound: the district time (every post staffed) or the minute every "
                   "community is able to act on every wartime task (t_act_min).")
@click.option("--until-decided", is_flag=True,
              help="Instead of -n, run batches until PASS or FAIL, the error rate of each held "
                   "at 1 − C over all looks (Bonferroni split; see mobsim.results.sequential); "
                   "a clear FAIL stops after a few replications.")
@click.option("--max-replications", type=click.IntRange(min=1), default=1000, show_default=True,
              help="With --until-decided: the last look; UNDECIDED if even it decides nothing. "
                   "Below the fewest that can show a PASS (59 at 95/95) the check can only "
                   "decide FAIL.")
@click.option("--parameter-uncertainty", is_flag=True,
              help="Each replication draws the placeholders the model draws once per "
                   "replication from their sensitivity.ranges priors (probabilities, timers).")
@QUIET_OPTION
@VERBOSE_OPTION
@executor_options
@SET_OPTION
def check(scenario: str | None, replications: int, seed: int, jobs: int | None,
          target_minutes: float | None, quantile: float | None, confidence: float | None,
          as_json: bool, definition: str | None, measure: str, until_decided: bool,
          max_replications: int, parameter_uncertainty: bool, quiet: bool, verbose: bool,
          executor: ExecutorChoice, overrides: tuple[str, ...]) -> None:
    """Exit 0 PASS (Q-quantile of the district time shown ≤ M at confidence C), 1 FAIL (shown
    not), 3 UNDECIDED (too few replications to show either; the text says about how many more).

    The district time is the minute the district counts as mobilized under the scenario's
    definition (every post by default) or `--definition`. With `target.households_share` set in
    the scenario, the share of replications that reach that share of households by M is checked
    the same way: PASS needs both shown, FAIL either.
    """
    import mobsim
    from mobsim.reports.progress import progress_bar
    from mobsim.reports.summary import format_verdict
    from mobsim.results.jsonable import dumps
    from mobsim.results.check import require_wartime
    from mobsim.runner.local import default_jobs
    from mobsim.runner.sequential import check_until_decided
    from mobsim.runner.stopping import exit_code, sigterm_stops
    from mobsim.scenario.params import Definition

    target = {"target.minutes": target_minutes, "target.quantile": quantile,
              "target.confidence": confidence}
    context = click.get_current_context()
    if until_decided and context.get_parameter_source("replications") is ParameterSource.COMMANDLINE:
        raise click.UsageError("-n: not with --until-decided (give --max-replications)")
    changes = {key: value for key, value in target.items() if value is not None}
    if definition is not None:
        changes.update(Definition.changes(definition))
    loaded = mobsim.Scenario.load(scenario, overrides).with_(changes)
    require_wartime(loaded, "check")
    uncertainty = None
    if parameter_uncertainty:
        from mobsim.studies.sensitivity.uncertainty import (
            parameter_uncertainty as priors,
        )
        uncertainty = priors(loaded)
        loaded = loaded.with_(uncertainty.changes)
    workers = jobs or default_jobs()
    sequential = None
    try:
        with sigterm_stops(), executor.open(workers) as run_on, \
                progress_bar(enabled=not quiet) as progress:
            if until_decided:
                verdict, sequential = check_until_decided(loaded, seed, max_replications,
                                                          workers, run_on, progress, measure)
            else:
                verdict = mobsim.run(loaded, replications, seed, None, workers,
                                     progress=progress, write=False,
                                     executor=run_on).check(measure=measure)
    except KeyboardInterrupt as stop:
        click.echo("interrupted: no verdict (a check keeps no replications)", err=True)
        sys.exit(exit_code(stop))
    if as_json:
        extra = {} if sequential is None else {"sequential": sequential.to_dict()}
        if uncertainty is not None:
            extra["parameter_uncertainty"] = {"drawn": list(uncertainty.drawn),
                                              "held": list(uncertainty.held)}
        click.echo(dumps({"scenario": loaded.name, "seed": seed, **verdict.to_dict(), **extra}))
    else:
        click.echo(format_verdict(loaded.name, verdict, verbose))
        if uncertainty is not None:
            click.echo(uncertainty.describe())
        if sequential is not None:
            from mobsim.results.sequential import describe
            click.echo(describe(sequential))
    sys.exit(verdict.exit_code)


@click.command(epilog=examples("mobsim report runs/xindu-baseline -o xindu.html"))
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="HTML file to write [default: RUN_DIR/report.html].")
def report(run_dir: Path, out: Path | None) -> None:
    """Write one self-contained HTML report (plots embedded) of a run or sweep folder."""
    import mobsim

    click.echo(f"wrote {mobsim.report(run_dir, out)}")


@click.command(epilog=examples("mobsim sweep --vary alert.start=02:00,14:00 --vary "
                              "cadres.at_once=2000,3241 -n 20 --seed 7 -o runs/what-if"))
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
@executor_options
@SET_OPTION
def sweep(scenario: str | None, vary: tuple[str, ...], replications: int, seed: int,
          out_dir: Path, jobs: int | None, force: bool, resume: bool, as_json: bool, quiet: bool,
          executor: ExecutorChoice, overrides: tuple[str, ...]) -> None:
    """Run every combination of the varied values with the same seeds and compare them."""
    import mobsim
    from mobsim.reports.comparison import comparison_json, format_sweep
    from mobsim.reports.progress import progress_bar
    from mobsim.runner.local import default_jobs
    from mobsim.runner.stopping import sigterm_stops
    from mobsim.sweeps import parse_vary

    varied = parse_vary(vary)
    loaded = mobsim.Scenario.load(scenario, overrides)
    workers = jobs or default_jobs()
    with sigterm_stops(), executor.open(workers) as run_on, \
            progress_bar(enabled=not quiet) as progress:
        result = mobsim.sweep(loaded, varied, replications, seed, out_dir, workers, progress,
                              force, resume, executor=run_on)
    table = result.comparison()
    if as_json:
        click.echo(comparison_json(table))
        return
    click.echo(format_sweep(result, table))
    click.echo(f"wrote {result.path}/ in {result.elapsed_s:.1f} s")


@click.command(epilog=examples("mobsim compare runs/xindu-baseline runs/xindu-night --json"))
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
    click.echo(formatter(table, table.attrs["labels"], f"comparison of {len(table)} runs",
                         f"the first run ({table['run'].iloc[0]})"))
