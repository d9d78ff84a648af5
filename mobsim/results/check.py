"""`mobsim check`: the bound on the district time and, when asked, on households reached; or
(`--measure act`) the bound on the minute the district is able to act on every task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from mobsim.errors import InputError
from mobsim.results.bound import FAIL, PASS, UNDECIDED, BoundCheck, check_bound
from mobsim.results.definitions import definition_minutes
from mobsim.scenario.files import Scenario
from mobsim.scenario.params import Definition, Settings, Target

MEASURES: tuple[str, ...] = ("district", "act")
"""What `mobsim check --measure` bounds: the district time (the minute the district counts as
mobilized under the target's definition), or the minute it can act on every wartime task under
the same definition (`t_act_min` at every post)."""

ACT_SPREAD_COLUMNS: tuple[str, ...] = ("share_units_acting_at_target", "people_short_at_target")
"""replications.parquet columns that explain the able-to-act verdict beside its minute."""

EXIT_CODES = {PASS: 0, FAIL: 1, UNDECIDED: 3}
"""`mobsim check`'s exit code per verdict (2 stays bad input)."""


class Spread(NamedTuple):
    """The mean, least and greatest of a measure over the replications."""

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: pd.Series) -> Spread:
        """The spread of a column."""
        return cls(float(values.mean()), float(values.min()), float(values.max()))


def combined(verdicts: list[str]) -> str:
    """FAIL if any check is shown to fail, PASS if every one is shown, else UNDECIDED."""
    if FAIL in verdicts:
        return FAIL
    return PASS if all(v == PASS for v in verdicts) else UNDECIDED


@dataclass(frozen=True)
class Verdict:
    """The district-time check and, when `target.households_share` > 0, the action check."""

    district: BoundCheck
    households: BoundCheck | None
    households_share: float
    act: BoundCheck | None = None
    """The able-to-act check, when the run has the tasks' column."""
    measure: str = "district"
    """The measure the verdict is about (MEASURES)."""
    act_limited_by: tuple[tuple[str, int], ...] = ()
    """Replications per task that came last (the task limiting the able-to-act minute)."""
    act_spread: tuple[tuple[str, Spread], ...] = ()
    """Over the replications, the share of sites and checkpoints acting at the target and the
    people short then (`ACT_SPREAD_COLUMNS`), when the run has them."""
    definition: Definition = Definition()
    """What counted as mobilized (and able to act) in both checks."""

    @property
    def checks(self) -> list[BoundCheck]:
        """The checks the verdict combines: the measure asked for."""
        if self.measure == "act":
            return [self.act] if self.act is not None else []
        return [self.district] + ([self.households] if self.households is not None else [])

    @property
    def verdict(self) -> str:
        """PASS, FAIL or UNDECIDED over every check asked for."""
        return combined([check.verdict for check in self.checks])

    @property
    def passed(self) -> bool:
        """Every check asked for is shown."""
        return self.verdict == PASS

    @property
    def exit_code(self) -> int:
        """0 PASS, 1 FAIL, 3 UNDECIDED."""
        return EXIT_CODES[self.verdict]

    def to_dict(self) -> dict:
        """The district check's fields at top level, the action check under "households"."""
        out = {**self.district.to_dict(), "district_passed": self.district.passed,
               "district_verdict": self.district.verdict,
               "passed": self.passed, "verdict": self.verdict}
        if self.households is not None:
            out["households"] = {"share": self.households_share, **self.households.to_dict()}
        if self.act is not None:
            out["act"] = {**self.act.to_dict(), "limited_by": dict(self.act_limited_by),
                          **{name: spread._asdict() for name, spread in self.act_spread}}
        out["measure"] = self.measure
        out["definition"] = {"over": self.definition.over, "share": self.definition.share,
                             "label": self.definition.label}
        return out


def require_wartime(scenario: Scenario, command: str) -> None:
    """Refuse a command that needs the wartime switch on a peacetime scan scenario."""
    mode = Settings(scenario).mode
    if mode != "wartime":
        raise InputError(f"{scenario.name}: mode: `mobsim {command}` needs a wartime scenario; "
                         f"this one is {mode!r} (use `mobsim run`)")


def check_run(replications: pd.DataFrame, target: Target, measure: str = "district",
              own: Definition | None = None) -> Verdict:
    """Check `target` against the per-replication summary of a run, the verdict about `measure`,
    the district mobilized and able to act as `target.definition` says (`own`: the definition
    the run was made with, default the target's)."""
    definition = target.definition
    district = check_bound(definition_minutes(replications, definition, "district", own),
                           target.minutes, target.quantile, target.confidence)
    households = None
    if target.households_share > 0:
        reached = replications["share_households_reached_at_target"].to_numpy(dtype=float)
        # A replication that reaches the share by the target counts as within it, else as never.
        times = np.where(np.nan_to_num(reached, nan=0.0) >= target.households_share,
                         target.minutes, np.nan)
        households = check_bound(times, target.minutes, target.quantile, target.confidence)
    act, limited, spread = None, (), ()
    if "t_act_min" in replications.columns:
        act = check_bound(definition_minutes(replications, definition, "act", own),
                          target.minutes, target.quantile, target.confidence)
        counts = replications["act_limited_by"].value_counts()
        limited = tuple((str(task), int(n)) for task, n in counts.items())
        spread = tuple((name, Spread.of(replications[name])) for name in ACT_SPREAD_COLUMNS
                       if name in replications.columns)
    elif measure == "act":
        raise InputError("--measure act: the run has no able-to-act times (t_act_min): it was "
                         "made before the wartime tasks; run it again")
    return Verdict(district, households, target.households_share, act, measure, limited, spread,
                   definition)
