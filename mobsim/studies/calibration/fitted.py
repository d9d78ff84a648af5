"""Fit every distribution a drill log informs, and write the fitted values as a scenario file.

The fitted file extends the base scenario and sets only what the log informs, each value with
its source ("fitted to DRILL_LOG, n = …") and its confidence interval as the range the
sensitivity analysis should explore; what the log does not inform keeps the base value and is
listed in the file's header.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mobsim.codes import PRESENCE_STATES
from mobsim.district import District
from mobsim.scenario import Scenario, builtin_names
from mobsim.scenario.params import Settings
from mobsim.scenario.tomlwrite import inline, key_text
from mobsim.studies.calibration.censored import Estimate, fit
from mobsim.studies.calibration.drill_log import DrillLog
from mobsim.studies.calibration.observations import NOT_INFORMED, POOLED, problems
from mobsim.studies.calibration.speeds import SPEED_KEYS, fit_speeds
from mobsim.studies.calibration.targets import TargetFit, Targets

NUMBER = "value"
"""Interval name of a fitted plain number (a probability, a speed): the key alone names it."""


@dataclass(frozen=True)
class FittedValue:
    """One fitted scenario value: its key, the value to write, its intervals and observations."""

    key: str
    value: float | dict[str, float | str]
    intervals: dict[str, Estimate]
    exact: int
    censored: int
    pooled: bool = False
    """Fitted over every state (the log records none) and written to each state's key."""


def _expanded(key: str, scenario: Scenario) -> list[tuple[str, bool]]:
    """A pooled key ("x.*") as the keys of the states the scenario's table has, else itself."""
    table, _, leaf = key.rpartition(".")
    if leaf != POOLED:
        return [(key, False)]
    return [(f"{table}.{state}", True) for state in PRESENCE_STATES
            if state in Settings(scenario).keys(table)]


def fit_log(log: DrillLog, district: District, scenario: Scenario,
            confidence: float = 0.95) -> list[FittedValue]:
    """Censored maximum-likelihood fits of every distribution and probability the log informs."""
    out = []
    for problem in problems(log, district, scenario):
        joint = fit(problem.groups, problem.probability_key is not None, confidence)
        for key, group in joint.groups.items():
            value = {"dist": group.family, **{n: e.value for n, e in group.params.items()}}
            out += [FittedValue(name, value, group.params, group.exact, group.censored, pooled)
                    for name, pooled in _expanded(key, scenario)]
        if joint.probability is not None:
            exact = sum(g.exact for g in joint.groups.values())
            censored = sum(g.censored for g in joint.groups.values())
            out.append(FittedValue(problem.probability_key, joint.probability.value,
                                   {NUMBER: joint.probability}, exact, censored))
    out += [FittedValue(key, estimate.value, {NUMBER: estimate}, people, 0)
            for key, estimate, people in fit_speeds(log, district, scenario, confidence)]
    return out


def _extends(base: str | None, out: Path) -> str:
    if base is None or base in builtin_names():
        return base or "xindu-baseline"
    return os.path.relpath(Path(base).absolute(), out.absolute().parent)


def _range_text(value: FittedValue, confidence: float) -> str:
    parts = [f"{e.low:.4g}–{e.high:.4g}" if name == NUMBER
             else f"{name} {e.low:.4g}–{e.high:.4g}" for name, e in value.intervals.items()]
    method = "bootstrap" if value.key in SPEED_KEYS else "profile-likelihood"
    return f"range {', '.join(parts)} ({confidence:.0%} {method} interval)"


def _rounded(value: float | dict) -> float | dict:
    if isinstance(value, dict):
        return {k: _rounded(v) if isinstance(v, float) else v for k, v in value.items()}
    return float(f"{value:.5g}")


def fitted_toml(values: list[FittedValue], log: DrillLog, base: str | None, out: Path,
                confidence: float = 0.95) -> str:
    """The text of the fitted scenario file written at `out`, extending `base` (None: baseline)."""
    tables: dict[str, list[str]] = {"alert": [
        f"start = {inline(log.order_start)}  # the drill's order (drill log {log.label})",
        f"weekday = {inline(log.order_weekday)}  # the drill's order (drill log {log.label})"]}
    for value in values:
        table, _, leaf = value.key.rpartition(".")
        source = (f"fitted to {log.label}, n = {value.exact + value.censored} "
                  f"({value.censored} censored); {_range_text(value, confidence)}")
        if value.pooled:
            source += "; pooled over states (the log records none)"
        tables.setdefault(table, []).append(
            f"{key_text(leaf)} = {inline(_rounded(value.value))}  # {source}")
    header = [f"mobsim scenario fitted by `mobsim calibrate` to the drill log {log.label}",
              f"(order {log.order_weekday} {log.order_start}, window {log.window_min:g} min).",
              "Not informed by the log, so kept from the base scenario:",
              *(f"  {line}" for line in NOT_INFORMED)]
    return scenario_text(header, base, out, f"fitted to the drill log {log.label}", tables)


def targets_toml(fit: TargetFit, targets: Targets, base: str | None, out: Path) -> str:
    """The text of the scenario file fitted to aggregate targets, extending `base`."""
    source = (f"fitted by simulation to {targets.label}: Optuna TPE, {fit.trials} trials x "
              f"{fit.replications} replications (common random numbers), loss {fit.loss:.3g}")
    tables: dict[str, list[str]] = {}
    for key, value in fit.best.items():
        table, _, leaf = key.rpartition(".")
        low, high = targets.ranges[key]
        tables.setdefault(table, []).append(
            f"{key_text(leaf)} = {inline(_rounded(value))}  # {source}; range searched "
            f"{low:g}–{high:g} (a search, not an interval)")
    header = [f"mobsim scenario fitted by `mobsim calibrate --targets` to {targets.label}.",
              "Only the parameters named there are set; everything else is the base scenario's."]
    return scenario_text(header, base, out, f"fitted to the targets {targets.label}", tables)


def scenario_text(header: list[str], base: str | None, out: Path, description: str,
                  tables: dict[str, list[str]]) -> str:
    """A scenario file extending `base`, named after `out`, with these tables of lines."""
    lines = [*(f"# {line}".rstrip() for line in header), "",
             f"extends = {inline(_extends(base, out))}", f"name = {inline(out.stem)}",
             f"description = {inline(description)}"]
    for table, entries in tables.items():
        lines += ["", f"[{table}]", *entries]
    return "\n".join(lines) + "\n"


def write_fitted(text: str, out: Path) -> None:
    """Write a text file whole or not at all (a temporary file renamed into place)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.partial")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, out)
