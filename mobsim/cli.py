"""Command-line interface: thin wrappers over the Python API."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, TypeVar

import click

from mobsim import __version__
from mobsim.errors import InputError

F = TypeVar("F", bound=Callable)

SCENARIO_ARG = click.argument("scenario", required=False)
SET_OPTION = click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                          help="Override a scenario key (value parsed as TOML); repeatable.")


def _input_errors_exit_2(func: F) -> F:
    """Turn an InputError into one line on stderr and exit code 2, never a traceback."""
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InputError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(2)
    wrapper.__name__, wrapper.__doc__ = func.__name__, func.__doc__
    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mobsim")
def main() -> None:
    """mobsim: simulate a district's switch from peacetime to wartime mobilization.

    SCENARIO is a scenario TOML file or a built-in name; omitted, the built-in Xindu
    baseline is used.
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
@click.option("-n", "--replications", type=click.IntRange(min=1), default=1, show_default=True,
              help="Number of Monte Carlo replications.")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True,
              help="Seed of the run; replication r draws from its own stream of it.")
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Run folder [default: runs/<scenario name>/].")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: all cores].")
@click.option("--trace", is_flag=True, help="Also write events.parquet (every event of the run).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@SET_OPTION
@_input_errors_exit_2
def run(scenario: str | None, replications: int, seed: int, out_dir: Path | None,
        jobs: int | None, trace: bool, quiet: bool, overrides: tuple[str, ...]) -> None:
    """Simulate the wartime switch and write the run folder of Parquet tables."""
    from mobsim.progress import progress_bar
    from mobsim.runner import default_jobs, run as run_scenario
    from mobsim.scenario import load_scenario
    from mobsim.summary import format_summary

    loaded = load_scenario(scenario, overrides)
    with progress_bar(enabled=not quiet) as progress:
        result = run_scenario(loaded, replications, seed, out_dir, jobs or default_jobs(),
                              trace, progress)
    click.echo(format_summary(loaded.name, result.replications,
                              float(loaded.get("target.minutes")),
                              float(loaded.get("target.quantile"))))
    click.echo(f"wrote {result.out_dir}/ in {result.elapsed_s:.1f} s")


if __name__ == "__main__":
    main()
