"""`mobsim calibrate DRILL_LOG`: read, fit, write the fitted scenario, print what was fitted."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from mobsim.district import District, load_district
from mobsim.runner import Executor
from mobsim.runner.local import run_local
from mobsim.scenario import Scenario, load_scenario
from mobsim.scenario.params import Settings
from mobsim.studies.calibration.drill_log import DrillLog, check_ids, read_drill_log
from mobsim.studies.calibration.fitted import (
    NUMBER,
    FittedValue,
    fit_log,
    fitted_toml,
    targets_toml,
    write_fitted,
)
from mobsim.studies.calibration.targets import TargetFit, fit_targets, read_targets
from mobsim.studies.calibration.validation import Validation, validate


@dataclass(frozen=True)
class Calibration:
    """A drill log, the base scenario at the drill's order, its district and the fitted values."""

    log: DrillLog
    scenario: Scenario
    district: District
    values: list[FittedValue]
    fit_seconds: float


def drill_scenario(base: str | None, log: DrillLog) -> Scenario:
    """The base scenario with the drill's order day and time."""
    return load_scenario(base).with_({"alert.start": log.order_start,
                                      "alert.weekday": log.order_weekday})


def calibrate_drill(log_path: Path, base: str | None, out: Path,
                    confidence: float = 0.95) -> Calibration:
    """Check the log against the base's district, fit it, and write the fitted scenario to `out`.

    Nothing is written unless the log is valid and every fit is done.
    """
    log = read_drill_log(log_path)
    scenario = drill_scenario(base, log)
    district = load_district(Settings(scenario).district_source)
    check_ids(log, district)
    started = time.perf_counter()
    values = fit_log(log, district, scenario, confidence)
    seconds = time.perf_counter() - started
    write_fitted(fitted_toml(values, log, base, out, confidence), out)
    return Calibration(log, scenario, district, values, seconds)


def calibrate_targets(targets_path: Path, base: str | None, out: Path,
                      executor: Executor = run_local, jobs: int = 1) -> TargetFit:
    """Fit the named parameters to the aggregate targets (every trial's replications on
    `executor`) and write the fitted scenario to `out`."""
    targets = read_targets(targets_path)
    fit = fit_targets(targets, base, executor, jobs)
    write_fitted(targets_toml(fit, targets, base, out), out)
    return fit


def format_target_fit(fit: TargetFit) -> str:
    """The best parameters and what the search cost."""
    lines = [f"fitted by simulation: {fit.trials} trials x {fit.replications} replications "
             f"(common random numbers) = {fit.trials * fit.replications:,} runs in "
             f"{fit.seconds:.1f} s; least mean loss {fit.loss:.4g}"]
    lines += [f"  {key:<46} {value:.4g}" for key, value in fit.best.items()]
    return "\n".join(lines)


def validate_fitted(calibration: Calibration, out: Path, replications: int, seed: int,
                    executor: Executor = run_local, jobs: int = 1) -> Validation:
    """Simulate the drill with the written fitted scenario (on `executor`); write its curves
    beside it (the page of them is mobsim.reports.calibration_page's)."""
    validation = validate(calibration.log, calibration.district, load_scenario(out),
                          replications, seed, executor, jobs)
    curves_path, _ = validation_files(out)
    temporary = curves_path.with_name(f".{curves_path.name}.partial")
    validation.curves.to_csv(temporary, index=False)
    temporary.replace(curves_path)
    return validation


def validation_files(out: Path) -> tuple[Path, Path]:
    """Where the validation curves (CSV) and page (HTML) of the fitted scenario `out` go."""
    return out.with_name(f"{out.stem}-validation.csv"), out.with_name(f"{out.stem}-validation.html")


def format_fits(calibration: Calibration, confidence: float) -> str:
    """The fitted values as a table: key, value, interval, observations."""
    lines = [f"fitted to {calibration.log.label} ({len(calibration.log.rows):,} rows) in "
             f"{calibration.fit_seconds:.1f} s; {confidence:.0%} intervals (profile likelihood; speeds: "
             "bootstrap):"]
    for value in calibration.values:
        for name, estimate in value.intervals.items():
            label = value.key if name == NUMBER else f"{value.key}.{name}"
            lines.append(f"  {label:<46} {estimate.value:>9.4g}  [{estimate.low:.4g}, "
                         f"{estimate.high:.4g}]  n = {value.exact + value.censored:,} "
                         f"({value.censored:,} censored)")
    if not calibration.values:
        lines.append("  nothing: the log informs no distribution (too few observations)")
    return "\n".join(lines)
