"""Aggregate targets: fit named parameters to summary figures by simulation, with Optuna.

When a district has only summaries ("80% of members on post by 60 minutes"), each named
parameter is searched within its range by Optuna's TPE sampler. Every trial simulates the same
replications of the same seed (common random numbers: two trials differ only where their
parameters act), and its loss compares the mean of each measure over those replications with
the target, not one lucky draw.
"""

from __future__ import annotations

import math
import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from mobsim.district import District, load_district
from mobsim.errors import InputError
from mobsim.model import simulate
from mobsim.model.result import ReplicationResult
from mobsim.runner import Executor
from mobsim.runner.local import pool_for, run_local
from mobsim.runner.pool import district_parts
from mobsim.scenario import Scenario, load_scenario
from mobsim.scenario.params import Settings

MEASURES: dict[str, tuple[str, Callable[[ReplicationResult, float, float], float]]] = {
    "share_members_acknowledged": ("share", lambda r, m, h: _share(r.member_acknowledged_min, m)),
    "share_members_arrived": ("share", lambda r, m, h: _share(r.member_arrived_min, m)),
    "share_gridworkers_acknowledged": ("share", lambda r, m, h: _share(r.gridworker_alerted_min, m)),
    "share_microgrids_activated": ("share", lambda r, m, h: _share(r.microgrid_activated_min, m)),
    "last_gridworker_acknowledged_min": ("minutes", lambda r, m, h: _last(r.gridworker_alerted_min, h)),
    "last_microgrid_activated_min": ("minutes", lambda r, m, h: _last(r.microgrid_activated_min, h)),
}
"""Measures a target may name: ("share", by `minutes`) or ("minutes", never = the horizon)."""

DEFAULT_TRIALS, DEFAULT_REPLICATIONS = 40, 4


def _share(times_min: np.ndarray, minutes: float) -> float:
    return float(np.mean(np.nan_to_num(times_min, nan=np.inf) <= minutes))


def _last(times_min: np.ndarray, horizon_min: float) -> float:
    return float(np.max(np.nan_to_num(times_min, nan=horizon_min), initial=0.0))


@dataclass(frozen=True)
class Target:
    """One summary figure: a measure (at `minutes` for a share) and the value observed."""

    measure: str
    minutes: float
    value: float

    def error(self, result: ReplicationResult, horizon_min: float) -> float:
        """Simulated minus observed, as a share or relative to the observed minutes.

        Both are linear in the measure, so the mean error over replications is the error of
        the mean measure."""
        kind, measure = MEASURES[self.measure]
        simulated = measure(result, self.minutes, horizon_min)
        return simulated - self.value if kind == "share" else (simulated - self.value) / self.value


@dataclass(frozen=True)
class Targets:
    """A targets file: the figures, the parameters and their ranges, and the search budget."""

    label: str
    targets: tuple[Target, ...]
    ranges: dict[str, tuple[float, float]]
    trials: int
    replications: int
    seed: int


def read_targets(path: Path) -> Targets:
    """Read a targets TOML file (docs/calibration.md); InputError naming the key on a problem."""
    label = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{label}: no such targets file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as err:
        raise InputError(f"{label}: cannot read: {err}") from None
    unknown = set(data) - {"targets", "parameters", "trials", "replications", "seed"}
    if unknown:
        raise InputError(f"{label}: unknown key {sorted(unknown)[0]!r}; a targets file has "
                         "targets, parameters, trials, replications, seed")
    targets = tuple(_target(item, f"{label}: targets[{i}]")
                    for i, item in enumerate(_list(data.get("targets"), f"{label}: targets")))
    ranges = {key: _range(value, f"{label}: parameters.{key}")
              for key, value in _table(data.get("parameters"), f"{label}: parameters").items()}
    return Targets(label, targets, ranges,
                   _whole(data.get("trials", DEFAULT_TRIALS), f"{label}: trials"),
                   _whole(data.get("replications", DEFAULT_REPLICATIONS), f"{label}: replications"),
                   _whole(data.get("seed", 1), f"{label}: seed", minimum=0))


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list) or not value:
        raise InputError(f"{where}: expected at least one [[targets]] table")
    return value


def _table(value: Any, where: str) -> dict:
    if not isinstance(value, dict) or not value:
        raise InputError(f'{where}: expected a table of "scenario.key" = [low, high]')
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{where}: expected a number, got {value!r}")
    return float(value)


def _whole(value: Any, where: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(f"{where}: expected a whole number of at least {minimum}, got {value!r}")
    return value


def _target(item: Any, where: str) -> Target:
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected a table with measure, value (and minutes)")
    measure = item.get("measure")
    if measure not in MEASURES:
        raise InputError(f"{where}.measure: expected one of {', '.join(MEASURES)}, got {measure!r}")
    kind = MEASURES[measure][0]
    value = _number(item.get("value"), f"{where}.value")
    if kind == "share" and not 0 <= value <= 1:
        raise InputError(f"{where}.value: a share lies in [0, 1], got {value:g}")
    if kind == "minutes" and value <= 0:
        raise InputError(f"{where}.value: minutes must be positive, got {value:g}")
    minutes = _number(item.get("minutes"), f"{where}.minutes") if kind == "share" else math.nan
    return Target(measure, minutes, value)


def _range(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise InputError(f"{where}: expected [low, high], got {value!r}")
    low, high = (_number(v, where) for v in value)
    if not low < high:
        raise InputError(f"{where}: low ({low:g}) must be below high ({high:g})")
    return low, high


@dataclass(frozen=True)
class TargetFit:
    """The best parameters found, their loss, and what the search cost."""

    best: dict[str, float]
    loss: float
    trials: int
    replications: int
    seconds: float


@dataclass(frozen=True)
class TrialJob:
    """One trial's replications, as an executor runs them: each gives the targets' errors."""

    scenario: Scenario
    district: District
    targets: Targets

    def run(self, replication: int) -> np.ndarray:
        """Each target's error (simulated minus observed) in one replication."""
        result = simulate(self.district, self.scenario, self.targets.seed, replication)
        horizon_min = Settings(self.scenario).horizon_min
        return np.array([t.error(result, horizon_min) for t in self.targets.targets])

    def shared(self) -> dict[str, object]:
        """The district, sent to a worker once for every trial."""
        return district_parts(self.district)

    def load_kernels(self) -> None:
        """Nothing ahead: a worker loads its kernels at its first replication, once a study."""


def loss(scenario: Scenario, district: District, targets: Targets,
         executor: Executor = run_local, jobs: int = 1) -> float:
    """Sum over targets of the squared error of the measure's mean over the replications (the
    replications run on `executor`, their errors summed in replication order)."""
    found = dict(executor(TrialJob(scenario, district, targets), range(targets.replications),
                          jobs))
    errors = np.zeros(len(targets.targets))
    for replication in range(targets.replications):
        errors += found[replication]
    return float(np.sum((errors / targets.replications) ** 2))


def fit_targets(targets: Targets, base: str | None, executor: Executor = run_local,
                jobs: int = 1) -> TargetFit:
    """Search the parameters' ranges for the least loss, `targets.trials` trials by Optuna TPE,
    every trial's replications on one pool of `jobs` workers (or `executor`)."""
    import time

    import optuna

    base_scenario = load_scenario(base)
    scenario = base_scenario.with_({k: low for k, (low, _) in targets.ranges.items()})
    district = load_district(Settings(scenario).district_source)
    for key, (_, high) in targets.ranges.items():
        base_scenario.with_({key: high})  # a range the scenario refuses fails here, once

    def objective(trial: optuna.Trial, run_on: Executor) -> float:
        values = {key: trial.suggest_float(key, low, high)
                  for key, (low, high) in targets.ranges.items()}
        return loss(base_scenario.with_(values), district, targets, run_on, jobs)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = time.perf_counter()
    with warnings.catch_warnings(), pool_for(executor, jobs) as run_on:
        warnings.simplefilter("ignore", category=optuna.exceptions.ExperimentalWarning)
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=targets.seed))
        study.optimize(lambda trial: objective(trial, run_on), n_trials=targets.trials)
    return TargetFit(dict(study.best_params), float(study.best_value), targets.trials,
                     targets.replications, time.perf_counter() - started)
