"""The command line's shared options, and how bad input and interruptions end a command."""

from __future__ import annotations

import functools
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Callable, Iterator, TypeVar

import click
from click.core import ParameterSource

from mobsim.errors import InputError, RunInterrupted, ScenarioWarning

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


def examples(*commands: str) -> str:
    """A command's epilog: its examples, one per line as typed (click leaves them unwrapped)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {command}" for command in commands)


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


class Commands(click.Group):
    """The command group: every command's bad input and interruption end the same way."""

    def invoke(self, ctx: click.Context) -> Any:
        as_json = "--json" in ctx.args  # the command's arguments, read before click takes them
        try:
            with _warnings_as_lines():
                return super().invoke(ctx)
        except click.UsageError as err:
            _json_error(as_json, err.format_message())
            raise
        except InputError as err:
            _json_error(as_json, str(err))
            raise BadInput(str(err)) from None
        except RunInterrupted as stop:
            raise Interrupted(str(stop), stop.exit_code) from None
        except KeyboardInterrupt as stop:
            # A command that keeps no replications (sensitivity, plan) stopped by Ctrl-C or
            # SIGTERM: its workers have ended with the executor; say so in one line.
            from mobsim.runner.stopping import exit_code
            raise Interrupted(f"interrupted: mobsim {ctx.invoked_subcommand} stopped before "
                              "its answer", exit_code(stop)) from None


def _json_error(as_json: bool, message: str) -> None:
    """With --json, bad input is also a JSON object on stdout, so a pipeline that reads stdout
    finds an answer: {"error": the line on stderr, "exit_code": 2}."""
    if as_json:
        from mobsim.results.jsonable import dumps
        click.echo(dumps({"error": message, "exit_code": 2}))


@contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """Print each distinct scenario warning once, as one line "warning: ..." on stderr."""
    shown: set[str] = set()
    others = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if not issubclass(category, ScenarioWarning):
            others(message, category, *args, **kwargs)
        elif str(message) not in shown:
            shown.add(str(message))
            click.echo(f"warning: {message}", err=True)

    with warnings.catch_warnings():
        warnings.simplefilter("always", ScenarioWarning)
        warnings.showwarning = show
        yield


@dataclass(frozen=True)
class ExecutorChoice:
    """Where a command runs its replications: the --executor, --scheduler and --batch options."""

    name: str
    scheduler: str | None
    batch: int | None

    @contextmanager
    def open(self, jobs: int) -> Iterator[Executor]:
        """The chosen executor for the whole command: one process pool of `jobs` workers (or one
        Dask client) that every run of the command shares, each district sent to its workers
        once; in the block SIGTERM stops the work as Ctrl-C does (workers end, nothing is
        orphaned)."""
        from mobsim.runner.stopping import sigterm_stops
        with sigterm_stops():
            if self.name == "local":
                from mobsim.runner.pool import WorkerPool
                with WorkerPool(jobs) as pool:
                    yield pool
                return
            from mobsim.runner.cluster import dask_session
            with dask_session(self.scheduler, jobs, self.batch) as executor:
                yield executor


def executor_options(func: F) -> F:
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
        return func(*args, executor=ExecutorChoice(executor_name, scheduler, batch), **kwargs)
    return wrapper  # type: ignore[return-value]
