"""Running a scenario: the run lifecycle, and where replications run (process pool, Dask)."""

from mobsim.runner.lifecycle import Executor, ProgressFn, run, validate, within

__all__ = ["Executor", "ProgressFn", "run", "validate", "within"]
