"""Running a scenario: the run lifecycle, and where replications run (process pool, Dask)."""

from mobsim.runner.lifecycle import Executor, ProgressFn, run, validate, validation_warnings, within

__all__ = ["Executor", "ProgressFn", "run", "validate", "validation_warnings", "within"]
